// Runs the GPU model in-process (the SystemC kernel elaborates once per test process).
#pragma once

#include <gtest/gtest.h>

#include "models/gpu/backend.h"
#include "sim/backend/backend.h"
#include "workloads/lra/lra.h"

namespace ssmsim::testing {

inline void register_gpu() {
    static bool done = false;
    if (!done) {
        gpu::register_backend();
        done = true;
    }
}

inline RunResult run_gpu(const Trace& trace, const TensorStore* data,
                         nlohmann::json overrides = nlohmann::json::object(),
                         const std::string& config = "") {
    register_gpu();
    auto backend = BackendRegistry::find("gpu")->make();
    RunRequest req{trace, data, std::move(overrides), config, false};
    return backend->run(req);
}

inline workloads::Workload lra(workloads::Task t, workloads::Arch a, int64_t len, uint64_t seed = 1,
                               Numerics numerics = Numerics::int8) {
    workloads::WorkloadSpec s;
    s.task = t;
    s.arch = a;
    s.seq_len = len;
    s.seed = seed;
    s.numerics = numerics;
    return workloads::build_lra(s);
}

}  // namespace ssmsim::testing
