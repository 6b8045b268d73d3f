// Fuzz target: a hardware config file given with --config, laid over the systolic model's default
// (HwConfig::resolve), then read the way the model reads it (parse_spec: every key typed and range-checked).
#include "models/systolic/spec.h"
#include "sim/config/hw_config.h"
#include "sim/util/error.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = ssmsim::fuzz::scratch_dir() / "config.json";
    ssmsim::fuzz::write_file(path, data, size);
    try {
        const auto config = ssmsim::HwConfig::resolve("systolic", "systolic-edge", path.string(), {});
        const auto spec = ssmsim::systolic::parse_spec(config);
        (void)config.tree().dump();  // what report.json will hold
        (void)spec;
    } catch (const ssmsim::InputError&) {
    }
    return 0;
}
