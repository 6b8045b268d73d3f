// Fuzz target: a hardware config file given with --config, laid over the systolic model's default
// (HwConfig::resolve), then every value read through the typed getters.
#include "sim/config/hw_config.h"
#include "sim/util/error.h"
#include "tests/fuzz/config_reader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = ssmsim::fuzz::scratch_dir() / "config.json";
    ssmsim::fuzz::write_file(path, data, size);
    try {
        const auto config = ssmsim::HwConfig::resolve("systolic", "systolic-edge", path.string(), {});
        ssmsim::fuzz::read_every_value(config);
    } catch (const ssmsim::InputError&) {
    }
    return 0;
}
