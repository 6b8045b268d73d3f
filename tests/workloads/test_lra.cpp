// LRA workloads: deterministic from the seed, valid traces, and a quantization that tracks the float model.
#include <gtest/gtest.h>

#include <cmath>

#include "reference/executor.h"
#include "sim/util/sha256.h"
#include "workloads/lra/lra.h"
#include "workloads/lra/quantize.h"

using namespace ssmsim;
using namespace ssmsim::workloads;

namespace {

std::string data_digest(const Workload& w) {
    Sha256 h;
    for (const auto& [name, t] : w.data) {
        h.update(std::as_bytes(std::span(name.data(), name.size())));
        h.update(t.bytes());
    }
    return h.hex();
}

WorkloadSpec spec(Task t, Arch a, uint64_t seed, int64_t len, Numerics n = Numerics::int8) {
    WorkloadSpec s;
    s.task = t, s.arch = a, s.seed = seed, s.seq_len = len, s.numerics = n;
    return s;
}

TEST(Lra, SameSeedSameBytesOtherSeedOtherBytes) {
    const auto a = build_lra(spec(Task::image, Arch::mamba, 5, 64));
    const auto b = build_lra(spec(Task::image, Arch::mamba, 5, 64));
    const auto c = build_lra(spec(Task::image, Arch::mamba, 6, 64));
    EXPECT_EQ(data_digest(a), data_digest(b));
    EXPECT_NE(data_digest(a), data_digest(c));
}

TEST(Lra, ParseWorkloadSpec) {
    const auto s = parse_workload_spec("lra:pathx:transformer");
    EXPECT_EQ(s.task, Task::pathx);
    EXPECT_EQ(s.arch, Arch::transformer);
    EXPECT_EQ(s.length(), 16384);
    EXPECT_EQ(parse_workload_spec("lra:text").arch, Arch::s4d);
    EXPECT_THROW(parse_workload_spec("lra:"), std::exception);
    EXPECT_THROW(parse_workload_spec("lra:text:s4d:extra"), std::exception);
}

TEST(Lra, FullSizeShapesMatchThePublishedConfigs) {
    // Shape-only checks on the float graph are cheap: S4D ListOps is 8 layers of H = 128, N = 64.
    const auto w = build_lra(spec(Task::listops, Arch::s4d, 1, 0, Numerics::float32));
    EXPECT_EQ(w.trace.tensor("tokens").shape, Shape({1, 2048}));
    EXPECT_EQ(w.trace.tensor("l7.ssm_fwd.Abar").shape, Shape({128, 64}));
    EXPECT_FALSE(w.trace.has_tensor("l8.ssm_fwd.Abar"));
    EXPECT_EQ(w.trace.tensor("logits").shape, Shape({1, 10}));
}

TEST(QuantMultiplier, RepresentsTheRatioClosely) {
    for (double r : {1e-9, 3.7e-5, 0.01, 0.5, 0.999, 1.0, 7.25, 1000.0}) {
        const Multiplier m = quant_multiplier(r, (int64_t{1} << 31) - 1);
        EXPECT_LE(m.mult, (int64_t{1} << 31) - 1);
        EXPECT_NEAR(std::ldexp(static_cast<double>(m.mult), -m.shift) / r, 1.0, 1e-6) << r;
    }
    EXPECT_EQ(quant_multiplier(0.0, 100).mult, 0);
}

// The integer model must track the float model it was quantized from: logits dequantize close to float.
TEST(Lra, IntegerLogitsTrackFloatLogits) {
    int agree = 0, total = 0;
    for (Arch arch : {Arch::s4d, Arch::mamba, Arch::transformer}) {
        for (uint64_t seed = 1; seed <= 3; ++seed) {
            const auto f = build_lra(spec(Task::image, arch, seed, 64, Numerics::float32));
            const auto q = build_lra(spec(Task::image, arch, seed, 64));
            const auto fe = reference::execute(f.trace, f.data);
            const auto qe = reference::execute(q.trace, q.data);
            const auto fo = fe.outputs.at("logits").as<float>();
            const auto qo = qe.outputs.at("logits").as<int32_t>();
            // Pearson correlation of the 10 logits.
            double mf = 0, mq = 0;
            for (size_t i = 0; i < fo.size(); ++i) mf += fo[i], mq += qo[i];
            mf /= fo.size(), mq /= qo.size();
            double sfq = 0, sff = 0, sqq = 0;
            for (size_t i = 0; i < fo.size(); ++i) {
                sfq += (fo[i] - mf) * (qo[i] - mq), sff += (fo[i] - mf) * (fo[i] - mf),
                    sqq += (qo[i] - mq) * (qo[i] - mq);
            }
            EXPECT_GT(sfq / std::sqrt(sff * sqq), 0.98) << arch_name(arch) << " seed " << seed;
            const auto argmax = [](auto v) { return std::max_element(v.begin(), v.end()) - v.begin(); };
            agree += argmax(fo) == argmax(qo);
            ++total;
        }
    }
    EXPECT_GE(agree, total - 2);  // ties and near-ties may flip a class or two
}

}  // namespace
