// A user's scan unit as a shared-library plugin (docs/rtl.md, "ssmsim rtl verify"): Verilator's --xml-only
// view of the design, the plugin built by `verilator --cc --build` with rtl/verify/plugin_adapter.cpp and
// cached under a SHA-256 of everything that goes into it, and the plugin loaded with dlopen.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rtl/verify/scan_unit_model.h"

namespace ssmsim::rtl {

// Where the tools and the headers the adapter needs are; compiled in by rtl/CMakeLists.txt.
struct Toolchain {
    std::string verilator;                // the `verilator` script
    std::string cxx;                      // the C++ compiler ssmsim was built with
    std::filesystem::path include_dir;    // holds rtl/harness/, rtl/verify/, models/systolic/scan_engine.h
    std::filesystem::path generated_dir;  // holds rtl/scan_unit_config.h
    std::string ssmsim_version;
};
Toolchain default_toolchain(const std::string& ssmsim_version);

struct Design {
    std::vector<std::filesystem::path> sources;
    std::string top;
    std::vector<std::pair<std::string, std::string>> params;  // -G<name>=<value>, in the order given
};

// Runs a program with its output in `log`; returns its exit status (-1: it could not be started).
int run_logged(const std::vector<std::string>& argv, const std::filesystem::path& log);

// `verilator --xml-only` of the design into `dir`; returns the XML text. On a Verilator error throws
// std::invalid_argument with its first %Error line.
std::string design_xml(const Design& d, const Toolchain& tc, const std::filesystem::path& dir);

struct BuiltPlugin {
    std::filesystem::path library;
    std::string key;  // the SHA-256 the cache folder is named by
    bool cached = false;
};

// The plugin from the cache, or built there. A build error throws std::invalid_argument with the
// compiler's or Verilator's first error line and the log's path.
BuiltPlugin build_plugin(const Design& d, const Toolchain& tc, const std::filesystem::path& cache);

// A loaded plugin: makes scan units. The library stays loaded for the life of the process.
class ScanPlugin {
public:
    explicit ScanPlugin(const std::filesystem::path& library);
    std::unique_ptr<ScanUnitModel> make(const UnitParams& p, const UnitOptions& o = {}) const;

private:
    ScanPluginFactoryFn factory_ = nullptr;
};

}  // namespace ssmsim::rtl
