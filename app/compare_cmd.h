// `ssmsim compare` (docs/compare.md): workloads x batches x models in one table, simulated rows from each
// model's report and measured rows from the committed GPU timings, with ratios against a baseline row.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ssmsim::cli {

struct CompareArgs {
    std::string workloads;             // "lra:all", "lra:image", "lra:image:mamba", trace folders; commas
    std::string models;                // "systolic,systolic@epoch,gpu,measured-gpu"
    std::vector<std::string> configs;  // "<label>=<config name or path>"
    std::vector<std::string> sets;     // "<label>:<key>=<value>"
    std::string batches = "1";         // "1,32"
    bool batches_given = false;
    int64_t seq_len = 0;  // 0: every task's full length
    uint64_t seed = 1;
    bool timing_only = false;
    std::string baseline;  // a row label; "": measured-gpu when listed, else the first model
    std::string out;
    bool quiet = false;
    std::vector<std::string> command_line;  // for compare.json's provenance
};

int cmd_compare(const CompareArgs& a);

}  // namespace ssmsim::cli
