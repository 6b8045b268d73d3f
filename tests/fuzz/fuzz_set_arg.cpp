// Fuzz target: one --set argument (key=value, the value JSON or a bare string), parsed, then applied to the
// systolic model's default config, whose every value is then read through the typed getters.
#include <cstdlib>
#include <string>

#include "app/set_arg.h"
#include "sim/config/hw_config.h"
#include "sim/util/error.h"
#include "tests/fuzz/config_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string kv(reinterpret_cast<const char*>(data), size);
    try {
        const auto [key, value] = ssmsim::cli::parse_set(kv);
        // The key is everything before the first "=", and never empty.
        if (key.empty() || kv.compare(0, key.size() + 1, key + "=") != 0) std::abort();
        if (key.find('=') != std::string::npos) std::abort();
        if (value.is_discarded()) std::abort();
        const auto config = ssmsim::HwConfig::resolve("systolic", "systolic-edge", "", {{key, value}});
        ssmsim::fuzz::read_every_value(config);
    } catch (const ssmsim::InputError&) {
    }
    return 0;
}
