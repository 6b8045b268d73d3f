#include "models/systolic/functional.h"

#include <algorithm>

#include "sim/numerics/contract_ops.h"

namespace ssmsim::systolic {

namespace {

// A PE column's sum over the streamed K: exact in int32 (|sum| <= 2^30 by the K and head-width limits).
inline int32_t dot_i8(const int8_t* a, const int8_t* b, int64_t k) {
    int32_t acc = 0;
    for (int64_t i = 0; i < k; ++i) acc += int32_t{a[i]} * int32_t{b[i]};
    return acc;
}

}  // namespace

void gemm_tile(const GemmOperands& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1, uint64_t& sat) {
    for (int64_t m = m0; m < m1; ++m) {
        const int8_t* xr = g.x + m * g.k;
        for (int64_t o = n0; o < n1; ++o) {
            const int32_t acc = dot_i8(xr, g.w + o * g.k, g.k);
            const int64_t bias = g.bias ? g.bias[o] : 0;
            if (g.out32) {
                g.out32[m * g.n + o] = static_cast<int32_t>(acc + bias);  // |acc + bias| < 2^31 (bias limit)
            } else {
                g.out8[m * g.n + o] = fx::requant_sum(acc, bias, g.mult, g.shift, sat);
            }
        }
    }
}

void attention_scores(const AttentionOperands& a, const QueryBlock& blk, AttentionScratch& s) {
    const int64_t base = blk.b * a.len, col = blk.head * a.dh, keys = blk.keys;
    s.s.resize(static_cast<size_t>(blk.rows * keys));
    for (int64_t j0 = 0; j0 < keys; j0 += a.cols) {  // a fold holds C keys' columns of K^T
        const int64_t j1 = std::min(keys, j0 + a.cols);
        for (int64_t r = 0; r < blk.rows; ++r) {
            const int8_t* qr = a.q + (base + blk.q0 + r) * a.width + col;
            int32_t* sr = &s.s[static_cast<size_t>(r * keys)];
            for (int64_t j = j0; j < j1; ++j) sr[j] = dot_i8(qr, a.k + (base + j) * a.width + col, a.dh);
        }
    }
}

void attention_softmax(const AttentionOperands& a, const QueryBlock& blk, AttentionScratch& s) {
    const int64_t keys = blk.keys;
    s.best.assign(static_cast<size_t>(blk.rows), INT32_MIN);
    s.sum.assign(static_cast<size_t>(blk.rows), 0);
    // Keys a row may see: all of them, or (causal) those up to the row itself.
    auto visible = [&](int64_t r) { return a.causal ? blk.q0 + r + 1 : keys; };
    for (int64_t r = 0; r < blk.rows; ++r) {  // pass 1: the row's maximum
        const int32_t* sr = &s.s[static_cast<size_t>(r * keys)];
        int32_t best = INT32_MIN;
        for (int64_t j = 0; j < visible(r); ++j) best = std::max(best, sr[j]);
        s.best[r] = best;
    }
    for (int64_t r = 0; r < blk.rows; ++r) {  // pass 2: exponentials by table, and their sum
        int32_t* sr = &s.s[static_cast<size_t>(r * keys)];
        int64_t sum = 0;
        for (int64_t j = 0; j < visible(r); ++j) {
            sr[j] = static_cast<int32_t>(
                fx::attention_exp(a.table, a.table_size, s.best[r], sr[j], a.score_mult, a.score_shift));
            sum += sr[j];
        }
        s.sum[r] = sum;  // >= table[0] > 0: the maximum's own entry is table[0]
    }
    for (int64_t r = 0; r < blk.rows; ++r) {  // pass 3: Q1.15 probabilities; masked keys get 0
        int32_t* sr = &s.s[static_cast<size_t>(r * keys)];
        const int64_t vis = visible(r);
        for (int64_t j = 0; j < vis; ++j) sr[j] = static_cast<int32_t>(fx::attention_prob(sr[j], s.sum[r]));
        std::fill(sr + vis, sr + keys, 0);
    }
}

void attention_pv(const AttentionOperands& a, const QueryBlock& blk, AttentionScratch& s, uint64_t& sat) {
    const int64_t base = blk.b * a.len, col = blk.head * a.dh, keys = blk.keys, dh = a.dh;
    const size_t pass_size = static_cast<size_t>(blk.rows * dh);
    s.acc.assign(2 * pass_size, 0);
    // A probability is at most 32768 (16 bits); the array multiplies bytes, so P goes through it twice:
    // its high byte (p >> 8, at most 128), then its low byte (p & 255). A zero byte adds nothing, so it is
    // not streamed (most probabilities of a long row are below 256: the high pass is mostly zeros).
    for (int pass = 0; pass < 2; ++pass) {
        const int shift = pass == 0 ? 8 : 0;
        int64_t* acc = &s.acc[pass * pass_size];
        for (int64_t d0 = 0; d0 < dh; d0 += a.cols) {  // a fold holds C head columns of V
            const int64_t d1 = std::min(dh, d0 + a.cols);
            for (int64_t r = 0; r < blk.rows; ++r) {
                const int32_t* pr = &s.s[static_cast<size_t>(r * keys)];
                int64_t* ar = acc + r * dh;
                for (int64_t j = 0; j < keys; ++j) {
                    const int32_t byte = (pr[j] >> shift) & 0xff;
                    if (byte == 0) continue;
                    const int8_t* vj = a.v + (base + j) * a.width + col;
                    for (int64_t d = d0; d < d1; ++d) ar[d] += byte * int32_t{vj[d]};
                }
            }
        }
    }
    // The output stage: sum p v = (high pass << 8) + low pass, exactly; then the contract's rounding.
    const int64_t* hi = s.acc.data();
    const int64_t* lo = hi + pass_size;
    for (int64_t r = 0; r < blk.rows; ++r) {
        int8_t* out = a.out + (base + blk.q0 + r) * a.width + col;
        for (int64_t d = 0; d < dh; ++d)
            out[d] = fx::attention_out(hi[r * dh + d] * 256 + lo[r * dh + d], sat);
    }
}

}  // namespace ssmsim::systolic
