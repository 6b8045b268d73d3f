#include "models/systolic/gemm_timing.h"

namespace ssmsim::systolic {

FoldMap fold_map(Dataflow d, GemmShape g) {
    return d == Dataflow::os ? FoldMap{g.m, g.n, g.k} : FoldMap{g.k, g.n, g.m};
}

int64_t scalesim_cycles(Dataflow d, GemmShape g, int64_t rows, int64_t cols) {
    const FoldMap f = fold_map(d, g);
    const int64_t folds = ceil_div(f.sr, rows) * ceil_div(f.sc, cols);
    return folds * fold_cycles(d, f.t, rows, cols);
}

int64_t fold_cycles(Dataflow d, int64_t t, int64_t rows, int64_t cols) {
    return (d == Dataflow::ws ? 2 * rows : rows) + cols + t - 2;
}

int64_t tile_cycles(Dataflow d, int64_t m_rows, int64_t k, int64_t rows, int64_t cols) {
    if (d == Dataflow::ws) return ceil_div(k, rows) * fold_cycles(d, m_rows, rows, cols);
    return ceil_div(m_rows, rows) * fold_cycles(d, k, rows, cols);
}

}  // namespace ssmsim::systolic
