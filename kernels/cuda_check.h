// The CUDA runtime's error codes as exceptions, for the kernels' host code and the harness alike.
#pragma once

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace ssmsim::cuda {

inline void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess)
        throw std::runtime_error(std::string("CUDA: ") + what + ": " + cudaGetErrorString(e));
}

}  // namespace ssmsim::cuda
