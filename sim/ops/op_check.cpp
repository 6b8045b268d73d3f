#include "sim/ops/op_check.h"

#include <fmt/format.h>

#include "sim/util/error.h"

namespace ssmsim {

namespace {

DType role_dtype(Role r, bool int_mode) {
    switch (r) {
        case Role::act:
        case Role::w8:
            return int_mode ? DType::int8 : DType::float32;
        case Role::w16:
            return int_mode ? DType::int16 : DType::float32;
        case Role::w32:
            return int_mode ? DType::int32 : DType::float32;
        case Role::tokens:
            return DType::int32;
        case Role::lut8:
            return DType::int8;
        case Role::table32:
            return DType::int32;
    }
    return DType::int8;
}

bool integer_only(Role r) { return r == Role::lut8 || r == Role::table32; }

}  // namespace

OpCheck::OpCheck(const OpSite& site, std::initializer_list<InputSpec> inputs, size_t outputs) : site_(site) {
    for (const InputSpec& s : inputs) {
        if (!integer_only(s.role) || int_mode()) specs_.push_back(s);
    }
    size_t required = 0;
    for (const InputSpec& s : specs_) required += s.optional ? 0 : 1;
    const size_t n = site.op.inputs.size();
    if (n != required && n != specs_.size()) {
        std::string names;
        for (const InputSpec& s : specs_)
            names += std::string(names.empty() ? "" : ", ") + s.name + (s.optional ? "?" : "");
        const std::string expected =
            required == specs_.size() ? fmt::format("{} inputs ({})", required, names)
                                      : fmt::format("{} or {} inputs ({})", required, specs_.size(), names);
        fail(fmt::format("/ops/{}/inputs", site.index),
             expected + " in " + std::string(numerics_name(site.trace.numerics)) + " mode",
             std::to_string(n));
    }
    for (size_t i = 0; i < specs_.size(); ++i) position_.push_back(i < n ? static_cast<int>(i) : -1);
    for (size_t i = 0; i < n; ++i) {
        const TensorDecl& t = site.trace.tensor(site.op.inputs[i]);
        const DType want = role_dtype(specs_[i].role, int_mode());
        if (t.dtype != want) {
            fail(where_input(i) + " dtype", std::string(dtype_name(want)),
                 fmt::format("{} (tensor '{}')", dtype_name(t.dtype), t.name));
        }
        if (specs_[i].role == Role::lut8) {
            rank(specs_[i].name, 1);
            dim(specs_[i].name, 0, 256, "entries of an int8 lookup table");
        }
        if (specs_[i].role == Role::table32) {
            rank(specs_[i].name, 1);
            dim_at_most(specs_[i].name, 0, limits::kMaxTableSize, "table entries");
        }
    }
    if (site.op.outputs.size() != outputs) {
        fail(fmt::format("/ops/{}/outputs", site.index), fmt::format("{} output(s)", outputs),
             std::to_string(site.op.outputs.size()));
    }
    if (!site.op.attrs.is_object())
        fail(fmt::format("/ops/{}/attrs", site.index), "an object", site.op.attrs.dump());
}

void OpCheck::fail(const std::string& where, const std::string& expected, const std::string& found) const {
    throw InputError(
        location(site_.file, where) + fmt::format(" (op '{}', {})", site_.op.name, site_.op.kind), expected,
        found);
}

std::string OpCheck::where_input(size_t i) const { return fmt::format("/ops/{}/inputs/{}", site_.index, i); }
std::string OpCheck::where_attr(const char* key) const {
    return fmt::format("/ops/{}/attrs/{}", site_.index, pointer_escape(key));
}

bool OpCheck::has(const char* name) const {
    for (size_t i = 0; i < specs_.size(); ++i) {
        if (std::string(specs_[i].name) == name) return position_[i] >= 0;
    }
    return false;
}

const TensorDecl& OpCheck::in(const char* name) const {
    for (size_t i = 0; i < specs_.size(); ++i) {
        if (std::string(specs_[i].name) == name && position_[i] >= 0) {
            return site_.trace.tensor(site_.op.inputs[position_[i]]);
        }
    }
    throw std::logic_error(fmt::format("op schema asks for absent input '{}'", name));
}

namespace {
size_t input_position(const OpSite& s, const std::string& tensor) {
    for (size_t i = 0; i < s.op.inputs.size(); ++i) {
        if (s.op.inputs[i] == tensor) return i;
    }
    return 0;
}
}  // namespace

void OpCheck::rank(const char* name, size_t r) const {
    const TensorDecl& t = in(name);
    if (t.shape.size() != r) {
        fail(where_input(input_position(site_, t.name)) + " shape", fmt::format("rank {} for {}", r, name),
             fmt::format("{} (tensor '{}')", shape_str(t.shape), t.name));
    }
}

void OpCheck::rank_at_least(const char* name, size_t r) const {
    const TensorDecl& t = in(name);
    if (t.shape.size() < r) {
        fail(where_input(input_position(site_, t.name)) + " shape", fmt::format("rank >= {} for {}", r, name),
             fmt::format("{} (tensor '{}')", shape_str(t.shape), t.name));
    }
}

void OpCheck::dim(const char* name, size_t axis, int64_t expected, const std::string& what) const {
    const TensorDecl& t = in(name);
    if (t.shape.at(axis) != expected) {
        fail(where_input(input_position(site_, t.name)) + fmt::format(" shape[{}]", axis),
             fmt::format("{} = {} ({})", name, expected, what),
             fmt::format("{} (tensor '{}' of shape {})", t.shape[axis], t.name, shape_str(t.shape)));
    }
}

void OpCheck::dim_at_most(const char* name, size_t axis, int64_t most, const std::string& what) const {
    const TensorDecl& t = in(name);
    if (t.shape.at(axis) > most) {
        fail(where_input(input_position(site_, t.name)) + fmt::format(" shape[{}]", axis),
             fmt::format("at most {} {}", most, what),
             fmt::format("{} (tensor '{}' of shape {})", t.shape[axis], t.name, shape_str(t.shape)));
    }
}

void OpCheck::same_shape(const char* a, const char* b) const {
    const TensorDecl& ta = in(a);
    const TensorDecl& tb = in(b);
    if (ta.shape != tb.shape) {
        fail(where_input(input_position(site_, tb.name)) + " shape",
             fmt::format("{} (the shape of {} '{}')", shape_str(ta.shape), a, ta.name),
             fmt::format("{} (tensor '{}')", shape_str(tb.shape), tb.name));
    }
}

int64_t OpCheck::attr_int(const char* key, int64_t lo, int64_t hi) {
    attrs_seen_.insert(key);
    const auto& attrs = site_.op.attrs;
    if (!attrs.contains(key))
        fail(where_attr(key), fmt::format("an integer in [{}, {}]", lo, hi), "nothing (missing)");
    const auto& v = attrs.at(key);
    if (!v.is_number_integer())
        fail(where_attr(key), fmt::format("an integer in [{}, {}]", lo, hi), v.dump());
    const int64_t x = v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
                          ? INT64_MAX
                          : v.get<int64_t>();
    if (x < lo || x > hi)
        fail(where_attr(key), fmt::format("an integer in [{}, {}]", lo, hi), std::to_string(x));
    return x;
}

int64_t OpCheck::attr_int_or(const char* key, int64_t lo, int64_t hi, int64_t fallback) {
    if (!site_.op.attrs.contains(key)) {
        attrs_seen_.insert(key);
        return fallback;
    }
    return attr_int(key, lo, hi);
}

bool OpCheck::attr_bool_or(const char* key, bool fallback) {
    attrs_seen_.insert(key);
    if (!site_.op.attrs.contains(key)) return fallback;
    const auto& v = site_.op.attrs.at(key);
    if (!v.is_boolean()) fail(where_attr(key), "true or false", v.dump());
    return v.get<bool>();
}

std::string OpCheck::attr_enum_or(const char* key, std::initializer_list<const char*> values,
                                  const char* fallback) {
    attrs_seen_.insert(key);
    if (!site_.op.attrs.contains(key)) return fallback;
    const auto& v = site_.op.attrs.at(key);
    std::string list;
    for (const char* x : values) {
        list += (list.empty() ? "" : " or ") + std::string("\"") + x + "\"";
        if (v.is_string() && v.get<std::string>() == x) return x;
    }
    fail(where_attr(key), list, v.dump());
}

double OpCheck::attr_number(const char* key, double lo, double hi) {
    attrs_seen_.insert(key);
    const auto& attrs = site_.op.attrs;
    if (!attrs.contains(key))
        fail(where_attr(key), fmt::format("a number in [{}, {}]", lo, hi), "nothing (missing)");
    const auto& v = attrs.at(key);
    if (!v.is_number()) fail(where_attr(key), fmt::format("a number in [{}, {}]", lo, hi), v.dump());
    const double x = v.get<double>();
    if (!(x >= lo && x <= hi)) fail(where_attr(key), fmt::format("a number in [{}, {}]", lo, hi), v.dump());
    return x;
}

Shape OpCheck::attr_shape(const char* key) {
    attrs_seen_.insert(key);
    const auto& attrs = site_.op.attrs;
    const char* expected = "an array of positive integers";
    if (!attrs.contains(key)) fail(where_attr(key), expected, "nothing (missing)");
    const auto& v = attrs.at(key);
    if (!v.is_array() || v.empty() || v.size() > 8) fail(where_attr(key), expected, v.dump());
    Shape s;
    for (const auto& d : v) {
        if (!d.is_number_integer() || d.get<int64_t>() < 1 || d.get<int64_t>() > (int64_t{1} << 40)) {
            fail(where_attr(key), expected, v.dump());
        }
        s.push_back(d.get<int64_t>());
    }
    return s;
}

void OpCheck::requant_attrs(const char* mult, const char* shift, int64_t max_mult) {
    if (!int_mode()) return;
    attr_int(mult, 0, max_mult);
    attr_int(shift, 0, limits::kMaxShift);
}

void OpCheck::output(size_t i, const Shape& shape, DType dtype) {
    const TensorDecl& t = site_.trace.tensor(site_.op.outputs.at(i));
    const std::string where = fmt::format("/ops/{}/outputs/{}", site_.index, i);
    if (t.shape != shape) {
        fail(where + " shape", fmt::format("{} (what {} produces)", shape_str(shape), site_.op.kind),
             fmt::format("{} (tensor '{}')", shape_str(t.shape), t.name));
    }
    if (t.dtype != dtype) {
        fail(where + " dtype", std::string(dtype_name(dtype)),
             fmt::format("{} (tensor '{}')", dtype_name(t.dtype), t.name));
    }
    if (++outputs_checked_ == site_.op.outputs.size()) done();
}

void OpCheck::output_like(size_t i, const char* input) { output(i, in(input).shape, act_dtype()); }

void OpCheck::done() {
    for (const auto& [key, value] : site_.op.attrs.items()) {
        if (!attrs_seen_.count(key)) {
            std::string known;
            for (const auto& k : attrs_seen_) known += (known.empty() ? "" : ", ") + k;
            fail(where_attr(key.c_str()),
                 "one of the attributes of " + site_.op.kind + " in " +
                     std::string(numerics_name(site_.trace.numerics)) + " mode (" +
                     (known.empty() ? "none" : known) + ")",
                 "unknown attribute '" + key + "'");
        }
    }
}

}  // namespace ssmsim
