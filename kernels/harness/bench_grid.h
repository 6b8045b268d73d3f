// Kernel timings over a grid of shapes (GEMM over 3+ decades of M, N, K; scans over L, D, N; conv1d;
// elementwise; norms; attention; device copies), written as CSV with provenance: the calibration and
// validation data of the GPU timing model (models/gpu).
#pragma once

#include <string>

namespace ssmsim::cuda {

struct BenchOptions {
    std::string out;                 // CSV path
    std::string filter;              // run only kernels whose name contains this
    std::string command;             // the command line, for the provenance header
    bool quick = false;              // a few points per kernel (a smoke test)
    int reps = 11;                   // timed repetitions per point; the median is reported
    double peak_int8_tops = 1979.0;  // H100 SXM dense int8 tensor peak (datasheet)
    double peak_fp32_tflops = 66.9;  // H100 SXM FP32 (non-tensor) peak
    double peak_hbm_gbps = 3350.0;   // H100 SXM HBM3 peak
};

int run_bench(const BenchOptions& options);

}  // namespace ssmsim::cuda
