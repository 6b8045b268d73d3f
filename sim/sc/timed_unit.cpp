#include "sim/sc/timed_unit.h"

#include <algorithm>

namespace ssmsim::sc {

TimedUnit::TimedUnit(sc_core::sc_module_name name) : sc_core::sc_module(name), socket("socket") {
    socket.register_b_transport(this, &TimedUnit::b_transport);
}

void TimedUnit::reset() {
    busy_until_ = busy_total_ = jobs_ = 0;
    begin_window();
}

void TimedUnit::begin_window() {
    window_busy_ = 0;
    window_first_ = UINT64_MAX;
    window_last_ = 0;
}

void TimedUnit::b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
    UnitJob* job = payload.get_extension<UnitJob>();
    if (!job) {
        payload.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    job->start = std::max(job->ready, busy_until_);
    busy_until_ = job->start + job->service;
    job->end = busy_until_ + job->latency;
    busy_total_ += job->service;
    window_busy_ += job->service;
    window_first_ = std::min(window_first_, job->start);
    window_last_ = std::max(window_last_, job->end);
    ++jobs_;
    if (job->work) job->work();
    delay = sc_core::SC_ZERO_TIME;  // completion is carried in job->end (temporal decoupling)
    payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace ssmsim::sc
