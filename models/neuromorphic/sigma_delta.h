// Sigma-delta encoding of the activations that cross between neurons on different cores. The sender keeps
// the value it last sent per neuron and sends a graded spike (the integer change) only when the new value
// differs from it by more than the threshold; the receiver integrates the changes, so it holds exactly the
// sender's last sent value. Threshold 0 sends every change, so the receiver sees the true values: lossless.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "models/neuromorphic/schedule.h"

namespace ssmsim::neuromorphic {

struct Encoded {
    std::vector<int32_t> spikes_per_row;  // spikes sent at each row (batch x step, in token order)
    int64_t spikes = 0;
    int64_t max_payload = 0;  // largest |change| sent, for the payload width check
};

// Encodes `x` (rows of `axis.channels`) in the order the sender emits them (reverse: last token first), and
// replaces it in place by what the receiver reconstructs. The state starts at 0 for every batch item.
Encoded sigma_delta_encode(std::span<int8_t> x, const TimeAxis& axis, bool reverse, int64_t threshold);

}  // namespace ssmsim::neuromorphic
