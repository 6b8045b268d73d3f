// Elementwise kernels of the numerics contract on the GPU. The arithmetic is sim/numerics/fixed_point.h,
// compiled as device code, so the GPU cannot drift from the reference.
#pragma once

#include <cstdint>

namespace ssmsim::cuda {

// out[i] = requant(acc[i], mult, shift); returns the number of saturations. Pointers are device memory.
uint64_t requant_int32_to_int8(const int32_t* acc, int8_t* out, int64_t n, int64_t mult, int shift);

// out[i] = lut[x[i] + 128]. Pointers are device memory; lut has 256 entries.
void lookup_int8(const int8_t* x, const int8_t* lut, int8_t* out, int64_t n);

}  // namespace ssmsim::cuda
