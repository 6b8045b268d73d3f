// Which ops the post-training quantizer takes (`ssmsim quantize` names the first it cannot).
#include <gtest/gtest.h>

#include "sim/ops/op_schema.h"
#include "workloads/lra/quantize.h"

namespace {

using ssmsim::OpDecl;
using ssmsim::workloads::unquantizable;

OpDecl op(const std::string& kind, size_t inputs) {
    return OpDecl{"x", kind, std::vector<std::string>(inputs, "t"), {"y"}};
}

// Every kind of the op catalogue has a rule: a kind added to the catalogue without one fails here.
TEST(QuantizeRules, EveryCatalogueKindHasARule) {
    const auto kinds = ssmsim::op_kinds();
    ASSERT_GT(kinds.size(), 10u);
    for (const auto k : kinds) EXPECT_FALSE(unquantizable(op(std::string(k), 3)).has_value()) << k;
    EXPECT_FALSE(unquantizable(op("selective_scan", 6)).has_value());
}

TEST(QuantizeRules, FusedGatingAndUnknownKindsAreNamed) {
    const auto fused = unquantizable(op("selective_scan", 7));
    ASSERT_TRUE(fused.has_value());
    EXPECT_NE(fused->expected.find("fused z gating"), std::string::npos);
    EXPECT_EQ(fused->found, "7 inputs");
    const auto unknown = unquantizable(op("softmax", 1));
    ASSERT_TRUE(unknown.has_value());
    EXPECT_EQ(unknown->found, "'softmax'");
}

}  // namespace
