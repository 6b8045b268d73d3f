// Helpers shared by the kernel files: error checks, grid sizes, and the warp-aggregated saturation counter.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "kernels/cuda_check.h"
#include "kernels/ops.h"
#include "sim/numerics/fixed_point.h"

namespace ssmsim::cuda {

// After every launch: a bad configuration is reported here, not at the next synchronisation.
inline void check_launch(const char* kernel) { check(cudaGetLastError(), kernel); }

inline unsigned blocks_for(int64_t n, int threads, int64_t cap = 132 * 32) {
    return static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>((n + threads - 1) / threads, cap)));
}

// The current device's SM count (asked once).
inline int sm_count() {
    static const int sms = [] {
        int dev = 0, v = 0;
        check(cudaGetDevice(&dev), "cudaGetDevice");
        check(cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, dev), "cudaDeviceGetAttribute");
        return v > 0 ? v : 1;
    }();
    return sms;
}

// Adds a thread's saturation count to the op's counter.
// Saturations are rare, so one atomic per thread that saw any costs nothing measurable.
__device__ __forceinline__ void add_clips(Clips clips, uint64_t local) {
    if (local && clips) atomicAdd(clips, static_cast<unsigned long long>(local));
}

}  // namespace ssmsim::cuda
