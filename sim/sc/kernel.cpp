#include "sim/sc/kernel.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <stdexcept>

// libsystemc calls sc_main from its own main(); ssmsim's executables have their own main, so this one is
// never called, but the symbol must exist for the link.
int sc_main(int, char**) { return 0; }

namespace ssmsim::sc {

namespace {
struct Tops {
    std::map<std::string, std::function<sc_core::sc_module*()>> factories;
    std::map<std::string, sc_core::sc_module*> built;
};
Tops& tops() {
    static Tops t;
    return t;
}
}  // namespace

void register_top(const std::string& name, std::function<sc_core::sc_module*()> factory) {
    auto& t = tops();
    if (!t.built.empty()) throw std::logic_error("SystemC top '" + name + "' registered after elaboration");
    t.factories[name] = std::move(factory);
}

sc_core::sc_module* top(const std::string& name) {
    auto& t = tops();
    if (t.built.empty()) {
        // Keep stdout for ssmsim's own output: no SystemC banner.
        setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
        setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
        sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
        for (auto& [n, f] : t.factories) t.built[n] = f();
    }
    const auto it = t.built.find(name);
    if (it == t.built.end()) throw std::logic_error("no SystemC top '" + name + "' registered");
    return it->second;
}

void run_until_idle() { sc_core::sc_start(); }

uint64_t cycle_ps(double clock_hz) { return static_cast<uint64_t>(std::llround(1e12 / clock_hz)); }

}  // namespace ssmsim::sc
