// Random one-op int8 traces of the kernels with the most intricate mappings (the scans and attention), run
// on the GPU and compared with the C++ reference byte for byte: shapes the LRA workloads never reach
// (sequence lengths off the kernels' chunk and tile sizes, odd channel, state and head counts, both scan
// directions, the fused gate, causal masks, batches, the fallback kernels' shapes) and values that saturate.
#pragma once

#include <cstdint>

namespace ssmsim::cuda {

// Runs `cases` random cases from `seed`; prints one line per case; returns the number that failed. With
// `dry_run`, only builds and validates the cases (no GPU needed).
int run_kernel_selftest(int cases, uint64_t seed, bool dry_run = false);

}  // namespace ssmsim::cuda
