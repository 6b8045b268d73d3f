// Runs the neuromorphic model in-process; the rest of the harness is tests/support/model_harness.h.
#pragma once

#include <cmath>

#include "models/neuromorphic/backend.h"
#include "tests/support/model_harness.h"

namespace ssmsim::testing {

inline RunResult run_neuromorphic(const Trace& trace, const TensorStore* data,
                                  nlohmann::json overrides = nlohmann::json::object(),
                                  const std::string& config = "") {
    return run_model<&neuromorphic::register_backend>("neuromorphic", trace, data, std::move(overrides),
                                                      config);
}

inline double num(const nlohmann::ordered_json& j, const char* key) { return j.at(key).get<double>(); }

// The report's SNR in dB, +inf where the outputs are exact (reported as null).
inline double snr_db(const RunResult& r) {
    const auto& e = r.report.at("error_vs_reference");
    return e.at("snr_db").is_null() ? INFINITY : e.at("snr_db").get<double>();
}

}  // namespace ssmsim::testing
