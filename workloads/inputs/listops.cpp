// ListOps (Nangia & Bowman 2018) as generated for LRA.
//
// Follows lra_benchmarks/data/listops.py (google-research/long-range-arena), itself a fork of
// nyu-mll/spinn python/spinn/data/listops/make_data.py:
//   generate_tree(depth): below max_depth (10) a node is an operator with probability VALUE_P = 0.25,
//   else a digit drawn uniformly from 0..9. An operator node draws randint(2, max_args = 10) arguments,
//   generates them recursively at depth + 1, then draws its operator from [MIN, MAX, MED, SM]. The root
//   is at depth 1. Token length = 2 per operator ("[OP" and "]") + 1 per digit.
//   Trees are drawn until min_length < length < max_length (LRA: 500 and 2000).
// Here max_length = seq_len + 1 (so the expression fits seq_len) and min_length = seq_len / 4 (LRA's
// 500/2000 ratio). A tree is abandoned as soon as it outgrows seq_len: a rejected tree is thrown away
// either way, so stopping early changes only the cost, not the distribution of accepted trees.
#include <algorithm>
#include <stdexcept>
#include <vector>

#include "sim/util/rng.h"
#include "workloads/inputs/detail.h"
#include "workloads/inputs/inputs.h"

namespace ssmsim::workloads {
namespace {

constexpr int kMaxDepth = 10;
constexpr int kMaxArgs = 10;
constexpr double kValueP = 0.25;  // probability of an operator node (name as in the LRA script)
constexpr int32_t kOperators[4] = {listops::kMin, listops::kMax, listops::kMed, listops::kSumMod};
// Attempts before min_length is halved. Near LRA's setting (2000) about 1 tree in 60 is accepted; the
// relaxation only matters for seq_len far beyond what a depth-10 tree reaches, and keeps it terminating.
constexpr int kAttemptsPerRelax = 20000;

class TreeWriter {
public:
    TreeWriter(Rng& rng, int64_t max_tokens) : rng_(rng), max_tokens_(max_tokens) {}

    // Appends one subtree; returns false once the expression is longer than max_tokens.
    bool generate(int depth) {
        // As in generate_tree: r = random() below max_depth, else 1; r > VALUE_P means a digit.
        const double r = depth < kMaxDepth ? rng_.uniform() : 1.0;
        if (r > kValueP) {
            return push(listops::kDigit0 + static_cast<int32_t>(rng_.below(10)));
        }
        const size_t op_slot = tokens_.size();
        if (!push(listops::kPad)) {  // the operator is drawn after its arguments, as in the script
            return false;
        }
        const int num_args = 2 + static_cast<int>(rng_.below(kMaxArgs - 1));  // randint(2, max_args)
        for (int i = 0; i < num_args; ++i) {
            if (!generate(depth + 1)) {
                return false;
            }
        }
        tokens_[op_slot] = kOperators[rng_.below(4)];
        return push(listops::kClose);
    }

    std::vector<int32_t>& tokens() { return tokens_; }

private:
    bool push(int32_t t) {
        if (static_cast<int64_t>(tokens_.size()) >= max_tokens_) {
            return false;
        }
        tokens_.push_back(t);
        return true;
    }

    Rng& rng_;
    int64_t max_tokens_;
    std::vector<int32_t> tokens_;
};

int32_t apply(int32_t op, std::vector<int32_t>& args) {
    switch (op) {
        case listops::kMin:
            return *std::min_element(args.begin(), args.end());
        case listops::kMax:
            return *std::max_element(args.begin(), args.end());
        case listops::kMed: {
            // int(np.median(args)): the mean of the two middle values for an even count, truncated.
            std::sort(args.begin(), args.end());
            const size_t n = args.size();
            return n % 2 == 1 ? args[n / 2] : (args[n / 2 - 1] + args[n / 2]) / 2;
        }
        default: {
            int32_t sum = 0;
            for (int32_t a : args) {
                sum += a;
            }
            return sum % 10;
        }
    }
}

}  // namespace

int32_t evaluate_listops(std::span<const int32_t> tokens) {
    size_t n = tokens.size();
    while (n > 0 && tokens[n - 1] == listops::kPad) {
        --n;
    }
    if (n == 0) {
        throw std::invalid_argument("evaluate_listops: tokens must hold an expression, got only padding");
    }
    // One frame per open operator: its id and the argument values seen so far.
    std::vector<std::pair<int32_t, std::vector<int32_t>>> stack;
    int32_t result = -1;
    for (size_t i = 0; i < n; ++i) {
        const int32_t t = tokens[i];
        if (result >= 0) {
            throw std::invalid_argument("evaluate_listops: tokens after the complete expression at index " +
                                        std::to_string(i));
        }
        int32_t value = -1;
        if (t >= listops::kDigit0 && t < listops::kDigit0 + 10) {
            value = t - listops::kDigit0;
        } else if (t >= listops::kMin && t <= listops::kSumMod) {
            stack.push_back({t, {}});
            continue;
        } else if (t == listops::kClose) {
            if (stack.empty() || stack.back().second.empty()) {
                throw std::invalid_argument("evaluate_listops: ']' at index " + std::to_string(i) +
                                            " closes no operator with arguments");
            }
            value = apply(stack.back().first, stack.back().second);
            stack.pop_back();
        } else {
            throw std::invalid_argument("evaluate_listops: token id must be in [1, " +
                                        std::to_string(listops::kVocab) + ") inside the expression, got " +
                                        std::to_string(t) + " at index " + std::to_string(i));
        }
        if (stack.empty()) {
            result = value;
        } else {
            stack.back().second.push_back(value);
        }
    }
    if (!stack.empty()) {
        throw std::invalid_argument("evaluate_listops: expression must be closed, got " +
                                    std::to_string(stack.size()) + " unclosed operator(s)");
    }
    return result;
}

TaskInput make_listops(uint64_t seed, int64_t seq_len) {
    detail::require_min_seq_len("listops", seq_len, listops::kMinSeqLen);
    Rng rng = Rng::for_stream(seed, "lra/listops");
    int64_t min_length = seq_len / 4;
    // Lengths of at least 4 ("[OP d d ]") make the root an operator, as LRA's min_length of 500 does.
    min_length = std::max<int64_t>(min_length, 3);
    for (int attempt = 1;; ++attempt) {
        TreeWriter writer(rng, seq_len);
        if (writer.generate(1) && static_cast<int64_t>(writer.tokens().size()) > min_length) {
            TaskInput in;
            in.tokens = std::move(writer.tokens());
            in.label = evaluate_listops(in.tokens);
            in.tokens.resize(static_cast<size_t>(seq_len), listops::kPad);
            in.seq_len = seq_len;
            in.rows = 1;
            in.vocab = listops::kVocab;
            return in;
        }
        if (attempt % kAttemptsPerRelax == 0 && min_length > 3) {
            min_length = std::max<int64_t>(min_length / 2, 3);
        }
    }
}

}  // namespace ssmsim::workloads
