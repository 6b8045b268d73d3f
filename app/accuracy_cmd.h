// `ssmsim accuracy --workload lra:<task>:<arch> --weights DIR --test DATASET` (docs/accuracy.md): one model
// over a test set from `ssmsim dataset`: accuracy, the confusion matrix, per example the prediction and its
// agreement with the float32 reference, and on a timing model the latency and energy per inference.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace ssmsim::cli {

struct AccuracyArgs {
    std::string workload;  // lra:<task>:<arch>
    std::string weights;   // float32 parameters (--weights of run)
    std::string test;      // a folder from `ssmsim dataset`
    std::string model = "reference";
    std::string numerics = "int8";
    std::string config;
    std::vector<std::string> sets;
    std::vector<std::string> fake_quant;  // op kinds put on the int8 grid in a float32 run (sensitivity)
    int64_t calibrate = 1;                // int8 calibration examples (WorkloadSpec::calibration_samples)
    int64_t count = 0;                    // the first `count` examples (0: all)
    int64_t batch = 1;                    // examples per simulated run
    int jobs = 0;                         // processes (0: the number of cores)
    std::string out;
    std::string shard;  // "k/J": a worker process's part (internal)
    bool quiet = false;
};

CLI::App* add_accuracy_command(CLI::App& app, AccuracyArgs& a);
int cmd_accuracy(const AccuracyArgs& a);

}  // namespace ssmsim::cli
