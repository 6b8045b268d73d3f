// The ssmsim command line as a function, shared by the executable (app/main.cpp) and the Python module
// (python/src/module.cpp): both parse and run the same commands, so their report.json files are the same.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace ssmsim::cli {

// A command line that does not parse: CLI11's words, or the unknown command named.
struct UsageError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// Registers every model with the backend registry; later calls do nothing.
void register_models();

// Parses args (args[0] is the program name) and runs the command; returns its exit code (--help and
// --version print on stdout and return 0). Throws UsageError for a bad command line and lets the commands'
// exceptions through (InputError, interrupt::Interrupted, ...) for the caller to map.
int dispatch(const std::vector<std::string>& args);

}  // namespace ssmsim::cli
