// The ops with one neuron per channel (neurons.h): LUT ops, mul, add, gate, conv1d, pool; the embedding's
// input injection and the reshape's relabelling. Each neuron runs its program on the values that arrived
// this timestep, on the core the mapper gave its channel.
#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "models/neuromorphic/neurons.h"
#include "sim/numerics/contract_ops.h"

namespace ssmsim::neuromorphic {

namespace {

bool is_lut_op(const std::string& kind) {
    return kind == "silu" || kind == "softplus" || kind == "exp" || kind == "gelu" || kind == "relu" ||
           kind == "sigmoid";
}

}  // namespace

void elementwise_neurons(reference::OpView& v, const OpPlan& p) {
    const std::string& kind = v.op().kind;
    const int64_t ch = p.axis.channels;
    const auto a = v.in_as<int8_t>(0);
    auto out = v.out(0).as<int8_t>();
    uint64_t& sat = v.saturations;
    if (is_lut_op(kind)) {  // the table sits in every core of the layer
        const auto lut = v.in_as<int8_t>(1);
        each_neuron(p, [&](int64_t row, int64_t c) {
            const int64_t j = row * ch + c;
            out[j] = lut[fx::lut_index(a[j])];
        });
    } else if (kind == "mul") {
        const auto b = v.in_as<int8_t>(1);
        const int64_t mult = v.attr_int("mult");
        const int shift = v.attr_shift("shift");
        each_neuron(p, [&](int64_t row, int64_t c) {
            const int64_t j = row * ch + c;
            out[j] = fx::mul_i8(a[j], b[j], mult, shift, sat);
        });
    } else if (kind == "add") {  // b may be a constant operand in the core's memory (position table)
        const auto b = v.in_as<int8_t>(1);
        const int64_t ma = v.attr_int("mult_a"), mb = v.attr_int("mult_b");
        const int shift = v.attr_shift("shift");
        each_neuron(p, [&](int64_t row, int64_t c) {
            const int64_t j = row * ch + c;
            out[j] = fx::add_i8(a[j], b[j], ma, mb, shift, sat);
        });
    } else if (kind == "gate") {
        const auto z = v.in_as<int8_t>(1);
        const auto lut = v.in_as<int8_t>(2);
        const int64_t mult = v.attr_int("mult");
        const int shift = v.attr_shift("shift");
        each_neuron(p, [&](int64_t row, int64_t c) {
            const int64_t j = row * ch + c;
            out[j] = fx::mul_i8(a[j], lut[fx::lut_index(z[j])], mult, shift, sat);
        });
    } else {
        throw std::logic_error("neuromorphic: '" + kind + "' is not an elementwise op");
    }
}

void conv_neurons(reference::OpView& v, const OpPlan& p) {
    const int64_t ch = p.axis.channels, taps = v.in_shape(1)[1];
    const auto x = v.in_as<int8_t>(0);
    const auto w = v.in_as<int8_t>(1);
    const bool has_bias = v.n_inputs() == 3;
    const auto bias = has_bias ? v.in_as<int32_t>(2) : std::span<const int32_t>();
    const int64_t mult = v.attr_int("mult");
    const int shift = v.attr_shift("shift");
    auto out = v.out(0).as<int8_t>();
    // Each channel's delay line holds its last `taps` inputs, oldest first; it starts a sample empty
    // (zeros), which is the causal padding. The schedule runs a conv in a forward segment.
    std::vector<int8_t> line(static_cast<size_t>(ch * taps));
    each_timestep(p.axis, p.reverse, [&](int64_t row, int64_t step) {
        if (step == 0) std::fill(line.begin(), line.end(), int8_t{0});
        for (const CoreShare& core : p.cores) {
            for (int64_t c = core.lo, end = core.hi; c < end; ++c) {
                int8_t* d = &line[c * taps];
                std::copy(d + 1, d + taps, d);  // the line advances every timestep
                d[taps - 1] = x[row * ch + c];
                int64_t acc = 0;
                for (int64_t j = 0; j < taps; ++j) acc += int64_t{w[c * taps + j]} * d[j];
                out[row * ch + c] = fx::requant_sum(acc, has_bias ? bias[c] : 0, mult, shift, v.saturations);
            }
        }
    });
}

void pool_neurons(reference::OpView& v, const OpPlan& p) {
    const int64_t ch = p.axis.channels;
    const auto x = v.in_as<int8_t>(0);
    const int64_t mult = v.attr_int("mult");
    const int shift = v.attr_shift("shift");
    auto out = v.out(0).as<int8_t>();
    std::vector<int64_t> acc(static_cast<size_t>(ch));
    each_timestep(p.axis, p.reverse, [&](int64_t row, int64_t step) {
        if (step == 0) std::fill(acc.begin(), acc.end(), 0);
        const bool last = step == p.axis.steps - 1;
        const int64_t sample = row / p.axis.steps;
        for (const CoreShare& core : p.cores) {
            for (int64_t c = core.lo, end = core.hi; c < end; ++c) {
                acc[c] += x[row * ch + c];
                // The neuron fires once, after the sample's last token.
                if (last) out[sample * ch + c] = fx::requant_sum(acc[c], 0, mult, shift, v.saturations);
            }
        }
    });
}

void embedding_injection(reference::OpView& v, const OpPlan& p) {
    // The host sends each token id to the layer's cores as a spike; an output neuron's synapses are its
    // column of the table, one per token id. Token ids were checked before (check_op_values).
    const auto tok = v.in_as<int32_t>(0);
    const auto table = v.in_as<int8_t>(1);
    const int64_t d = p.axis.channels;
    auto out = v.out(0).as<int8_t>();
    each_neuron(p, [&](int64_t row, int64_t c) { out[row * d + c] = table[tok[row] * d + c]; });
}

void relabel_spikes(reference::OpView& v) {
    const auto src = v.in(0).bytes();
    auto dst = v.out(0).bytes();
    std::memcpy(dst.data(), src.data(), src.size());
}

}  // namespace ssmsim::neuromorphic
