// Measured rows of `ssmsim compare`: end-to-end times taken on a real GPU, read from the committed CSV
// reference/gpu-timings/h200-lra-e2e.csv (compiled into the binary, so the CLI needs no install path), and
// for our kernels the board power of the same passes from reference/gpu-timings/h200-lra-power.csv.
// Two sources share that file: our CUDA kernels (`measured-gpu`, column ours_graph_ms) and the PyTorch float
// baseline (`pytorch`, column torch_best_ms). A figure exists only for a full-length lra: workload at a batch
// the CSV holds; anything else has none, and the caller prints n/a rather than scale or guess one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ssmsim::cli {

struct MeasuredFigure {
    double latency_ms;       // one forward pass of the whole batch
    std::string method;      // how it ran ("CUDA Graph, int8", "PyTorch graph, float")
    std::string provenance;  // GPU, date, commit of this row's measurement
    // Board power while the pass ran back to back (measured-gpu only: reference/gpu-timings/
    // h200-lra-power.csv, NVML's energy counter); none where it was not measured.
    std::optional<double> power_w;
    std::string power_provenance;
};

struct MeasuredSource {
    std::string name;         // "measured-gpu" or "pytorch", as given in --models
    std::string file;         // the CSV's path in the repository
    std::string description;  // one line for the provenance of compare.json
    std::vector<int64_t> batches;
    // The figure for task/arch at `batch` and sequence length `seq_len`; none when it was not measured
    // there (or ran out of memory).
    std::optional<MeasuredFigure> find(const std::string& task, const std::string& arch, int64_t batch,
                                       int64_t seq_len) const;

    struct Row {
        std::string task, arch;
        int64_t batch = 0, seq_len = 0;
        std::optional<MeasuredFigure> figure;
    };
    std::vector<Row> rows;
};

// The measured sources by name; nullptr for a name that is none of them.
const MeasuredSource* find_measured_source(const std::string& name);
std::vector<std::string> measured_source_names();

}  // namespace ssmsim::cli
