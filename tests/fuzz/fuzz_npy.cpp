// Fuzz target: the .npy reader (header parsing, dtype, shape, size checks, then the data).
#include <cstdlib>

#include "sim/trace/npy.h"
#include "sim/util/error.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = ssmsim::fuzz::scratch_dir() / "input.npy";
    ssmsim::fuzz::write_file(path, data, size);
    try {
        const ssmsim::NpyHeader h = ssmsim::read_npy_header(path);
        const ssmsim::Tensor t = ssmsim::read_npy(path);
        // What the header promised is what was read.
        if (t.dtype() != h.dtype || t.shape() != h.shape || h.data_offset + t.nbytes() != size) std::abort();
    } catch (const ssmsim::InputError&) {
    }
    return 0;
}
