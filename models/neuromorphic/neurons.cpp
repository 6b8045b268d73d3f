#include "models/neuromorphic/neurons.h"

#include <algorithm>
#include <vector>

#include "sim/numerics/contract_ops.h"

namespace ssmsim::neuromorphic {

namespace {

// The per-sample state of a layer's neurons, cleared at a sample's first timestep.
template <typename T>
void reset_at_sample_start(int64_t step, std::vector<T>& state) {
    if (step == 0) std::fill(state.begin(), state.end(), T{});
}

}  // namespace

void dense_neurons(reference::OpView& v, const OpPlan& p) {
    const bool logits = v.op().kind == "classifier";
    const auto x = v.in_as<int8_t>(0);
    const auto w = v.in_as<int8_t>(1);
    const bool has_bias = v.n_inputs() == 3;
    const auto bias = has_bias ? v.in_as<int32_t>(2) : std::span<const int32_t>();
    const int64_t k = v.in_shape(1)[1], n = v.in_shape(1)[0];
    const int64_t mult = logits ? 0 : v.attr_int("mult");
    const int shift = logits ? 0 : v.attr_shift("shift");
    // Synapse memory in fan-out order: the synapses of input i are contiguous, as a spike reads them. A
    // spike reaches every core of the layer; each core holds the synapses of its own outputs.
    std::vector<int8_t> fanout(static_cast<size_t>(k * n));
    for (int64_t o = 0; o < n; ++o)
        for (int64_t i = 0; i < k; ++i) fanout[i * n + o] = w[o * k + i];
    Tensor& out_t = v.out(0);
    const auto logit_out = logits ? out_t.as<int32_t>() : std::span<int32_t>();
    const auto act_out = logits ? std::span<int8_t>() : out_t.as<int8_t>();
    // A neuron's state is sum_i w[o,i] x_i over the int8 values integrated so far: after every single update
    // |acc| <= K 2^14 <= 2^30 by the K limit, so int32 holds it exactly (as the reference's accumulator).
    std::vector<int32_t> acc(static_cast<size_t>(n));
    std::vector<int8_t> seen(static_cast<size_t>(k));  // the input values the synapses have integrated
    each_timestep(p.axis, p.reverse, [&](int64_t row, int64_t step) {
        reset_at_sample_start(step, acc);
        reset_at_sample_start(step, seen);
        const int8_t* xr = &x[row * k];
        for (int64_t i = 0; i < k; ++i) {
            const int32_t d = int32_t{xr[i]} - seen[i];
            if (d == 0) continue;  // no spike, no synaptic operation
            seen[i] = xr[i];
            const int8_t* syn = &fanout[i * n];
            for (const CoreShare& core : p.cores) {
                for (int64_t o = core.lo, end = core.hi; o < end; ++o) acc[o] += int32_t{syn[o]} * d;
            }
        }
        for (const CoreShare& core : p.cores) {
            for (int64_t o = core.lo, end = core.hi; o < end; ++o) {
                const int64_t b = has_bias ? bias[o] : 0;
                if (logits) {
                    logit_out[row * n + o] = static_cast<int32_t>(acc[o] + b);  // exact: the bias limit
                } else {
                    act_out[row * n + o] = fx::requant_sum(acc[o], b, mult, shift, v.saturations);
                }
            }
        }
    });
}

void s4d_neurons(reference::OpView& v, const OpPlan& p) {
    const int64_t ch = p.axis.channels, n = v.in_shape(1)[1];
    const auto u = v.in_as<int8_t>(0);
    const auto abar = v.in_as<int32_t>(1);
    const auto bbar = v.in_as<int16_t>(2);
    const auto cw = v.in_as<int16_t>(3);
    const auto dskip = v.in_as<int32_t>(4);
    const int y_shift = v.attr_shift("y_shift");
    const int64_t mult = v.attr_int("mult");
    const int shift = v.attr_shift("shift");
    auto out = v.out(0).as<int8_t>();
    // The scan's direction is the segment's: the schedule gives a backward scan a reverse segment.
    std::vector<int32_t> h(static_cast<size_t>(ch * n));  // neuron state, one per (channel, state)
    each_timestep(p.axis, p.reverse, [&](int64_t row, int64_t step) {
        reset_at_sample_start(step, h);
        for (const CoreShare& core : p.cores) {
            for (int64_t e = core.lo, end = core.hi; e < end; ++e) {
                const int64_t x = u[row * ch + e];  // the channel's reconstructed input
                int64_t y = 0;                      // the readout neuron's dendrite
                for (int64_t k = 0; k < n; ++k) {
                    const int64_t j = e * n + k;
                    h[j] = fx::s4d_step(abar[j], h[j], bbar[j], x, v.saturations);
                    y += int64_t{cw[j]} * h[j];
                }
                out[row * ch + e] = fx::scan_output(y, y_shift, dskip[e], x, mult, shift, v.saturations);
            }
        }
    });
}

void selective_neurons(reference::OpView& v, const OpPlan& p) {
    const int64_t ch = p.axis.channels, n = v.in_shape(2)[1];
    const auto u = v.in_as<int8_t>(0);
    const auto delta = v.in_as<int8_t>(1);
    const auto a = v.in_as<int16_t>(2);
    const auto bm = v.in_as<int8_t>(3);
    const auto cm = v.in_as<int8_t>(4);
    const auto dskip = v.in_as<int32_t>(5);
    const auto table = v.in_as<int32_t>(6);
    const bool gated = v.n_inputs() == 9;
    const auto z = gated ? v.in_as<int8_t>(7) : std::span<const int8_t>();
    const auto gate_lut = gated ? v.in_as<int8_t>(8) : std::span<const int8_t>();
    const int exp_shift = v.attr_shift("exp_shift");
    const int y_shift = v.attr_shift("y_shift");
    const int64_t mult = v.attr_int("mult");
    const int shift = v.attr_shift("shift");
    const int64_t gate_mult = gated ? v.attr_int("gate_mult") : 0;
    const int gate_shift = gated ? v.attr_shift("gate_shift") : 0;
    const int64_t table_size = static_cast<int64_t>(table.size());
    auto out = v.out(0).as<int8_t>();
    std::vector<int32_t> h(static_cast<size_t>(ch * n));
    each_timestep(p.axis, p.reverse, [&](int64_t row, int64_t step) {
        reset_at_sample_start(step, h);
        // B_t and C_t reach every core of the layer: one value per state, shared by all channels.
        const int8_t* b_t = &bm[row * n];
        const int8_t* c_t = &cm[row * n];
        for (const CoreShare& core : p.cores) {
            for (int64_t e = core.lo, end = core.hi; e < end; ++e) {
                const int64_t dt = delta[row * ch + e], x = u[row * ch + e];
                int64_t y = 0;
                for (int64_t k = 0; k < n; ++k) {
                    const int64_t j = e * n + k;
                    // Input-dependent decay: the neuron's own A times this step's dt indexes the exp table.
                    const int64_t decay = fx::selective_decay(table.data(), table_size, exp_shift, dt, a[j]);
                    h[j] = fx::selective_step(decay, h[j], dt, b_t[k], x, v.saturations);
                    y += int64_t{c_t[k]} * h[j];
                }
                int8_t o = fx::scan_output(y, y_shift, dskip[e], x, mult, shift, v.saturations);
                if (gated) {  // the z gate: a LUT step in the readout neuron
                    const int64_t g = gate_lut[fx::lut_index(z[row * ch + e])];
                    o = fx::mul_i8(o, g, gate_mult, gate_shift, v.saturations);
                }
                out[row * ch + e] = o;
            }
        }
    });
}

}  // namespace ssmsim::neuromorphic
