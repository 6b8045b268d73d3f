// Signals that end ssmsim early (sim/util/interrupt.h): a temporary file being written is removed and the
// process still ends by the signal; inside a Polled scope the signal is recorded for the owner to act on.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sim/util/interrupt.h"

namespace fs = std::filesystem;
using namespace ssmsim;

namespace {

fs::path temp_path(const std::string& name) {
    return fs::temp_directory_path() / ("ssmsim_test_interrupt_" + name + "_" + std::to_string(::getpid()));
}

TEST(Interrupt, SigtermRemovesRegisteredTemporariesAndEndsTheProcess) {
    const fs::path tmp = temp_path("registered"), other = temp_path("unregistered");
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        interrupt::install();
        std::ofstream(tmp) << "partial";
        std::ofstream(other) << "not ours";
        const interrupt::TempFile registered(tmp.string());
        ::raise(SIGTERM);
        ::_exit(0);  // not reached
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
    EXPECT_FALSE(fs::exists(tmp));
    EXPECT_TRUE(fs::exists(other));
    fs::remove(other);
}

TEST(Interrupt, APolledScopeRecordsTheSignalAndStopsChildren) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        interrupt::install();
        const pid_t grandchild = ::fork();
        if (grandchild == 0) {
            ::pause();
            ::_exit(0);
        }
        interrupt::add_child(grandchild);
        {
            const interrupt::Polled polled;
            ::raise(SIGINT);
            if (interrupt::pending() != SIGINT) ::_exit(3);
        }
        int status = 0;
        if (::waitpid(grandchild, &status, 0) != grandchild) ::_exit(4);
        ::_exit(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM ? 0 : 5);  // told to stop by the handler
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(Interrupt, InterruptedNamesTheSignal) {
    EXPECT_STREQ(interrupt::Interrupted(SIGTERM).what(), "interrupted by SIGTERM");
}

}  // namespace
