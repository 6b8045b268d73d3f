// Fuzz target: the --weights loader. An input is a parameter name, a newline, then the bytes of its .npy
// file; the file goes alone into a weights folder and lra:listops:s4d (length 8) is built with it: name and
// shape checks, the .npy reader, the finiteness check, then calibration and int8 quantization of whatever
// values passed, and a run of the reference on the result. NaN and inf used to pass into the logits.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "reference/executor.h"
#include "sim/util/error.h"
#include "tests/fuzz/fuzz_support.h"
#include "workloads/lra/lra.h"

namespace {

// Names become file names: anything but a plain parameter-like name falls back to the classifier's bias.
std::string parameter_name(const std::string& line) {
    if (line.empty() || line.size() > 64 || line.front() == '.') return "classifier.b";
    for (char c : line) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_') return "classifier.b";
    }
    return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const size_t newline = input.find('\n');
    const std::string name = parameter_name(newline == std::string::npos ? "" : input.substr(0, newline));
    const std::string npy = newline == std::string::npos ? input : input.substr(newline + 1);

    const auto dir = ssmsim::fuzz::scratch_dir() / "weights";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    ssmsim::fuzz::write_file(dir / (name + ".npy"), reinterpret_cast<const uint8_t*>(npy.data()), npy.size());

    ssmsim::workloads::WorkloadSpec spec;
    spec.task = ssmsim::workloads::Task::listops;
    spec.arch = ssmsim::workloads::Arch::s4d;
    spec.seq_len = 8;
    spec.weights_dir = dir.string();
    try {
        ssmsim::workloads::Workload w = ssmsim::workloads::build_lra(spec);
        const auto ex = ssmsim::reference::execute(w.trace, std::move(w.data));
        if (ex.outputs.size() != w.trace.outputs.size()) std::abort();
    } catch (const ssmsim::InputError&) {
    }
    return 0;
}
