// Runs the systolic model in-process (the SystemC kernel elaborates once per test process) and the
// reference on the same data.
#pragma once

#include <gtest/gtest.h>

#include "models/systolic/backend.h"
#include "reference/executor.h"
#include "sim/backend/backend.h"
#include "workloads/lra/lra.h"

namespace ssmsim::testing {

inline void register_systolic() {
    static bool done = false;
    if (!done) {
        systolic::register_backend();
        done = true;
    }
}

inline RunResult run_systolic(const Trace& trace, const TensorStore* data,
                              nlohmann::json overrides = nlohmann::json::object(), const std::string& config = "") {
    register_systolic();
    auto backend = BackendRegistry::find("systolic")->make();
    RunRequest req{trace, data, std::move(overrides), config, false};
    return backend->run(req);
}

inline workloads::Workload lra(workloads::Task t, workloads::Arch a, int64_t len, uint64_t seed = 1) {
    workloads::WorkloadSpec s;
    s.task = t;
    s.arch = a;
    s.seq_len = len;
    s.seed = seed;
    return workloads::build_lra(s);
}

// First differing byte of two tensors, or -1.
inline int64_t first_difference(const Tensor& a, const Tensor& b) {
    if (a.nbytes() != b.nbytes()) return 0;
    const auto x = a.bytes(), y = b.bytes();
    for (size_t i = 0; i < x.size(); ++i) {
        if (x[i] != y[i]) return static_cast<int64_t>(i);
    }
    return -1;
}

}  // namespace ssmsim::testing
