#include "models/gpu/datapath.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "models/gpu/geometry.h"
#include "reference/op_view.h"
#include "sim/numerics/contract_ops.h"
#include "sim/numerics/tables.h"
#include "sim/ops/value_checks.h"

namespace ssmsim::gpu {

namespace {

using reference::OpView;

// Calls f(lo, hi) for every non-empty element span of every CTA and chunk of a grid-stride launch.
template <typename F>
void each_stream_span(const KernelLaunch& k, int64_t n, F&& f) {
    for (int64_t cta = 0; cta < k.grid; ++cta) {
        for (int64_t c = 0; c < k.chunks; ++c) {
            const Span s = stream_span(k, n, cta, c);
            if (!s.empty()) f(s.lo, s.hi);
        }
    }
}

LutFn lut_fn_of(const std::string& kind) {
    if (kind == "silu") return LutFn::silu;
    if (kind == "softplus") return LutFn::softplus;
    if (kind == "exp") return LutFn::exp;
    if (kind == "gelu") return LutFn::gelu;
    if (kind == "relu") return LutFn::relu;
    if (kind == "sigmoid") return LutFn::sigmoid;
    throw std::logic_error("gpu datapath: '" + kind + "' is not a table op");
}

// lut_i8, mul_i8, add_i8, gate_i8, map_f32, copy: elementwise over the launch's spans.
uint64_t elementwise(const KernelLaunch& k, const KernelShape& sh, OpView& v) {
    const std::string& kind = v.op().kind;
    uint64_t sat = 0;
    if (k.kind == KernelKind::copy) {
        const auto src = v.in(0).bytes();
        auto dst = v.out(0).bytes();
        each_stream_span(k, sh.elements, [&](int64_t lo, int64_t hi) {
            std::memcpy(dst.data() + lo, src.data() + lo, static_cast<size_t>(hi - lo));
        });
        return sat;
    }
    if (!v.int_mode()) {
        const auto a = v.in_as<float>(0);
        auto out = v.out(0).as<float>();
        if (kind == "mul" || kind == "add") {
            const auto b = v.in_as<float>(1);
            const bool is_mul = kind == "mul";
            each_stream_span(k, sh.elements, [&](int64_t lo, int64_t hi) {
                for (int64_t i = lo; i < hi; ++i) out[i] = is_mul ? a[i] * b[i] : a[i] + b[i];
            });
        } else if (kind == "gate") {
            const auto z = v.in_as<float>(1);
            const LutFn fn =
                v.op().attrs.value("fn", std::string("silu")) == "sigmoid" ? LutFn::sigmoid : LutFn::silu;
            each_stream_span(k, sh.elements, [&](int64_t lo, int64_t hi) {
                for (int64_t i = lo; i < hi; ++i) out[i] = a[i] * lut_fn_eval_f32(fn, z[i]);
            });
        } else {
            const LutFn fn = lut_fn_of(kind);
            each_stream_span(k, sh.elements, [&](int64_t lo, int64_t hi) {
                for (int64_t i = lo; i < hi; ++i) out[i] = lut_fn_eval_f32(fn, a[i]);
            });
        }
        return sat;
    }
    const auto a = v.in_as<int8_t>(0);
    auto out = v.out(0).as<int8_t>();
    switch (k.kind) {
        case KernelKind::lut_i8: {
            const auto lut = v.in_as<int8_t>(1);
            each_stream_span(k, sh.elements, [&](int64_t lo, int64_t hi) {
                for (int64_t i = lo; i < hi; ++i) out[i] = lut[fx::lut_index(a[i])];
            });
            break;
        }
        case KernelKind::mul_i8: {
            const auto b = v.in_as<int8_t>(1);
            const int64_t mult = v.attr_int("mult");
            const int shift = v.attr_shift("shift");
            each_stream_span(k, sh.elements, [&](int64_t lo, int64_t hi) {
                for (int64_t i = lo; i < hi; ++i) out[i] = fx::mul_i8(a[i], b[i], mult, shift, sat);
            });
            break;
        }
        case KernelKind::add_i8: {
            const auto b = v.in_as<int8_t>(1);
            const int64_t ma = v.attr_int("mult_a"), mb = v.attr_int("mult_b");
            const int shift = v.attr_shift("shift");
            each_stream_span(k, sh.elements, [&](int64_t lo, int64_t hi) {
                for (int64_t i = lo; i < hi; ++i) out[i] = fx::add_i8(a[i], b[i], ma, mb, shift, sat);
            });
            break;
        }
        case KernelKind::gate_i8: {
            const auto z = v.in_as<int8_t>(1);
            const auto lut = v.in_as<int8_t>(2);
            const int64_t mult = v.attr_int("mult");
            const int shift = v.attr_shift("shift");
            each_stream_span(k, sh.elements, [&](int64_t lo, int64_t hi) {
                for (int64_t i = lo; i < hi; ++i)
                    out[i] = fx::mul_i8(a[i], lut[fx::lut_index(z[i])], mult, shift, sat);
            });
            break;
        }
        default:
            throw std::logic_error("gpu datapath: no elementwise walk for " +
                                   std::string(kernel_name(k.kind)));
    }
    return sat;
}

// conv1d: one output element per thread iteration; element i is (b, t, d) in [batch, len, ch] order.
template <typename T>
uint64_t conv1d(const KernelLaunch& k, const KernelShape& sh, OpView& v) {
    const bool has_bias = v.n_inputs() == 3;
    const auto x = v.in_as<T>(0);
    const auto w = v.in_as<T>(1);
    const int64_t taps = sh.taps, len = sh.len, ch = sh.ch;
    auto out = v.out(0).as<T>();
    uint64_t sat = 0;
    if constexpr (std::is_same_v<T, int8_t>) {
        const auto bias = has_bias ? v.in_as<int32_t>(2) : std::span<const int32_t>();
        const int64_t mult = v.attr_int("mult");
        const int shift = v.attr_shift("shift");
        each_stream_span(k, sh.elements, [&](int64_t lo, int64_t hi) {
            for (int64_t i = lo; i < hi; ++i) {
                const int64_t d = i % ch, t = (i / ch) % len, row0 = i / ch - t;
                int64_t acc = 0;
                for (int64_t j = 0; j < taps; ++j) {
                    const int64_t src = t - (taps - 1) + j;  // causal: zero before the sequence starts
                    if (src >= 0) acc += int64_t{w[d * taps + j]} * x[(row0 + src) * ch + d];
                }
                out[i] = fx::requant_sum(acc, has_bias ? bias[d] : 0, mult, shift, sat);
            }
        });
    } else {
        const auto bias = has_bias ? v.in_as<float>(2) : std::span<const float>();
        each_stream_span(k, sh.elements, [&](int64_t lo, int64_t hi) {
            for (int64_t i = lo; i < hi; ++i) {
                const int64_t d = i % ch, t = (i / ch) % len, row0 = i / ch - t;
                float acc = 0.0f;
                for (int64_t j = 0; j < taps; ++j) {
                    const int64_t src = t - (taps - 1) + j;
                    if (src >= 0) acc += w[d * taps + j] * x[(row0 + src) * ch + d];
                }
                out[i] = acc + (has_bias ? bias[d] : 0.0f);
            }
        });
    }
    return sat;
}

// GEMM: each CTA computes its bm x bn output tile; its chunks add their K tiles to the tile's accumulators,
// and the last chunk's epilogue adds the bias and requantizes (linear) or writes int32 (classifier). The
// chunks' K ranges are the same for every CTA, so they are found once; ranges that meet are walked as one
// run (the sums are the same in integers, and in float32 the order is still K's).
template <typename T, typename Acc>
uint64_t gemm(const KernelLaunch& k, const KernelShape& sh, OpView& v) {
    const Geometry& g = k.geo;
    const int64_t kk = sh.k, n = sh.n;
    const auto x = v.in_as<T>(0);
    const auto w = v.in_as<T>(1);
    const bool classifier = v.op().kind == "classifier";
    const bool has_bias = v.n_inputs() == 3;
    constexpr bool kInt = std::is_same_v<T, int8_t>;
    using Bias = std::conditional_t<kInt, int32_t, float>;
    const auto bias = has_bias ? v.in_as<Bias>(2) : std::span<const Bias>();
    const int64_t mult = kInt && !classifier ? v.attr_int("mult") : 0;
    const int shift = kInt && !classifier ? v.attr_shift("shift") : 0;
    std::vector<Span> runs;
    for (int64_t c = 0; c < k.chunks; ++c) {
        const KSpan ks = gemm_ktiles(g, k.chunks, kk, c);
        if (ks.tiles == 0) continue;
        if (!runs.empty() && runs.back().hi == ks.k0) {
            runs.back().hi = ks.k1;
        } else {
            runs.push_back({ks.k0, ks.k1});
        }
    }
    uint64_t sat = 0;
    Tensor& out_t = v.out(0);
    const auto out8 = kInt && !classifier ? out_t.as<int8_t>() : std::span<int8_t>();
    const auto out32 = kInt && classifier ? out_t.as<int32_t>() : std::span<int32_t>();
    const auto outf = kInt ? std::span<float>() : out_t.as<float>();
    for (int64_t cta = 0; cta < k.grid; ++cta) {
        const GemmTile tile = gemm_tile(g, sh, cta);
        for (int64_t r = 0; r < tile.rows; ++r) {
            const T* xr = &x[(tile.row0 + r) * kk];
            for (int64_t o = 0; o < tile.cols; ++o) {
                const int64_t col = tile.col0 + o, idx = (tile.row0 + r) * n + col;
                const T* wr = &w[col * kk];
                Acc a{};
                for (const Span& run : runs) {
                    for (int64_t i = run.lo; i < run.hi; ++i) a += Acc{xr[i]} * Acc{wr[i]};
                }
                if constexpr (kInt) {
                    const int64_t b = has_bias ? bias[col] : 0;
                    if (classifier) {
                        out32[idx] = static_cast<int32_t>(a + b);
                    } else {
                        out8[idx] = fx::requant_sum(a, b, mult, shift, sat);
                    }
                } else {
                    outf[idx] = a + (has_bias ? bias[col] : 0.0f);
                }
            }
        }
    }
    return sat;
}

// Scans: each CTA carries its channels' states across its chunks of time steps. A channel's g lanes each sum
// C h over their own states and the kernel adds the lane sums: in int8 that sum is exact in any grouping,
// so the model sums the states in order, as the contract's float mode also requires. The CTAs are
// independent, so the host walks them chunk by chunk (all CTAs' chunk 0, then chunk 1, ...), each CTA with
// its own states: the same arithmetic per CTA, and the chunk's rows stay in the host's cache from one CTA to
// the next.
template <bool kSelective>
uint64_t scan_int(const KernelLaunch& k, const KernelShape& sh, OpView& v) {
    const Geometry& g = k.geo;
    const int64_t len = sh.len, ch = sh.ch, n = sh.state;
    const auto u = v.in_as<int8_t>(0);
    // selective: u, delta, A, B, C, D, table (, z, silu); s4d: u, Abar, Bbar, C, D.
    const auto delta = kSelective ? v.in_as<int8_t>(1) : std::span<const int8_t>();
    const auto a = kSelective ? v.in_as<int16_t>(2) : std::span<const int16_t>();
    const auto bm = kSelective ? v.in_as<int8_t>(3) : std::span<const int8_t>();
    const auto cm = kSelective ? v.in_as<int8_t>(4) : std::span<const int8_t>();
    const auto dskip = v.in_as<int32_t>(kSelective ? 5 : 4);
    const auto table = kSelective ? v.in_as<int32_t>(6) : std::span<const int32_t>();
    const auto abar = kSelective ? std::span<const int32_t>() : v.in_as<int32_t>(1);
    const auto bbar = kSelective ? std::span<const int16_t>() : v.in_as<int16_t>(2);
    const auto c16 = kSelective ? std::span<const int16_t>() : v.in_as<int16_t>(3);
    const bool gated = kSelective && v.n_inputs() == 9;
    const auto z = gated ? v.in_as<int8_t>(7) : std::span<const int8_t>();
    const auto silu = gated ? v.in_as<int8_t>(8) : std::span<const int8_t>();
    const int exp_shift = kSelective ? v.attr_shift("exp_shift") : 0;
    const int y_shift = v.attr_shift("y_shift");
    const int64_t mult = v.attr_int("mult");
    const int shift = v.attr_shift("shift");
    const int64_t gate_mult = gated ? v.attr_int("gate_mult") : 0;
    const int gate_shift = gated ? v.attr_shift("gate_shift") : 0;
    const bool reverse = v.attr_bool("reverse", false);
    const int64_t table_size = static_cast<int64_t>(table.size());
    auto out = v.out(0).as<int8_t>();
    uint64_t sat = 0;
    std::vector<int32_t> h(static_cast<size_t>(k.grid * g.cpb * n), 0);  // each CTA's states
    for (int64_t c = 0; c < k.chunks; ++c) {
        const Span steps = scan_steps(g, len, k.chunks, c);
        for (int64_t cta = 0; cta < k.grid; ++cta) {
            const ChannelBlock blk = channel_block(g, ch, cta);
            int32_t* hc = &h[static_cast<size_t>(cta * g.cpb * n)];
            for (int64_t s = steps.lo; s < steps.hi; ++s) {
                const int64_t row = blk.b * len + (reverse ? len - 1 - s : s);
                for (int64_t e = blk.e0; e < blk.e0 + blk.channels; ++e) {
                    const int64_t x = u[row * ch + e];
                    const int64_t dt = kSelective ? delta[row * ch + e] : 0;
                    int32_t* he = &hc[(e - blk.e0) * n];
                    int64_t y = 0;
                    for (int64_t q = 0; q < n; ++q) {
                        if constexpr (kSelective) {
                            const int64_t ab =
                                fx::selective_decay(table.data(), table_size, exp_shift, dt, a[e * n + q]);
                            he[q] = fx::selective_step(ab, he[q], dt, bm[row * n + q], x, sat);
                            y += int64_t{cm[row * n + q]} * he[q];
                        } else {
                            he[q] = fx::s4d_step(abar[e * n + q], he[q], bbar[e * n + q], x, sat);
                            y += int64_t{c16[e * n + q]} * he[q];
                        }
                    }
                    int8_t o = fx::scan_output(y, y_shift, dskip[e], x, mult, shift, sat);
                    if (gated)
                        o = fx::mul_i8(o, silu[fx::lut_index(z[row * ch + e])], gate_mult, gate_shift, sat);
                    out[row * ch + e] = o;
                }
            }
        }
    }
    return sat;
}

uint64_t scan_float(const KernelLaunch& k, const KernelShape& sh, OpView& v) {
    const Geometry& g = k.geo;
    const bool selective = k.kind == KernelKind::selective_scan_f32;
    const int64_t len = sh.len, ch = sh.ch, n = sh.state;
    const auto u = v.in_as<float>(0);
    const bool gated = selective && v.n_inputs() == 7;
    // selective: u, delta, A, B, C, D (, z); s4d: u, Abar, Bbar, C, D.
    const auto in1 = v.in_as<float>(1), in2 = v.in_as<float>(2), in3 = v.in_as<float>(3);
    const auto in4 = v.in_as<float>(4);
    const auto dskip = selective ? v.in_as<float>(5) : in4;
    const auto z = gated ? v.in_as<float>(6) : std::span<const float>();
    const bool reverse = v.attr_bool("reverse", false);
    auto out = v.out(0).as<float>();
    std::vector<float> h;
    for (int64_t cta = 0; cta < k.grid; ++cta) {
        const ChannelBlock blk = channel_block(g, ch, cta);
        if (blk.channels <= 0) continue;
        h.assign(static_cast<size_t>(blk.channels * n), 0.0f);
        for (int64_t c = 0; c < k.chunks; ++c) {
            const Span steps = scan_steps(g, len, k.chunks, c);
            for (int64_t s = steps.lo; s < steps.hi; ++s) {
                const int64_t row = blk.b * len + (reverse ? len - 1 - s : s);
                for (int64_t e = blk.e0; e < blk.e0 + blk.channels; ++e) {
                    const float x = u[row * ch + e];
                    float* he = &h[(e - blk.e0) * n];
                    float y = 0.0f;
                    if (selective) {
                        const float dt = in1[row * ch + e];
                        for (int64_t q = 0; q < n; ++q) {
                            he[q] = std::exp(dt * in2[e * n + q]) * he[q] + dt * in3[row * n + q] * x;
                            y += in4[row * n + q] * he[q];
                        }
                        y += dskip[e] * x;
                        if (gated) y *= lut_fn_eval_f32(LutFn::silu, z[row * ch + e]);
                    } else {
                        for (int64_t q = 0; q < n; ++q) {
                            const int64_t i = e * n + q;
                            he[q] = in1[i] * he[q] + in2[i] * x;
                            y += in3[i] * he[q];
                        }
                        y += dskip[e] * x;
                    }
                    out[row * ch + e] = y;
                }
            }
        }
    }
    return 0;
}

// Attention: each CTA owns a block of queries of one head and sweeps its keys tile by tile, chunk by chunk,
// in three passes (row maxima, exponential sums, probabilities and P·V), as kernels/attention*.cu do. The
// scores of pass 1 are kept for passes 2 and 3 (the kernels recompute them; the values are the same).
template <typename T>
uint64_t attention(const KernelLaunch& k, const KernelShape& sh, OpView& v) {
    constexpr bool kInt = std::is_same_v<T, int8_t>;
    using Score = std::conditional_t<kInt, int32_t, float>;
    using Sum = std::conditional_t<kInt, int64_t, float>;
    const Geometry& g = k.geo;
    const int64_t len = sh.len, width = sh.ch, dh = width / sh.heads;
    const auto q = v.in_as<T>(0);
    const auto key = v.in_as<T>(1);
    const auto val = v.in_as<T>(2);
    const auto table = kInt ? v.in_as<int32_t>(3) : std::span<const int32_t>();
    const int64_t table_size = static_cast<int64_t>(table.size());
    const int64_t score_mult = kInt ? v.attr_int("score_mult") : 0;
    const int score_shift = kInt ? v.attr_shift("score_shift") : 0;
    const float scale = kInt ? 0.0f : static_cast<float>(v.attr_number("scale"));
    auto out = v.out(0).as<T>();
    uint64_t sat = 0;
    std::vector<Score> score(static_cast<size_t>(g.rows * len));
    std::vector<Score> best(static_cast<size_t>(g.rows));
    std::vector<Sum> sum(static_cast<size_t>(g.rows));
    std::vector<Sum> acc(static_cast<size_t>(g.rows * dh));
    for (int64_t cta = 0; cta < k.grid; ++cta) {
        const QueryBlock qb = query_block(g, sh, cta);
        if (qb.q1 <= qb.q0) continue;
        const int64_t rows = qb.q1 - qb.q0, base = qb.b * len, col = qb.head * dh;
        std::fill(best.begin(), best.end(),
                  kInt ? Score(INT32_MIN) : -std::numeric_limits<float>::infinity());
        std::fill(sum.begin(), sum.end(), Sum{});
        std::fill(acc.begin(), acc.end(), Sum{});
        // Keys [k0, k1) of chunk c that query row r may see (causal: up to itself).
        const auto keys_of = [&](const KeySpan& ks, int64_t r) {
            const int64_t last = sh.causal ? qb.q0 + r : len - 1;
            return Span{ks.k0, std::min(ks.k1, last + 1)};
        };
        for (int pass = 0; pass < 3; ++pass) {
            for (int64_t c = 0; c < k.chunks; ++c) {
                const KeySpan ks = key_span(g, sh, qb, k.chunks, c);
                for (int64_t r = 0; r < rows; ++r) {
                    const Span keys = keys_of(ks, r);
                    Score* sr = &score[r * len];
                    if (pass == 0) {
                        const T* qi = &q[(base + qb.q0 + r) * width + col];
                        for (int64_t j = keys.lo; j < keys.hi; ++j) {
                            const T* kj = &key[(base + j) * width + col];
                            Score sc = 0;
                            for (int64_t d = 0; d < dh; ++d) sc += Score{qi[d]} * Score{kj[d]};
                            if constexpr (!kInt) sc *= scale;
                            sr[j] = sc;
                            best[r] = std::max(best[r], sc);
                        }
                    } else if (pass == 1) {
                        for (int64_t j = keys.lo; j < keys.hi; ++j) {
                            if constexpr (kInt) {
                                sum[r] += fx::attention_exp(table.data(), table_size, best[r], sr[j],
                                                            score_mult, score_shift);
                            } else {
                                sr[j] = std::exp(sr[j] - best[r]);
                                sum[r] += sr[j];
                            }
                        }
                    } else {
                        Sum* ar = &acc[r * dh];
                        for (int64_t j = keys.lo; j < keys.hi; ++j) {
                            const T* vj = &val[(base + j) * width + col];
                            if constexpr (kInt) {
                                const int64_t e = fx::attention_exp(table.data(), table_size, best[r], sr[j],
                                                                    score_mult, score_shift);
                                const int64_t p = fx::attention_prob(e, sum[r]);
                                for (int64_t d = 0; d < dh; ++d) ar[d] += p * vj[d];
                            } else {
                                for (int64_t d = 0; d < dh; ++d) ar[d] += sr[j] / sum[r] * vj[d];
                            }
                        }
                    }
                }
            }
        }
        for (int64_t r = 0; r < rows; ++r) {
            T* oi = &out[(base + qb.q0 + r) * width + col];
            for (int64_t d = 0; d < dh; ++d) {
                if constexpr (kInt) {
                    oi[d] = fx::attention_out(acc[r * dh + d], sat);
                } else {
                    oi[d] = acc[r * dh + d];
                }
            }
        }
    }
    return sat;
}

// Norms: one warp per row, the rows shared out over the CTAs and their chunks.
uint64_t norm(const KernelLaunch& k, const KernelShape& sh, OpView& v) {
    const bool center = sh.center;
    const int64_t d = sh.d;
    uint64_t sat = 0;
    if (v.int_mode()) {
        const auto x = v.in_as<int8_t>(0);
        const auto gamma = v.in_as<int8_t>(1);
        const auto beta = center ? v.in_as<int32_t>(2) : std::span<const int32_t>();
        const uint64_t eps = static_cast<uint64_t>(v.attr_int("eps"));
        const int64_t mult = v.attr_int("mult");
        const int shift = v.attr_shift("shift");
        const auto& rsqrt = rsqrt_table();
        auto out = v.out(0).as<int8_t>();
        std::vector<int64_t> xc(static_cast<size_t>(d));
        for (int64_t cta = 0; cta < k.grid; ++cta) {
            for (int64_t c = 0; c < k.chunks; ++c) {
                const Span rows = row_span(k, cta, c);
                for (int64_t r = rows.lo; r < rows.hi; ++r)
                    fx::norm_row_i8(&x[r * d], gamma.data(), center ? beta.data() : nullptr, d, eps, mult,
                                    shift, rsqrt.data(), xc.data(), &out[r * d], sat);
            }
        }
        return sat;
    }
    const auto x = v.in_as<float>(0);
    const auto gamma = v.in_as<float>(1);
    const auto beta = center ? v.in_as<float>(2) : std::span<const float>();
    const float eps = static_cast<float>(v.attr_number("eps"));
    auto out = v.out(0).as<float>();
    for (int64_t cta = 0; cta < k.grid; ++cta) {
        for (int64_t c = 0; c < k.chunks; ++c) {
            const Span rows = row_span(k, cta, c);
            for (int64_t r = rows.lo; r < rows.hi; ++r)
                fx::norm_row_f32(&x[r * d], gamma.data(), center ? beta.data() : nullptr, d, eps,
                                 &out[r * d]);
        }
    }
    return sat;
}

// Pool: a CTA per (32-channel block, batch row) sums its channels over time.
uint64_t pool(const KernelLaunch& k, const KernelShape& sh, OpView& v) {
    const int64_t len = sh.len, ch = sh.ch;
    uint64_t sat = 0;
    const bool i8 = v.int_mode();
    const int64_t mult = i8 ? v.attr_int("mult") : 0;
    const int shift = i8 ? v.attr_shift("shift") : 0;
    Tensor& out = v.out(0);
    const Tensor& x = v.in(0);
    for (int64_t cta = 0; cta < k.grid; ++cta) {
        const ChannelBlock blk = channel_block(k.geo, ch, cta);
        for (int64_t e = blk.e0; e < blk.e0 + blk.channels; ++e) {
            if (i8) {
                const auto xs = x.as<int8_t>();
                int64_t acc = 0;
                for (int64_t t = 0; t < len; ++t) acc += xs[(blk.b * len + t) * ch + e];
                out.as<int8_t>()[blk.b * ch + e] = fx::requant_sum(acc, 0, mult, shift, sat);
            } else {
                const auto xs = x.as<float>();
                float acc = 0.0f;
                for (int64_t t = 0; t < len; ++t) acc += xs[(blk.b * len + t) * ch + e];
                out.as<float>()[blk.b * ch + e] = acc / static_cast<float>(len);
            }
        }
    }
    return sat;
}

// Embedding: one warp per token row copies the row of the table.
uint64_t embedding(const KernelLaunch& k, const KernelShape& sh, OpView& v) {
    const auto tok = v.in_as<int32_t>(0);
    const auto table = v.in(1).bytes();
    auto out = v.out(0).bytes();
    const size_t rb = static_cast<size_t>(sh.d);
    for (int64_t cta = 0; cta < k.grid; ++cta) {
        const Span rows = row_span(k, cta, 0);
        for (int64_t r = rows.lo; r < rows.hi; ++r)
            std::memcpy(out.data() + static_cast<size_t>(r) * rb,
                        table.data() + static_cast<size_t>(tok[r]) * rb, rb);
    }
    return 0;
}

}  // namespace

uint64_t run_datapath(const KernelLaunch& k, const KernelShape& sh, const Trace& trace, const OpDecl& op,
                      TensorStore& store) {
    OpView v(trace, op, store);
    check_op_values(trace, op, [&](size_t i) -> const Tensor& { return v.in(i); });
    switch (k.kind) {
        case KernelKind::none:
            v.out(0);  // an empty tensor
            return 0;
        case KernelKind::lut_i8:
        case KernelKind::mul_i8:
        case KernelKind::add_i8:
        case KernelKind::gate_i8:
        case KernelKind::map_f32:
        case KernelKind::copy:
            return elementwise(k, sh, v);
        case KernelKind::conv1d_i8:
            return conv1d<int8_t>(k, sh, v);
        case KernelKind::conv1d_f32:
            return conv1d<float>(k, sh, v);
        case KernelKind::gemm_i8:
            return gemm<int8_t, int32_t>(k, sh, v);
        case KernelKind::gemm_f32:
            return gemm<float, float>(k, sh, v);
        case KernelKind::selective_scan_i8:
            return scan_int<true>(k, sh, v);
        case KernelKind::s4d_scan_i8:
            return scan_int<false>(k, sh, v);
        case KernelKind::selective_scan_f32:
        case KernelKind::s4d_scan_f32:
            return scan_float(k, sh, v);
        case KernelKind::attention_i8:
            return attention<int8_t>(k, sh, v);
        case KernelKind::attention_f32:
            return attention<float>(k, sh, v);
        case KernelKind::norm_i8:
        case KernelKind::norm_f32:
            return norm(k, sh, v);
        case KernelKind::pool:
            return pool(k, sh, v);
        case KernelKind::embedding:
            return embedding(k, sh, v);
        case KernelKind::requant_i32:
            break;
    }
    throw std::logic_error("gpu datapath: no walk for kernel " + std::string(kernel_name(k.kind)));
}

}  // namespace ssmsim::gpu
