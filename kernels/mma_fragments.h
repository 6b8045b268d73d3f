// Which matrix element each lane holds in the fragments of mma.sync.aligned.m16n8k32 with 8-bit operands
// (PTX ISA, "Matrix Fragments for mma.m16n8k32"): register `reg`, byte `byte` of lane `lane`. A is 16 x 32
// row-major (four 32-bit registers), B is 32 x 8 column-major (two registers), C/D is 16 x 8 int32 (four).
// The attention and GEMM kernels, and their host-side replays, index fragments through these alone.
#pragma once

#include "sim/numerics/fixed_point.h"  // SSMSIM_HD

namespace ssmsim::cuda::mma_m16n8k32 {

SSMSIM_HD constexpr int a_row(int lane, int reg) { return (lane >> 2) + 8 * (reg & 1); }
SSMSIM_HD constexpr int a_col(int lane, int reg, int byte) { return 4 * (lane & 3) + 16 * (reg >> 1) + byte; }
SSMSIM_HD constexpr int b_k(int lane, int reg, int byte) { return 4 * (lane & 3) + 16 * reg + byte; }
SSMSIM_HD constexpr int b_n(int lane) { return lane >> 2; }
SSMSIM_HD constexpr int c_row(int lane, int i) { return (lane >> 2) + 8 * (i >> 1); }
SSMSIM_HD constexpr int c_col(int lane, int i) { return 2 * (lane & 3) + (i & 1); }

}  // namespace ssmsim::cuda::mma_m16n8k32
