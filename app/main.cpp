// ssmsim: the command-line front end. Parses arguments and runs the command (app/cli.h), and maps errors to
// exit codes: 0 success, 1 internal error, 2 bad input (the message names the file and field), 128 + n when
// signal n ended it. Every error is one line on stderr: "ssmsim: error: <where>: expected ..., found ...".
#include <fmt/format.h>

#include "app/cli.h"
#include "sim/util/error.h"
#include "sim/util/interrupt.h"
#include "sim/util/one_line.h"

namespace {

// One line on stderr, whatever bytes the message holds.
int print_error(const char* kind, const std::string& message, int code) {
    fmt::print(stderr, "ssmsim: {}: {}\n", kind, ssmsim::one_line(message));
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    namespace interrupt = ssmsim::interrupt;
    interrupt::install();
    interrupt::follow_parent_from_environment();
    try {
        return ssmsim::cli::dispatch(std::vector<std::string>(argv, argv + argc));
    } catch (const interrupt::Interrupted& e) {
        print_error("error", e.what(), 0);
        interrupt::die_of(e.signal);
    } catch (const ssmsim::InputError& e) {
        return print_error("error", e.what(), 2);
    } catch (const std::invalid_argument& e) {  // UsageError among them
        return print_error("error", e.what(), 2);
    } catch (const std::exception& e) {
        return print_error("internal error", e.what(), 1);
    }
    return 0;
}
