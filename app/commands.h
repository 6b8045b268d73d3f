// The ssmsim subcommands (DESIGN.md "CLI and outputs", contract).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "app/set_arg.h"
#include "app/workload_arg.h"

namespace ssmsim::cli {

struct RunArgs {
    std::string model = "reference";
    std::string workload;
    WorkloadOptions workload_opts;
    // One model: a config and key=value overrides. --model all: <model>=<config> and <model>:key=value.
    std::vector<std::string> configs;
    std::vector<std::string> sets;
    std::string baseline;  // --model all: the model the ratios are taken against; "": the first timing model
    bool timing_only = false;
    std::string out;
    bool quiet = false;
    bool hash_ops = false;  // report.json's ops[i].output_sha256: every op's outputs hashed
};

int cmd_run(const RunArgs& a);
int cmd_gen(const std::string& workload, const WorkloadOptions& opts, const std::string& out,
            bool shape_only);
int cmd_validate(const std::string& path, const WorkloadOptions& opts);
int cmd_list();

}  // namespace ssmsim::cli
