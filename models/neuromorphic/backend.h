#pragma once

namespace ssmsim::neuromorphic {

// Registers the "neuromorphic" model with the BackendRegistry and its SystemC top with the kernel.
void register_backend();

}  // namespace ssmsim::neuromorphic
