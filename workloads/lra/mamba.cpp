// Mamba-1 blocks (Gu & Dao 2023; state-spaces/mamba mamba_simple.py): RMSNorm -> in-projection to x and z
// (2 * d_inner, no bias) -> causal depthwise conv1d (width 4, bias) -> SiLU -> x-projection to dt_rank, B, C
// (no bias) -> dt-projection (bias = softplus^-1 of dt, dt log-uniform in [dt_min, dt_max]) -> softplus ->
// selective scan (A = -(n + 1), D = 1) -> gate with SiLU(z) -> out-projection -> residual.
#include <cmath>

#include <fmt/format.h>

#include "workloads/lra/archs.h"

namespace ssmsim::workloads {

std::string mamba_encoder(GraphBuilder& g, const ArchConfig& c, std::string x) {
    const int64_t d = c.d_model, e = int64_t{c.expand} * d, n = c.d_state;
    const int64_t dt_rank = (d + 15) / 16;
    for (int l = 0; l < c.layers; ++l) {
        const std::string p = fmt::format("l{}", l);
        const std::string xn = g.rmsnorm(p + ".norm", x);
        const std::string xi = g.linear(p + ".in_x", xn, e, false);
        const std::string z = g.linear(p + ".in_z", xn, e, false);
        const double conv_bound =
            1.0 / std::sqrt(static_cast<double>(c.d_conv));  // PyTorch Conv1d, fan_in = d_conv
        const std::string xc = g.op("conv1d_causal_depthwise", p + ".conv",
                                    {xi, g.uniform(p + ".conv.w", {e, c.d_conv}, conv_bound),
                                     g.uniform(p + ".conv.b", {e}, conv_bound)},
                                    g.shape(xi));
        const std::string xs = g.unary("silu", p + ".conv_act", xc);
        const std::string dtl = g.linear(p + ".x_dt", xs, dt_rank, false);
        const std::string bm = g.linear(p + ".x_B", xs, n, false);
        const std::string cm = g.linear(p + ".x_C", xs, n, false);
        // dt_proj: weight U(+-dt_rank^-0.5); bias = softplus^-1(dt), dt log-uniform, clamped at 1e-4.
        const std::string w =
            g.uniform(p + ".dt_proj.w", {e, dt_rank}, 1.0 / std::sqrt(static_cast<double>(dt_rank)));
        const std::string b = g.param(p + ".dt_proj.b", {e}, [&](Rng& r, int64_t) {
            const double dt = std::max(std::exp(r.uniform(std::log(c.dt_min), std::log(c.dt_max))), 1e-4);
            return static_cast<float>(dt + std::log(-std::expm1(-dt)));
        });
        Shape es = g.shape(xs);
        const std::string dtp = g.op("linear", p + ".dt_proj", {dtl, w, b}, es);
        const std::string delta = g.unary("softplus", p + ".delta", dtp);
        const std::string a =
            g.param(p + ".A", {e, n}, [n](Rng&, int64_t i) { return -static_cast<float>(i % n + 1); });
        const std::string dskip = g.constant(p + ".D", {e}, 1.0f);
        const std::string y = g.op("selective_scan", p + ".scan", {xs, delta, a, bm, cm, dskip}, es);
        const std::string yg = g.op("gate", p + ".gate", {y, z}, es, {{"fn", "silu"}});
        x = g.add(p + ".residual", x, g.linear(p + ".out", yg, d, false));
    }
    return g.rmsnorm("final_norm", x);
}

}  // namespace ssmsim::workloads
