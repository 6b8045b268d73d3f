#include "sim/sweep/runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <thread>

#include "sim/util/interrupt.h"

extern char** environ;

namespace ssmsim {

namespace {

using Clock = std::chrono::steady_clock;

struct Running {
    size_t task;
    Clock::time_point start;
    bool killed = false;
};

std::string last_line(const std::filesystem::path& log) {
    std::ifstream in(log);
    std::string line, last;
    while (std::getline(in, line)) {
        const auto end = line.find_last_not_of(" \r\t");
        if (end != std::string::npos) last = line.substr(0, end + 1);
    }
    return last;
}

// The parent's environment, plus the variable that makes the child stop when this process dies
// (interrupt::follow_parent_from_environment): killed by SIGKILL, a sweep leaves no orphans running.
std::vector<std::string> child_environment() {
    const std::string prefix = std::string(interrupt::kParentVariable) + "=";
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        if (std::strncmp(*e, prefix.c_str(), prefix.size()) != 0) env.emplace_back(*e);
    }
    env.push_back(prefix + std::to_string(::getpid()));
    return env;
}

pid_t spawn(const std::string& program, const ChildTask& t) {
    std::vector<std::string> argv_s{program};
    argv_s.insert(argv_s.end(), t.args.begin(), t.args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    const std::string log = t.log.string();
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    std::vector<std::string> env_s = child_environment();
    std::vector<char*> env;
    for (auto& e : env_s) env.push_back(e.data());
    env.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, program.c_str(), &fa, nullptr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
    interrupt::add_child(pid);  // a signal to this process is passed on to it
    return pid;
}

// After SIGINT/SIGTERM/SIGHUP: the handler has sent SIGTERM to every child; wait for them (SIGKILL after a
// grace period), so that none runs on, and tell the caller to unwind.
[[noreturn]] void stop_children(std::map<pid_t, Running>& running, int sig) {
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (!running.empty()) {
        for (auto it = running.begin(); it != running.end();) {
            int status = 0;
            const pid_t done = waitpid(it->first, &status, WNOHANG);
            if (done == it->first || (done < 0 && errno == ECHILD)) {
                interrupt::remove_child(it->first);
                it = running.erase(it);
            } else {
                if (Clock::now() > deadline) kill(it->first, SIGKILL);
                ++it;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    throw interrupt::Interrupted(sig);
}

}  // namespace

namespace {
std::string& executable_override() {
    static std::string path;
    return path;
}
}  // namespace

void set_self_executable(const std::string& path) { executable_override() = path; }

std::string self_executable() {
    if (!executable_override().empty()) return executable_override();
    std::error_code ec;
    const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) throw std::runtime_error("cannot find the ssmsim executable (/proc/self/exe)");
    return p.string();
}

void run_children(const std::string& program, const std::vector<ChildTask>& tasks, int jobs, double timeout_s,
                  const std::function<void(size_t, const ChildOutcome&)>& done) {
    std::map<pid_t, Running> running;
    size_t next = 0;
    const auto limit = std::chrono::duration<double>(timeout_s);
    while (next < tasks.size() || !running.empty()) {
        if (const int sig = interrupt::pending()) stop_children(running, sig);
        while (next < tasks.size() && static_cast<int>(running.size()) < std::max(1, jobs)) {
            running[spawn(program, tasks[next])] = {next, Clock::now()};
            ++next;
        }
        int status = 0;
        const pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0 && running.count(pid)) {
            const Running r = running[pid];
            running.erase(pid);
            interrupt::remove_child(pid);
            ChildOutcome o;
            o.wall_s = std::chrono::duration<double>(Clock::now() - r.start).count();
            if (WIFEXITED(status)) {
                o.exit_code = WEXITSTATUS(status);
                o.ok = o.exit_code == 0;
                if (!o.ok) o.error = last_line(tasks[r.task].log);
            } else if (WIFSIGNALED(status)) {
                o.exit_code = 128 + WTERMSIG(status);
                o.timed_out = r.killed;
                o.error = r.killed ? "timed out after " + std::to_string(timeout_s) + " s"
                                   : std::string("killed by signal ") + strsignal(WTERMSIG(status));
            }
            if (o.error.empty() && !o.ok) o.error = "exit code " + std::to_string(o.exit_code);
            done(r.task, o);
            continue;
        }
        for (auto& [p, r] : running) {
            if (!r.killed && Clock::now() - r.start > limit) {
                kill(p, SIGKILL);
                r.killed = true;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

}  // namespace ssmsim
