// Kernel timings over a grid of shapes (GEMM over 3+ decades of M, N, K; scans over L, D, N; conv1d;
// elementwise; norms; attention; device copies), written as CSV with provenance: the calibration and
// validation data of the GPU timing model (models/gpu).
#pragma once

#include <string>
#include <vector>

#include "kernels/harness/gemm_shapes.h"

namespace ssmsim::cuda {

struct BenchOptions {
    std::string out;      // CSV path
    std::string filter;   // run only kernels whose name contains this
    std::string command;  // the command line, for the provenance header
    bool quick = false;   // a few points per kernel (a smoke test)
    // Non-empty: the int8 GEMM at exactly these shapes, in place of the grid's GEMM points (--gemm-shapes:
    // the LRA workloads' linear shapes, to compare with cuBLASLt timed the same way).
    std::vector<GemmShape> gemm_shapes;
    int reps = 11;         // timed repetitions per point; the median is reported
    double power_s = 0;    // > 0: also each point's board power, its launches run back to back this long
    int power_stride = 1;  // board power at every k-th point of each kernel (in grid order) ...
    double power_min_us = 10.0;  // ... whose launch takes at least this long (shorter: launch gaps)
    // Datasheet peaks for the fractions: H100 SXM's (int8 dense tensor, FP32 non-tensor, HBM3); run_bench
    // raises the HBM figure to the H200's 4800 GB/s when the device is an H200 (same SMs, faster memory).
    double peak_int8_tops = 1979.0;
    double peak_fp32_tflops = 66.9;
    double peak_hbm_gbps = 3350.0;
    std::string peaks_source = "H100 SXM datasheet";
};

int run_bench(const BenchOptions& options);

}  // namespace ssmsim::cuda
