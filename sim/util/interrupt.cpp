#include "sim/util/interrupt.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "sim/util/checked_int.h"

namespace ssmsim::interrupt {

namespace {

// Fixed-size tables: the handler may neither allocate nor lock.
constexpr size_t kPathBytes = 4096;
struct TempSlot {
    std::atomic<int> state{0};  // 0 free, 1 being filled, 2 holds a path
    std::array<char, kPathBytes> path{};
};
std::array<TempSlot, 64> g_temps;
std::array<std::atomic<pid_t>, 4200> g_children{};  // a sweep runs at most 4096 children at once
std::atomic<int> g_pending{0};
std::atomic<int> g_polled{0};
std::atomic<bool> g_installed{false};
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

void on_signal(int sig) {
    const int saved_errno = errno;
    for (auto& c : g_children) {
        const pid_t pid = c.load();
        if (pid > 0) ::kill(pid, SIGTERM);
    }
    // A polled owner finishes the write it is in, reaps its children and removes its own files; a second
    // signal while it does so ends the process at once.
    if (g_polled.load() > 0 && g_pending.exchange(sig) == 0) {
        errno = saved_errno;
        return;
    }
    for (auto& t : g_temps) {
        if (t.state.load() == 2) ::unlink(t.path.data());
    }
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

}  // namespace

void install() {
    if (g_installed.exchange(true)) return;
    for (const int sig : kSignals) {
        struct sigaction old {};
        ::sigaction(sig, nullptr, &old);
        if (old.sa_handler == SIG_IGN) continue;  // nohup and friends: stay ignored
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        ::sigaction(sig, &sa, nullptr);
    }
}

TempFile::TempFile(const std::string& path) {
    if (path.size() >= kPathBytes) return;
    for (size_t i = 0; i < g_temps.size(); ++i) {
        int expected = 0;
        if (!g_temps[i].state.compare_exchange_strong(expected, 1)) continue;
        std::memcpy(g_temps[i].path.data(), path.c_str(), path.size() + 1);
        g_temps[i].state.store(2);
        slot_ = static_cast<int>(i);
        return;
    }
}

TempFile::~TempFile() {
    if (slot_ >= 0) g_temps[static_cast<size_t>(slot_)].state.store(0);
}

void add_child(pid_t pid) {
    for (auto& c : g_children) {
        pid_t expected = 0;
        if (c.compare_exchange_strong(expected, pid)) return;
    }
}

void remove_child(pid_t pid) {
    for (auto& c : g_children) {
        pid_t expected = pid;
        if (c.compare_exchange_strong(expected, 0)) return;
    }
}

Polled::Polled() { g_polled.fetch_add(1); }
Polled::~Polled() { g_polled.fetch_sub(1); }

int pending() { return g_pending.load(); }

Interrupted::Interrupted(int sig)
    : std::runtime_error(std::string("interrupted by SIG") + sigabbrev_np(sig)), signal(sig) {}

void die_of(int sig) {
    ::signal(sig, SIG_DFL);
    ::raise(sig);
    std::_Exit(128 + sig);  // not reached unless the signal is blocked
}

void follow_parent_from_environment() {
    const char* value = std::getenv(kParentVariable);
    if (!value) return;
    const auto parent = parse_integer<pid_t>(value, 1);
    ::unsetenv(kParentVariable);  // not inherited by anything this process starts
    if (!parent) return;
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != *parent) ::raise(SIGTERM);  // the parent died before prctl took effect
}

}  // namespace ssmsim::interrupt
