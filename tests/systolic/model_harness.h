// Runs the systolic model in-process; the rest of the harness is tests/support/model_harness.h.
#pragma once

#include "models/systolic/backend.h"
#include "tests/support/model_harness.h"

namespace ssmsim::testing {

inline RunResult run_systolic(const Trace& trace, const TensorStore* data,
                              nlohmann::json overrides = nlohmann::json::object(),
                              const std::string& config = "") {
    return run_model<&systolic::register_backend>("systolic", trace, data, std::move(overrides), config);
}

}  // namespace ssmsim::testing
