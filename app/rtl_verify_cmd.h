// `ssmsim rtl verify`: a user's scan unit (SystemVerilog) checked against the interface, the reference
// scan and the scan unit's closed-form timing (docs/rtl.md, "ssmsim rtl verify").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ssmsim::cli {

struct RtlVerifyArgs {
    std::vector<std::string> rtl;     // SystemVerilog sources
    std::string top;                  // top module
    std::vector<std::string> params;  // NAME=VALUE, Verilator -G
    int cases = 40;                   // random cases, besides the corners
    uint64_t seed = 1;
    std::string workload = "lra:image:s4d";
    int64_t seq_len = 64;
    std::string cache;  // "": $XDG_CACHE_HOME/ssmsim/rtl (or ~/.cache/ssmsim/rtl)
    std::string out;    // folder for the waves of a failing case; "": the plugin's cache folder
};

// Exit status: 0 PASS, 1 FAIL, 2 the design does not build or does not match the interface.
int cmd_rtl_verify(const RtlVerifyArgs& a);

}  // namespace ssmsim::cli
