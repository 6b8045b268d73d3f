// The op catalogue (contract, docs/numerics.md): for every op kind, its inputs, attributes and shape rules,
// used to validate a trace before anything runs, and its work (MACs, bytes) used by every model's report.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/trace/trace.h"

namespace ssmsim {

struct OpCost {
    int64_t macs = 0;        // multiply-accumulates (a scan step counts Ā·h, B̄·x and C·h)
    int64_t vector_ops = 0;  // elementwise work: LUT lookups, requantizations, norm and softmax steps
    int64_t bytes_read = 0;  // sizes of the input tensors
    int64_t bytes_written = 0;
};

// Where an op sits, for error messages: the trace file and the op's index.
struct OpSite {
    const Trace& trace;
    const OpDecl& op;
    size_t index;
    std::string file;  // trace.json path as the user named it
};

struct OpSchema {
    std::string_view kind;
    std::string_view summary;
    void (*check)(const OpSite&);  // throws InputError
    OpCost (*cost)(const Trace&, const OpDecl&);
};

// The work of a whole trace: every op's cost, summed.
OpCost total_cost(const Trace& trace);

// nullptr for an unknown kind.
const OpSchema* find_op_schema(std::string_view kind);
std::vector<std::string_view> op_kinds();

// Limits that keep every integer intermediate inside int64 (docs/numerics.md, "Ranges").
namespace limits {
inline constexpr int64_t kMaxSeqLen = int64_t{1} << 22;
inline constexpr int64_t kMaxReduction = int64_t{1} << 16;  // K of linear, D of norms
inline constexpr int64_t kMaxState = 4096;                  // N of the scans
inline constexpr int64_t kMaxHeadDim = 4096;
inline constexpr int64_t kMaxConvWidth = 64;
inline constexpr int64_t kMaxMult = (int64_t{1} << 31) - 1;
inline constexpr int64_t kMaxNormMult = (int64_t{1} << 24) - 1;
inline constexpr int64_t kMaxShift = 62;
inline constexpr int64_t kMaxBiasMagnitude = (int64_t{1} << 30) - 1;  // so bias + dot stays < 2^31
inline constexpr int64_t kMaxTableSize = 65536;
}  // namespace limits

}  // namespace ssmsim
