// Running one of the embedded Python scripts (report_plots.py, compare_plots.py) with matplotlib: `ssmsim
// report` and `ssmsim compare` draw their plots this way. The script is written next to its outputs and run
// with its arguments as argv, no shell between, so a path is one argument whatever characters it holds.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ssmsim::cli {

// Writes `script` to `script_path`, runs it under /usr/bin/python3 (SSMSIM_PYTHON picks another
// interpreter) with `args`, and removes it. Throws InputError naming `command` when that Python has no
// matplotlib, std::runtime_error when the script fails.
// Throws that InputError now: a command whose plots come last checks this before it runs for long.
void check_python_matplotlib(const std::string& command);

void run_python_script(const std::string& command, const char* script,
                       const std::filesystem::path& script_path, const std::vector<std::string>& args);

}  // namespace ssmsim::cli
