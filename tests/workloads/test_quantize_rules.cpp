// Which ops the post-training quantizer takes (`ssmsim quantize` names the first it cannot).
#include <gtest/gtest.h>

#include "workloads/lra/quantize.h"

namespace {

using ssmsim::OpDecl;
using ssmsim::workloads::unquantizable;

OpDecl op(const std::string& kind, size_t inputs) {
    OpDecl o;
    o.name = "x";
    o.kind = kind;
    o.inputs.assign(inputs, "t");
    o.outputs = {"y"};
    return o;
}

TEST(QuantizeRules, EveryCatalogueKindHasARule) {
    for (const char* k : {"embedding", "linear", "conv1d_causal_depthwise", "classifier", "silu", "softplus",
                          "exp", "gelu", "relu", "sigmoid", "mul", "add", "gate", "rmsnorm", "layernorm",
                          "s4d_scan", "attention", "pool", "reshape"})
        EXPECT_EQ(unquantizable(op(k, 3)), "") << k;
    EXPECT_EQ(unquantizable(op("selective_scan", 6)), "");
}

TEST(QuantizeRules, FusedGatingAndUnknownKindsAreNamed) {
    EXPECT_NE(unquantizable(op("selective_scan", 7)).find("fused z gating"), std::string::npos);
    EXPECT_NE(unquantizable(op("softmax", 1)).find("found 'softmax'"), std::string::npos);
}

}  // namespace
