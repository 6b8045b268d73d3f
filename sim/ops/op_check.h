// A small checker that op schemas use to state their rules; it turns every violation into an InputError
// that names the trace file, the JSON pointer, what was expected and what was found.
#pragma once

#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "sim/ops/op_schema.h"

namespace ssmsim {

// How an input's dtype follows from the trace's numerics mode.
enum class Role {
    act,      // int8 activation | float32
    w8,       // int8 weight     | float32
    w16,      // int16 constant  | float32
    w32,      // int32 constant  | float32
    tokens,   // int32 in both modes
    lut8,     // int8[256] lookup table; integer mode only
    table32,  // int32[T] table; integer mode only
};

struct InputSpec {
    const char* name;
    Role role;
    bool optional = false;  // optional inputs come last, all present or all absent
};

class OpCheck {
public:
    OpCheck(const OpSite& site, std::initializer_list<InputSpec> inputs, size_t outputs = 1);

    bool int_mode() const { return site_.trace.numerics == Numerics::int8; }
    bool has(const char* name) const;
    const TensorDecl& in(const char* name) const;
    const Shape& shape(const char* name) const { return in(name).shape; }

    void rank(const char* name, size_t r) const;
    void rank_at_least(const char* name, size_t r) const;
    void dim(const char* name, size_t axis, int64_t expected, const std::string& what) const;
    void dim_at_most(const char* name, size_t axis, int64_t most, const std::string& what) const;
    void same_shape(const char* a, const char* b) const;

    int64_t attr_int(const char* key, int64_t lo, int64_t hi);
    int64_t attr_int_or(const char* key, int64_t lo, int64_t hi, int64_t fallback);
    bool attr_bool_or(const char* key, bool fallback);
    std::string attr_enum_or(const char* key, std::initializer_list<const char*> values,
                             const char* fallback);
    double attr_number(const char* key, double lo, double hi);
    Shape attr_shape(const char* key);
    // mult/shift of a requantization, integer mode only.
    void requant_attrs(const char* mult = "mult", const char* shift = "shift",
                       int64_t max_mult = limits::kMaxMult);

    // Checks the declared output against the shape and dtype the op produces, then that no unknown attribute
    // is left. Call last.
    void output(size_t i, const Shape& shape, DType dtype);
    void output_like(size_t i, const char* input);  // same shape, activation dtype
    void done();
    [[noreturn]] void reject_attr(const char* key, const std::string& expected,
                                  const std::string& found) const {
        fail(where_attr(key), expected, found);
    }

    DType act_dtype() const { return int_mode() ? DType::int8 : DType::float32; }

private:
    std::string where_input(size_t i) const;
    std::string where_attr(const char* key) const;
    [[noreturn]] void fail(const std::string& where, const std::string& expected,
                           const std::string& found) const;

    const OpSite& site_;
    std::vector<InputSpec> specs_;  // the specs that apply in this mode
    std::vector<int> position_;     // spec index -> position in op.inputs, -1 if absent
    std::set<std::string> attrs_seen_;
    size_t outputs_checked_ = 0;
};

}  // namespace ssmsim
