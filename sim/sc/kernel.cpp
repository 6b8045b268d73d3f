#include "sim/sc/kernel.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <stdexcept>

#if defined(__SANITIZE_ADDRESS__)
#define SSMSIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SSMSIM_ASAN 1
#endif
#endif
#ifdef SSMSIM_ASAN
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#endif

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
// Debian's libsystemc announces each coroutine switch to AddressSanitizer, but on the switch back to the
// host thread it announces an empty stack (its main coroutine has none of its own). ASan then skips the
// unpoisoning that a throw on the host stack needs, and the stale redzones read later as false
// stack-buffer-overflows. So after every sc_start the host thread's real stack is announced again.
// The bounds are looked up once per thread (for the main thread glibc reads /proc/self/maps).
void restore_host_stack_for_asan() {
#ifdef SSMSIM_ASAN
    struct Stack {
        void* base = nullptr;
        size_t size = 0;
    };
    thread_local const Stack host = [] {
        Stack s;
        pthread_attr_t attr;
        if (pthread_getattr_np(pthread_self(), &attr) != 0) return s;
        pthread_attr_getstack(&attr, &s.base, &s.size);
        pthread_attr_destroy(&attr);
        return s;
    }();
    if (host.size == 0) return;
    void* fake_stack = nullptr;
    __sanitizer_start_switch_fiber(&fake_stack, host.base, host.size);
    __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
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

void initialize() {
    if (sc_core::sc_get_status() != sc_core::SC_ELABORATION) return;
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    restore_host_stack_for_asan();
}

void run_until_idle() {
    sc_core::sc_start();
    restore_host_stack_for_asan();
}

uint64_t cycle_ps(double clock_hz) { return static_cast<uint64_t>(std::llround(1e12 / clock_hz)); }

}  // namespace ssmsim::sc
