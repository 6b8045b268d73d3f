// Runs commands of the ssmsim binary in child processes, `jobs` at a time, each with a time limit: a design
// point that crashes or hangs is recorded and the others go on. The SystemC kernel elaborates once per
// process, so one process per design point is also what lets every point have its own configuration.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ssmsim {

struct ChildTask {
    std::vector<std::string> args;  // argv without the program
    std::filesystem::path log;      // stdout and stderr go here
};

struct ChildOutcome {
    bool ok = false;
    int exit_code = -1;  // exit status, or 128 + signal
    bool timed_out = false;
    double wall_s = 0;
    std::string error;  // why it failed: the log's last line, the signal, or the timeout
};

// Runs every task; calls done(i, outcome) in the parent as each ends (completion order).
void run_children(const std::string& program, const std::vector<ChildTask>& tasks, int jobs, double timeout_s,
                  const std::function<void(size_t, const ChildOutcome&)>& done);

// The ssmsim executable that runs design points: the running one, or the one set_self_executable named
// (the Python module, whose running executable is the interpreter, names the one installed beside it).
std::string self_executable();
void set_self_executable(const std::string& path);

}  // namespace ssmsim
