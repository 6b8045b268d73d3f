#include <array>
#include <string_view>
#include <utility>

#include "reference/ops/kernels.h"

namespace ssmsim::reference {

Kernel find_kernel(std::string_view kind) {
    static constexpr std::array<std::pair<std::string_view, Kernel>, 20> kKernels = {{
        {"embedding", embedding},
        {"linear", linear},
        {"conv1d_causal_depthwise", conv1d_causal_depthwise},
        {"silu", lut_silu},
        {"softplus", lut_softplus},
        {"exp", lut_exp},
        {"gelu", lut_gelu},
        {"relu", lut_relu},
        {"sigmoid", lut_sigmoid},
        {"mul", mul},
        {"add", add},
        {"gate", gate},
        {"rmsnorm", rmsnorm},
        {"layernorm", layernorm},
        {"selective_scan", selective_scan},
        {"s4d_scan", s4d_scan},
        {"attention", attention},
        {"pool", pool},
        {"classifier", classifier},
        {"reshape", reshape},
    }};
    for (const auto& [k, fn] : kKernels) {
        if (k == kind) return fn;
    }
    return nullptr;
}

}  // namespace ssmsim::reference
