#include "sim/ops/value_checks.h"

#include <fmt/format.h>

#include "sim/ops/op_schema.h"
#include "sim/util/error.h"

namespace ssmsim {

namespace {

[[noreturn]] void bad_value(const Trace& trace, const OpDecl& op, size_t input, int64_t index,
                            const std::string& expected, int64_t found) {
    const TensorDecl& d = trace.tensor(op.inputs.at(input));
    const std::string file = d.file.empty() ? "tensor '" + d.name + "'" : (trace.dir / d.file).string();
    throw InputError(fmt::format("{} (input {} of op '{}', element {})", file, input, op.name, index),
                     expected, std::to_string(found));
}

// The inputs each op checks, and how.
struct Rule {
    size_t input;
    int64_t lo, hi;
    const char* expected;
};

std::vector<Rule> rules(const Trace& trace, const OpDecl& op) {
    const bool int_mode = trace.numerics == Numerics::int8;
    const int64_t bias = limits::kMaxBiasMagnitude;
    const std::string& k = op.kind;
    if (!int_mode) return {};
    if ((k == "linear" || k == "conv1d_causal_depthwise") && op.inputs.size() == 3)
        return {{2, -bias, bias, "a bias within +-(2^30 - 1)"}};
    if (k == "classifier") return {{2, -bias, bias, "a bias within +-(2^30 - 1)"}};
    if (k == "layernorm") return {{2, -bias, bias, "a beta within +-(2^30 - 1)"}};
    if (k == "selective_scan") return {{6, 0, 32768, "a Q1.15 decay in [0, 32768]"}};
    if (k == "s4d_scan") return {{1, 0, 32768, "a Q1.15 decay in [0, 32768]"}};
    if (k == "attention") return {{3, 0, 32768, "a Q1.15 value in [0, 32768]"}};
    return {};
}

template <typename T>
void check_range(const Trace& trace, const OpDecl& op, const Rule& r, const Tensor& t) {
    const auto v = t.as<T>();
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] < r.lo || v[i] > r.hi)
            bad_value(trace, op, r.input, static_cast<int64_t>(i), r.expected, v[i]);
    }
}

}  // namespace

bool op_checks_input(const Trace& trace, const OpDecl& op, size_t i) {
    if (op.kind == "embedding") return i == 0;
    for (const Rule& r : rules(trace, op))
        if (r.input == i) return true;
    return false;
}

void check_op_values(const Trace& trace, const OpDecl& op,
                     const std::function<const Tensor&(size_t)>& input) {
    if (op.kind == "embedding") {  // both modes; tokens in flat order
        const int64_t vocab = input(1).shape()[0];
        const auto tok = input(0).as<int32_t>();
        for (size_t i = 0; i < tok.size(); ++i) {
            if (tok[i] < 0 || tok[i] >= vocab) {
                bad_value(trace, op, 0, static_cast<int64_t>(i),
                          "a value in [0, " + std::to_string(vocab - 1) + "]", tok[i]);
            }
        }
        return;
    }
    for (const Rule& r : rules(trace, op)) check_range<int32_t>(trace, op, r, input(r.input));
    if (op.kind == "attention" && trace.numerics == Numerics::int8 && input(3).as<int32_t>()[0] == 0)
        bad_value(trace, op, 3, 0, "a positive first entry (exp(0) = 32768)", 0);
}

}  // namespace ssmsim
