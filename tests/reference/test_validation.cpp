// Invalid ops are rejected by validate_trace before anything runs, with an InputError whose message names
// the file and the JSON pointer of the offending field.
#include <gtest/gtest.h>

#include "sim/util/error.h"
#include "tests/support/op_harness.h"

namespace ssmsim::testing {
namespace {

using json = nlohmann::json;

// The message of the InputError that validating `b` throws, or a note that it did not throw one.
std::string rejection(const TraceBuilder& b) {
    try {
        b.build();
    } catch (const InputError& e) {
        return e.what();
    }
    return "(accepted)";
}
std::string rejection(const OpSpec& s) { return rejection(one_op(s)); }

#define EXPECT_REJECTED_AT(spec, pointer, detail)                                          \
    do {                                                                                   \
        const std::string msg_ = rejection(spec);                                          \
        EXPECT_NE(msg_.find(std::string("test:") + (pointer)), std::string::npos) << msg_; \
        EXPECT_NE(msg_.find(detail), std::string::npos) << msg_;                           \
    } while (0)

OpSpec linear(json attrs, Tensor w = i8({2, 3}, {1, 2, 3, 4, 5, 6}), Numerics n = Numerics::int8) {
    Tensor x = n == Numerics::int8 ? i8({1, 3}, {1, 2, 3}) : f32({1, 3}, {1, 2, 3});
    return {.kind = "linear",
            .inputs = {{"x", x}, {"w", w}},
            .attrs = std::move(attrs),
            .out_shape = {1, 2},
            .numerics = n};
}

TEST(Validation, ValidLinearIsAccepted) {
    EXPECT_EQ(rejection(linear({{"mult", 1}, {"shift", 0}})), "(accepted)");
}

TEST(Validation, MissingAttribute) {
    EXPECT_REJECTED_AT(linear({{"mult", 1}}), "/ops/0/attrs/shift", "nothing (missing)");
}

TEST(Validation, AttributeOutOfRangeOrWrongType) {
    EXPECT_REJECTED_AT(linear({{"mult", 1}, {"shift", 63}}), "/ops/0/attrs/shift", "found 63");
    EXPECT_REJECTED_AT(linear({{"mult", -1}, {"shift", 0}}), "/ops/0/attrs/mult", "found -1");
    EXPECT_REJECTED_AT(linear({{"mult", 1.5}, {"shift", 0}}), "/ops/0/attrs/mult", "1.5");
    EXPECT_REJECTED_AT(linear({{"mult", int64_t{1} << 31}, {"shift", 0}}), "/ops/0/attrs/mult", "2147483648");
    EXPECT_REJECTED_AT(linear({{"mult", true}, {"shift", 0}}), "/ops/0/attrs/mult", "true");
}

TEST(Validation, WrongDtype) {
    EXPECT_REJECTED_AT(linear({{"mult", 1}, {"shift", 0}}, i16({2, 3}, {1, 2, 3, 4, 5, 6})),
                       "/ops/0/inputs/1 dtype", "int16");
    // A float32 weight in an int8 trace.
    EXPECT_REJECTED_AT(linear({{"mult", 1}, {"shift", 0}}, f32({2, 3}, {1, 2, 3, 4, 5, 6})),
                       "/ops/0/inputs/1 dtype", "float32");
}

TEST(Validation, WrongShape) {
    EXPECT_REJECTED_AT(linear({{"mult", 1}, {"shift", 0}}, i8({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})),
                       "/ops/0/inputs/1 shape[1]", "found 4");
    EXPECT_REJECTED_AT(linear({{"mult", 1}, {"shift", 0}}, i8({6}, {1, 2, 3, 4, 5, 6})),
                       "/ops/0/inputs/1 shape", "rank 2");
}

TEST(Validation, UnknownAttribute) {
    EXPECT_REJECTED_AT(linear({{"mult", 1}, {"shift", 0}, {"bias_shift", 2}}), "/ops/0/attrs/bias_shift",
                       "unknown attribute 'bias_shift'");
    // Requantization attributes do not exist in float32 mode.
    EXPECT_REJECTED_AT(linear({{"mult", 1}}, f32({2, 3}, {1, 2, 3, 4, 5, 6}), Numerics::float32),
                       "/ops/0/attrs/mult", "unknown attribute 'mult'");
    // Keys are escaped as RFC 6901 pointer tokens.
    EXPECT_REJECTED_AT(OpSpec({.kind = "relu",
                               .inputs = {{"x", i8({2}, {1, 2})}, {"lut", identity_lut()}},
                               .attrs = {{"a/b~c", 1}},
                               .out_shape = {2}}),
                       "/ops/0/attrs/a~1b~0c", "unknown attribute 'a/b~c'");
}

TEST(Validation, WrongOutput) {
    auto spec = linear({{"mult", 1}, {"shift", 0}});
    spec.out_shape = {1, 3};
    EXPECT_REJECTED_AT(spec, "/ops/0/outputs/0 shape", "[1, 2]");
    spec.out_shape = {1, 2};
    spec.out_dtype = DType::int32;
    EXPECT_REJECTED_AT(spec, "/ops/0/outputs/0 dtype", "int8");
    // classifier writes int32 logits, not int8
    EXPECT_REJECTED_AT(
        OpSpec({.kind = "classifier",
                .inputs = {{"x", i8({1, 1}, {1})}, {"w", i8({1, 1}, {1})}, {"bias", i32({1}, {0})}},
                .out_shape = {1, 1}}),
        "/ops/0/outputs/0 dtype", "int32");
}

TEST(Validation, WrongInputCount) {
    // z without silu_lut: 8 inputs where 7 or 9 are allowed.
    OpSpec s{.kind = "selective_scan",
             .inputs = {{"u", i8({1, 1, 1}, {0})},
                        {"delta", i8({1, 1, 1}, {0})},
                        {"A", i16({1, 1}, {-1})},
                        {"B", i8({1, 1, 1}, {0})},
                        {"C", i8({1, 1, 1}, {0})},
                        {"D", i32({1}, {0})},
                        {"exp_table", i32({1}, {32768})},
                        {"z", i8({1, 1, 1}, {0})}},
             .attrs = {{"exp_shift", 0}, {"y_shift", 0}, {"mult", 1}, {"shift", 0}},
             .out_shape = {1, 1, 1}};
    EXPECT_REJECTED_AT(s, "/ops/0/inputs", "7 or 9 inputs");
    // The LUT input is integer-only: a float32 relu takes x alone.
    EXPECT_REJECTED_AT(OpSpec({.kind = "relu",
                               .inputs = {{"x", f32({2}, {1, 2})}, {"lut", identity_lut()}},
                               .out_shape = {2},
                               .numerics = Numerics::float32}),
                       "/ops/0/inputs", "found 2");
    // Without the gate's requantization attributes when z is given.
    s.inputs.emplace_back("silu_lut", identity_lut());
    EXPECT_REJECTED_AT(s, "/ops/0/attrs/gate_mult", "missing");
}

TEST(Validation, OpSpecificRules) {
    EXPECT_REJECTED_AT(
        OpSpec(
            {.kind = "relu", .inputs = {{"x", i8({2}, {1, 2})}, {"lut", i8({2}, {0, 0})}}, .out_shape = {2}}),
        "/ops/0/inputs/1 shape[0]", "256");
    EXPECT_REJECTED_AT(OpSpec({.kind = "attention",
                               .inputs = {{"q", i8({1, 1, 4}, {0, 0, 0, 0})},
                                          {"k", i8({1, 1, 4}, {0, 0, 0, 0})},
                                          {"v", i8({1, 1, 4}, {0, 0, 0, 0})},
                                          {"exp_table", i32({1}, {32768})}},
                               .attrs = {{"heads", 3}, {"score_mult", 1}, {"score_shift", 0}},
                               .out_shape = {1, 1, 4}}),
                       "/ops/0/attrs/heads", "divisor");
    EXPECT_REJECTED_AT(OpSpec({.kind = "reshape",
                               .inputs = {{"x", i8({2, 3}, {1, 2, 3, 4, 5, 6})}},
                               .attrs = {{"shape", {4, 2}}},
                               .out_shape = {4, 2}}),
                       "/ops/0/attrs/shape", "6 elements");
    EXPECT_REJECTED_AT(OpSpec({.kind = "gate",
                               .inputs = {{"a", i8({1}, {1})}, {"z", i8({1}, {1})}, {"lut", identity_lut()}},
                               .attrs = {{"fn", "tanh"}, {"mult", 1}, {"shift", 0}},
                               .out_shape = {1}}),
                       "/ops/0/attrs/fn", "\"tanh\"");
    EXPECT_REJECTED_AT(OpSpec({.kind = "rmsnorm",
                               .inputs = {{"x", i8({1, 2}, {1, 2})}, {"gamma", i8({2}, {1, 1})}},
                               .attrs = {{"eps", 0}, {"mult", 1}, {"shift", 0}},
                               .out_shape = {1, 2}}),
                       "/ops/0/attrs/eps", "found 0");
    EXPECT_REJECTED_AT(OpSpec({.kind = "rmsnorm",
                               .inputs = {{"x", i8({1, 2}, {1, 2})}, {"gamma", i8({2}, {1, 1})}},
                               .attrs = {{"eps", 1}, {"mult", 1 << 24}, {"shift", 0}},
                               .out_shape = {1, 2}}),
                       "/ops/0/attrs/mult", "16777216");
    EXPECT_REJECTED_AT(OpSpec({.kind = "rmsnorm",
                               .inputs = {{"x", f32({1, 2}, {1, 2})}, {"gamma", f32({2}, {1, 1})}},
                               .attrs = {{"eps", 2.0}},
                               .out_shape = {1, 2},
                               .numerics = Numerics::float32}),
                       "/ops/0/attrs/eps", "2.0");
    EXPECT_REJECTED_AT(OpSpec({.kind = "s4d_scan",
                               .inputs = {{"u", i8({1, 1, 1}, {0})},
                                          {"Abar", i32({1, 1}, {0})},
                                          {"Bbar", i16({1, 1}, {0})},
                                          {"C", i16({1, 1}, {0})},
                                          {"D", i32({1}, {0})}},
                               .attrs = {{"y_shift", 0}, {"mult", 1}, {"shift", 0}, {"reverse", 1}},
                               .out_shape = {1, 1, 1}}),
                       "/ops/0/attrs/reverse", "true or false");
}

TEST(Validation, UnknownKindAndLaterOps) {
    EXPECT_REJECTED_AT(OpSpec({.kind = "softmax", .inputs = {{"x", i8({1}, {1})}}, .out_shape = {1}}),
                       "/ops/0/kind", "unknown op 'softmax'");
    // The error in the second op names index 1.
    TraceBuilder b;
    b.input("x", i8({1, 2}, {1, 2}))
        .input("lut", identity_lut())
        .op("relu", {"x", "lut"}, "r", {1, 2})
        .op("pool", {"r"}, "p", {1, 2}, {{"mult", 1}, {"shift", 0}});
    EXPECT_REJECTED_AT(b, "/ops/1/inputs/0 shape", "rank 3");
}

// validate_trace is documented as "the same rules as load_trace, without files"; load_trace requires every
// dimension to be a positive integer and 1 to 8 dimensions (/tensors/<name>/shape). These declarations are
// built in memory and must be rejected with an InputError too.
TEST(Validation, InMemoryTensorDeclarationsAreChecked) {
    TraceBuilder zero;  // K = 0 would make the kernels divide by zero (rows = x.size() / k)
    zero.input("x", Tensor(DType::int8, {1, 0}))
        .input("w", Tensor(DType::int8, {2, 0}))
        .op("linear", {"x", "w"}, "y", {1, 2}, {{"mult", 1}, {"shift", 0}});
    EXPECT_NE(rejection(zero).find("/tensors/x/shape"), std::string::npos) << rejection(zero);

    // A rank-0 gamma: check_norm_common reads gamma.shape.at(0) before checking its rank.
    TraceBuilder scalar;
    scalar.input("x", i8({1, 1}, {1}))
        .input("gamma", Tensor(DType::int8, {}))
        .op("rmsnorm", {"x", "gamma"}, "y", {1, 1}, {{"eps", 1}, {"mult", 1}, {"shift", 0}});
    EXPECT_THROW(scalar.build(), InputError);
}

}  // namespace
}  // namespace ssmsim::testing
