// rmsnorm and layernorm on neurons (neurons.h): one neuron per channel and a reduction neuron. A channel's
// change reaches its own neuron and the reduction neuron (the mapper's two synapses per change); each
// timestep the reduction neuron adds up the partial moments of the cores that hold the row's channels,
// forms the row's scale (docs/numerics.md, "Norms") and broadcasts it back to the channel neurons.
#include <algorithm>

#include "models/neuromorphic/neurons.h"
#include "sim/numerics/contract_ops.h"
#include "sim/numerics/tables.h"

namespace ssmsim::neuromorphic {

namespace {

// What the reduction neuron integrates from one core's channels: sum x and sum x^2.
struct Moments {
    int64_t sum = 0, squares = 0;
};

Moments partial(const int8_t* row, const CoreShare& core) {
    Moments m;
    for (int64_t k = core.lo, end = core.hi; k < end; ++k) {
        m.sum += row[k];
        m.squares += int64_t{row[k]} * row[k];
    }
    return m;
}

}  // namespace

void norm_neurons(reference::OpView& v, const OpPlan& p) {
    const bool center = v.op().kind == "layernorm";
    const auto x = v.in_as<int8_t>(0);
    const auto gamma = v.in_as<int8_t>(1);
    const auto beta = center ? v.in_as<int32_t>(2) : std::span<const int32_t>();
    const int64_t d = p.axis.channels;
    const uint64_t eps = static_cast<uint64_t>(v.attr_int("eps"));
    const int64_t mult = v.attr_int("mult");
    const int shift = v.attr_shift("shift");
    const auto& rsqrt = rsqrt_table();
    auto out = v.out(0).as<int8_t>();
    each_timestep(p.axis, p.reverse, [&](int64_t row, int64_t) {
        const int8_t* xr = &x[row * d];
        Moments m;
        for (const CoreShare& core : p.cores) {
            const Moments part = partial(xr, core);
            m.sum += part.sum;
            m.squares += part.squares;
        }
        // The contract's sum of squares of xc = D x - S (layernorm) or x (rmsnorm), from the moments in
        // one pass: sum (D x - S)^2 = D^2 sum x^2 - D S^2, exact (at most 2^62 by the D <= 2^16 limit).
        const uint64_t ud = static_cast<uint64_t>(d), us = static_cast<uint64_t>(m.squares);
        const uint64_t ss =
            center ? ud * ud * us - ud * static_cast<uint64_t>(m.sum) * static_cast<uint64_t>(m.sum) : us;
        const fx::NormScale scale = fx::norm_scale(ss, ud, eps, rsqrt.data());
        for (const CoreShare& core : p.cores) {
            for (int64_t c = core.lo, end = core.hi; c < end; ++c) {
                const int64_t xc = center ? d * xr[c] - m.sum : xr[c];
                out[row * d + c] =
                    fx::norm_output(xc, scale, gamma[c], center ? beta[c] : 0, mult, shift, v.saturations);
            }
        }
    });
}

}  // namespace ssmsim::neuromorphic
