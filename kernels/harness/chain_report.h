// `ssmsim-cuda chain`: the scan's dependency-chain latency against the int8 scan kernels' cycles per step
// at the LRA shapes, for the fast kernels and the generic ones they replace.
#pragma once

#include <string>

namespace ssmsim::cuda {

// Prints a table; writes the same figures as JSON to `json_out` when it is not empty.
int run_chain_report(const std::string& json_out);

}  // namespace ssmsim::cuda
