// Random one-op int8 scan traces run on the GPU and compared with the C++ reference byte for byte: the
// shapes the LRA workloads never reach (sequence lengths off the kernels' chunk size, odd channel and state
// counts, both directions, the fused gate, batches, the generic kernels' state sizes) and values that
// saturate.
#pragma once

#include <cstdint>

namespace ssmsim::cuda {

// Runs `cases` random cases from `seed`; prints one line per case; returns the number that failed. With
// `dry_run`, only builds and validates the cases (no GPU needed).
int run_scan_selftest(int cases, uint64_t seed, bool dry_run = false);

}  // namespace ssmsim::cuda
