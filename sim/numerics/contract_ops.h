// The contract's arithmetic one element, step or row at a time (docs/numerics.md): what an op's outputs are,
// separated from how an implementation walks the op. The reference's kernels walk whole ops in plain loops;
// each model walks them through its own datapath (tiles, CTAs, lanes, vector passes) and calls the same
// primitives, so that only the walk differs and a wrong walk changes bytes. Header-only, host and device.
#pragma once

#include <cmath>
#include <cstdint>

#include "sim/numerics/fixed_point.h"

namespace ssmsim::fx {

// linear, conv1d, pool (int8): an exact integer sum, plus the bias, requantized.
SSMSIM_HD constexpr int8_t requant_sum(int64_t acc, int64_t bias, int64_t mult, int shift, uint64_t& clips) {
    return requant(acc + bias, mult, shift, clips);
}

// add (int8): sat8(rshift_round(a * mult_a + b * mult_b, shift)).
SSMSIM_HD constexpr int8_t add_i8(int8_t a, int8_t b, int64_t mult_a, int64_t mult_b, int shift,
                                  uint64_t& clips) {
    return sat8(rshift_round(a * mult_a + b * mult_b, shift), clips);
}

// mul (int8) and the gate's product with a table value: requant(a * b).
SSMSIM_HD constexpr int8_t mul_i8(int64_t a, int64_t b, int64_t mult, int shift, uint64_t& clips) {
    return requant(a * b, mult, shift, clips);
}

// One step of an s4d_scan state (int8 contract): h' = sat32(rshift_round(abar * h, 15) + bbar * x).
SSMSIM_HD constexpr int32_t s4d_step(int64_t abar, int32_t h, int64_t bbar, int64_t x, uint64_t& clips) {
    return sat32(rshift_round(abar * h, kQ15) + bbar * x, clips);
}

// The selective scan's decay for step size dt and state coefficient a: table[clamp(rshift_round(-dt a))].
SSMSIM_HD constexpr int64_t selective_decay(const int32_t* table, int64_t table_size, int exp_shift,
                                            int64_t dt, int64_t a) {
    return table[table_index(-dt * a, exp_shift, table_size)];
}

// One step of a selective_scan state: h' = sat32(rshift_round(abar * h, 15) + dt * b * x).
SSMSIM_HD constexpr int32_t selective_step(int64_t abar, int32_t h, int64_t dt, int64_t b, int64_t x,
                                           uint64_t& clips) {
    return sat32(rshift_round(abar * h, kQ15) + dt * b * x, clips);
}

// A scan's output from y = sum_k C_k h_k: shifted, plus the skip D x, requantized.
SSMSIM_HD constexpr int8_t scan_output(int64_t y, int y_shift, int64_t dskip, int64_t x, int64_t mult,
                                       int shift, uint64_t& clips) {
    const int64_t ys = sat32(rshift_round(y, y_shift), clips);
    const int64_t with_skip = sat32(ys + dskip * x, clips);
    return requant(with_skip, mult, shift, clips);
}

// Attention (int8): the exponential of a score below the row's maximum, from the Q1.15 table.
SSMSIM_HD constexpr int64_t attention_exp(const int32_t* table, int64_t table_size, int32_t best,
                                          int32_t score, int64_t score_mult, int score_shift) {
    return table[table_index((int64_t{best} - score) * score_mult, score_shift, table_size)];
}

// Its Q1.15 probability: round(e * 2^15 / sum) by integer division (sum >= table[0] > 0).
SSMSIM_HD constexpr int64_t attention_prob(int64_t e, int64_t sum) { return ((e << kQ15) + sum / 2) / sum; }

// An output of attention from its int64 sum of p * v.
SSMSIM_HD constexpr int8_t attention_out(int64_t acc, uint64_t& clips) {
    return sat8(rshift_round(acc, kQ15), clips);
}

// The norms (int8): a row's scale from its sum of squares ss over d elements (xc = x, or D (x - mean) for
// layernorm): 1/sqrt(ss / d + eps) as a table entry and a shift.
struct NormScale {
    int64_t rs;
    int shift;  // applied to xc * rs to give z with kNormFracBits fractional bits
};
SSMSIM_HD constexpr NormScale norm_scale(uint64_t ss, uint64_t d, uint64_t eps, const int32_t* rsqrt) {
    const RsqrtSplit sp = rsqrt_split(ss / d + eps);
    return {rsqrt[sp.idx], kQ15 + sp.half_exp - kNormFracBits};
}
SSMSIM_HD constexpr int8_t norm_output(int64_t xc, NormScale s, int64_t gamma, int64_t beta, int64_t mult,
                                       int shift, uint64_t& clips) {
    const int64_t z = rshift_round(xc * s.rs, s.shift);
    return requant(z * gamma + beta, mult, shift, clips);
}

// The norms in int8 mode, one row of d values (beta null for rmsnorm; xc: d values of scratch):
// xc = x, or D (x - mean) exactly in integers for layernorm, then the row's scale and the outputs.
inline void norm_row_i8(const int8_t* x, const int8_t* gamma, const int32_t* beta, int64_t d, uint64_t eps,
                        int64_t mult, int shift, const int32_t* rsqrt, int64_t* xc, int8_t* out,
                        uint64_t& clips) {
    int64_t sum = 0;
    if (beta) {
        for (int64_t i = 0; i < d; ++i) sum += x[i];
    }
    uint64_t ss = 0;
    for (int64_t i = 0; i < d; ++i) {
        xc[i] = beta ? d * x[i] - sum : x[i];
        ss += static_cast<uint64_t>(xc[i] * xc[i]);
    }
    const NormScale scale = norm_scale(ss, static_cast<uint64_t>(d), eps, rsqrt);
    for (int64_t i = 0; i < d; ++i)
        out[i] = norm_output(xc[i], scale, gamma[i], beta ? beta[i] : 0, mult, shift, clips);
}

// The norms in float32 mode, one row of d values (beta null for rmsnorm): the contract's float32 order.
inline void norm_row_f32(const float* x, const float* gamma, const float* beta, int64_t d, float eps,
                         float* out) {
    float mean = 0.0f;
    if (beta) {
        for (int64_t i = 0; i < d; ++i) mean += x[i];
        mean /= static_cast<float>(d);
    }
    float ss = 0.0f;
    for (int64_t i = 0; i < d; ++i) ss += (x[i] - mean) * (x[i] - mean);
    const float inv = 1.0f / std::sqrt(ss / static_cast<float>(d) + eps);
    for (int64_t i = 0; i < d; ++i) out[i] = (x[i] - mean) * inv * gamma[i] + (beta ? beta[i] : 0.0f);
}

}  // namespace ssmsim::fx
