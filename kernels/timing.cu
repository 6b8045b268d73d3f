// A kernel that only waits: queued ahead of timed work, it lets the host enqueue everything else first.
#include "kernels/common.cuh"

namespace ssmsim::cuda {

namespace {

__global__ void hold_kernel(unsigned long long ns) {
    unsigned long long start, now;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
    do {
        __nanosleep(1000);
        asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
    } while (now - start < ns);
}

}  // namespace

void hold_gpu(double ms) {
    hold_kernel<<<1, 1>>>(static_cast<unsigned long long>(ms * 1e6));
    check_launch("hold_kernel");
}

namespace {
__global__ void empty_kernel() {}
}  // namespace

void launch_empty() {
    empty_kernel<<<1, 32>>>();
    check_launch("empty_kernel");
}

}  // namespace ssmsim::cuda

namespace ssmsim::cuda {

namespace {

// A counter-based hash (splitmix64): the same seed gives the same data on any GPU and grid size.
__device__ __forceinline__ uint64_t mix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

template <typename T>
__global__ void fill_kernel(T* p, int64_t n, uint64_t seed, int64_t lo, int64_t hi) {
    const uint64_t span = static_cast<uint64_t>(hi - lo + 1);
    for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
         i += int64_t{gridDim.x} * blockDim.x)
        p[i] = static_cast<T>(lo + static_cast<int64_t>(mix(seed * 0x100000001B3ull + i) % span));
}

__global__ void fill_f32_kernel(float* p, int64_t n, uint64_t seed, float lo, float hi) {
    for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
         i += int64_t{gridDim.x} * blockDim.x)
        p[i] = lo + (hi - lo) * static_cast<float>(mix(seed * 0x100000001B3ull + i) >> 40) * 0x1p-24f;
}

template <typename T>
void fill(T* p, int64_t n, uint64_t seed, int64_t lo, int64_t hi) {
    fill_kernel<T><<<blocks_for(n, 256), 256>>>(p, n, seed, lo, hi);
    check_launch("fill_kernel");
}

}  // namespace

void fill_random(int8_t* p, int64_t n, uint64_t seed, int64_t lo, int64_t hi) { fill(p, n, seed, lo, hi); }
void fill_random(int16_t* p, int64_t n, uint64_t seed, int64_t lo, int64_t hi) { fill(p, n, seed, lo, hi); }
void fill_random(int32_t* p, int64_t n, uint64_t seed, int64_t lo, int64_t hi) { fill(p, n, seed, lo, hi); }
void fill_random(float* p, int64_t n, uint64_t seed, float lo, float hi) {
    fill_f32_kernel<<<blocks_for(n, 256), 256>>>(p, n, seed, lo, hi);
    check_launch("fill_f32_kernel");
}

}  // namespace ssmsim::cuda
