// The SystemC kernel as the models share it. SystemC elaborates once per process: modules cannot be
// created after the first sc_start. So every SystemC model registers a factory for its top module here,
// all tops are built together on first use, and each run reconfigures its top and drives it with events
// (DESIGN.md: "build every model before the first sc_start").
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <systemc>

namespace ssmsim::sc {

// Registers a top-level module factory; call before the first top() (the CLI registers every model first).
void register_top(const std::string& name, std::function<sc_core::sc_module*()> factory);

// The top registered under `name`, building every registered top first if nothing is built yet.
sc_core::sc_module* top(const std::string& name);

// Runs the kernel's initialisation (every process to its first wait) unless it has run already.
void initialize();

// Runs the kernel until no events remain (the driven top finished its job).
void run_until_idle();

// Picoseconds per cycle at `clock_hz`, rounded to the kernel's 1 ps resolution.
uint64_t cycle_ps(double clock_hz);

}  // namespace ssmsim::sc
