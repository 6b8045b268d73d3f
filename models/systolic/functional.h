// The data side of the systolic model. GEMM tiles run on the array and scan chunks on the scan engine,
// tile by tile as the controller issues them, so the tiling, the loop orders and the state carried
// between chunks are what produce the output bytes. Elementwise ops, norms, softmax and the other vector-
// unit ops run the contract's kernels (reference/ops) once per op: their per-element arithmetic is the
// contract itself, and only their timing is the vector unit's.
#pragma once

#include <cstdint>
#include <span>

#include "sim/trace/trace.h"

namespace ssmsim::systolic {

// One output tile of y[M, N] = x[M, K] . w[N, K]^T (+ bias), rows [m0, m1) and columns [n0, n1), K whole.
// Integer sums are exact (docs/numerics.md, "Common rules"), so the K folds the array accumulates one after
// another are summed here in one pass. out8: requantized int8 output (linear); out32: raw int32 (classifier).
struct GemmOperands {
    const int8_t* x = nullptr;
    const int8_t* w = nullptr;
    const int32_t* bias = nullptr;  // may be null
    int64_t k = 0, n = 0;
    int64_t mult = 0;
    int shift = 0;
    int8_t* out8 = nullptr;
    int32_t* out32 = nullptr;
};
void gemm_tile(const GemmOperands& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1, uint64_t& saturations);

// The contract's runtime value checks for the ops the model computes itself (docs/numerics.md, "Runtime
// value checks"); the message is the reference's.
void check_op_values(const Trace& trace, const OpDecl& op, TensorStore& store);

// Runs an op with the contract kernel; returns its saturation count.
uint64_t run_contract_kernel(const Trace& trace, const OpDecl& op, TensorStore& store);

}  // namespace ssmsim::systolic
