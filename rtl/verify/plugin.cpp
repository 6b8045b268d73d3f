#include "rtl/verify/plugin.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim/util/sha256.h"

extern char** environ;

namespace ssmsim::rtl {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) throw std::invalid_argument(p.string() + ": expected a readable file, found none");
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

// The first line of a log that reads like an error (Verilator's %Error, a compiler's "error:").
std::string first_error(const fs::path& log) {
    std::ifstream f(log);
    std::string line, fallback;
    while (std::getline(f, line)) {
        if (line.rfind("%Error", 0) == 0 || line.find("error:") != std::string::npos) return line;
        if (fallback.empty() && !line.empty()) fallback = line;
    }
    return fallback.empty() ? "(no output)" : fallback;
}

std::vector<std::string> verilator_args(const Design& d) {
    std::vector<std::string> a{"--top-module", d.top};
    for (const auto& [k, v] : d.params) a.push_back("-G" + k + "=" + v);
    for (const auto& s : d.sources) a.push_back(s.string());  // as given: messages name them so
    return a;
}

// The adapter and every header it compiles against: a change in any of them is a new plugin.
const std::vector<std::string>& adapter_files() {
    static const std::vector<std::string> f{"rtl/verify/plugin_adapter.cpp", "rtl/verify/driver_model.h",
                                            "rtl/verify/scan_unit_model.h", "rtl/harness/scan_driver.h",
                                            "models/systolic/scan_engine.h"};
    return f;
}

// How every plugin is built (part of the cache key).
constexpr const char* kVerilatorFlags[] = {"--trace-fst", "-Wno-fatal",  "--x-assign",
                                           "fast",        "--x-initial", "fast"};
constexpr const char* kCxxFlags = "-fPIC -std=c++20 -DSSMSIM_RTL_COVERAGE=0";
constexpr const char* kLdFlags = "-shared -Wl,-Bsymbolic";
constexpr const char* kOptFlags = "OPT_FAST=-O1 OPT_SLOW=-O1 OPT_GLOBAL=-O1";

void hash_text(Sha256& h, const std::string& s) {
    const std::string framed = std::to_string(s.size()) + ":" + s;  // lengths keep fields apart
    h.update(std::as_bytes(std::span(framed)));
}

}  // namespace

Toolchain default_toolchain(const std::string& ssmsim_version) {
    Toolchain tc{SSMSIM_VERILATOR, SSMSIM_CXX, SSMSIM_RTL_INCLUDE_DIR, SSMSIM_RTL_GENERATED_DIR,
                 ssmsim_version};
    if (fs::exists(tc.include_dir / adapter_files().front())) return tc;  // a build-tree ssmsim
    // An installed ssmsim: `cmake --install` puts the adapter's sources in <prefix>/share/ssmsim/rtl-include.
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    const fs::path installed = exe.parent_path().parent_path() / "share" / "ssmsim" / "rtl-include";
    if (!ec && fs::exists(installed / adapter_files().front())) tc.include_dir = tc.generated_dir = installed;
    return tc;
}

int run_logged(const std::vector<std::string>& argv, const fs::path& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string design_xml(const Design& d, const Toolchain& tc, const fs::path& dir) {
    fs::create_directories(dir);
    const fs::path log = dir / "xml.log", xml = dir / "design.xml";
    fs::remove(log);
    std::vector<std::string> argv{tc.verilator, "--xml-only", "-Wno-fatal",          "--xml-output",
                                  xml.string(), "-Mdir",      (dir / "xml").string()};
    for (auto& a : verilator_args(d)) argv.push_back(std::move(a));
    const int rc = run_logged(argv, log);
    if (rc == -1)
        throw std::invalid_argument("verilator: expected the program " + tc.verilator + ", found none");
    if (rc != 0) throw std::invalid_argument(first_error(log));
    return read_text(xml);
}

BuiltPlugin build_plugin(const Design& d, const Toolchain& tc, const fs::path& cache) {
    Sha256 h;
    hash_text(h, "ssmsim rtl plugin");
    hash_text(h, tc.ssmsim_version);
    hash_text(h, std::to_string(kScanPluginAbi));
    hash_text(h, tc.cxx);
    hash_text(h, tc.verilator);
    for (const char* a : kVerilatorFlags) hash_text(h, a);
    for (const char* a : {kCxxFlags, kLdFlags, kOptFlags}) hash_text(h, a);
    hash_text(h, d.top);
    for (const auto& [k, v] : d.params) hash_text(h, k + "=" + v);
    for (const auto& s : d.sources) {
        hash_text(h, s.filename().string());
        hash_text(h, read_text(s));
    }
    for (const auto& f : adapter_files()) hash_text(h, read_text(tc.include_dir / f));
    hash_text(h, read_text(tc.generated_dir / "rtl/scan_unit_config.h"));

    BuiltPlugin b;
    b.key = h.hex();
    const fs::path dir = cache / b.key;
    b.library = dir / "scan_plugin.so";
    if (fs::exists(b.library)) {
        b.cached = true;
        return b;
    }
    // Built in a folder of its own, renamed into place when complete: a failed or concurrent build never
    // leaves a half-written plugin under the key.
    // Absolute: make runs in the object folder, where a relative -o would point elsewhere.
    const fs::path tmp = fs::absolute(cache) / (b.key + ".build-" + std::to_string(::getpid()));
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    const fs::path log = tmp / "build.log";
    const std::string includes = "-I" + tc.include_dir.string() + " -I" + tc.generated_dir.string();
    std::vector<std::string> argv{tc.verilator, "--cc", "--build", "-j", "2"};
    for (const char* a : kVerilatorFlags) argv.push_back(a);
    for (std::string a : std::vector<std::string>{"--prefix", "Vuser_scan", "-Mdir", (tmp / "obj").string()})
        argv.push_back(std::move(a));
    for (auto& a : verilator_args(d)) argv.push_back(std::move(a));
    for (std::string a : std::vector<std::string>{
             "--exe", (tc.include_dir / "rtl/verify/plugin_adapter.cpp").string(), "-o",
             (tmp / "scan_plugin.so").string(), "-CFLAGS", std::string(kCxxFlags) + " " + includes,
             "-LDFLAGS", kLdFlags, "-MAKEFLAGS", "CXX=" + tc.cxx + " LINK=" + tc.cxx + " " + kOptFlags})
        argv.push_back(std::move(a));
    const int rc = run_logged(argv, log);
    if (rc != 0 || !fs::exists(tmp / "scan_plugin.so")) {
        throw std::invalid_argument("building the design failed: " + first_error(log) +
                                    " (log: " + log.string() + ")");
    }
    fs::remove_all(tmp / "obj");  // the objects are not needed again; the plugin and the log are kept
    std::error_code ec;
    fs::rename(tmp, dir, ec);
    if (ec && !fs::exists(b.library))
        throw std::runtime_error("cannot move " + tmp.string() + " to " + dir.string());
    fs::remove_all(tmp);
    return b;
}

ScanPlugin::ScanPlugin(const fs::path& library) {
    void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) throw std::invalid_argument(library.string() + ": cannot load: " + dlerror());
    auto abi = reinterpret_cast<ScanPluginAbiFn>(dlsym(handle, kScanPluginAbiSymbol));
    factory_ = reinterpret_cast<ScanPluginFactoryFn>(dlsym(handle, kScanPluginFactorySymbol));
    if (!abi || !factory_ || abi() != kScanPluginAbi) {
        throw std::invalid_argument(library.string() + ": expected a scan-unit plugin of ABI " +
                                    std::to_string(kScanPluginAbi) + ", found " +
                                    (abi ? "ABI " + std::to_string(abi()) : std::string("no entry points")));
    }
}

std::unique_ptr<ScanUnitModel> ScanPlugin::make(const UnitParams& p, const UnitOptions& o) const {
    return std::unique_ptr<ScanUnitModel>(factory_(&p, &o));
}

}  // namespace ssmsim::rtl
