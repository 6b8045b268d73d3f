// selective_scan (Mamba S6) and s4d_scan (LTI diagonal SSM), docs/numerics.md "Scans".
// Time is sequential per (channel, state) pair; the loops run t outermost so the state stays in cache.
#include <cmath>
#include <vector>

#include "reference/ops/kernels.h"
#include "sim/numerics/contract_ops.h"
#include "sim/numerics/tables.h"

namespace ssmsim::reference {

namespace {

// Time index of step s in direction `reverse`.
inline int64_t step_time(int64_t s, int64_t len, bool reverse) { return reverse ? len - 1 - s : s; }

void selective_scan_int(OpView& v) {
    const Shape& s = v.in_shape(0);
    const int64_t batch = s[0], len = s[1], ch = s[2];
    const int64_t n = v.in_shape(2)[1];
    const auto u = v.in_as<int8_t>(0);
    const auto delta = v.in_as<int8_t>(1);
    const auto a = v.in_as<int16_t>(2);
    const auto bm = v.in_as<int8_t>(3);
    const auto cm = v.in_as<int8_t>(4);
    const auto dskip = v.in_as<int32_t>(5);
    const auto table = v.in_as<int32_t>(6);
    const bool gated = v.n_inputs() == 9;
    const auto z = gated ? v.in_as<int8_t>(7) : std::span<const int8_t>();
    const auto silu = gated ? v.in_as<int8_t>(8) : std::span<const int8_t>();
    const int exp_shift = v.attr_shift("exp_shift");
    const int y_shift = v.attr_shift("y_shift");
    const int64_t mult = v.attr_int("mult");
    const int shift = v.attr_shift("shift");
    const int64_t gate_mult = gated ? v.attr_int("gate_mult") : 0;
    const int gate_shift = gated ? v.attr_shift("gate_shift") : 0;
    const bool reverse = v.attr_bool("reverse", false);
    const int64_t table_size = static_cast<int64_t>(table.size());
    for (int64_t i = 0; i < table_size; ++i) {
        if (table[i] < 0 || table[i] > 32768) v.bad_value(6, i, "a Q1.15 decay in [0, 32768]", table[i]);
    }
    auto out = v.out(0).as<int8_t>();
    std::vector<int32_t> h(ch * n);
    for (int64_t b = 0; b < batch; ++b) {
        std::fill(h.begin(), h.end(), 0);
        for (int64_t step = 0; step < len; ++step) {
            const int64_t t = step_time(step, len, reverse);
            const int64_t row = (b * len + t);
            const int8_t* brow = &bm[row * n];
            const int8_t* crow = &cm[row * n];
            for (int64_t e = 0; e < ch; ++e) {
                const int64_t dt = delta[row * ch + e];
                const int64_t x = u[row * ch + e];
                int32_t* he = &h[e * n];
                const int16_t* ae = &a[e * n];
                int64_t y = 0;
                for (int64_t k = 0; k < n; ++k) {
                    const int64_t abar = fx::selective_decay(table.data(), table_size, exp_shift, dt, ae[k]);
                    he[k] = fx::selective_step(abar, he[k], dt, brow[k], x, v.saturations);
                    y += int64_t{crow[k]} * he[k];
                }
                int8_t o = fx::scan_output(y, y_shift, dskip[e], x, mult, shift, v.saturations);
                if (gated)
                    o = fx::mul_i8(o, silu[fx::lut_index(z[row * ch + e])], gate_mult, gate_shift,
                                   v.saturations);
                out[row * ch + e] = o;
            }
        }
    }
}

void selective_scan_float(OpView& v) {
    const Shape& s = v.in_shape(0);
    const int64_t batch = s[0], len = s[1], ch = s[2];
    const int64_t n = v.in_shape(2)[1];
    const auto u = v.in_as<float>(0);
    const auto delta = v.in_as<float>(1);
    const auto a = v.in_as<float>(2);
    const auto bm = v.in_as<float>(3);
    const auto cm = v.in_as<float>(4);
    const auto dskip = v.in_as<float>(5);
    const bool gated = v.n_inputs() == 7;
    const auto z = gated ? v.in_as<float>(6) : std::span<const float>();
    const bool reverse = v.attr_bool("reverse", false);
    auto out = v.out(0).as<float>();
    std::vector<float> h(ch * n);
    for (int64_t b = 0; b < batch; ++b) {
        std::fill(h.begin(), h.end(), 0.0f);
        for (int64_t step = 0; step < len; ++step) {
            const int64_t row = b * len + step_time(step, len, reverse);
            for (int64_t e = 0; e < ch; ++e) {
                const float dt = delta[row * ch + e];
                const float x = u[row * ch + e];
                float y = 0.0f;
                for (int64_t k = 0; k < n; ++k) {
                    float& hk = h[e * n + k];
                    hk = std::exp(dt * a[e * n + k]) * hk + dt * bm[row * n + k] * x;
                    y += cm[row * n + k] * hk;
                }
                y += dskip[e] * x;
                if (gated) y *= lut_fn_eval_f32(LutFn::silu, z[row * ch + e]);
                out[row * ch + e] = y;
            }
        }
    }
}

void s4d_scan_int(OpView& v) {
    const Shape& s = v.in_shape(0);
    const int64_t batch = s[0], len = s[1], ch = s[2];
    const int64_t n = v.in_shape(1)[1];
    const auto u = v.in_as<int8_t>(0);
    const auto abar = v.in_as<int32_t>(1);
    const auto bbar = v.in_as<int16_t>(2);
    const auto cm = v.in_as<int16_t>(3);
    const auto dskip = v.in_as<int32_t>(4);
    for (size_t i = 0; i < abar.size(); ++i) {
        if (abar[i] < 0 || abar[i] > 32768)
            v.bad_value(1, static_cast<int64_t>(i), "a Q1.15 decay in [0, 32768]", abar[i]);
    }
    const int y_shift = v.attr_shift("y_shift");
    const int64_t mult = v.attr_int("mult");
    const int shift = v.attr_shift("shift");
    const bool reverse = v.attr_bool("reverse", false);
    auto out = v.out(0).as<int8_t>();
    std::vector<int32_t> h(ch * n);
    for (int64_t b = 0; b < batch; ++b) {
        std::fill(h.begin(), h.end(), 0);
        for (int64_t step = 0; step < len; ++step) {
            const int64_t row = b * len + step_time(step, len, reverse);
            for (int64_t e = 0; e < ch; ++e) {
                const int64_t x = u[row * ch + e];
                int64_t y = 0;
                for (int64_t k = 0; k < n; ++k) {
                    const int64_t i = e * n + k;
                    h[i] = fx::s4d_step(abar[i], h[i], bbar[i], x, v.saturations);
                    y += int64_t{cm[i]} * h[i];
                }
                out[row * ch + e] = fx::scan_output(y, y_shift, dskip[e], x, mult, shift, v.saturations);
            }
        }
    }
}

void s4d_scan_float(OpView& v) {
    const Shape& s = v.in_shape(0);
    const int64_t batch = s[0], len = s[1], ch = s[2];
    const int64_t n = v.in_shape(1)[1];
    const auto u = v.in_as<float>(0);
    const auto abar = v.in_as<float>(1);
    const auto bbar = v.in_as<float>(2);
    const auto cm = v.in_as<float>(3);
    const auto dskip = v.in_as<float>(4);
    const bool reverse = v.attr_bool("reverse", false);
    auto out = v.out(0).as<float>();
    std::vector<float> h(ch * n);
    for (int64_t b = 0; b < batch; ++b) {
        std::fill(h.begin(), h.end(), 0.0f);
        for (int64_t step = 0; step < len; ++step) {
            const int64_t row = b * len + step_time(step, len, reverse);
            for (int64_t e = 0; e < ch; ++e) {
                const float x = u[row * ch + e];
                float y = 0.0f;
                for (int64_t k = 0; k < n; ++k) {
                    const int64_t i = e * n + k;
                    h[i] = abar[i] * h[i] + bbar[i] * x;
                    y += cm[i] * h[i];
                }
                out[row * ch + e] = y + dskip[e] * x;
            }
        }
    }
}

}  // namespace

void selective_scan(OpView& v) { v.int_mode() ? selective_scan_int(v) : selective_scan_float(v); }
void s4d_scan(OpView& v) { v.int_mode() ? s4d_scan_int(v) : s4d_scan_float(v); }

}  // namespace ssmsim::reference
