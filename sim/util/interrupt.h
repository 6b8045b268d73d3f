// What ssmsim does when SIGINT, SIGTERM or SIGHUP ends it early: temporary files it is writing are removed
// (report.json.tmp.<pid> would otherwise stay behind), and a sweep's child processes are told to stop (they
// would otherwise run on as orphans). The handler does only async-signal-safe work (unlink, kill); a loop
// that must clean up more (a sweep's half-generated trace folders) polls pending() and unwinds.
#pragma once

#include <sys/types.h>

#include <stdexcept>
#include <string>

namespace ssmsim::interrupt {

// Installs the handlers; idempotent. Until a Polled scope exists, a signal removes the registered
// temporary files, stops the registered children and then ends the process as the signal would have.
void install();

// A temporary file that the handler removes. The registry is fixed-size (no allocation in the handler):
// when it is full, the file is simply not registered.
class TempFile {
public:
    explicit TempFile(const std::string& path);
    ~TempFile();
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

private:
    int slot_ = -1;
};

// Child processes the handler sends SIGTERM to.
void add_child(pid_t pid);
void remove_child(pid_t pid);

// While a Polled scope lives, a signal stops the children and is recorded instead of ending the process:
// the owner polls pending() and throws Interrupted once its children are gone and its files removed.
class Polled {
public:
    Polled();
    ~Polled();
    Polled(const Polled&) = delete;
    Polled& operator=(const Polled&) = delete;
};

// The signal received and not yet acted on (0 when none).
int pending();

struct Interrupted : std::runtime_error {
    explicit Interrupted(int sig);
    int signal;
};

// Ends the process as `sig` would have (default action), so that the exit status names the signal.
[[noreturn]] void die_of(int sig);

// Set in a child started by a sweep (the SSMSIM_SWEEP_PARENT variable holds the parent's pid): the child is
// sent SIGTERM when its parent dies, even of SIGKILL, and stops at once if the parent is already gone.
void follow_parent_from_environment();
inline constexpr const char* kParentVariable = "SSMSIM_SWEEP_PARENT";

}  // namespace ssmsim::interrupt
