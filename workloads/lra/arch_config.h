// Per-task hyperparameters of the three architectures, with their sources (docs/workloads.md).
#pragma once

#include <string_view>

#include "workloads/lra/lra.h"

namespace ssmsim::workloads {

struct ArchConfig {
    int layers = 0;
    int d_model = 0;
    int d_state = 0;  // N (SSMs)
    bool prenorm = true;
    bool bidirectional = false;
    double dt_min = 1e-3, dt_max = 1e-1;
    int expand = 2, d_conv = 4;               // Mamba
    int heads = 0, qkv_dim = 0, mlp_dim = 0;  // transformer
    std::string_view source;
};

ArchConfig arch_config(Task task, Arch arch);

}  // namespace ssmsim::workloads
