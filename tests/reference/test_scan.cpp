// selective_scan (Mamba S6) and s4d_scan on the reference: small cases by hand, Δ extremes, saturation,
// and properties (zero-Δ steps keep the state, causality, reverse = forward on reversed time, batch
// independence, float32 against int8 and against a double-precision formulation).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <optional>

#include "sim/numerics/fixed_point.h"
#include "sim/numerics/tables.h"
#include "sim/util/error.h"
#include "tests/support/op_harness.h"

namespace ssmsim::testing {
namespace {

using json = nlohmann::json;

// ---- time-axis helpers for [batch, L, X] tensors ---------------------------------------------------------

// Output step i is input step steps[i], in every batch.
Tensor time_pick(const Tensor& t, const std::vector<int64_t>& steps) {
    const Shape& s = t.shape();
    const size_t row = static_cast<size_t>(s[2]) * dtype_size(t.dtype());
    const int64_t len = static_cast<int64_t>(steps.size());
    Tensor out(t.dtype(), {s[0], len, s[2]});
    for (int64_t b = 0; b < s[0]; ++b) {
        for (int64_t i = 0; i < len; ++i) {
            std::memcpy(out.bytes().data() + (b * len + i) * row,
                        t.bytes().data() + (b * s[1] + steps[i]) * row, row);
        }
    }
    return out;
}

// Concatenation along time (axis 1).
Tensor time_concat(const std::vector<Tensor>& parts) {
    const Shape& s0 = parts.at(0).shape();
    int64_t len = 0;
    for (const Tensor& p : parts) len += p.shape()[1];
    const size_t row = static_cast<size_t>(s0[2]) * dtype_size(parts[0].dtype());
    Tensor out(parts[0].dtype(), {s0[0], len, s0[2]});
    for (int64_t b = 0; b < s0[0]; ++b) {
        int64_t at = 0;
        for (const Tensor& p : parts) {
            const size_t n = static_cast<size_t>(p.shape()[1]) * row;
            if (n == 0) continue;  // an empty part: memcpy from its null buffer would be undefined
            std::memcpy(out.bytes().data() + (b * len + at) * row, p.bytes().data() + b * n, n);
            at += p.shape()[1];
        }
    }
    return out;
}

// Concatenation along the batch axis (axis 0): plain byte concatenation.
Tensor batch_concat(const Tensor& a, const Tensor& b) {
    Shape s = a.shape();
    s[0] += b.shape()[0];
    Tensor out(a.dtype(), s);
    std::memcpy(out.bytes().data(), a.bytes().data(), a.nbytes());
    std::memcpy(out.bytes().data() + a.nbytes(), b.bytes().data(), b.nbytes());
    return out;
}

std::vector<int64_t> range(int64_t from, int64_t to) {
    std::vector<int64_t> r(static_cast<size_t>(to - from));
    std::iota(r.begin(), r.end(), from);
    return r;
}

std::vector<int64_t> reversed(int64_t len) {
    std::vector<int64_t> r = range(0, len);
    std::reverse(r.begin(), r.end());
    return r;
}

// ---- selective_scan cases --------------------------------------------------------------------------------

struct SelScan {
    Numerics numerics = Numerics::int8;
    Tensor u, delta, A, B, C, D;
    Tensor table;             // int8 mode
    std::optional<Tensor> z;  // gated when set
    Tensor silu;              // int8 mode, gated
    json attrs = json::object();

    OpSpec spec(bool reverse = false) const {
        OpSpec s{.kind = "selective_scan",
                 .inputs = {{"u", u}, {"delta", delta}, {"A", A}, {"B", B}, {"C", C}, {"D", D}},
                 .attrs = attrs,
                 .out_shape = u.shape(),
                 .numerics = numerics};
        if (numerics == Numerics::int8) s.inputs.emplace_back("exp_table", table);
        if (z) {
            s.inputs.emplace_back("z", *z);
            if (numerics == Numerics::int8) s.inputs.emplace_back("silu_lut", silu);
        }
        if (reverse) s.attrs["reverse"] = true;
        return s;
    }
    OpResult run(bool reverse = false) const { return run_op(spec(reverse)); }

    // The same case with its time-dependent inputs (u, delta, B, C, z) re-ordered or cut.
    SelScan pick(const std::vector<int64_t>& steps) const {
        SelScan c = *this;
        for (Tensor* t : {&c.u, &c.delta, &c.B, &c.C}) *t = time_pick(*t, steps);
        if (c.z) c.z = time_pick(*c.z, steps);
        return c;
    }
    // This case with `step` (a one-step case) inserted before step p.
    SelScan insert(int64_t p, const SelScan& step) const {
        const int64_t len = u.shape()[1];
        SelScan c = *this;
        auto ins = [&](const Tensor& a, const Tensor& s) {
            return time_concat({time_pick(a, range(0, p)), s, time_pick(a, range(p, len))});
        };
        c.u = ins(u, step.u);
        c.delta = ins(delta, step.delta);
        c.B = ins(B, step.B);
        c.C = ins(C, step.C);
        if (z) c.z = ins(*z, *step.z);
        return c;
    }
};

SelScan random_int_scan(Rng& rng, int64_t batch, int64_t len, int64_t ch, int64_t n, bool gated) {
    SelScan c;
    c.u = random_tensor<int8_t>(rng, {batch, len, ch}, -128, 127);
    c.delta = random_tensor<int8_t>(rng, {batch, len, ch}, -10, 60);  // some negative: index clamps to 0
    c.A = random_tensor<int16_t>(rng, {ch, n}, -300, -1);
    c.B = random_tensor<int8_t>(rng, {batch, len, n}, -128, 127);
    c.C = random_tensor<int8_t>(rng, {batch, len, n}, -128, 127);
    c.D = random_tensor<int32_t>(rng, {ch}, -2000, 2000);
    c.table = make_exp_table(1.0 / 64, 512);
    c.attrs = {{"exp_shift", 4}, {"y_shift", 6}, {"mult", 1 + rng.below(1024)}, {"shift", 20 + rng.below(3)}};
    if (gated) {
        c.z = random_tensor<int8_t>(rng, {batch, len, ch}, -128, 127);
        c.silu = make_lut8(LutFn::silu, 1.0 / 16, 1.0 / 16);
        c.attrs["gate_mult"] = 1 + rng.below(255);
        c.attrs["gate_shift"] = 11;
    }
    return c;
}

Tensor scan_halving_table(int64_t size) {
    std::vector<int32_t> v;
    for (int64_t i = 0; i < size; ++i) v.push_back(32768 >> i);
    return i32({size}, v);
}

// The hand case: 1 channel, N = 2, L = 3; A = (-1, -2), exp_shift 0 so the table index is delta * |A|.
SelScan hand_case() {
    SelScan c;
    c.u = i8({1, 3, 1}, {10, -5, 3});
    c.delta = i8({1, 3, 1}, {1, 2, 0});
    c.A = i16({1, 2}, {-1, -2});
    c.B = i8({1, 3, 2}, {1, 2, 3, -1, 4, 4});
    c.C = i8({1, 3, 2}, {2, 1, -1, 1, 1, 1});
    c.D = i32({1}, {4});
    c.table = scan_halving_table(8);  // 32768, 16384, 8192, ...
    c.attrs = {{"exp_shift", 0}, {"y_shift", 1}, {"mult", 1}, {"shift", 2}};
    return c;
}

TEST(SelectiveScan, ByHand) {
    // t0: dt 1, x 10.  k0: idx 1 (16384), h0 = 0 + 1*1*10 = 10;  k1: idx 2, h1 = 0 + 1*2*10 = 20
    //     y = 2*10 + 1*20 = 40; ys = 40 >> 1 = 20; + D x = 20 + 40 = 60; >> 2 = 15
    // t1: dt 2, x -5.  k0: idx 2 (8192): 8192*10 / 2^15 = 2.5 -> 3; h0 = 3 + 2*3*(-5) = -27
    //                  k1: idx 4 (2048): 2048*20 / 2^15 = 1.25 -> 1; h1 = 1 + 2*(-1)*(-5) = 11
    //     y = -1*(-27) + 1*11 = 38; ys = 19; + 4*(-5) = -1; >> 2: -0.25 -> 0
    // t2: dt 0, x 3.   idx 0 (32768): state kept, h = (-27, 11); no input term
    //     y = -27 + 11 = -16; ys = -8; + 12 = 4; >> 2 = 1
    const auto r = hand_case().run();
    EXPECT_EQ(r.ints(), Ints({15, 0, 1}));
    EXPECT_EQ(r.saturations, 0u);
}

TEST(SelectiveScan, GatedByHand) {
    // Ungated outputs (15, 0, 1) times lut[z] (identity: z = 2, 10, -3), * 3 >> 1:
    // 15*2*3 = 90 -> 45; 0; 1*(-3)*3 = -9 -> -4.5 -> -4.
    SelScan c = hand_case();
    c.z = i8({1, 3, 1}, {2, 10, -3});
    c.silu = identity_lut();
    c.attrs["gate_mult"] = 3;
    c.attrs["gate_shift"] = 1;
    EXPECT_EQ(c.run().ints(), Ints({45, 0, -4}));
}

TEST(SelectiveScan, ReverseByHand) {
    // Steps run t = 2, 1, 0.
    // t2: dt 0, x 3: h = 0; y = 0; + 4*3 = 12; >> 2 = 3
    // t1: dt 2, x -5: h0 = 2*3*(-5) = -30, h1 = 2*(-1)*(-5) = 10; y = -1*(-30) + 10 = 40; ys 20; + -20 = 0 ->
    // 0 t0: dt 1, x 10: h0 = 16384*(-30) / 2^15 = -15, + 1*1*10 = -5; h1 = 8192*10 / 2^15 = 2.5 -> 3, + 20 =
    // 23
    //     y = 2*(-5) + 23 = 13; ys = 6.5 -> 7; + 40 = 47; >> 2 = 11.75 -> 12
    EXPECT_EQ(hand_case().run(true).ints(), Ints({12, 0, 3}));
}

TEST(SelectiveScan, SequenceLengthOne) {
    // N = 1: h = 0 + 3*5*7 = 105 (the decay multiplies a zero state); y = -4*105 = -420; >> 2 = -105;
    // + D x = -105 + 7 = -98; mult 1 shift 0.
    SelScan c;
    c.u = i8({1, 1, 1}, {7});
    c.delta = i8({1, 1, 1}, {3});
    c.A = i16({1, 1}, {-2});
    c.B = i8({1, 1, 1}, {5});
    c.C = i8({1, 1, 1}, {-4});
    c.D = i32({1}, {1});
    c.table = scan_halving_table(8);
    c.attrs = {{"exp_shift", 1}, {"y_shift", 2}, {"mult", 1}, {"shift", 0}};
    EXPECT_EQ(c.run().ints(), Ints({-98}));
}

// Δ extremes: L = 2, N = 1. Step 0 loads h = 1*1*100 = 100 (C = 0 there); step 1 has B = 0 and C = 1,
// so its output is the decayed state rshift_round(table[idx] * 100, 15) with idx = rshift_round(-δ A, s).
struct DeltaCase {
    int delta;
    int a;
    int exp_shift;
    int64_t want;
};

class SelectiveScanDelta : public ::testing::TestWithParam<DeltaCase> {};

TEST_P(SelectiveScanDelta, DecayFromTable) {
    const DeltaCase p = GetParam();
    SelScan c;
    c.u = i8({1, 2, 1}, {100, 0});
    c.delta = i8({1, 2, 1}, {1, static_cast<int8_t>(p.delta)});
    c.A = i16({1, 1}, {static_cast<int16_t>(p.a)});
    c.B = i8({1, 2, 1}, {1, 0});
    c.C = i8({1, 2, 1}, {0, 1});
    c.D = i32({1}, {0});
    c.table = scan_halving_table(4);  // 32768, 16384, 8192, 4096
    c.attrs = {{"exp_shift", p.exp_shift}, {"y_shift", 0}, {"mult", 1}, {"shift", 0}};
    EXPECT_EQ(c.run().ints(), Ints({0, p.want})) << "delta " << p.delta << " A " << p.a;
}

INSTANTIATE_TEST_SUITE_P(Extremes, SelectiveScanDelta,
                         ::testing::Values(DeltaCase{0, -1, 0, 100},   // δ = 0: table[0] = 1.0, state kept
                                           DeltaCase{1, -1, 0, 50},    // table[1]: 100 / 2
                                           DeltaCase{2, -1, 0, 25},    // table[2]
                                           DeltaCase{3, -1, 0, 13},    // table[3]: 12.5 -> 13
                                           DeltaCase{127, -1, 0, 13},  // idx 127 clamps to the last entry
                                           DeltaCase{127, -32768, 40, 100},  // 127 * 32768 >> 40 rounds to 0
                                           DeltaCase{127, -32768, 0,
                                                     13},              // idx 4161536 clamps to the last entry
                                           DeltaCase{-5, -1, 0, 100},  // negative δ: idx -5 clamps to 0
                                           DeltaCase{-128, -300, 0, 100},  // most negative δ
                                           DeltaCase{3, -1, 1, 25},    // exp_shift 1: 3 / 2 = 1.5 -> idx 2
                                           DeltaCase{1, -1, 1, 50}));  // 1 / 2 = 0.5 -> idx 1

TEST(SelectiveScan, SkipSaturationIsCounted) {
    // y = 0 (B = 0), D x = (2^31 - 1) * 127 clips in sat32 and again in the requantization: 2 per step.
    SelScan c;
    c.u = i8({1, 2, 1}, {127, -128});
    c.delta = i8({1, 2, 1}, {0, 0});
    c.A = i16({1, 1}, {-1});
    c.B = i8({1, 2, 1}, {0, 0});
    c.C = i8({1, 2, 1}, {0, 0});
    c.D = i32({1}, {INT32_MAX});
    c.table = scan_halving_table(4);
    c.attrs = {{"exp_shift", 0}, {"y_shift", 0}, {"mult", 1}, {"shift", 0}};
    const auto r = c.run();
    EXPECT_EQ(r.ints(), Ints({127, -128}));
    EXPECT_EQ(r.saturations, 4u);
}

TEST(SelectiveScan, StateSaturationIsCounted) {
    // A = 0 keeps the decay at 1.0; every step adds 127^3 = 2048383. 1048 steps give 2146705384 < 2^31 - 1,
    // step 1049 would give 2148753767: from then on h clips to INT32_MAX, once per step: 1100 - 1048 = 52.
    const int64_t len = 1100;
    SelScan c;
    c.u = i8({1, len, 1}, std::vector<int8_t>(len, 127));
    c.delta = c.u;
    c.A = i16({1, 1}, {0});
    c.B = i8({1, len, 1}, std::vector<int8_t>(len, 127));
    c.C = i8({1, len, 1}, std::vector<int8_t>(len, 0));
    c.D = i32({1}, {0});
    c.table = scan_halving_table(4);
    c.attrs = {{"exp_shift", 0}, {"y_shift", 0}, {"mult", 1}, {"shift", 0}};
    const auto r = c.run();
    EXPECT_EQ(r.saturations, 52u);
    EXPECT_EQ(r.ints(), Ints(len, 0));
}

TEST(SelectiveScan, RejectsTableOutsideQ15) {
    SelScan c = hand_case();
    c.table = i32({2}, {32769, 0});
    EXPECT_THROW(c.run(), InputError);
    c.table = i32({2}, {32768, -1});
    EXPECT_THROW(c.run(), InputError);
}

TEST(SelectiveScan, FloatByHand) {
    // N = 1, A = -1: h0 = 0.5 * 1 * 2 = 1, y0 = 1 + D x = 1 + 0.5 * 2 = 2;
    // h1 = e^-1 * 1 + 1 * 2 * 1 = 2.36788, y1 = 2.36788 + 0.5 = 2.86788.
    SelScan c;
    c.numerics = Numerics::float32;
    c.u = f32({1, 2, 1}, {2, 1});
    c.delta = f32({1, 2, 1}, {0.5f, 1});
    c.A = f32({1, 1}, {-1});
    c.B = f32({1, 2, 1}, {1, 2});
    c.C = f32({1, 2, 1}, {1, 1});
    c.D = f32({1}, {0.5f});
    const auto r = c.run();
    EXPECT_NEAR(r.floats()[0], 2.0, 1e-6);
    EXPECT_NEAR(r.floats()[1], std::exp(-1.0) + 2.5, 1e-6);
}

// ---- selective_scan properties ---------------------------------------------------------------------------

// (a) Δ = 0 makes Ā = table[0] = 1.0 and Δ·B·u = 0: the state never leaves 0, so the output is the D skip
// alone, requant(D u), then the gate. Computed here without any scan.
TEST(SelectiveScanProperty, ZeroDeltaIsSkipOnly) {
    Rng rng(1);
    for (int iter = 0; iter < 200; ++iter) {
        const int64_t batch = 1 + rng.below(2), len = 1 + rng.below(6), ch = 1 + rng.below(3),
                      n = 1 + rng.below(4);
        const bool gated = iter % 2 == 0;
        SelScan c = random_int_scan(rng, batch, len, ch, n, gated);
        c.delta = i8(c.u.shape(), std::vector<int8_t>(static_cast<size_t>(c.u.size()), 0));
        const auto r = c.run(iter % 3 == 0);
        const int64_t mult = c.attrs["mult"], gate_mult = c.attrs.value("gate_mult", 0);
        const int shift = c.attrs["shift"], gate_shift = c.attrs.value("gate_shift", 0);
        const auto u = c.u.as<int8_t>();
        const auto d = c.D.as<int32_t>();
        Ints want;
        uint64_t clips = 0;
        for (size_t i = 0; i < u.size(); ++i) {
            int64_t o = fx::requant(fx::sat32(int64_t{d[i % ch]} * u[i], clips), mult, shift, clips);
            if (gated) {
                o = fx::requant(o * c.silu.as<int8_t>()[fx::lut_index(c.z->as<int8_t>()[i])], gate_mult,
                                gate_shift, clips);
            }
            want.push_back(o);
        }
        ASSERT_EQ(r.ints(), want) << "iteration " << iter;
        ASSERT_EQ(r.saturations, clips) << "iteration " << iter;
    }
}

// (a') A Δ = 0 step keeps the state exactly (rshift_round(32768 h, 15) = h, no input term), so inserting
// one anywhere, with arbitrary u, B, C, z, leaves every other step's output unchanged.
TEST(SelectiveScanProperty, ZeroDeltaStepKeepsState) {
    Rng rng(2);
    for (int iter = 0; iter < 200; ++iter) {
        const int64_t batch = 1 + rng.below(2), len = 1 + rng.below(6), ch = 1 + rng.below(3),
                      n = 1 + rng.below(4);
        const bool gated = iter % 2 == 1, reverse = iter % 4 >= 2;
        const SelScan c = random_int_scan(rng, batch, len, ch, n, gated);
        SelScan step = random_int_scan(rng, batch, 1, ch, n, gated);
        step.delta = i8({batch, 1, ch}, std::vector<int8_t>(static_cast<size_t>(batch * ch), 0));
        const int64_t p = static_cast<int64_t>(rng.below(len + 1));
        std::vector<int64_t> others = range(0, p);  // the inserted case's steps that are not the new one
        for (int64_t t = p + 1; t <= len; ++t) others.push_back(t);
        const Tensor with = c.insert(p, step).run(reverse).out;
        ASSERT_EQ(ints(time_pick(with, others)), c.run(reverse).ints())
            << "iteration " << iter << ", p " << p;
    }
}

// (b) Causality: the first L1 outputs of a forward scan depend on the first L1 steps only; for a reverse
// scan, the last L - L1 outputs on the last L - L1 steps only.
TEST(SelectiveScanProperty, PrefixOutputsDependOnPrefixOnly) {
    Rng rng(3);
    for (int iter = 0; iter < 150; ++iter) {
        const int64_t batch = 1 + rng.below(2), len = 2 + rng.below(8), ch = 1 + rng.below(3),
                      n = 1 + rng.below(4);
        const SelScan c = random_int_scan(rng, batch, len, ch, n, iter % 2 == 0);
        const int64_t l1 = 1 + static_cast<int64_t>(rng.below(len - 1));
        const Tensor fwd = c.run().out;
        ASSERT_EQ(c.pick(range(0, l1)).run().ints(), ints(time_pick(fwd, range(0, l1)))) << iter;
        const Tensor rev = c.run(true).out;
        ASSERT_EQ(c.pick(range(l1, len)).run(true).ints(), ints(time_pick(rev, range(l1, len)))) << iter;
    }
}

// (b') reverse = true equals a forward scan on the time-reversed inputs, outputs reversed back.
TEST(SelectiveScanProperty, ReverseIsForwardOnReversedTime) {
    Rng rng(4);
    for (int iter = 0; iter < 150; ++iter) {
        const int64_t batch = 1 + rng.below(2), len = 1 + rng.below(8), ch = 1 + rng.below(3),
                      n = 1 + rng.below(4);
        const SelScan c = random_int_scan(rng, batch, len, ch, n, iter % 2 == 0);
        const Tensor fwd_of_reversed = c.pick(reversed(len)).run().out;
        ASSERT_EQ(c.run(true).ints(), ints(time_pick(fwd_of_reversed, reversed(len)))) << iter;
    }
}

// Each batch starts from a zero state: a batch of two equals the two run alone.
TEST(SelectiveScanProperty, BatchesAreIndependent) {
    Rng rng(5);
    for (int iter = 0; iter < 50; ++iter) {
        const int64_t len = 1 + rng.below(6), ch = 1 + rng.below(3), n = 1 + rng.below(4);
        const bool gated = iter % 2 == 0;
        const SelScan a = random_int_scan(rng, 1, len, ch, n, gated);
        SelScan b = random_int_scan(rng, 1, len, ch, n, gated);
        b.A = a.A;
        b.D = a.D;
        b.attrs = a.attrs;
        SelScan both = a;
        both.u = batch_concat(a.u, b.u);
        both.delta = batch_concat(a.delta, b.delta);
        both.B = batch_concat(a.B, b.B);
        both.C = batch_concat(a.C, b.C);
        if (gated) both.z = batch_concat(*a.z, *b.z);
        Ints want = a.run().ints();
        const Ints wb = b.run().ints();
        want.insert(want.end(), wb.begin(), wb.end());
        ASSERT_EQ(both.run().ints(), want) << iter;
    }
}

// The float32 selective scan computed independently in double precision.
std::vector<double> selective_scan_double(const SelScan& c, bool reverse) {
    const Shape& s = c.u.shape();
    const int64_t batch = s[0], len = s[1], ch = s[2], n = c.A.shape()[1];
    const auto u = c.u.as<float>(), dl = c.delta.as<float>(), a = c.A.as<float>(), bm = c.B.as<float>(),
               cm = c.C.as<float>(), d = c.D.as<float>();
    std::vector<double> out(u.size());
    for (int64_t b = 0; b < batch; ++b) {
        std::vector<double> h(ch * n, 0.0);
        for (int64_t step = 0; step < len; ++step) {
            const int64_t row = b * len + (reverse ? len - 1 - step : step);
            for (int64_t e = 0; e < ch; ++e) {
                const double dt = dl[row * ch + e], x = u[row * ch + e];
                double y = 0;
                for (int64_t k = 0; k < n; ++k) {
                    double& hk = h[e * n + k];
                    hk = std::exp(dt * a[e * n + k]) * hk + dt * bm[row * n + k] * x;
                    y += cm[row * n + k] * hk;
                }
                y += d[e] * x;
                if (c.z) {
                    const double zz = c.z->as<float>()[row * ch + e];
                    y *= zz / (1 + std::exp(-zz));
                }
                out[row * ch + e] = y;
            }
        }
    }
    return out;
}

Tensor random_float(Rng& rng, Shape shape, double lo, double hi) {
    std::vector<float> v(static_cast<size_t>(element_count(shape)));
    for (float& x : v) x = static_cast<float>(rng.uniform(lo, hi));
    return f32(std::move(shape), v);
}

// (e) float32 against double: values are O(1) (u, B, C, D in [-1, 1], Δ in [0, 0.5], A in [-2, -0.1],
// L <= 16, N <= 8), so |h| <= 8 and float32 rounding stays near 1e-6 of the magnitudes involved; the bound
// 1e-4 * max(1, |y|) leaves two orders of margin.
TEST(SelectiveScanProperty, FloatMatchesDouble) {
    Rng rng(6);
    for (int iter = 0; iter < 200; ++iter) {
        const int64_t batch = 1 + rng.below(2), len = 1 + rng.below(16), ch = 1 + rng.below(3),
                      n = 1 + rng.below(8);
        SelScan c;
        c.numerics = Numerics::float32;
        c.u = random_float(rng, {batch, len, ch}, -1, 1);
        c.delta = random_float(rng, {batch, len, ch}, 0, 0.5);
        c.A = random_float(rng, {ch, n}, -2, -0.1);
        c.B = random_float(rng, {batch, len, n}, -1, 1);
        c.C = random_float(rng, {batch, len, n}, -1, 1);
        c.D = random_float(rng, {ch}, -1, 1);
        if (iter % 2 == 0) c.z = random_float(rng, {batch, len, ch}, -3, 3);
        const bool reverse = iter % 4 >= 2;
        const Floats got = c.run(reverse).floats();
        const std::vector<double> want = selective_scan_double(c, reverse);
        for (size_t i = 0; i < want.size(); ++i) {
            ASSERT_NEAR(got[i], want[i], 1e-4 * std::max(1.0, std::abs(want[i])))
                << "iteration " << iter << " i " << i;
        }
    }
}

// (d) float32 mode agrees with int8 mode dequantized. Scales are powers of two: u 2^-4, Δ 2^-5, A 2^-6,
// B 2^-4, C 2^-4; exp_shift 0 and table step ΔA-scale = 2^-11, so the table index is the exact ΔA and only
// the entries' rounding (<= 0.5 / 32768) differs from exp. The state's scale is 2^-13, y_shift 4 puts ys at
// 2^-13, D's int scale is 2^-13 / 2^-4 = 2^-9, and the output scale 2^-1 needs mult / 2^shift = 2^-12.
// Ranges (u, B in [-2, 2], C in [-0.5, 0.5], Δ in [0, 1], D in [-1, 1], L <= 8, N <= 3) bound |h| <= 32
// and |y| <= 50 < 63.5, so nothing saturates. Error: half an output step (0.25) from the final rounding,
// plus the state's roundings (<= 0.5 + 4 state units per step, 8 steps, 2^-13 each, times sum |C| <= 1.5:
// < 0.007) and y_shift's rounding (2^-14). Tolerance 0.27.
TEST(SelectiveScanProperty, FloatAgreesWithDequantizedInt8) {
    Rng rng(8);
    auto deq = [](const Tensor& t, double scale) {
        Floats f;
        for (int64_t v : ints(t)) f.push_back(static_cast<float>(v * scale));
        return f32(t.shape(), f);
    };
    for (int iter = 0; iter < 200; ++iter) {
        const int64_t batch = 1 + rng.below(2), len = 1 + rng.below(8), ch = 1 + rng.below(3),
                      n = 1 + rng.below(3);
        SelScan q;
        q.u = random_tensor<int8_t>(rng, {batch, len, ch}, -32, 32);
        q.delta = random_tensor<int8_t>(rng, {batch, len, ch}, 0, 32);
        q.A = random_tensor<int16_t>(rng, {ch, n}, -64, -1);
        q.B = random_tensor<int8_t>(rng, {batch, len, n}, -32, 32);
        q.C = random_tensor<int8_t>(rng, {batch, len, n}, -8, 8);
        q.D = random_tensor<int32_t>(rng, {ch}, -512, 512);
        q.table = make_exp_table(1.0 / 2048, 4096);
        q.attrs = {{"exp_shift", 0}, {"y_shift", 4}, {"mult", 1}, {"shift", 12}};
        const bool reverse = iter % 2 == 1;
        const auto qi = q.run(reverse);
        ASSERT_EQ(qi.saturations, 0u) << iter;

        SelScan f;
        f.numerics = Numerics::float32;
        f.u = deq(q.u, 1.0 / 16);
        f.delta = deq(q.delta, 1.0 / 32);
        f.A = deq(q.A, 1.0 / 64);
        f.B = deq(q.B, 1.0 / 16);
        f.C = deq(q.C, 1.0 / 16);
        f.D = deq(q.D, 1.0 / 512);
        const Floats fo = f.run(reverse).floats();
        const Ints qo = qi.ints();
        for (size_t i = 0; i < qo.size(); ++i)
            ASSERT_NEAR(qo[i] * 0.5, fo[i], 0.27) << "iteration " << iter << " i " << i;
    }
}

// ---- s4d_scan --------------------------------------------------------------------------------------------

struct S4d {
    Numerics numerics = Numerics::int8;
    Tensor u, Abar, Bbar, C, D;
    json attrs = json::object();

    OpResult run(bool reverse = false) const {
        OpSpec s{.kind = "s4d_scan",
                 .inputs = {{"u", u}, {"Abar", Abar}, {"Bbar", Bbar}, {"C", C}, {"D", D}},
                 .attrs = attrs,
                 .out_shape = u.shape(),
                 .numerics = numerics};
        if (reverse) s.attrs["reverse"] = true;
        return run_op(s);
    }
};

S4d s4d_hand_case() {
    S4d c;
    c.u = i8({1, 3, 1}, {10, -4, 0});
    c.Abar = i32({1, 2}, {16384, 32768});
    c.Bbar = i16({1, 2}, {2, -1});
    c.C = i16({1, 2}, {3, 1});
    c.D = i32({1}, {2});
    c.attrs = {{"y_shift", 1}, {"mult", 1}, {"shift", 1}};
    return c;
}

TEST(S4dScan, ByHand) {
    // t0: x 10: h = (0 + 2*10, 0 - 10) = (20, -10); y = 60 - 10 = 50; ys 25; + 2*10 = 45; >> 1: 22.5 -> 23
    // t1: x -4: h0 = 16384*20 / 2^15 = 10, + 2*(-4) = 2; h1 = -10 + 4 = -6; y = 6 - 6 = 0; + -8 = -8 -> -4
    // t2: x 0: h0 = 16384*2 / 2^15 = 1; h1 = -6; y = 3 - 6 = -3; ys: -1.5 -> -1; + 0; >> 1: -0.5 -> 0
    EXPECT_EQ(s4d_hand_case().run().ints(), Ints({23, -4, 0}));
}

TEST(S4dScan, ReverseByHand) {
    // t2: x 0: h = 0 -> 0
    // t1: x -4: h = (-8, 4); y = -24 + 4 = -20; ys -10; + -8 = -18; >> 1: -9
    // t0: x 10: h0 = 16384*(-8) / 2^15 = -4, + 20 = 16; h1 = 4 - 10 = -6; y = 48 - 6 = 42; ys 21; + 20 = 41;
    //     >> 1: 20.5 -> 21
    EXPECT_EQ(s4d_hand_case().run(true).ints(), Ints({21, -9, 0}));
}

TEST(S4dScan, RejectsAbarOutsideQ15) {
    S4d c = s4d_hand_case();
    c.Abar = i32({1, 2}, {16384, 32769});
    EXPECT_THROW(c.run(), InputError);
    c.Abar = i32({1, 2}, {-1, 0});
    EXPECT_THROW(c.run(), InputError);
}

TEST(S4dScan, FloatByHand) {
    // h0 = 1, y0 = 2*1 + 1 = 3; h1 = 0.5 + 2 = 2.5, y1 = 5 + 2 = 7.
    S4d c;
    c.numerics = Numerics::float32;
    c.u = f32({1, 2, 1}, {1, 2});
    c.Abar = f32({1, 1}, {0.5f});
    c.Bbar = f32({1, 1}, {1});
    c.C = f32({1, 1}, {2});
    c.D = f32({1}, {1});
    EXPECT_EQ(c.run().floats(), Floats({3, 7}));
}

S4d random_s4d(Rng& rng, int64_t batch, int64_t len, int64_t ch, int64_t n) {
    S4d c;
    c.u = random_tensor<int8_t>(rng, {batch, len, ch}, -128, 127);
    c.Abar = random_tensor<int32_t>(rng, {ch, n}, 20000, 32768);
    c.Bbar = random_tensor<int16_t>(rng, {ch, n}, -500, 500);
    c.C = random_tensor<int16_t>(rng, {ch, n}, -500, 500);
    c.D = random_tensor<int32_t>(rng, {ch}, -3000, 3000);
    c.attrs = {{"y_shift", 8}, {"mult", 1 + rng.below(256)}, {"shift", 17 + rng.below(6)}};
    return c;
}

// (a) With Abar = 32768 (exactly 1.0) the decay is exact, so the state is an integer accumulator:
// h_t = Bbar * (u_0 + ... + u_t). The output then follows without any recurrence.
TEST(S4dScanProperty, UnitDecayAccumulatesExactly) {
    Rng rng(11);
    for (int iter = 0; iter < 200; ++iter) {
        const int64_t batch = 1 + rng.below(2), len = 1 + rng.below(16), ch = 1 + rng.below(3),
                      n = 1 + rng.below(4);
        S4d c = random_s4d(rng, batch, len, ch, n);
        c.Abar = i32({ch, n}, std::vector<int32_t>(static_cast<size_t>(ch * n), 32768));
        const bool reverse = iter % 2 == 1;
        const auto r = c.run(reverse);
        const int64_t mult = c.attrs["mult"];
        const int shift = c.attrs["shift"];
        const auto u = c.u.as<int8_t>();
        const auto bb = c.Bbar.as<int16_t>(), cc = c.C.as<int16_t>();
        const auto d = c.D.as<int32_t>();
        Ints want(u.size());
        uint64_t clips = 0;
        for (int64_t b = 0; b < batch; ++b) {
            std::vector<int64_t> sum(ch, 0);
            for (int64_t step = 0; step < len; ++step) {
                const int64_t row = b * len + (reverse ? len - 1 - step : step);
                for (int64_t e = 0; e < ch; ++e) {
                    const int64_t x = u[row * ch + e];
                    sum[e] += x;
                    int64_t y = 0;
                    for (int64_t k = 0; k < n; ++k) y += int64_t{cc[e * n + k]} * bb[e * n + k] * sum[e];
                    const int64_t ys = fx::rshift_round(y, 8) + int64_t{d[e]} * x;  // no int32 overflow here
                    want[row * ch + e] = fx::requant(ys, mult, shift, clips);
                }
            }
        }
        ASSERT_EQ(r.ints(), want) << "iteration " << iter;
        ASSERT_EQ(r.saturations, clips) << "iteration " << iter;
    }
}

// (b) for s4d: reverse = forward on reversed time, and causality of the forward scan.
TEST(S4dScanProperty, ReverseAndCausality) {
    Rng rng(12);
    for (int iter = 0; iter < 150; ++iter) {
        const int64_t batch = 1 + rng.below(2), len = 2 + rng.below(8), ch = 1 + rng.below(3),
                      n = 1 + rng.below(4);
        const S4d c = random_s4d(rng, batch, len, ch, n);
        S4d rev = c;
        rev.u = time_pick(c.u, reversed(len));
        ASSERT_EQ(c.run(true).ints(), ints(time_pick(rev.run().out, reversed(len)))) << iter;
        const int64_t l1 = 1 + static_cast<int64_t>(rng.below(len - 1));
        S4d prefix = c;
        prefix.u = time_pick(c.u, range(0, l1));
        ASSERT_EQ(prefix.run().ints(), ints(time_pick(c.run().out, range(0, l1)))) << iter;
    }
}

}  // namespace
}  // namespace ssmsim::testing
