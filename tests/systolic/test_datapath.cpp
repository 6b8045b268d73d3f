// The systolic model's own datapath on what the LRA workloads do not reach, or not at the edges that matter:
// causal attention; query blocks, key folds and head folds that do not divide the length or the head; peaked
// softmaxes whose probabilities need both byte passes of P·V; vector tiles that straddle batch items (pool's
// running sums, conv1d's taps reaching into the previous tile); every vector-unit op kind on saturating data;
// and the per-op hashes the bit-exact comparison relies on.
#include <gtest/gtest.h>

#include "sim/numerics/tables.h"
#include "sim/report/report.h"
#include "sim/util/error.h"
#include "tests/support/op_harness.h"
#include "tests/systolic/model_harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;

namespace {

// Configs that cut the same op differently: the default; small accumulators (query blocks of a few rows)
// on a 5 x 3 array (folds of 3 keys and 3 head columns); tiny SRAMs and one staging buffer (vector tiles
// of a few rows); odd vector lanes.
std::vector<nlohmann::json> cuts() {
    return {nlohmann::json::object(),
            {{"array.rows", 5}, {"array.cols", 3}, {"array.accumulator_kib", 1}},
            {{"sram.activations.kib", 2}, {"sram.weights.kib", 1}, {"dma.buffers", 1}, {"vector.lanes", 5}},
            {{"array.cols", 7}, {"array.accumulator_kib", 2}, {"array.dataflow", "os"}}};
}

void expect_matches_reference(const TraceBuilder& b, const std::string& what) {
    const workloads::Workload w{b.build(), b.data()};
    for (const auto& cut : cuts())
        expect_same_as_reference(w, run_systolic(w.trace, &w.data, cut), what + ", overrides " + cut.dump());
}

// Multi-head attention on random q, k, v of [batch, len, width].
TraceBuilder attention(int64_t batch, int64_t len, int64_t width, int64_t heads, bool causal,
                       int score_shift) {
    Rng rng(11);
    TraceBuilder b;
    b.input("q", random_tensor<int8_t>(rng, {batch, len, width}, -128, 127));
    b.input("k", random_tensor<int8_t>(rng, {batch, len, width}, -128, 127));
    b.input("v", random_tensor<int8_t>(rng, {batch, len, width}, -128, 127));
    b.input("exp_table", make_exp_table(1.0 / 16, 1024));
    b.op("attention", {"q", "k", "v", "exp_table"}, "out", {batch, len, width},
         {{"heads", heads}, {"causal", causal}, {"score_mult", 1}, {"score_shift", score_shift}});
    return b;
}

TEST(SystolicDatapath, CausalAttentionMatchesReference) {
    // 37 rows: no query block size of the configs divides it; heads of width 4 and 20 against folds of 3, 7.
    for (const bool causal : {true, false}) {
        expect_matches_reference(attention(2, 37, 12, 3, causal, 6), causal ? "causal" : "not causal");
        expect_matches_reference(attention(1, 37, 40, 2, causal, 9), causal ? "causal, wide" : "wide");
    }
}

TEST(SystolicDatapath, PeakedAndFlatSoftmaxesMatchReference) {
    // score_shift 0: the largest score takes nearly all the mass (probabilities near 32768, both bytes);
    // 14 over 150 keys: flat rows, whose probabilities are mostly below 256 (the high byte is mostly 0).
    expect_matches_reference(attention(1, 29, 16, 2, false, 0), "peaked");
    expect_matches_reference(attention(1, 150, 16, 2, false, 14), "flat");
}

// Every vector-unit op kind in one chain, on [2, 37, 24] activations (tiles straddle the two batch items),
// from an embedding, through a LUT, conv1d, both norms, mul, add, gate and pool, to a reshape. `bad_token`:
// the flat index of a token set out of the table's range (-1: none).
TraceBuilder vector_chain(int64_t bad_token = -1) {
    Rng rng(5);
    const int64_t batch = 2, len = 37, ch = 24;
    TraceBuilder b;
    Tensor tokens = random_tensor<int32_t>(rng, {batch, len}, 0, 49);
    if (bad_token >= 0) tokens.as<int32_t>()[bad_token] = 50;  // the table has 50 rows
    b.input("tokens", std::move(tokens));
    b.input("table", random_tensor<int8_t>(rng, {50, ch}, -128, 127));
    b.input("lut", random_tensor<int8_t>(rng, {256}, -128, 127));
    b.input("w", random_tensor<int8_t>(rng, {ch, 4}, -128, 127));
    b.input("bias", random_tensor<int32_t>(rng, {ch}, -5000, 5000));
    b.input("gamma", random_tensor<int8_t>(rng, {ch}, -128, 127));
    b.input("beta", random_tensor<int32_t>(rng, {ch}, -100000, 100000));
    const Shape act{batch, len, ch};
    b.op("embedding", {"tokens", "table"}, "e", act);
    b.op("silu", {"e", "lut"}, "a", act);
    b.op("conv1d_causal_depthwise", {"a", "w", "bias"}, "c", act, {{"mult", 1}, {"shift", 8}});
    b.op("layernorm", {"c", "gamma", "beta"}, "n1", act, {{"eps", 1}, {"mult", 3}, {"shift", 12}});
    b.op("rmsnorm", {"n1", "gamma"}, "n2", act, {{"eps", 4}, {"mult", 5}, {"shift", 13}});
    b.op("mul", {"n2", "a"}, "m", act, {{"mult", 1}, {"shift", 6}});
    b.op("add", {"m", "c"}, "s", act, {{"mult_a", 3}, {"mult_b", -2}, {"shift", 1}});
    b.op("gate", {"s", "n1", "lut"}, "g", act, {{"mult", 1}, {"shift", 6}});
    b.op("pool", {"g"}, "p", {batch, ch}, {{"mult", 1}, {"shift", 4}});
    b.op("reshape", {"p"}, "out", {batch, 4, 6}, {{"shape", {batch, 4, 6}}});
    return b;
}

TEST(SystolicDatapath, EveryVectorOpMatchesReferenceAcrossTileEdges) {
    const TraceBuilder b = vector_chain();
    // The data must saturate somewhere, or the saturation counts would compare nothing.
    const Trace t = b.build();
    EXPECT_GT(reference::execute(t, b.data()).saturations, 0u);
    expect_matches_reference(b, "vector chain");
}

TEST(SystolicDatapath, HashesEveryOpWhenAsked) {
    const TraceBuilder b = vector_chain();
    const Trace t = b.build();
    const RunResult r = run_systolic(t, &b.data());  // the harness asks for op hashes on functional runs
    ASSERT_EQ(r.op_sha256.size(), t.ops.size());
    EXPECT_EQ(r.op_sha256, reference_op_hashes(t, b.data()));
    EXPECT_TRUE(run_systolic(t, nullptr).op_sha256.empty());  // timing only: nothing to hash
}

TEST(SystolicDatapath, BadValuesAreRefusedAsTheReferenceRefusesThem) {
    const TraceBuilder b = vector_chain(40);
    const Trace t = b.build();
    std::string model, ref;
    try {
        run_systolic(t, &b.data());
    } catch (const InputError& e) {
        model = e.what();
    }
    try {
        reference::execute(t, b.data());
    } catch (const InputError& e) {
        ref = e.what();
    }
    EXPECT_NE(ref, "");
    EXPECT_EQ(model, ref);
}

}  // namespace
