// Hands one job at a time from the host (a backend's run()) to a top module's SC_THREAD and back. The first
// run starts the kernel, so that the thread already waits when the job is announced; what the thread throws
// is carried out of the kernel and rethrown to the caller, where the CLI turns it into a message.
#pragma once

#include <exception>
#include <functional>
#include <utility>

#include <systemc>

#include "sim/sc/kernel.h"

namespace ssmsim::sc {

template <typename Job>
class JobRunner {
public:
    // From the host: runs `job` through the kernel and returns when the kernel is idle again.
    void run(Job& job) {
        job_ = &job;
        initialize();
        start_.notify(sc_core::SC_ZERO_TIME);
        run_until_idle();
        job_ = nullptr;
        if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
    }

    // The body of the top's SC_THREAD: waits for each job and runs `execute` on it, forever.
    [[noreturn]] void serve(const std::function<void(Job&)>& execute) {
        while (true) {
            sc_core::wait(start_);
            try {
                execute(*job_);
            } catch (...) {
                error_ = std::current_exception();  // rethrown by run(), outside the kernel
            }
        }
    }

private:
    sc_core::sc_event start_;
    Job* job_ = nullptr;
    std::exception_ptr error_;
};

}  // namespace ssmsim::sc
