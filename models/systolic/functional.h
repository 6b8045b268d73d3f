// The data side of the systolic model: every op's output bytes are computed by the unit that the mapper
// (mapper.h) gives the op, one tile at a time, inside the tile's job (Tile::work), with the contract's
// arithmetic from sim/numerics/contract_ops.h. So the tiling, the loop orders and what a tile carries to
// the next (scan state, a query block's scores, pool sums) are what produce the bytes: a dropped tile, a
// wrong tile edge or a lost carry changes them.
//   array        linear, classifier: one output tile (an M block x C columns) per job, K whole.
//                attention: QKᵀ of a query block (folds of C keys), then P·V (folds of C head columns, the
//                Q1.15 probabilities in two byte passes).
//   scan unit    selective_scan, s4d_scan: one channel group over one sequence chunk (scan_engine.h).
//   vector unit  attention's softmax of a query block (row max; exp by table and sum; probability), and the
//                row tiles of every elementwise op, norm, conv1d, pool and embedding (vector_ops.h).
//   DMA          reshape: the bytes copied as its transfer.
// docs/models/systolic.md ("Functional execution") says the same per op.
#pragma once

#include <cstdint>
#include <vector>

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

// Attention's operands, hoisted once per op.
struct AttentionOperands {
    const int8_t* q = nullptr;
    const int8_t* k = nullptr;
    const int8_t* v = nullptr;
    const int32_t* table = nullptr;  // Q1.15 exponentials
    int64_t table_size = 0;
    int64_t len = 0, width = 0, dh = 0;  // dh: the head's width
    bool causal = false;
    int64_t score_mult = 0;
    int score_shift = 0;
    int64_t cols = 0;  // the array's columns (C): the width of a fold
    int8_t* out = nullptr;
};

// Query rows [q0, q0 + rows) of head `head` of batch item `b`, against keys [0, keys) (causal: the keys up
// to the block's last row; a row's later keys are masked by the softmax).
struct QueryBlock {
    int64_t b = 0, head = 0, q0 = 0, rows = 0, keys = 0;
};

// What a query block keeps between its three jobs: its int32 scores in the array's accumulators (rows x
// keys), which the softmax overwrites with exponentials and then with Q1.15 probabilities; the rows' maxima
// and sums; the P·V accumulators of the two byte passes.
struct AttentionScratch {
    std::vector<int32_t> s;
    std::vector<int32_t> best;
    std::vector<int64_t> sum;
    std::vector<int64_t> acc;
};

// Array: the block's scores S = Q K^T, fold by fold (C keys per fold, the head's width streamed).
void attention_scores(const AttentionOperands& a, const QueryBlock& blk, AttentionScratch& s);
// Vector unit: the softmax's three passes over the block's scores (row max; exponential by table and row
// sum; probability), masked keys given probability 0.
void attention_softmax(const AttentionOperands& a, const QueryBlock& blk, AttentionScratch& s);
// Array: O = P V, fold by fold (C head columns per fold, the keys streamed), once for the probabilities'
// high byte and once for their low byte; the output stage adds the passes (high << 8) and rounds.
void attention_pv(const AttentionOperands& a, const QueryBlock& blk, AttentionScratch& s,
                  uint64_t& saturations);

}  // namespace ssmsim::systolic
