// The warp-specialized int8 selective scan (scan_selective_split.cu), which scan_i8.cu dispatches to when
// the scan is latency-bound.
#pragma once

#include "kernels/ops.h"

namespace ssmsim::cuda {

// True when the scan's blocks fit one wave at one block per SM (few chains: batch 1 at the LRA shapes),
// where a chain's step is bound by its thread's instruction count and the split kernel pays off.
bool selective_scan_split_fits(const ScanShape& s);

// The split kernel; N at most 64 (the fast kernels' limit), as selective_scan_i8 guarantees. Blocks of
// `block` chains (64 or 128); any other value picks 64 when those blocks fit one wave (more SMs, more helper
// warps per chain), else 128.
void selective_scan_i8_split_launch(const SelectiveScanI8& p, const ScanShape& s, int8_t* y, Clips clips,
                                    int block = 0);

}  // namespace ssmsim::cuda
