// `ssmsim sweep` and `ssmsim report` (docs/sweeps.md).
#pragma once

#include <string>

namespace ssmsim::cli {

struct SweepArgs {
    std::string file;
    std::string out;
    int jobs = 0;  // 0: the number of cores
    bool quiet = false;
    bool retry_failed = false;
};

int cmd_sweep(const SweepArgs& a);
int cmd_report(const std::string& dir);

}  // namespace ssmsim::cli
