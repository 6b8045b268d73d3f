// How far the model's outputs are from the reference's: the price of a sigma-delta threshold above 0.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/trace/trace.h"

namespace ssmsim::neuromorphic {

// {exact, snr_db (null when exact), max_abs_error, class_agreement, reference_class}: over every value of
// the trace's outputs; the classes are the argmax of each row of the first output.
nlohmann::ordered_json compare_outputs(const Trace& trace, const TensorStore& model,
                                       const TensorStore& reference);

}  // namespace ssmsim::neuromorphic
