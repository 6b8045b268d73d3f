// Fuzz target: a sweep file through load_sweep_spec (file checks, JSON with depth and duplicate-key rules,
// both parses, the schema), the config-key check, and, when the sweep is small, the expansion into design
// points (content ids, sampled values). A sweep file nested 200,000 levels deep used to crash the loader.
#include <cstdint>
#include <cstdlib>

#include "sim/sweep/points.h"
#include "sim/sweep/sweep.h"
#include "sim/sweep/sweep_spec.h"
#include "sim/util/error.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

// Points the sweep would expand to, saturating: expansion stays cheap so that the fuzzer keeps its pace.
uint64_t point_count(const ssmsim::SweepSpec& s) {
    constexpr uint64_t kCap = uint64_t{1} << 32;
    uint64_t n = s.models.size() * s.workloads.size();
    if (s.method == "grid") {
        for (const auto& a : s.axes) n = std::min(kCap, n * a.values.size());
    } else {
        n = std::min(kCap, n * static_cast<uint64_t>(std::max<int64_t>(s.samples, 0)));
    }
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = ssmsim::fuzz::scratch_dir() / "sweep.json";
    ssmsim::fuzz::write_file(path, data, size);
    try {
        const ssmsim::SweepSpec spec = ssmsim::load_sweep_spec(path.string());
        ssmsim::check_sweep_keys(spec);
        if (point_count(spec) > 4096) return 0;
        const auto points = ssmsim::expand_points(spec);
        for (const auto& p : points) {
            if (p.id.size() != 16) std::abort();  // every point has its content id
        }
    } catch (const ssmsim::InputError&) {
    }
    return 0;
}
