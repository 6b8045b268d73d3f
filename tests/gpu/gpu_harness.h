// Runs the GPU model in-process; the rest of the harness is tests/support/model_harness.h.
#pragma once

#include "models/gpu/backend.h"
#include "tests/support/model_harness.h"

namespace ssmsim::testing {

inline void register_gpu() { register_once<&gpu::register_backend>(); }

inline RunResult run_gpu(const Trace& trace, const TensorStore* data,
                         nlohmann::json overrides = nlohmann::json::object(),
                         const std::string& config = "") {
    return run_model<&gpu::register_backend>("gpu", trace, data, std::move(overrides), config);
}

}  // namespace ssmsim::testing
