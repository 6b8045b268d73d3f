// Tests for the LRA input generators (workloads/inputs).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workloads/inputs/inputs.h"

namespace ssmsim::workloads {
namespace {

using Generator = std::function<TaskInput(uint64_t, int64_t)>;

struct InputTask {
    const char* name;
    Generator make;
    int64_t seq_len;  // a valid length for the task
    int64_t rows;
    int32_t vocab;
    int32_t classes;
};

std::vector<InputTask> all_tasks() {
    const Generator pathfinder = [](uint64_t seed, int64_t len) { return make_pathfinder(seed, len); };
    return {
        {"listops", make_listops, 256, 1, listops::kVocab, 10}, {"text", make_text, 1000, 1, kByteVocab, 2},
        {"retrieval", make_retrieval, 500, 2, kByteVocab, 2},   {"image", make_image, 1024, 1, 256, 10},
        {"pathfinder32", pathfinder, 1024, 1, 256, 2},          {"pathx", pathfinder, 128 * 128, 1, 256, 2}};
}

uint64_t fnv1a(const TaskInput& in) {
    uint64_t h = 0xcbf29ce484222325ULL;
    auto mix = [&h](uint64_t v) {
        for (int i = 0; i < 8; ++i) {
            h = (h ^ ((v >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
        }
    };
    for (int32_t t : in.tokens) {
        mix(static_cast<uint32_t>(t));
    }
    mix(static_cast<uint64_t>(in.label));
    return h;
}

// ---- All tasks ------------------------------------------------------------------------------------------

TEST(LraInputs, ShapesAndTokenRanges) {
    for (const InputTask& task : all_tasks()) {
        SCOPED_TRACE(task.name);
        for (uint64_t seed = 0; seed < 20; ++seed) {
            const TaskInput in = task.make(seed, task.seq_len);
            EXPECT_EQ(in.rows, task.rows);
            EXPECT_EQ(in.seq_len, task.seq_len);
            EXPECT_EQ(in.vocab, task.vocab);
            ASSERT_EQ(static_cast<int64_t>(in.tokens.size()), in.rows * in.seq_len);
            EXPECT_GE(in.label, 0);
            EXPECT_LT(in.label, task.classes);
            for (int32_t t : in.tokens) {
                ASSERT_GE(t, 0);
                ASSERT_LT(t, in.vocab);
            }
        }
    }
}

TEST(LraInputs, SameSeedSameInputDifferentSeedDifferentInput) {
    for (const InputTask& task : all_tasks()) {
        SCOPED_TRACE(task.name);
        for (uint64_t seed : {0ULL, 1ULL, 12345ULL, 0xdeadbeefcafeULL}) {
            const TaskInput a = task.make(seed, task.seq_len);
            const TaskInput b = task.make(seed, task.seq_len);
            EXPECT_EQ(a.tokens, b.tokens);
            EXPECT_EQ(a.label, b.label);
            EXPECT_NE(a.tokens, task.make(seed + 1, task.seq_len).tokens);
        }
    }
}

// Pins the exact output, so a platform, compiler or refactoring that changes any token shows up here
// (checked equal under g++ 12 -O0/-O3 -ffast-math and clang++ 14 -O2 -march=native). If a generator is
// changed on purpose, update the value and say so in the change.
TEST(LraInputs, GoldenHashes) {
    EXPECT_EQ(fnv1a(make_listops(7, 2000)), 0x3032f19ffa51d0e3ULL);
    EXPECT_EQ(fnv1a(make_text(7, 4000)), 0x1bb5c2e68df62c74ULL);
    EXPECT_EQ(fnv1a(make_retrieval(7, 4000)), 0x2ab5988eb43efbe4ULL);
    EXPECT_EQ(fnv1a(make_image(7, 1024)), 0x17443ebeb610478dULL);
    EXPECT_EQ(fnv1a(make_pathfinder(7, 1024)), 0x3ffe79fe4bb46ec4ULL);
    EXPECT_EQ(fnv1a(make_pathfinder(7, 128 * 128)), 0x149df2390bd63c64ULL);
}

template <typename F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "<no std::invalid_argument thrown>";
}

void expect_contains(const std::string& text, const std::vector<std::string>& parts) {
    for (const std::string& p : parts) {
        EXPECT_NE(text.find(p), std::string::npos) << "'" << p << "' not in: " << text;
    }
}

TEST(LraInputs, ErrorsNameTaskParameterExpectedAndFound) {
    expect_contains(error_of([] { make_listops(1, 3); }), {"listops", "seq_len", ">= 4", "got 3"});
    expect_contains(error_of([] { make_listops(1, -1); }), {"listops", "seq_len", ">= 4", "got -1"});
    expect_contains(error_of([] { make_text(1, 0); }), {"text", "seq_len", ">= 1", "got 0"});
    expect_contains(error_of([] { make_retrieval(1, -5); }), {"retrieval", "seq_len", ">= 1", "got -5"});
    expect_contains(error_of([] { make_image(1, 1000); }),
                    {"image", "seq_len", "perfect square", "got 1000"});
    expect_contains(error_of([] { make_image(1, 9); }), {"image", "seq_len", "side >= 4", "got 9"});
    expect_contains(error_of([] { make_image(1, 0); }), {"image", "seq_len", "got 0"});
    expect_contains(error_of([] { make_pathfinder(1, 1000); }),
                    {"pathfinder", "seq_len", "perfect square", "side >= 8", "got 1000"});
    expect_contains(error_of([] { make_pathfinder(1, 49); }),
                    {"pathfinder", "seq_len", "side >= 8", "got 49"});
    expect_contains(error_of([] { make_pathfinder(1, 0); }), {"pathfinder", "seq_len", "got 0"});
}

// ---- ListOps ----------------------------------------------------------------------------------------------

// An evaluator independent of the library's: recursive descent straight from the token table.
struct ListOpsParser {
    const std::vector<int32_t>& t;
    size_t pos = 0;
    int max_nesting = 0;
    int min_args = 1000;
    int max_args = 0;

    int value(int nesting) {
        if (pos >= t.size()) throw std::runtime_error("unexpected end");
        const int32_t tok = t[pos++];
        if (tok >= 1 && tok <= 10) return tok - 1;
        if (tok < 11 || tok > 14) throw std::runtime_error("unexpected token " + std::to_string(tok));
        max_nesting = std::max(max_nesting, nesting + 1);
        std::vector<int> args;
        while (pos < t.size() && t[pos] != 15) {
            args.push_back(value(nesting + 1));
        }
        if (pos >= t.size()) throw std::runtime_error("missing ]");
        ++pos;
        min_args = std::min(min_args, static_cast<int>(args.size()));
        max_args = std::max(max_args, static_cast<int>(args.size()));
        std::sort(args.begin(), args.end());
        int sum = 0;
        for (int a : args) sum += a;
        switch (tok) {
            case 11:
                return args.front();
            case 12:
                return args.back();
            case 13: {
                const size_t n = args.size();
                return n % 2 ? args[n / 2]
                             : static_cast<int>(std::floor((args[n / 2 - 1] + args[n / 2]) / 2.0));
            }
            default:
                return sum % 10;
        }
    }
};

TEST(ListOps, WellFormedFitsAndLabelMatchesIndependentEvaluation) {
    for (int64_t seq_len : {4, 16, 64, 256, 2000}) {
        for (uint64_t seed = 0; seed < 150; ++seed) {
            SCOPED_TRACE("seq_len " + std::to_string(seq_len) + " seed " + std::to_string(seed));
            const TaskInput in = make_listops(seed, seq_len);
            // Expression, then padding only.
            const auto first_pad = std::find(in.tokens.begin(), in.tokens.end(), listops::kPad);
            ASSERT_TRUE(
                std::all_of(first_pad, in.tokens.end(), [](int32_t t) { return t == listops::kPad; }));
            const std::vector<int32_t> expr(in.tokens.begin(), first_pad);
            const int64_t len = static_cast<int64_t>(expr.size());
            EXPECT_GT(len, std::max<int64_t>(3, seq_len / 4));  // LRA: 500 < length < 2000
            EXPECT_LE(len, seq_len);
            // Brackets balance and never close below zero.
            int depth = 0;
            for (int32_t t : expr) {
                depth += (t >= listops::kMin && t <= listops::kSumMod) ? 1 : (t == listops::kClose ? -1 : 0);
                ASSERT_GE(depth, 0);
            }
            EXPECT_EQ(depth, 0);
            EXPECT_GE(expr.front(), listops::kMin);  // the root is an operator
            ListOpsParser parser{expr};
            const int value = parser.value(0);
            EXPECT_EQ(parser.pos, expr.size());
            EXPECT_EQ(value, in.label);
            EXPECT_EQ(evaluate_listops(in.tokens), in.label);
            EXPECT_LE(parser.max_nesting, 9);  // operators only below max_depth = 10
            EXPECT_GE(parser.min_args, 2);     // randint(2, max_args = 10)
            EXPECT_LE(parser.max_args, 10);
        }
    }
}

TEST(ListOps, LabelsCoverAllClasses) {
    std::array<int, 10> count{};
    for (uint64_t seed = 0; seed < 300; ++seed) {
        ++count[static_cast<size_t>(make_listops(seed, 2000).label)];
    }
    for (int c : count) {
        EXPECT_GT(c, 5);
    }
}

// Token ids from the readable form, e.g. lo({"[MIN", "4", "7", "]"}).
std::vector<int32_t> lo(std::initializer_list<std::string_view> words) {
    std::vector<int32_t> out;
    for (std::string_view w : words) {
        int32_t id = listops::kDigit0 + (w[0] - '0');
        if (w == "[MIN") {
            id = listops::kMin;
        } else if (w == "[MAX") {
            id = listops::kMax;
        } else if (w == "[MED") {
            id = listops::kMed;
        } else if (w == "[SM") {
            id = listops::kSumMod;
        } else if (w == "]") {
            id = listops::kClose;
        }
        out.push_back(id);
    }
    return out;
}

TEST(ListOps, EvaluatorHandCheckedCases) {
    // The example from Nangia & Bowman (2018) and the LRA paper.
    EXPECT_EQ(evaluate_listops(lo({"[MAX", "2", "9", "[MIN", "4", "7", "]", "0", "]"})), 9);
    EXPECT_EQ(evaluate_listops(lo({"[MIN", "4", "7", "]"})), 4);
    EXPECT_EQ(evaluate_listops(lo({"[SM", "5", "6", "7", "]"})), 8);
    EXPECT_EQ(evaluate_listops(lo({"[MED", "3", "1", "2", "]"})), 2);
    EXPECT_EQ(evaluate_listops(lo({"[MED", "1", "2", "]"})), 1);  // int(np.median([1, 2])) = int(1.5)
    EXPECT_EQ(evaluate_listops(lo({"[MED", "9", "0", "4", "7", "]"})), 5);  // (4 + 7) / 2 = 5.5 -> 5
    EXPECT_EQ(evaluate_listops(lo({"[SM", "[MAX", "9", "9", "]", "5", "]"})), 4);
    EXPECT_EQ(evaluate_listops(
                  lo({"[MAX", "[MED", "[SM", "8", "8", "]", "1", "3", "]", "[MIN", "7", "9", "]", "]"})),
              7);  // SM(8,8) = 6; MED(6,1,3) = 3; MIN(7,9) = 7; MAX(3,7) = 7
    std::vector<int32_t> padded = lo({"[MIN", "4", "7", "]"});
    padded.resize(10, listops::kPad);
    EXPECT_EQ(evaluate_listops(padded), 4);
}

TEST(ListOps, EvaluatorRejectsMalformed) {
    EXPECT_THROW(evaluate_listops(lo({"[MIN", "4", "7"})), std::invalid_argument);
    EXPECT_THROW(evaluate_listops(lo({"[MIN", "4", "]", "]"})), std::invalid_argument);
    EXPECT_THROW(evaluate_listops(lo({"[MIN", "]"})), std::invalid_argument);
    EXPECT_THROW(evaluate_listops(lo({"[MIN", "4", "]", "5"})), std::invalid_argument);
    EXPECT_THROW(evaluate_listops(std::vector<int32_t>{listops::kPad, listops::kPad}), std::invalid_argument);
    EXPECT_THROW(evaluate_listops(std::vector<int32_t>{listops::kMin, 2, listops::kPad, 3, listops::kClose}),
                 std::invalid_argument);
}

// ---- Text and Retrieval -----------------------------------------------------------------------------------

// Bytes of one row: checks the row is text followed by padding only.
std::string row_text(const TaskInput& in, int64_t row) {
    std::string s;
    bool padding = false;
    for (int64_t i = 0; i < in.seq_len; ++i) {
        const int32_t t = in.tokens[static_cast<size_t>(row * in.seq_len + i)];
        if (t == kBytePad) {
            padding = true;
            continue;
        }
        EXPECT_FALSE(padding) << "text after padding at " << i;
        const int byte = t - 1;  // ByteTextEncoder: id = byte + 1
        EXPECT_TRUE((byte >= 32 && byte < 127) || byte == '\n') << "byte " << byte;
        s.push_back(static_cast<char>(byte));
    }
    return s;
}

TEST(Text, EnglishLikeBytesThenPadding) {
    int padded = 0;
    int64_t total = 0;
    int positive = 0;
    for (uint64_t seed = 0; seed < 100; ++seed) {
        const TaskInput in = make_text(seed, 4000);
        const std::string s = row_text(in, 0);
        ASSERT_FALSE(s.empty());
        EXPECT_TRUE(s[0] >= 'A' && s[0] <= 'Z') << s.substr(0, 40);
        EXPECT_NE(s.find(' '), std::string::npos);
        padded += static_cast<int64_t>(s.size()) < 4000;
        total += static_cast<int64_t>(s.size());
        positive += in.label;
    }
    EXPECT_GT(padded, 80);  // IMDb reviews are mostly shorter than LRA's 4000 bytes
    EXPECT_GT(total / 100, 600);
    EXPECT_LT(total / 100, 2500);
    EXPECT_GT(positive, 30);
    EXPECT_LT(positive, 70);
}

TEST(Text, ShortSequencesAreTruncated) {
    for (uint64_t seed = 0; seed < 20; ++seed) {
        const TaskInput in = make_text(seed, 16);
        EXPECT_EQ(row_text(in, 0).size(), 16u);  // every review is longer than 16 bytes
    }
    EXPECT_EQ(make_text(3, 1).tokens.size(), 1u);
}

TEST(Retrieval, TwoDocumentsEachPaddedToSeqLen) {
    int positive = 0;
    int full = 0;
    for (uint64_t seed = 0; seed < 100; ++seed) {
        const TaskInput in = make_retrieval(seed, 4000);
        ASSERT_EQ(in.rows, 2);
        for (int64_t row = 0; row < 2; ++row) {
            const std::string s = row_text(in, row);
            ASSERT_FALSE(s.empty());
            EXPECT_TRUE(s[0] >= 'A' && s[0] <= 'Z');
            full += s.size() == 4000u;
        }
        EXPECT_NE(row_text(in, 0), row_text(in, 1));
        positive += in.label;
    }
    EXPECT_GT(full, 100);  // papers are mostly longer than 4000 bytes
    EXPECT_GT(positive, 30);
    EXPECT_LT(positive, 70);
}

// ---- Image ------------------------------------------------------------------------------------------------

TEST(Image, StructuredGreyImage) {
    for (uint64_t seed = 0; seed < 30; ++seed) {
        const TaskInput in = make_image(seed, 1024);
        const auto [lo_it, hi_it] = std::minmax_element(in.tokens.begin(), in.tokens.end());
        EXPECT_GT(*hi_it - *lo_it, 20);  // not flat
        // Neighbouring pixels are much more alike than pixels far apart: image-like local correlation.
        double near = 0, far = 0;
        for (int y = 0; y < 32; ++y) {
            for (int x = 0; x + 1 < 32; ++x) {
                near += std::abs(in.tokens[static_cast<size_t>(y * 32 + x)] -
                                 in.tokens[static_cast<size_t>(y * 32 + x + 1)]);
                far += std::abs(in.tokens[static_cast<size_t>(y * 32 + x)] -
                                in.tokens[static_cast<size_t>(((y + 16) % 32) * 32 + (x + 16) % 32)]);
            }
        }
        EXPECT_LT(near, far);
    }
    EXPECT_EQ(make_image(1, 16).tokens.size(), 16u);
}

// ---- Pathfinder -------------------------------------------------------------------------------------------

struct Px {
    int64_t r, c;
};

Px pixel_of(PathfinderPoint p) { return {p.y / kPathfinderSubpixel, p.x / kPathfinderSubpixel}; }

double seg_distance(double py, double px, PathfinderPoint a, PathfinderPoint b) {
    const double ay = static_cast<double>(a.y), ax = static_cast<double>(a.x);
    const double dy = static_cast<double>(b.y) - ay, dx = static_cast<double>(b.x) - ax;
    const double len2 = dy * dy + dx * dx;
    double t = len2 > 0 ? ((py - ay) * dy + (px - ax) * dx) / len2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    return std::hypot(py - (ay + t * dy), px - (ax + t * dx));
}

double centre(int64_t i) { return static_cast<double>(i * kPathfinderSubpixel + kPathfinderSubpixel / 2); }

// Distance (subpixels) from pixel (r, c)'s centre to the nearest stroke of contour k.
double contour_distance(const PathfinderScene& sc, size_t k, int64_t r, int64_t c) {
    double best = 1e18;
    for (const PathfinderPaddle& pd : sc.contours[k].paddles) {
        best = std::min(best, seg_distance(centre(r), centre(c), pd.tail, pd.head));
    }
    return best;
}

// Breadth-first search over `allowed` pixels, stepping to any pixel within Chebyshev distance `jump`.
bool reachable(const std::vector<uint8_t>& allowed, int64_t S, Px from, Px to, int64_t jump) {
    std::vector<uint8_t> seen(allowed.size(), 0);
    std::deque<Px> queue{from};
    seen[static_cast<size_t>(from.r * S + from.c)] = 1;
    while (!queue.empty()) {
        const Px p = queue.front();
        queue.pop_front();
        if (p.r == to.r && p.c == to.c) return true;
        for (int64_t r = std::max<int64_t>(0, p.r - jump); r <= std::min(S - 1, p.r + jump); ++r) {
            for (int64_t c = std::max<int64_t>(0, p.c - jump); c <= std::min(S - 1, p.c + jump); ++c) {
                const size_t i = static_cast<size_t>(r * S + c);
                if (allowed[i] && !seen[i]) {
                    seen[i] = 1;
                    queue.push_back({r, c});
                }
            }
        }
    }
    return false;
}

TEST(Pathfinder, GridSidesAndPixels) {
    for (int64_t side : {8, 9, 12, 16, 32, 64, 128}) {
        SCOPED_TRACE("side " + std::to_string(side));
        for (uint64_t seed = 0; seed < 5; ++seed) {
            const TaskInput in = make_pathfinder(seed, side * side);
            ASSERT_EQ(static_cast<int64_t>(in.tokens.size()), side * side);
            int lit = 0;
            for (int32_t t : in.tokens) {
                ASSERT_TRUE(t == 0 || t == 255);
                lit += t == 255;
            }
            EXPECT_GT(lit, 4);
            EXPECT_LT(lit, side * side / 2);
        }
    }
}

TEST(Pathfinder, LabelsRoughlyBalanced) {
    int ones = 0;
    for (uint64_t seed = 0; seed < 200; ++seed) {
        ones += make_pathfinder(seed, 1024).label;
    }
    EXPECT_GT(ones, 70);
    EXPECT_LT(ones, 130);
}

TEST(Pathfinder, LraSizedScenesFollowThePublishedSettings) {
    for (int64_t side : {32, 128}) {
        const PathfinderParams p = pathfinder_params(side);
        EXPECT_EQ(p.contour_length, 14);
        EXPECT_EQ(p.distractor_length, 4);
        EXPECT_EQ(p.paddle_length, (side == 32 ? 2 : 5) * kPathfinderSubpixel);
        EXPECT_EQ(p.seed_distance, side == 32 ? 7 : 20);
        for (uint64_t seed = 0; seed < 10; ++seed) {
            const PathfinderScene sc = make_pathfinder_scene(seed, side * side);
            ASSERT_GE(sc.contours.size(), 2u);
            EXPECT_LE(sc.contours.size(), 2u + static_cast<size_t>(p.num_distractors));
            EXPECT_EQ(sc.contours[0].paddles.size(), 14u);
            EXPECT_EQ(sc.contours[1].paddles.size(), 14u);
            for (size_t k = 2; k < sc.contours.size(); ++k) {
                EXPECT_EQ(sc.contours[k].paddles.size(), 4u);
            }
        }
    }
}

TEST(Pathfinder, EasierDifficultiesHaveThePublishedShorterContours) {
    // Linsley et al.'s three data sets at side 32: 6, 9 and 14 paddles per target contour; distractors of a
    // third of that, as many as make about 20 distractor paddles.
    const std::pair<PathfinderDifficulty, size_t> levels[] = {{PathfinderDifficulty::easy, 6},
                                                              {PathfinderDifficulty::intermediate, 9},
                                                              {PathfinderDifficulty::hard, 14}};
    for (const auto& [difficulty, length] : levels) {
        SCOPED_TRACE(std::string(pathfinder_difficulty_name(difficulty)));
        EXPECT_EQ(parse_pathfinder_difficulty(pathfinder_difficulty_name(difficulty)), difficulty);
        const PathfinderParams p = pathfinder_params(32, difficulty);
        EXPECT_EQ(p.contour_length, static_cast<int32_t>(length));
        EXPECT_EQ(p.distractor_length, static_cast<int32_t>(length / 3));
        EXPECT_EQ(p.num_distractors, static_cast<int32_t>(20 / (length / 3)));
        int ones = 0;
        for (uint64_t seed = 0; seed < 40; ++seed) {
            const PathfinderScene sc = make_pathfinder_scene(seed, 1024, difficulty);
            EXPECT_EQ(sc.contours[0].paddles.size(), length);
            EXPECT_EQ(sc.contours[1].paddles.size(), length);
            ones += sc.input.label;
        }
        EXPECT_GT(ones, 8);
        EXPECT_LT(ones, 32);
    }
    // hard is the default, and what the workloads use: the same bytes as before the option existed.
    EXPECT_EQ(make_pathfinder(3, 1024).tokens, make_pathfinder(3, 1024, PathfinderDifficulty::hard).tokens);
    EXPECT_NE(make_pathfinder(3, 1024).tokens, make_pathfinder(3, 1024, PathfinderDifficulty::easy).tokens);
    EXPECT_THROW(parse_pathfinder_difficulty("medium"), std::invalid_argument);
}

TEST(Pathfinder, SceneMatchesImageAndLabel) {
    for (int64_t side : {16, 32, 128}) {
        const uint64_t seeds = side == 128 ? 6 : 40;  // the per-pixel check is slow in debug builds
        for (uint64_t seed = 0; seed < seeds; ++seed) {
            SCOPED_TRACE("side " + std::to_string(side) + " seed " + std::to_string(seed));
            const PathfinderScene sc = make_pathfinder_scene(seed, side * side);
            const PathfinderParams& p = sc.params;
            const std::vector<int32_t>& img = sc.input.tokens;
            // The markers sit on the ends of target contours: both on one (label 1) or one on each (label 0).
            ASSERT_LT(sc.marker_contour[0], 2);
            ASSERT_LT(sc.marker_contour[1], 2);
            EXPECT_EQ(sc.marker_contour[0] == sc.marker_contour[1], sc.input.label == 1);
            const PathfinderContour& ca = sc.contours[static_cast<size_t>(sc.marker_contour[0])];
            const PathfinderContour& cb = sc.contours[static_cast<size_t>(sc.marker_contour[1])];
            EXPECT_EQ(sc.markers[0].y, ca.paddles.front().tail.y);
            EXPECT_EQ(sc.markers[0].x, ca.paddles.front().tail.x);
            EXPECT_EQ(sc.markers[1].y, cb.paddles.back().head.y);
            EXPECT_EQ(sc.markers[1].x, cb.paddles.back().head.x);
            // Every pixel well inside a stroke or dot is lit; every lit pixel belongs to one.
            const double eps = 2.0;  // subpixels; ties at exactly the radius may go either way
            for (int64_t r = 0; r < side; ++r) {
                for (int64_t c = 0; c < side; ++c) {
                    double stroke = 1e18;
                    for (size_t k = 0; k < sc.contours.size(); ++k) {
                        stroke = std::min(stroke, contour_distance(sc, k, r, c));
                    }
                    double dot = 1e18;
                    for (const PathfinderPoint& m : sc.markers) {
                        dot = std::min(dot, std::hypot(centre(r) - static_cast<double>(m.y),
                                                       centre(c) - static_cast<double>(m.x)));
                    }
                    const double hw = static_cast<double>(p.half_width);
                    const double mr = static_cast<double>(p.marker_radius);
                    const bool inside = stroke < hw - eps || dot < mr - eps;
                    const bool near = stroke <= hw + eps || dot <= mr + eps;
                    const int32_t v = img[static_cast<size_t>(r * side + c)];
                    if (inside) {
                        EXPECT_EQ(v, 255) << r << "," << c;
                    }
                    if (!near) {
                        EXPECT_EQ(v, 0) << r << "," << c;
                    }
                }
            }
        }
    }
}

TEST(Pathfinder, EndpointsConnectedExactlyWhenLabelIsOne) {
    int checked_one = 0, checked_zero = 0;
    for (int64_t side : {16, 32, 64, 128}) {
        const uint64_t seeds = side >= 64 ? 20 : 60;
        for (uint64_t seed = 0; seed < seeds; ++seed) {
            SCOPED_TRACE("side " + std::to_string(side) + " seed " + std::to_string(seed));
            const PathfinderScene sc = make_pathfinder_scene(seed, side * side);
            const PathfinderParams& p = sc.params;
            const std::vector<int32_t>& img = sc.input.tokens;
            const Px a = pixel_of(sc.markers[0]), b = pixel_of(sc.markers[1]);
            ASSERT_EQ(img[static_cast<size_t>(a.r * side + a.c)], 255);
            ASSERT_EQ(img[static_cast<size_t>(b.r * side + b.c)], 255);
            std::vector<uint8_t> lit(img.size());
            for (size_t i = 0; i < img.size(); ++i) lit[i] = img[i] > 0;
            if (sc.input.label == 1) {
                // Along the marked contour's own bright pixels, hopping the dash gaps (about 2 margins).
                const size_t k = static_cast<size_t>(sc.marker_contour[0]);
                const int64_t gap = 2 * p.paddle_margin / kPathfinderSubpixel + 1;
                std::vector<uint8_t> own(img.size(), 0);
                for (int64_t r = 0; r < side; ++r) {
                    for (int64_t c = 0; c < side; ++c) {
                        const size_t i = static_cast<size_t>(r * side + c);
                        const bool on_stroke =
                            contour_distance(sc, k, r, c) <= static_cast<double>(p.half_width) + 2.0;
                        const bool on_dot = (r == a.r && c == a.c) || (r == b.r && c == b.c);
                        own[i] = lit[i] && (on_stroke || on_dot);
                    }
                }
                EXPECT_TRUE(reachable(own, side, a, b, gap));
                ++checked_one;
            } else {
                // Different contours never come within `separation` pixels, so hopping that far over any
                // bright pixel (distractors included) cannot get from one dot to the other.
                EXPECT_FALSE(reachable(lit, side, a, b, p.separation));
                ++checked_zero;
            }
        }
    }
    EXPECT_GT(checked_one, 40);
    EXPECT_GT(checked_zero, 40);
}

}  // namespace
}  // namespace ssmsim::workloads
