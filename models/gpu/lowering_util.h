// Internal to models/gpu: the arithmetic every lowering shares (kernels.cpp, kernels_chain.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "models/gpu/kernels.h"
#include "models/gpu/spec.h"
#include "sim/util/error.h"

namespace ssmsim::gpu {

// kernels/common.cuh, blocks_for(): grid-stride kernels cap their grid at 132 * 32 CTAs on every GPU.
constexpr int64_t kGridCap = 132 * 32;

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
inline int64_t blocks_for(int64_t n, int64_t threads) {
    return std::clamp<int64_t>(ceil_div(n, threads), 1, kGridCap);
}
// Part i of `parts` near-equal contiguous parts of [0, total).
inline int64_t part_lo(int64_t total, int64_t parts, int64_t i) { return total * i / parts; }

// CTAs per SM: the tightest of threads, the CTA limit, shared memory (with the per-CTA reservation) and
// registers (allocated per warp in units of 256).
inline void occupancy(KernelLaunch& k, const Spec& s) {
    if (k.smem > s.smem_per_cta) {
        throw InputError("gpu: kernel " + std::string(kernel_name(k.kind)),
                         "at most " + std::to_string(s.smem_per_cta) + " bytes of shared memory per CTA",
                         std::to_string(k.smem) + " bytes");
    }
    struct Limit {
        int64_t n;
        const char* what;
    };
    const int64_t warps = ceil_div(k.threads, 32);
    const int64_t regs_per_warp = ceil_div(k.regs * 32, 256) * 256;
    // A resource a CTA does not use (no shared memory and no reservation, no registers) sets no limit.
    const auto per_sm = [&](int64_t have, int64_t per_cta) {
        return per_cta > 0 ? have / per_cta : s.max_ctas_per_sm;
    };
    const Limit limits[] = {
        {per_sm(s.max_threads_per_sm, warps * 32), "threads"},
        {s.max_ctas_per_sm, "ctas"},
        {per_sm(s.smem_per_sm, k.smem + s.smem_reserved_per_cta), "smem"},
        {per_sm(s.registers_per_sm, regs_per_warp * warps), "registers"},
    };
    const Limit* best = &limits[0];
    for (const Limit& l : limits) {
        if (l.n < best->n) best = &l;
    }
    k.ctas_per_sm = std::max<int64_t>(1, best->n);
    k.occupancy_limit = best->what;
}

inline double issue(const Spec& s, double warp_instr) { return warp_instr / s.issue_per_cycle; }

}  // namespace ssmsim::gpu
