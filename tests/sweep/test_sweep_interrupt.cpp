// A sweep killed while it runs (issue 16): SIGTERM stops its children and removes the half-generated trace
// folders before it dies of the signal; SIGKILL, which it cannot catch, still takes its children with it
// (they follow their parent), and the next run into the same folder removes the folders left behind.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/support/cli_harness.h"

extern char** environ;

namespace fs = std::filesystem;
using namespace ssmsim::testing;

namespace {

// Two full-length generations (seconds each): the sweep is surely still generating when signalled.
const char* const kSlowSweep = R"({"models": ["systolic"], "workloads": ["lra:pathx:mamba", "lra:text:mamba"],
                                  "grid": {"array.rows": [8, 16]}})";

pid_t start_sweep(const fs::path& file, const fs::path& out) {
    std::vector<std::string> args{SSMSIM_BINARY, "sweep",  file.string(), "--out",
                                  out.string(),  "--jobs", "2",           "-q"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

std::vector<fs::path> generation_folders(const fs::path& out) {
    std::vector<fs::path> found;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(out / "traces", ec)) {
        if (e.path().filename().string().find(".tmp-") != std::string::npos) found.push_back(e.path());
    }
    return found;
}

// Processes whose command line names `out` (the sweep's children do: their --out is inside it).
int processes_naming(const fs::path& out) {
    int n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc", ec)) {
        const std::string cmdline = read_text(e.path() / "cmdline");
        if (cmdline.find(out.string()) != std::string::npos) ++n;
    }
    return n;
}

template <typename Pred>
bool eventually(Pred done, double seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
}

TEST(SweepInterrupt, SigtermStopsChildrenAndRemovesGenerations) {
    const fs::path dir = scratch_dir("sweep_sigterm");
    write_text(dir / "sweep.json", kSlowSweep);
    const fs::path out = dir / "out";
    const pid_t pid = start_sweep(dir / "sweep.json", out);
    ASSERT_GT(pid, 0);
    ASSERT_TRUE(eventually([&] { return generation_folders(out).size() == 2; }, 30));
    ASSERT_EQ(::kill(pid, SIGTERM), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;  // the exit status says why
    EXPECT_TRUE(eventually([&] { return processes_naming(out) == 0; }, 10)) << "children left running";
    EXPECT_TRUE(generation_folders(out).empty());
    fs::remove_all(dir);
}

TEST(SweepInterrupt, SigkillTakesChildrenAlongAndTheNextRunCleansUp) {
    const fs::path dir = scratch_dir("sweep_sigkill");
    write_text(dir / "sweep.json", kSlowSweep);
    const fs::path out = dir / "out";
    const pid_t pid = start_sweep(dir / "sweep.json", out);
    ASSERT_GT(pid, 0);
    ASSERT_TRUE(eventually([&] { return generation_folders(out).size() == 2; }, 30));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(eventually([&] { return processes_naming(out) == 0; }, 10)) << "orphans left running";
    ASSERT_FALSE(generation_folders(out).empty());  // nothing could remove them

    // Another host's generation (a node sharing the file system) is not ours to remove.
    fs::create_directories(out / "traces" / "x.tmp-elsewhere-1-0");
    write_text(dir / "small.json",
               R"({"models": ["systolic"], "workloads": ["lra:listops:s4d"], "seq_len": 16,
                                       "grid": {"array.rows": [8]}})");
    const auto r = run_ssmsim("sweep -q " + (dir / "small.json").string() + " --out " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto left = generation_folders(out);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].filename(), "x.tmp-elsewhere-1-0");
    fs::remove_all(dir);
}

}  // namespace
