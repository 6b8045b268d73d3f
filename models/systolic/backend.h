#pragma once

namespace ssmsim::systolic {

// Registers the "systolic" model with the BackendRegistry and its SystemC top with the kernel.
void register_backend();

}  // namespace ssmsim::systolic
