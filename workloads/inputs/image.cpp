// LRA Image: CIFAR-10 converted to 8-bit grey, one pixel per token, row-major (32 x 32 = 1024 tokens).
//
// SYNTHETIC STAND-IN for CIFAR-10 (no dataset ships with ssmsim): a smooth background gradient, a few
// overlapping shapes (rectangles, ellipses, stripes) of random grey levels, a 3x3 blur so edges are not
// perfectly sharp, and pixel noise. It has image-like local correlation, which is what matters for the
// sequence models' workload; the label is random in [0, 10) and not learnable from the picture.
// Integer arithmetic only, so pixels are identical on every platform.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/util/rng.h"
#include "workloads/inputs/detail.h"
#include "workloads/inputs/inputs.h"

namespace ssmsim::workloads {
namespace {

int64_t draw(Rng& rng, int64_t lo, int64_t hi) {  // uniform in [lo, hi]
    return lo + static_cast<int64_t>(rng.below(static_cast<uint64_t>(hi - lo + 1)));
}

}  // namespace

TaskInput make_image(uint64_t seed, int64_t seq_len) {
    const int64_t S = detail::square_side("image", seq_len, 4);
    Rng rng = Rng::for_stream(seed, "lra/image");
    TaskInput in;
    in.label = static_cast<int32_t>(rng.below(10));

    // Background: base level plus a linear gradient spanning up to 100 grey levels along each axis.
    std::vector<int64_t> img(static_cast<size_t>(S * S));
    const int64_t base = draw(rng, 40, 200);
    const int64_t gy = draw(rng, -100, 100), gx = draw(rng, -100, 100);
    for (int64_t y = 0; y < S; ++y) {
        for (int64_t x = 0; x < S; ++x) {
            img[static_cast<size_t>(y * S + x)] =
                base + (gy * (2 * y - S + 1) + gx * (2 * x - S + 1)) / (2 * S);
        }
    }

    // Shapes, painted back to front: 0 rectangle, 1 ellipse, 2 diagonal stripe.
    const int64_t shapes = draw(rng, 2, 5);
    for (int64_t s = 0; s < shapes; ++s) {
        const int64_t kind = draw(rng, 0, 2);
        const int64_t level = draw(rng, 0, 255);
        const int64_t cy = draw(rng, 0, S - 1), cx = draw(rng, 0, S - 1);
        const int64_t ry = draw(rng, std::max<int64_t>(1, S / 8), std::max<int64_t>(1, S / 3));
        const int64_t rx = draw(rng, std::max<int64_t>(1, S / 8), std::max<int64_t>(1, S / 3));
        const int64_t slope = draw(rng, -2, 2);
        for (int64_t y = 0; y < S; ++y) {
            for (int64_t x = 0; x < S; ++x) {
                const int64_t dy = y - cy, dx = x - cx;
                bool in_shape = false;
                if (kind == 0) {
                    in_shape = dy >= -ry && dy <= ry && dx >= -rx && dx <= rx;
                } else if (kind == 1) {
                    in_shape = dy * dy * rx * rx + dx * dx * ry * ry <= rx * rx * ry * ry;
                } else {
                    const int64_t d = dy - slope * dx;  // band around the line y - cy = slope (x - cx)
                    in_shape = d >= -ry / 2 - 1 && d <= ry / 2 + 1;
                }
                if (in_shape) {
                    img[static_cast<size_t>(y * S + x)] = level;
                }
            }
        }
    }

    // 3x3 box blur (edges clamp), then noise of +-12 grey levels, then clip to 0..255.
    in.tokens.resize(static_cast<size_t>(S * S));
    for (int64_t y = 0; y < S; ++y) {
        for (int64_t x = 0; x < S; ++x) {
            int64_t sum = 0;
            for (int64_t v = -1; v <= 1; ++v) {
                for (int64_t u = -1; u <= 1; ++u) {
                    const int64_t yy = std::clamp<int64_t>(y + v, 0, S - 1);
                    const int64_t xx = std::clamp<int64_t>(x + u, 0, S - 1);
                    sum += img[static_cast<size_t>(yy * S + xx)];
                }
            }
            const int64_t value = detail::div_round(sum, 9) + draw(rng, -12, 12);
            in.tokens[static_cast<size_t>(y * S + x)] =
                static_cast<int32_t>(std::clamp<int64_t>(value, 0, 255));
        }
    }
    in.rows = 1;
    in.seq_len = seq_len;
    in.vocab = 256;
    return in;
}

}  // namespace ssmsim::workloads
