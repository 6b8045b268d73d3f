// A hardware unit behind a TLM-2.0 target socket, timed by occupancy: a job may start when its inputs are
// ready and the unit is free, occupies the unit for `service` cycles and delivers its result `latency`
// cycles later (pipeline depth, DRAM latency). This is loosely-timed TLM with temporal decoupling: the
// initiator runs ahead and the annotated delay carries each job's completion time, so overlap (double
// buffering, units working in parallel) follows from the jobs' dependences instead of clock edges.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

namespace ssmsim::sc {

struct UnitJob : tlm::tlm_extension<UnitJob> {
    uint64_t ready = 0;           // earliest start, in cycles since the run began
    uint64_t service = 0;         // cycles the unit is occupied
    uint64_t latency = 0;         // cycles from the end of occupancy until the result is available
    std::function<void()> work;   // functional part (empty in timing-only runs)
    uint64_t start = 0, end = 0;  // answered by the unit: occupancy start, result available

    tlm::tlm_extension_base* clone() const override { return new UnitJob(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override {
        *this = static_cast<const UnitJob&>(other);
    }
};

class TimedUnit : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<TimedUnit> socket;

    explicit TimedUnit(sc_core::sc_module_name name);

    void reset();         // a new run: the unit is idle at cycle 0
    void begin_window();  // a new op: per-op busy cycles and span restart
    uint64_t busy_until() const { return busy_until_; }
    uint64_t busy_cycles() const { return busy_total_; }
    uint64_t window_busy() const { return window_busy_; }
    uint64_t window_first() const { return window_first_; }
    uint64_t window_last() const { return window_last_; }
    uint64_t jobs() const { return jobs_; }

private:
    void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);

    uint64_t busy_until_ = 0, busy_total_ = 0, jobs_ = 0;
    uint64_t window_busy_ = 0, window_first_ = UINT64_MAX, window_last_ = 0;
};

// Sends `job` to a unit through `socket`; returns the cycle its result is available.
template <typename Socket>
uint64_t issue(Socket& socket, UnitJob& job) {
    tlm::tlm_generic_payload payload;
    payload.set_command(tlm::TLM_IGNORE_COMMAND);
    payload.set_extension(&job);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(payload, delay);
    payload.clear_extension(&job);
    return job.end;
}

}  // namespace ssmsim::sc
