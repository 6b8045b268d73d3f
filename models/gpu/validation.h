// The model against reference/gpu-timings/h100.csv (docs/models/gpu.md, "Validation"). The split rule:
// rows are grouped by kernel in file order; within a kernel, rows 0, 2, 4, ... are the calibration half
// and rows 1, 3, 5, ... the held-out half. The grid is swept in order of size, so both halves span it.
// Each row is predicted as it was measured: the harness rotates buffer sets of at least 4 x L2, so a timed
// launch finds the L2 full of earlier launches' buffers, dirty in the share of their outputs, and its own
// buffers cold.
#pragma once

#include <string>
#include <vector>

#include "models/gpu/kernels.h"
#include "models/gpu/spec.h"
#include "models/gpu/top.h"

namespace ssmsim::gpu {

struct MeasuredRow {
    std::string kernel;    // the CSV's kernel column
    std::string op_class;  // gemm, elementwise, scan, conv1d, norm, attention
    KernelShape shape;
    double measured_us = 0;
    bool heldout = false;
    double power_w = 0;  // board power with the launches back to back (bench --power); 0: not measured
    double sm_mhz = 0;   // the mean SM clock while power_w was measured
    // set_bytes x buffer_sets: the memory the timed launches rotated over (0: the CSV does not say). Where it
    // fits in the L2, every launch found its inputs there, left by the launch of the same set before.
    int64_t rotation_bytes = 0;
};

std::vector<MeasuredRow> load_timings(const std::string& csv_path);

// Predicted kernel times (microseconds), one per row, through the SystemC model, as the grid was measured:
// each launch pays the stream's gap (launch.stream_kernel_ns), and a row whose rotation fits in the L2 is
// predicted warm (its own launch run once before, so its inputs are L2 hits), the others cold (the L2 full
// of other data).
std::vector<double> predict_us(const std::vector<MeasuredRow>& rows, const Spec& spec);
// The same runs' whole results (cycles, MACs, instructions, L2 and HBM bytes, energy), one per row.
std::vector<OpResult> predict_results(const std::vector<MeasuredRow>& rows, const Spec& spec);

struct ErrorStats {
    std::string name;
    int n = 0;
    double mape = 0, max_abs_pct = 0;  // percent
};
// Per class, then "overall", over the rows with heldout == want_heldout.
std::vector<ErrorStats> error_stats(const std::vector<MeasuredRow>& rows, const std::vector<double>& pred,
                                    bool want_heldout);

// Byte sizes of a shape's operands by tensor id (the L2 needs them for a tensor's last block).
void operand_bytes(const KernelShape& s, std::vector<int64_t>& bytes);

}  // namespace ssmsim::gpu
