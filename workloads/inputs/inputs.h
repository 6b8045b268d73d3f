// Deterministic input generators for the six Long Range Arena (LRA) tasks.
//
// Every generator is a pure function of (seed, seq_len): all randomness comes from ssmsim::Rng and all
// geometry is integer arithmetic, so the same seed gives the same tokens on any platform and compiler.
// ListOps and Pathfinder follow the published generators (see listops.cpp, pathfinder.cpp). Text,
// Retrieval and Image are synthetic stand-ins for IMDb, AAN and CIFAR-10 (no datasets ship with ssmsim):
// they have the LRA token format and plausible statistics, not the real content.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace ssmsim::workloads {

struct TaskInput {
    std::vector<int32_t> tokens;  // row-major [rows, seq_len]; padded with pad token 0 where the task pads
    int64_t rows = 1;             // 1, or 2 for retrieval (the two documents)
    int64_t seq_len = 0;
    int32_t label = 0;  // the ground-truth class
    int32_t vocab = 0;  // tokens are in [0, vocab)
};

// ---- ListOps ------------------------------------------------------------------------------------------
// Token ids. LRA's tokenizer keeps '[MIN' '[MAX' '[MED' '[SM' ']' and the digits (google-research/
// long-range-arena issue #14) and drops the '(' ')' that to_string() inserts; id 0 is padding.
//   0 <pad>   1..10 digits 0..9 (id = digit + 1)   11 [MIN   12 [MAX   13 [MED   14 [SM   15 ]
namespace listops {
inline constexpr int32_t kPad = 0;
inline constexpr int32_t kDigit0 = 1;
inline constexpr int32_t kMin = 11;
inline constexpr int32_t kMax = 12;
inline constexpr int32_t kMed = 13;
inline constexpr int32_t kSumMod = 14;
inline constexpr int32_t kClose = 15;
inline constexpr int32_t kVocab = 16;
inline constexpr int64_t kMinSeqLen = 4;  // the shortest expression, "[MIN d d ]"
}  // namespace listops

// Expression length in (seq_len / 4, seq_len] (LRA: (500, 2000)), padded to seq_len; label in [0, 10).
// Depth-10 trees rarely pass ~5000 tokens, so for much longer seq_len the lower bound is relaxed (halved
// after every 20000 rejected trees) rather than searching forever.
TaskInput make_listops(uint64_t seed, int64_t seq_len);

// Value of a token sequence in the id scheme above; trailing padding is ignored. Throws
// std::invalid_argument on a malformed sequence (unbalanced brackets, operator with no argument, ...).
int32_t evaluate_listops(std::span<const int32_t> tokens);

// ---- Byte-level text (IMDb, LRA "Text") and document pairs (AAN, LRA "Retrieval") ----------------------
// LRA encodes bytes with tfds ByteTextEncoder: id = byte + 1, id 0 is padding, vocab 257.
inline constexpr int32_t kByteVocab = 257;
inline constexpr int32_t kBytePad = 0;

// One review of IMDb-like length (median ~970 bytes), truncated or padded to seq_len; label in {0, 1}.
TaskInput make_text(uint64_t seed, int64_t seq_len);
// rows = 2: two paper-like documents (median ~8000 bytes), each truncated or padded to seq_len;
// label 1 means "linked" (synthetically: the two documents share a topic).
TaskInput make_retrieval(uint64_t seed, int64_t seq_len);

// ---- Image (CIFAR-10 grey, LRA "Image") -----------------------------------------------------------------
// Grey pixels 0..255 as tokens (vocab 256, no padding), row-major; seq_len = side * side, side >= 4.
TaskInput make_image(uint64_t seed, int64_t seq_len);

// ---- Pathfinder (Pathfinder-32, Path-X = 128) -------------------------------------------------------------
// Pixels 0..255 as tokens (vocab 256, no padding), row-major; seq_len = side * side, side >= 8.
// The published data sets come in three difficulties, by the length of the target contours (Linsley et al.
// 2018: 6, 9 and 14 paddles at side 32); LRA uses the hardest, and so do the workloads. The easier ones are
// for training curricula only.
enum class PathfinderDifficulty { easy, intermediate, hard };
PathfinderDifficulty parse_pathfinder_difficulty(std::string_view name);  // throws std::invalid_argument
std::string_view pathfinder_difficulty_name(PathfinderDifficulty d);
TaskInput make_pathfinder(uint64_t seed, int64_t seq_len,
                          PathfinderDifficulty difficulty = PathfinderDifficulty::hard);

// The scene behind a Pathfinder image, for tests and debugging. Coordinates are in 1/256 pixel
// (kPathfinderSubpixel); pixel (row y, column x) has its centre at (256 y + 128, 256 x + 128).
inline constexpr int64_t kPathfinderSubpixel = 256;

struct PathfinderPoint {
    int64_t y = 0;
    int64_t x = 0;
};

// One dash of a contour: a straight stroke from tail to head.
struct PathfinderPaddle {
    PathfinderPoint tail;
    PathfinderPoint head;
};

struct PathfinderContour {
    std::vector<PathfinderPaddle> paddles;  // in drawing order; consecutive paddles are separated by a gap
};

struct PathfinderParams {
    int64_t side = 0;
    int64_t paddle_length = 0;      // subpixel
    int64_t paddle_margin = 0;      // subpixel; the gap between consecutive paddles is about twice this
    int64_t half_width = 0;         // subpixel; a pixel is lit when its centre is this close to a paddle
    int64_t marker_radius = 0;      // subpixel; likewise for a marker dot around its centre
    int64_t separation = 0;         // pixels; strokes of different contours keep more than this apart
                                    // (Chebyshev distance between lit pixels), dots included
    int64_t seed_distance = 0;      // pixels between the two contours' origins
    int32_t contour_length = 0;     // paddles per target contour
    int32_t distractor_length = 0;  // paddles per distractor contour
    int32_t num_distractors = 0;
    int32_t continuity_x10 = 0;  // turning penalty: weight cos^2(min(turn * continuity, 90 deg))
};

struct PathfinderScene {
    TaskInput input;
    PathfinderParams params;
    // contours[0] and contours[1] are the two target contours; the rest are distractors. Target contours
    // may be shorter than params.contour_length on very small grids, never shorter than 2 paddles.
    std::vector<PathfinderContour> contours;
    std::array<PathfinderPoint, 2> markers{};  // marker (dot) centres
    std::array<int32_t, 2> marker_contour{};   // index into contours of the contour each marker ends
};

PathfinderParams pathfinder_params(int64_t side,
                                   PathfinderDifficulty difficulty = PathfinderDifficulty::hard);
PathfinderScene make_pathfinder_scene(uint64_t seed, int64_t seq_len,
                                      PathfinderDifficulty difficulty = PathfinderDifficulty::hard);

}  // namespace ssmsim::workloads
