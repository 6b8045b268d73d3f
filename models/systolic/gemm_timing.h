// Compute cycles of a GEMM on an R x C systolic array, as SCALE-Sim v2 counts them (Samajdar et al.,
// ISPASS 2020; scale-sim-v2 scalesim/compute/systolic_compute_{ws,os}.py): a GEMM needs
// ceil(Sr/R) * ceil(Sc/C) folds, run back to back, each paying its own fill and drain:
//   ws: 2R + C + T - 2 cycles per fold (R to load the weights, T to stream, R + C - 2 of skew)
//   os: R + C + T - 2 cycles per fold (v2 drains the outputs inside the skew; the paper's formula says 2R)
// A GEMM y[M,N] = x[M,K] * w[N,K]^T maps as
//   output stationary (os): Sr = M, Sc = N, T = K
//   weight stationary (ws): Sr = K, Sc = N, T = M
#pragma once

#include <cstdint>

#include "models/systolic/spec.h"

namespace ssmsim::systolic {

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct GemmShape {
    int64_t m, k, n;
};

struct FoldMap {
    int64_t sr, sc, t;
};

FoldMap fold_map(Dataflow d, GemmShape g);

// Cycles of one fold that streams t vectors.
int64_t fold_cycles(Dataflow d, int64_t t, int64_t rows, int64_t cols);

// SCALE-Sim v2's cycle count for the whole GEMM on one array, without memory stalls: folds * per-fold.
// (v2 prints this minus one: it reports the index of the last cycle.)
int64_t scalesim_cycles(Dataflow d, GemmShape g, int64_t rows, int64_t cols);

// Cycles of the model's GEMM tile: `m_rows` output rows by up to `cols` output columns with the full K,
// as the array runs it (ws: ceil(K/R) folds streaming m_rows; os: ceil(m_rows/R) folds streaming K).
// Summed over the tiles of an unblocked GEMM this equals scalesim_cycles (tests/systolic).
int64_t tile_cycles(Dataflow d, int64_t m_rows, int64_t k, int64_t rows, int64_t cols);

}  // namespace ssmsim::systolic
