#include "models/neuromorphic/neurons.h"

#include <vector>

#include "sim/numerics/fixed_point.h"
#include "sim/ops/op_schema.h"

namespace ssmsim::neuromorphic {

namespace {

void check_int32_range(reference::OpView& v, size_t input, int64_t lo, int64_t hi, const char* what) {
    const auto vals = v.in_as<int32_t>(input);
    for (size_t i = 0; i < vals.size(); ++i) {
        if (vals[i] < lo || vals[i] > hi) v.bad_value(input, static_cast<int64_t>(i), what, vals[i]);
    }
}

inline int64_t time_of(int64_t step, int64_t len, bool reverse) { return reverse ? len - 1 - step : step; }

// A state neuron's update: decay by Q1.15 `abar`, add the input current (counted saturation).
inline int32_t state_update(int32_t h, int64_t abar, int64_t input, uint64_t& sat) {
    return fx::sat32(fx::rshift_round(abar * h, fx::kQ15) + input, sat);
}

// The readout neuron's output stage: y_shift, D skip, requantization (all counted).
inline int8_t readout(int64_t y, int y_shift, int64_t d, int64_t x, int64_t mult, int shift, uint64_t& sat) {
    const int32_t ys = fx::sat32(fx::rshift_round(y, y_shift), sat);
    const int32_t with_skip = fx::sat32(int64_t{ys} + d * x, sat);
    return fx::requant(with_skip, mult, shift, sat);
}

}  // namespace

void check_native_values(reference::OpView& v) {
    const std::string& kind = v.op().kind;
    const int64_t bias = limits::kMaxBiasMagnitude;
    if ((kind == "linear" && v.n_inputs() == 3) || kind == "classifier") {
        check_int32_range(v, 2, -bias, bias, "a bias within +-(2^30 - 1)");
    } else if (kind == "selective_scan") {
        check_int32_range(v, 6, 0, 32768, "a Q1.15 decay in [0, 32768]");
    } else if (kind == "s4d_scan") {
        check_int32_range(v, 1, 0, 32768, "a Q1.15 decay in [0, 32768]");
    }
}

void dense_neurons(reference::OpView& v, const TimeAxis& axis, bool reverse) {
    const bool logits = v.op().kind == "classifier";
    const auto x = v.in_as<int8_t>(0);
    const auto w = v.in_as<int8_t>(1);
    const bool has_bias = v.n_inputs() == 3;
    const auto bias = has_bias ? v.in_as<int32_t>(2) : std::span<const int32_t>();
    const int64_t k = axis.channels, n = v.in_shape(1)[0];
    const int64_t mult = logits ? 0 : v.attr_int("mult");
    const int shift = logits ? 0 : v.attr_shift("shift");
    // Synapse memory in fan-out order: the synapses of input i are contiguous, as a spike reads them.
    std::vector<int8_t> fanout(static_cast<size_t>(k * n));
    for (int64_t o = 0; o < n; ++o)
        for (int64_t i = 0; i < k; ++i) fanout[i * n + o] = w[o * k + i];
    Tensor& out_t = v.out(0);
    std::vector<int64_t> acc(static_cast<size_t>(n));
    std::vector<int8_t> seen(static_cast<size_t>(k));  // the input values the synapses have integrated
    for (int64_t b = 0; b < axis.batch; ++b) {
        std::fill(acc.begin(), acc.end(), 0);
        std::fill(seen.begin(), seen.end(), int8_t{0});
        for (int64_t s = 0; s < axis.steps; ++s) {
            const int64_t row = b * axis.steps + time_of(s, axis.steps, reverse);
            const int8_t* xr = &x[row * k];
            for (int64_t i = 0; i < k; ++i) {
                const int64_t d = int64_t{xr[i]} - seen[i];
                if (d == 0) continue;  // no spike, no synaptic operation
                seen[i] = xr[i];
                const int8_t* syn = &fanout[i * n];
                for (int64_t o = 0; o < n; ++o) acc[o] += syn[o] * d;
            }
            for (int64_t o = 0; o < n; ++o) {
                const int64_t total = acc[o] + (has_bias ? bias[o] : 0);
                if (logits) {
                    out_t.as<int32_t>()[row * n + o] = static_cast<int32_t>(total);  // exact by the K limit
                } else {
                    out_t.as<int8_t>()[row * n + o] = fx::requant(total, mult, shift, v.saturations);
                }
            }
        }
    }
}

void s4d_neurons(reference::OpView& v) {
    const Shape& s = v.in_shape(0);
    const int64_t batch = s[0], len = s[1], ch = s[2], n = v.in_shape(1)[1];
    const auto u = v.in_as<int8_t>(0);
    const auto abar = v.in_as<int32_t>(1);
    const auto bbar = v.in_as<int16_t>(2);
    const auto cw = v.in_as<int16_t>(3);
    const auto dskip = v.in_as<int32_t>(4);
    const int y_shift = v.attr_shift("y_shift");
    const int64_t mult = v.attr_int("mult");
    const int shift = v.attr_shift("shift");
    const bool reverse = v.attr_bool("reverse", false);
    auto out = v.out(0).as<int8_t>();
    std::vector<int32_t> h(static_cast<size_t>(ch * n));  // neuron state, one per (channel, state)
    for (int64_t b = 0; b < batch; ++b) {
        std::fill(h.begin(), h.end(), 0);
        for (int64_t step = 0; step < len; ++step) {
            const int64_t row = b * len + time_of(step, len, reverse);
            for (int64_t e = 0; e < ch; ++e) {
                const int64_t x = u[row * ch + e];  // the channel's reconstructed input
                int64_t y = 0;                      // the readout neuron's dendrite
                for (int64_t k = 0; k < n; ++k) {
                    const int64_t j = e * n + k;
                    h[j] = state_update(h[j], abar[j], int64_t{bbar[j]} * x, v.saturations);
                    y += int64_t{cw[j]} * h[j];
                }
                out[row * ch + e] = readout(y, y_shift, dskip[e], x, mult, shift, v.saturations);
            }
        }
    }
}

void selective_neurons(reference::OpView& v) {
    const Shape& s = v.in_shape(0);
    const int64_t batch = s[0], len = s[1], ch = s[2], n = v.in_shape(2)[1];
    const auto u = v.in_as<int8_t>(0);
    const auto delta = v.in_as<int8_t>(1);
    const auto a = v.in_as<int16_t>(2);
    const auto bm = v.in_as<int8_t>(3);
    const auto cm = v.in_as<int8_t>(4);
    const auto dskip = v.in_as<int32_t>(5);
    const auto table = v.in_as<int32_t>(6);
    const bool gated = v.n_inputs() == 9;
    const int exp_shift = v.attr_shift("exp_shift");
    const int y_shift = v.attr_shift("y_shift");
    const int64_t mult = v.attr_int("mult");
    const int shift = v.attr_shift("shift");
    const bool reverse = v.attr_bool("reverse", false);
    const int64_t table_size = static_cast<int64_t>(table.size());
    auto out = v.out(0).as<int8_t>();
    std::vector<int32_t> h(static_cast<size_t>(ch * n));
    for (int64_t b = 0; b < batch; ++b) {
        std::fill(h.begin(), h.end(), 0);
        for (int64_t step = 0; step < len; ++step) {
            const int64_t row = b * len + time_of(step, len, reverse);
            for (int64_t e = 0; e < ch; ++e) {
                const int64_t dt = delta[row * ch + e], x = u[row * ch + e];
                int64_t y = 0;
                for (int64_t k = 0; k < n; ++k) {
                    const int64_t j = e * n + k;
                    // Input-dependent decay: the neuron's own A times this step's dt indexes the exp table.
                    const int64_t decay = table[fx::table_index(-dt * a[j], exp_shift, table_size)];
                    h[j] = state_update(h[j], decay, dt * bm[row * n + k] * x, v.saturations);
                    y += int64_t{cm[row * n + k]} * h[j];
                }
                int8_t o = readout(y, y_shift, dskip[e], x, mult, shift, v.saturations);
                if (gated) {
                    const int64_t g = v.in_as<int8_t>(8)[fx::lut_index(v.in_as<int8_t>(7)[row * ch + e])];
                    o = fx::requant(int64_t{o} * g, v.attr_int("gate_mult"), v.attr_shift("gate_shift"),
                                    v.saturations);
                }
                out[row * ch + e] = o;
            }
        }
    }
}

}  // namespace ssmsim::neuromorphic
