#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "kernels/elementwise.h"
#include "sim/numerics/fixed_point.h"

namespace ssmsim::cuda {

namespace {

void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

__global__ void requant_kernel(const int32_t* acc, int8_t* out, int64_t n, int64_t mult, int shift,
                               unsigned long long* clips) {
    uint64_t local = 0;
    for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
         i += int64_t{gridDim.x} * blockDim.x) {
        out[i] = fx::requant(acc[i], mult, shift, local);
    }
    if (local) atomicAdd(clips, static_cast<unsigned long long>(local));
}

__global__ void lookup_kernel(const int8_t* x, const int8_t* lut, int8_t* out, int64_t n) {
    __shared__ int8_t table[256];
    for (int i = threadIdx.x; i < 256; i += blockDim.x) table[i] = lut[i];
    __syncthreads();
    for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
         i += int64_t{gridDim.x} * blockDim.x) {
        out[i] = table[fx::lut_index(x[i])];
    }
}

int blocks_for(int64_t n) { return static_cast<int>(std::min<int64_t>((n + 255) / 256, 4096)); }

}  // namespace

uint64_t requant_int32_to_int8(const int32_t* acc, int8_t* out, int64_t n, int64_t mult, int shift) {
    unsigned long long* clips = nullptr;
    check(cudaMalloc(&clips, sizeof *clips), "cudaMalloc");
    check(cudaMemset(clips, 0, sizeof *clips), "cudaMemset");
    requant_kernel<<<blocks_for(n), 256>>>(acc, out, n, mult, shift, clips);
    check(cudaGetLastError(), "requant_kernel");
    unsigned long long host = 0;
    check(cudaMemcpy(&host, clips, sizeof host, cudaMemcpyDeviceToHost), "cudaMemcpy");
    cudaFree(clips);
    return host;
}

void lookup_int8(const int8_t* x, const int8_t* lut, int8_t* out, int64_t n) {
    lookup_kernel<<<blocks_for(n), 256>>>(x, lut, out, n);
    check(cudaGetLastError(), "lookup_kernel");
}

}  // namespace ssmsim::cuda
