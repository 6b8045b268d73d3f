#pragma once

namespace ssmsim::gpu {

// Registers the "gpu" model with the BackendRegistry and its SystemC top with the kernel.
void register_backend();

}  // namespace ssmsim::gpu
