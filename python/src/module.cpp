// ssmsim._ssmsim: the command line of the executable, in the Python process. ssmsim/__init__.py builds the
// arguments; dispatch() parses and runs them exactly as the executable does, so a report.json written from
// Python equals the executable's byte for byte. Errors become Python exceptions instead of exit codes.
#include <cstdio>
#include <stdexcept>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "app/cli.h"
#include "sim/sweep/runner.h"
#include "sim/util/error.h"

namespace py = pybind11;

PYBIND11_MODULE(_ssmsim, m) {
    m.doc() = "ssmsim's commands, run in this process (use the ssmsim package, not this module)";
    ssmsim::cli::register_models();

    // Bad input (a file, a field, a value) and a command line that does not parse: ssmsim.InputError, a
    // ValueError whose message is the executable's one-line error.
    static py::exception<ssmsim::InputError> input_error(m, "InputError", PyExc_ValueError);
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const ssmsim::InputError& e) {
            input_error(e.what());
        } catch (const std::invalid_argument& e) {
            input_error(e.what());
        }
    });

    m.def(
        "dispatch",
        [](const std::vector<std::string>& args) {
            int rc = 0;
            {
                py::gil_scoped_release unlocked;  // a long simulation does not hold up other Python threads
                rc = ssmsim::cli::dispatch(args);
            }
            std::fflush(stdout);  // the commands print with C stdio; keep their lines ahead of Python's
            return rc;
        },
        py::arg("args"), "Runs an ssmsim command line (args[0] is the program name); returns its exit code.");
    m.def("set_worker_executable", &ssmsim::set_self_executable, py::arg("path"),
          "The ssmsim executable that runs a sweep's design points, one process each.");
}
