#pragma once

namespace ssmsim::reference {

// Registers the "reference" model with the BackendRegistry.
void register_backend();

}  // namespace ssmsim::reference
