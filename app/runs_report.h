// `ssmsim report RUN...` (docs/trace-format.md, "Comparing runs"): the report.json of any set of `ssmsim run
// --out` folders side by side, as a table, runs.csv and the runs' ops.csv merged, instead of every user's
// own merging script.
#pragma once

#include <string>
#include <vector>

namespace ssmsim::cli {

struct ReportArgs {
    std::vector<std::string> dirs;  // a sweep folder, or run folders (`run --model all` folders expand)
    std::string out;                // runs.csv: one row per run
    std::string ops_out;            // the runs' ops.csv, one after the other, with a `run` column first
};

// A single sweep folder gets the sweep report (cmd_report); anything else, the runs report.
int cmd_report_any(const ReportArgs& a);

}  // namespace ssmsim::cli
