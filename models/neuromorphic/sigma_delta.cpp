#include "models/neuromorphic/sigma_delta.h"

#include <cstdlib>

namespace ssmsim::neuromorphic {

Encoded sigma_delta_encode(std::span<int8_t> x, const TimeAxis& axis, bool reverse, int64_t threshold) {
    Encoded e;
    e.spikes_per_row.assign(static_cast<size_t>(axis.rows()), 0);
    std::vector<int8_t> last_sent(static_cast<size_t>(axis.channels));
    for (int64_t b = 0; b < axis.batch; ++b) {
        std::fill(last_sent.begin(), last_sent.end(), int8_t{0});
        for (int64_t s = 0; s < axis.steps; ++s) {
            const int64_t row = b * axis.steps + (reverse ? axis.steps - 1 - s : s);
            int8_t* v = x.data() + row * axis.channels;
            int32_t sent = 0;
            for (int64_t c = 0; c < axis.channels; ++c) {
                const int change = int{v[c]} - int{last_sent[c]};
                if (std::abs(change) > threshold) {
                    last_sent[c] = v[c];
                    ++sent;
                    if (std::abs(change) > e.max_payload) e.max_payload = std::abs(change);
                }
                v[c] = last_sent[c];
            }
            e.spikes_per_row[row] = sent;
            e.spikes += sent;
        }
    }
    return e;
}

}  // namespace ssmsim::neuromorphic
