#include "app/python_script.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "sim/util/atomic_file.h"
#include "sim/util/error.h"
#include "sim/util/interrupt.h"

extern char** environ;

namespace ssmsim::cli {

namespace fs = std::filesystem;

namespace {

// Runs argv[0] (looked up in PATH) with these arguments, no shell between: a path is one argument whatever
// characters it holds. Returns the wait status; `quiet` sends the child's stdout and stderr to /dev/null.
int spawn_and_wait(const std::vector<std::string>& args, bool quiet) {
    std::vector<std::string> argv_s(args);
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (quiet) {
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    }
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return -1;  // not started (not found, not executable)
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return status;
}

bool exited_ok(int status) { return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0; }

// Debian's matplotlib is seen by /usr/bin/python3; SSMSIM_PYTHON picks another interpreter.
std::string python() {
    const char* env = std::getenv("SSMSIM_PYTHON");
    return env ? env : (fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
}

}  // namespace

void check_python_matplotlib(const std::string& command) {
    if (!exited_ok(spawn_and_wait({python(), "-c", "import matplotlib"}, true))) {
        throw InputError(command, "python3 with matplotlib (apt-get install python3-matplotlib)",
                         python() + " without matplotlib");
    }
}

void run_python_script(const std::string& command, const char* script, const fs::path& script_path,
                       const std::vector<std::string>& args) {
    check_python_matplotlib(command);
    const interrupt::TempFile script_removed_on_signal(script_path.string());  // Ctrl-C must not leave it
    write_file_atomic(script_path, script);
    std::vector<std::string> argv{python(), script_path.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    const int rc = spawn_and_wait(argv, false);
    fs::remove(script_path);
    if (!exited_ok(rc)) {
        throw std::runtime_error(
            rc >= 0 && WIFEXITED(rc)
                ? "the " + command + " plotting script failed (exit " + std::to_string(WEXITSTATUS(rc)) + ")"
                : "the " + command + " plotting script did not run to its end (" + python() + ")");
    }
}

}  // namespace ssmsim::cli
