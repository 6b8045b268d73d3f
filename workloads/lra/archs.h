// The three architectures' layer stacks as float32 ops (docs/workloads.md, "Architectures").
#pragma once

#include <string>

#include "workloads/lra/arch_config.h"
#include "workloads/lra/graph_builder.h"

namespace ssmsim::workloads {

// Each takes the embedded sequence x [B, L, D] and returns the encoder output [B, L, D].
std::string s4d_encoder(GraphBuilder& g, const ArchConfig& c, std::string x);
std::string mamba_encoder(GraphBuilder& g, const ArchConfig& c, std::string x);
std::string transformer_encoder(GraphBuilder& g, const ArchConfig& c, std::string x);

}  // namespace ssmsim::workloads
