// The generic int8 scan kernels (scan.cu): any state size up to the contract's 4096. scan_i8.cu's fast
// kernels cover the common sizes and fall back to these.
#pragma once

#include "kernels/ops.h"

namespace ssmsim::cuda {

void selective_scan_i8_generic(const SelectiveScanI8& p, const ScanShape& s, int8_t* y, Clips clips);
void s4d_scan_i8_generic(const S4dScanI8& p, const ScanShape& s, int8_t* y, Clips clips);

}  // namespace ssmsim::cuda
