// Microbenchmarks of the scan's dependency chain: how many SM cycles one step of
// h = sat32(rshift_round(abar * h, 15) + bx) takes when nothing else is in the way, and the SM clock, so
// that a scan kernel's time per step can be read in cycles against that floor.
#include "kernels/common.cuh"
#include "kernels/scan_step.cuh"

namespace ssmsim::cuda {

namespace {

// One thread walks the chain. abar and the addend change every step but do not depend on h, as in the
// kernels; the loop is unrolled so that its own bookkeeping overlaps the chain. The forms: the kernels'
// checked step (scan_step.cuh), their speculative step without the saturation (scan_step_unchecked), and
// the contract's helpers as written (for comparison).
template <ChainForm kForm>
__global__ void chain_kernel(int64_t steps, int32_t seed, int32_t* out, long long* cycles) {
    int32_t h = seed;
    uint64_t clips64 = 0;
    uint32_t clips = 0;
    bool bad = false;
    const long long start = clock64();
    for (int64_t i = 0; i < steps; i += 8) {
#pragma unroll
        for (int u = 0; u < 8; ++u) {
            const int32_t abar = 30000 + static_cast<int32_t>((i + u) & 2047);
            const int32_t bx = static_cast<int32_t>(((i + u) * 2654435761LL) & 0xFFFFF) - 0x80000;
            if constexpr (kForm == ChainForm::checked)
                h = scan_step(abar, h, scan_addend(bx), clips);
            else if constexpr (kForm == ChainForm::unchecked)
                h = scan_step_unchecked(abar, h, scan_addend(bx), bad);
            else
                h = fx::sat32(fx::rshift_round(int64_t{abar} * h, fx::kQ15) + bx, clips64);
        }
    }
    const long long stop = clock64();
    out[0] = h + static_cast<int32_t>(clips + clips64) + bad;
    cycles[0] = stop - start;
}

// Counts SM cycles against the global nanosecond timer while it spins for about `ns`.
__global__ void clock_kernel(unsigned long long ns, long long* cycles, unsigned long long* elapsed) {
    unsigned long long t0, t1;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
    const long long c0 = clock64();
    do {
        asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t1));
    } while (t1 - t0 < ns);
    cycles[0] = clock64() - c0;
    elapsed[0] = t1 - t0;
}

}  // namespace

double scan_chain_cycles_per_step(int64_t steps, ChainForm form) {
    int32_t* out = nullptr;
    long long* cycles = nullptr;
    check(cudaMalloc(&out, sizeof(int32_t)), "cudaMalloc");
    check(cudaMalloc(&cycles, sizeof(long long)), "cudaMalloc");
    long long best = 0;
    for (int rep = 0; rep < 5; ++rep) {  // the first launch also loads the module
        const int32_t seed = 12345 + rep;
        if (form == ChainForm::checked)
            chain_kernel<ChainForm::checked><<<1, 1>>>(steps, seed, out, cycles);
        else if (form == ChainForm::unchecked)
            chain_kernel<ChainForm::unchecked><<<1, 1>>>(steps, seed, out, cycles);
        else
            chain_kernel<ChainForm::naive><<<1, 1>>>(steps, seed, out, cycles);
        check_launch("chain_kernel");
        long long c = 0;
        check(cudaMemcpy(&c, cycles, sizeof c, cudaMemcpyDeviceToHost), "download cycles");
        if (rep == 1 || (rep > 1 && c < best)) best = c;
    }
    cudaFree(out);
    cudaFree(cycles);
    return static_cast<double>(best) / static_cast<double>(steps);
}

double sm_clock_mhz() {
    long long* cycles = nullptr;
    unsigned long long* ns = nullptr;
    check(cudaMalloc(&cycles, sizeof(long long)), "cudaMalloc");
    check(cudaMalloc(&ns, sizeof(unsigned long long)), "cudaMalloc");
    clock_kernel<<<1, 1>>>(20'000'000ull, cycles, ns);
    check_launch("clock_kernel");
    long long c = 0;
    unsigned long long t = 0;
    check(cudaMemcpy(&c, cycles, sizeof c, cudaMemcpyDeviceToHost), "download cycles");
    check(cudaMemcpy(&t, ns, sizeof t, cudaMemcpyDeviceToHost), "download ns");
    cudaFree(cycles);
    cudaFree(ns);
    return t ? 1e3 * static_cast<double>(c) / static_cast<double>(t) : 0.0;
}

}  // namespace ssmsim::cuda
