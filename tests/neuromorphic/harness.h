// Runs the neuromorphic model in-process (the SystemC kernel elaborates once per test process) and the
// reference on the same data.
#pragma once

#include <gtest/gtest.h>

#include <cmath>

#include "models/neuromorphic/backend.h"
#include "reference/executor.h"
#include "sim/backend/backend.h"
#include "workloads/lra/lra.h"

namespace ssmsim::testing {

inline RunResult run_neuromorphic(const Trace& trace, const TensorStore* data,
                                  nlohmann::json overrides = nlohmann::json::object(),
                                  const std::string& config = "") {
    static const bool registered = [] {
        neuromorphic::register_backend();
        return true;
    }();
    (void)registered;
    auto backend = BackendRegistry::find("neuromorphic")->make();
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

inline double num(const nlohmann::ordered_json& j, const char* key) { return j.at(key).get<double>(); }

// The report's SNR in dB, +inf where the outputs are exact (reported as null).
inline double snr_db(const RunResult& r) {
    const auto& e = r.report.at("error_vs_reference");
    return e.at("snr_db").is_null() ? INFINITY : e.at("snr_db").get<double>();
}

}  // namespace ssmsim::testing
