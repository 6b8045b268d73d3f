// The GEMM shapes that `ssmsim-cuda bench --gemm-shapes FILE` times our int8 GEMM at: the columns m, n and
// k of a CSV (torch_baseline.py --gemm-out writes one per linear op of every LRA workload), so that our
// kernel and cuBLASLt are timed at the same shapes by the same method.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace ssmsim::cuda {

using GemmShape = std::array<int64_t, 3>;  // m, n, k: y[m, n] = x[m, k] w[n, k]^T

// Every distinct (m, n, k) of the file's rows, in first-seen order. Throws InputError naming the file, the
// row and the column for a missing column, a cell that is not a whole number in [1, 2^20], or a file with
// no rows.
std::vector<GemmShape> read_gemm_shapes(const std::filesystem::path& csv);

}  // namespace ssmsim::cuda
