// Pathfinder (Linsley et al. 2018; Kim, Linsley et al. 2020), LRA's Pathfinder-32 and Path-X (128).
//
// A simplified but faithful port of snakes2.py / snakes.py from github.com/drewlinsley/pathfinder, run
// with the parameters LRA lists in lra_benchmarks/data/pathfinder.py (interpolated for other sides):
//   * A contour ("snake") is a chain of short straight paddles (dashes) separated by gaps. From the pivot
//     one margin past the last paddle's head, the next paddle's head is drawn from a circle of radius
//     length + margin around the pivot, weighted by cos^2(min(turn * continuity, 90 deg)) and excluding
//     occupied spots; the paddle must keep clear of everything already drawn other than its predecessor
//     (the predecessor is masked only once its successor is placed); up to 3 draws, else the contour fails.
//   * Two target contours grow alternately, paddle by paddle, from two origins seed_distance apart near
//     the centre (the first origin keeps 2 * seed_distance from the border). Failure restarts both; the
//     script retries forever, here after 2000 failures the contours get one paddle shorter (this only
//     happens on grids much smaller than 32).
//   * Distractor contours of contour_length / 3 paddles are seeded at random free pixels (up to 5 tries
//     each, failures skipped). Single-paddle distractors are off, as in the script's wrapper.
//   * label ~ U{0, 1}, drawn first. One marker dot goes on the origin of a random target contour; the
//     other on the far end of the same contour (label 1) or of the other target contour (label 0).
// Simplifications: no anti-aliasing or contrast jitter (strokes and dots are 255 on 0), 5-degree
// orientation steps, "keep clear" is a pixel separation (see Canvas) instead of soft dilated masks, and
// dots are kept clear of other contours. All geometry is integer (1/256 pixel, a 1-degree sine table), so
// images are bit-identical on every platform.
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/util/rng.h"
#include "workloads/inputs/detail.h"
#include "workloads/inputs/inputs.h"

namespace ssmsim::workloads {
namespace {

using detail::div_floor;
using detail::div_round;

constexpr int64_t kSub = kPathfinderSubpixel;
constexpr int kDirs = 72;  // orientation resolution: 360 / 72 = 5 degrees
constexpr int kDegPerDir = 360 / kDirs;
constexpr int kPaddleTrials = 3;     // max_paddle_retrial = 2 -> 3 draws
constexpr int kDistractorTries = 5;  // max_distractor_contour_retrial = 4 -> 5 tries
constexpr int kTargetAttemptsPerLength = 2000;
constexpr int32_t kBorder = -1;    // owner of the padding ring
constexpr int32_t kReserved = -2;  // owner of the areas kept clear around contour ends

// round(16384 * sin(d degrees)), d = 0..90.
constexpr int32_t kSinQ14[91] = {
    0,     286,   572,   857,   1143,  1428,  1713,  1997,  2280,  2563,  2845,  3126,  3406,
    3686,  3964,  4240,  4516,  4790,  5063,  5334,  5604,  5872,  6138,  6402,  6664,  6924,
    7182,  7438,  7692,  7943,  8192,  8438,  8682,  8923,  9162,  9397,  9630,  9860,  10087,
    10311, 10531, 10749, 10963, 11174, 11381, 11585, 11786, 11982, 12176, 12365, 12551, 12733,
    12911, 13085, 13255, 13421, 13583, 13741, 13894, 14044, 14189, 14330, 14466, 14598, 14726,
    14849, 14968, 15082, 15191, 15296, 15396, 15491, 15582, 15668, 15749, 15826, 15897, 15964,
    16026, 16083, 16135, 16182, 16225, 16262, 16294, 16322, 16344, 16362, 16374, 16382, 16384};
constexpr int64_t kQ14 = 16384;

int64_t sin_deg(int d) {
    d = ((d % 360) + 360) % 360;
    if (d <= 90) return kSinQ14[d];
    if (d <= 180) return kSinQ14[180 - d];
    if (d <= 270) return -kSinQ14[d - 180];
    return -kSinQ14[360 - d];
}

int64_t cos_deg(int d) { return sin_deg(d + 90); }

// Point `len` subpixels from p along direction dir (angle dir * 5 deg; y grows downwards like rows).
PathfinderPoint step(PathfinderPoint p, int dir, int64_t len) {
    const int deg = dir * kDegPerDir;
    return {p.y + div_round(len * sin_deg(deg), kQ14), p.x + div_round(len * cos_deg(deg), kQ14)};
}

PathfinderPoint pixel_centre(int64_t row, int64_t col) {
    return {row * kSub + kSub / 2, col * kSub + kSub / 2};
}

// Squared distance test |c - segment(a, b)| <= radius, exact in integers.
bool within(PathfinderPoint c, PathfinderPoint a, PathfinderPoint b, int64_t radius) {
    const int64_t dy = b.y - a.y, dx = b.x - a.x;
    const int64_t vy = c.y - a.y, vx = c.x - a.x;
    const int64_t len2 = dy * dy + dx * dx;
    const int64_t dot = vy * dy + vx * dx;
    const int64_t r2 = radius * radius;
    if (len2 == 0 || dot <= 0) {
        return vy * vy + vx * vx <= r2;
    }
    if (dot >= len2) {
        const int64_t wy = c.y - b.y, wx = c.x - b.x;
        return wy * wy + wx * wx <= r2;
    }
    return (vy * vy + vx * vx) * len2 - dot * dot <= r2 * len2;
}

// Calls f(row, col) for every pixel, inside the grid or not, whose centre is within radius of a-b.
template <typename F>
void for_each_near(PathfinderPoint a, PathfinderPoint b, int64_t radius, F&& f) {
    const int64_t r0 = div_floor(std::min(a.y, b.y) - radius, kSub) - 1;
    const int64_t r1 = div_floor(std::max(a.y, b.y) + radius, kSub) + 1;
    const int64_t c0 = div_floor(std::min(a.x, b.x) - radius, kSub) - 1;
    const int64_t c1 = div_floor(std::max(a.x, b.x) + radius, kSub) + 1;
    for (int64_t r = r0; r <= r1; ++r) {
        for (int64_t c = c0; c <= c1; ++c) {
            if (within(pixel_centre(r, c), a, b, radius)) {
                if (!f(r, c)) {
                    return;
                }
            }
        }
    }
}

struct Growing {
    PathfinderContour contour;
    int dir = 0;          // orientation of the last paddle
    int32_t last_id = 0;  // owner id of the last paddle, ignored when placing the next one
};

// Occupancy grid. Each paddle claims the pixels within `separation` (Chebyshev) of its stroke; a new
// stroke may only cover unclaimed pixels or its predecessor's, so separate contours (and non-adjacent
// paddles) always keep `separation` dark pixels between them: they never touch, even diagonally.
// This stands in for the script's margin-dilated masks (check max(mask + new_mask) < 1.8).
class Canvas {
public:
    explicit Canvas(const PathfinderParams& p) : p_(p), S_(p.side), owner_(static_cast<size_t>(S_ * S_), 0) {}

    void reset() {
        std::fill(owner_.begin(), owner_.end(), 0);
        for (int64_t i = 0; i < S_; ++i) {  // padding = 1, as in LRA's settings
            owner_[idx(0, i)] = owner_[idx(S_ - 1, i)] = owner_[idx(i, 0)] = owner_[idx(i, S_ - 1)] = kBorder;
        }
        log_.clear();
    }

    bool inside(int64_t r, int64_t c) const { return r >= 0 && r < S_ && c >= 0 && c < S_; }
    int32_t owner_at(int64_t r, int64_t c) const { return owner_[idx(r, c)]; }

    // Every pixel of the stroke is inside the grid and unclaimed, or claimed by `ignore`.
    bool free_for(const PathfinderPaddle& pd, int32_t ignore) const {
        bool ok = true;
        for_each_near(pd.tail, pd.head, p_.half_width, [&](int64_t r, int64_t c) {
            ok = inside(r, c) && (owner_at(r, c) == 0 || owner_at(r, c) == ignore);
            return ok;
        });
        return ok;
    }

    int32_t claim(const PathfinderPaddle& pd) {
        const int32_t id = next_id_++;
        claim_near(pd.tail, pd.head, p_.half_width, id);
        return id;
    }

    void reserve_disc(PathfinderPoint centre) { claim_near(centre, centre, p_.marker_radius, kReserved); }

    size_t mark() const { return log_.size(); }
    void undo_to(size_t m) {
        for (size_t i = m; i < log_.size(); ++i) {
            owner_[log_[i]] = 0;
        }
        log_.resize(m);
    }

private:
    size_t idx(int64_t r, int64_t c) const { return static_cast<size_t>(r * S_ + c); }

    void claim_near(PathfinderPoint a, PathfinderPoint b, int64_t radius, int32_t id) {
        const int64_t k = p_.separation;
        for_each_near(a, b, radius, [&](int64_t r, int64_t c) {
            for (int64_t y = r - k; y <= r + k; ++y) {
                for (int64_t x = c - k; x <= c + k; ++x) {
                    if (inside(y, x) && owner_[idx(y, x)] == 0) {
                        owner_[idx(y, x)] = id;
                        log_.push_back(idx(y, x));
                    }
                }
            }
            return true;
        });
    }

    const PathfinderParams& p_;
    int64_t S_;
    std::vector<int32_t> owner_;
    std::vector<size_t> log_;
    int32_t next_id_ = 1;
};

// Pixels of a target contour's strokes and of the dots that may go on its two ends.
std::vector<int64_t> target_pixels(const PathfinderContour& c, const PathfinderParams& p) {
    std::vector<int64_t> px;
    auto add = [&](int64_t r, int64_t col) {
        px.push_back(r * p.side + col);
        return true;
    };
    for (const PathfinderPaddle& pd : c.paddles) {
        for_each_near(pd.tail, pd.head, p.half_width, add);
    }
    for_each_near(c.paddles.front().tail, c.paddles.front().tail, p.marker_radius, add);
    for_each_near(c.paddles.back().head, c.paddles.back().head, p.marker_radius, add);
    return px;
}

class SceneBuilder {
public:
    SceneBuilder(const PathfinderParams& p, Rng& rng) : p_(p), rng_(rng), canvas_(p) {}

    // First paddle of a contour with its tail at `tail`, pointing along dir.
    bool seed(Growing& g, PathfinderPoint tail, int dir) {
        const PathfinderPaddle pd{tail, step(tail, dir, p_.paddle_length)};
        if (!canvas_.free_for(pd, 0)) {
            return false;
        }
        g.contour.paddles.assign(1, pd);
        g.dir = dir;
        g.last_id = canvas_.claim(pd);
        return true;
    }

    // snakes.extend_snake / get_coords_cmf.
    bool extend(Growing& g) {
        const PathfinderPoint pivot = step(g.contour.paddles.back().head, g.dir, p_.paddle_margin);
        int64_t weight[kDirs];
        int64_t total = 0;
        for (int k = 0; k < kDirs; ++k) {
            const int turn = std::min((k - g.dir + kDirs) % kDirs, (g.dir - k + kDirs) % kDirs);
            const int deg = (turn * kDegPerDir * p_.continuity_x10 + 5) / 10;
            weight[k] = 0;
            if (deg < 90) {
                const PathfinderPoint head = step(pivot, k, p_.paddle_length + p_.paddle_margin);
                const int64_t r = div_floor(head.y, kSub), c = div_floor(head.x, kSub);
                if (canvas_.inside(r, c) &&
                    (canvas_.owner_at(r, c) == 0 || canvas_.owner_at(r, c) == g.last_id)) {
                    weight[k] = cos_deg(deg) * cos_deg(deg);
                }
            }
            total += weight[k];
        }
        if (total == 0) {
            return false;  // dead end
        }
        for (int trial = 0; trial < kPaddleTrials; ++trial) {
            int64_t u = static_cast<int64_t>(rng_.below(static_cast<uint64_t>(total)));
            int k = 0;
            while (u >= weight[k]) {
                u -= weight[k];
                ++k;
            }
            const PathfinderPaddle pd{step(pivot, k, p_.paddle_margin),
                                      step(pivot, k, p_.paddle_length + p_.paddle_margin)};
            if (canvas_.free_for(pd, g.last_id)) {
                g.contour.paddles.push_back(pd);
                g.dir = k;
                g.last_id = canvas_.claim(pd);
                return true;
            }
        }
        return false;
    }

    // snakes2.two_snakes / initialize_two_seeds.
    bool two_targets(int32_t length, Growing& a, Growing& b) {
        canvas_.reset();
        const int64_t S = p_.side;
        const int64_t band = std::min(2 * p_.seed_distance, S / 2 - 2);
        const uint64_t span = static_cast<uint64_t>(S - 2 * band);
        bool ok = false;
        PathfinderPoint origin{};
        for (int trial = 0; trial < kPaddleTrials && !ok; ++trial) {
            // Two statements: the order of evaluation of function arguments is unspecified.
            const int64_t row = band + static_cast<int64_t>(rng_.below(span));
            const int64_t col = band + static_cast<int64_t>(rng_.below(span));
            origin = pixel_centre(row, col);
            ok = seed(a, origin, static_cast<int>(rng_.below(kDirs)));
        }
        if (!ok) {
            return false;
        }
        ok = false;
        for (int trial = 0; trial < kPaddleTrials && !ok; ++trial) {
            const PathfinderPoint p =
                step(origin, static_cast<int>(rng_.below(kDirs)), p_.seed_distance * kSub);
            const PathfinderPoint tail = pixel_centre(div_floor(p.y, kSub), div_floor(p.x, kSub));
            ok = seed(b, tail, static_cast<int>(rng_.below(kDirs)));
        }
        if (!ok) {
            return false;
        }
        for (int32_t i = 1; i < length; ++i) {
            if (!extend(a) || !extend(b)) {
                return false;
            }
        }
        // Strokes already keep apart; the dots are wider than strokes, so check them too: no dot may
        // touch the other contour, or the answer would show in a local patch.
        std::vector<uint8_t> near_a(static_cast<size_t>(S * S), 0);
        const int64_t k = p_.separation;
        for (int64_t i : target_pixels(a.contour, p_)) {
            const int64_t r = i / S, c = i % S;
            for (int64_t y = std::max<int64_t>(0, r - k); y <= std::min(S - 1, r + k); ++y) {
                for (int64_t x = std::max<int64_t>(0, c - k); x <= std::min(S - 1, c + k); ++x) {
                    near_a[static_cast<size_t>(y * S + x)] = 1;
                }
            }
        }
        for (int64_t i : target_pixels(b.contour, p_)) {
            if (i >= 0 && i < S * S && near_a[static_cast<size_t>(i)] != 0) {
                return false;
            }
        }
        return true;
    }

    // snakes.make_snake with allow_shorter_snakes = False: all or nothing.
    bool distractor(Growing& g) {
        const size_t mark = canvas_.mark();
        const uint64_t S = static_cast<uint64_t>(p_.side);
        bool ok = false;
        for (int trial = 0; trial < kPaddleTrials && !ok; ++trial) {
            const int64_t r = static_cast<int64_t>(rng_.below(S)), c = static_cast<int64_t>(rng_.below(S));
            const int dir = static_cast<int>(rng_.below(kDirs));
            ok = canvas_.owner_at(r, c) == 0 && seed(g, pixel_centre(r, c), dir);
        }
        for (int32_t i = 1; ok && i < p_.distractor_length; ++i) {
            ok = extend(g);
        }
        if (!ok) {
            canvas_.undo_to(mark);
        }
        return ok;
    }

    Canvas& canvas() { return canvas_; }

private:
    const PathfinderParams& p_;
    Rng& rng_;
    Canvas canvas_;
};

void render(std::vector<int32_t>& img, int64_t S, PathfinderPoint a, PathfinderPoint b, int64_t radius) {
    for_each_near(a, b, radius, [&](int64_t r, int64_t c) {
        if (r >= 0 && r < S && c >= 0 && c < S) {
            img[static_cast<size_t>(r * S + c)] = 255;
        }
        return true;
    });
}

}  // namespace

PathfinderDifficulty parse_pathfinder_difficulty(std::string_view name) {
    if (name == "easy") return PathfinderDifficulty::easy;
    if (name == "intermediate") return PathfinderDifficulty::intermediate;
    if (name == "hard") return PathfinderDifficulty::hard;
    throw std::invalid_argument("pathfinder difficulty '" + std::string(name) +
                                "': expected easy, intermediate or hard");
}

std::string_view pathfinder_difficulty_name(PathfinderDifficulty d) {
    switch (d) {
        case PathfinderDifficulty::easy:
            return "easy";
        case PathfinderDifficulty::intermediate:
            return "intermediate";
        case PathfinderDifficulty::hard:
            break;
    }
    return "hard";
}

PathfinderParams pathfinder_params(int64_t side, PathfinderDifficulty difficulty) {
    // Interpolates LRA's two settings: side 32 (paddle 2, margin 1, thickness 0.5, marker 1.5, seed
    // distance 7, continuity 1.0, 20 distractor paddles) and side 128 (paddle 5 = the script default,
    // margin 2, thickness 1.5, marker 3, seed distance 20, continuity 1.8, 35 distractor paddles).
    PathfinderParams p;
    p.side = side;
    p.paddle_length = kSub * std::max<int64_t>(1, (side + 32) / 32);
    p.paddle_margin = kSub * (1 + side / 96);
    const int64_t thickness = kSub / 2 + std::max<int64_t>(0, side - 32) * kSub / 96;
    p.half_width = std::max(kSub / 2, thickness / 2);  // at least half a pixel, so strokes never break
    p.marker_radius = kSub + 4 * side;
    p.separation = std::max<int64_t>(1, 2 * p.paddle_margin / kSub - 1);
    p.seed_distance = std::max<int64_t>(4, (13 * side + 256) / 96);  // >= 4 keeps small-grid dots apart
    // Target contour paddles at side 32 (snakes2_wrapper.py's contour_length for the three data sets);
    // smaller grids scale it down, larger ones keep it (Path-X uses 14 too).
    const int64_t published = difficulty == PathfinderDifficulty::easy           ? 6
                              : difficulty == PathfinderDifficulty::intermediate ? 9
                                                                                 : 14;
    p.contour_length = static_cast<int32_t>(std::clamp<int64_t>(published * side / 32, 3, published));
    p.distractor_length = std::max<int32_t>(1, p.contour_length / 3);
    const int64_t distractor_paddles = side >= 32 ? 15 + 5 * side / 32 : 20 * side / 32;
    p.num_distractors = static_cast<int32_t>(distractor_paddles / p.distractor_length);
    p.continuity_x10 = side >= 64 ? 18 : 10;
    return p;
}

PathfinderScene make_pathfinder_scene(uint64_t seed, int64_t seq_len, PathfinderDifficulty difficulty) {
    const int64_t S = detail::square_side("pathfinder", seq_len, 8);
    PathfinderScene scene;
    scene.params = pathfinder_params(S, difficulty);
    const PathfinderParams& p = scene.params;
    Rng rng = Rng::for_stream(seed, "lra/pathfinder");
    SceneBuilder builder(p, rng);

    const int32_t label = static_cast<int32_t>(rng.below(2));
    Growing a, b;
    int32_t length = p.contour_length;
    for (int attempt = 1; !builder.two_targets(length, a, b); ++attempt) {
        // The script retries forever; on grids too small for full-length contours shorten them instead.
        if (attempt % kTargetAttemptsPerLength == 0) {
            if (length == 2) {
                throw std::runtime_error("pathfinder: could not place two target contours on a " +
                                         std::to_string(S) + "x" + std::to_string(S) + " grid");
            }
            --length;
        }
    }
    scene.contours = {a.contour, b.contour};
    for (const Growing* g : {&a, &b}) {  // keep distractors away from where markers may go
        builder.canvas().reserve_disc(g->contour.paddles.front().tail);
        builder.canvas().reserve_disc(g->contour.paddles.back().head);
    }
    for (int32_t i = 0; i < p.num_distractors; ++i) {
        for (int t = 0; t < kDistractorTries; ++t) {
            Growing d;
            if (builder.distractor(d)) {
                scene.contours.push_back(d.contour);
                break;
            }
        }
    }

    const int32_t origin = static_cast<int32_t>(rng.below(2));
    const int32_t terminal = label == 1 ? origin : 1 - origin;
    scene.marker_contour = {origin, terminal};
    scene.markers = {scene.contours[static_cast<size_t>(origin)].paddles.front().tail,
                     scene.contours[static_cast<size_t>(terminal)].paddles.back().head};

    TaskInput& in = scene.input;
    in.tokens.assign(static_cast<size_t>(S * S), 0);
    for (const PathfinderContour& c : scene.contours) {
        for (const PathfinderPaddle& pd : c.paddles) {
            render(in.tokens, S, pd.tail, pd.head, p.half_width);
        }
    }
    for (const PathfinderPoint& m : scene.markers) {
        render(in.tokens, S, m, m, p.marker_radius);
    }
    in.rows = 1;
    in.seq_len = seq_len;
    in.label = label;
    in.vocab = 256;
    return scene;
}

TaskInput make_pathfinder(uint64_t seed, int64_t seq_len, PathfinderDifficulty difficulty) {
    return make_pathfinder_scene(seed, seq_len, difficulty).input;
}

}  // namespace ssmsim::workloads
