#include "app/rtl_verify_cmd.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <regex>

#include "app/rtl_verify_cosim.h"
#include "app/workload_arg.h"
#include "rtl/verify/interface.h"
#include "rtl/verify/plugin.h"
#include "rtl/verify/scan_check.h"
#include "sim/config/hw_config.h"
#include "sim/util/error.h"

namespace ssmsim::cli {

namespace fs = std::filesystem;
using namespace ssmsim::rtl;

namespace {

constexpr int kPass = 0, kFail = 1, kBadDesign = 2;

fs::path default_cache() {
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return fs::path(x) / "ssmsim" / "rtl";
    if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".cache" / "ssmsim" / "rtl";
    return fs::temp_directory_path() / "ssmsim-rtl-cache";
}

// A folder the command writes to, made now so that one that cannot be is refused before any work.
void make_folder(const std::string& option, const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throw InputError(option + " " + dir.string(), "a folder that can be written",
                         ec ? ec.message() : "a file of that name");
}

// --param NAME=VALUE; the interface's own parameters are range-checked before Verilator runs.
std::vector<std::pair<std::string, std::string>> parse_params(const std::vector<std::string>& given) {
    static const std::regex form(R"re(^([A-Za-z_][A-Za-z0-9_]*)=(.+)$)re");
    static const std::regex integer(R"re(^-?[0-9]+$)re");
    std::vector<std::pair<std::string, std::string>> p;
    std::map<std::string, int64_t> ints;
    for (const auto& g : given) {
        std::smatch m;
        if (!std::regex_match(g, m, form)) throw InputError("--param " + g, "NAME=VALUE", "'" + g + "'");
        p.emplace_back(m[1], m[2]);
        const bool interface_param = fixed_width_params().count(m[1]) > 0 ||
                                     std::any_of(interface_params().begin(), interface_params().end(),
                                                 [&](const ParamRange& r) { return m[1] == r.name; });
        if (!interface_param) continue;
        const std::string v = m[2];
        if (!std::regex_match(v, integer) || v.size() > 12)
            throw InputError("--param " + g, "an integer value for " + std::string(m[1]), "'" + v + "'");
        ints[m[1]] = std::stoll(v);
    }
    const int64_t lanes = ints.count("LANES") ? ints.at("LANES") : 0;
    for (const auto& [name, v] : ints) {
        if (const std::string why = param_problem(name, v, lanes); !why.empty())
            throw InputError("--param " + name + "=" + std::to_string(v) + ": " + why);
    }
    return p;
}

// Counts of what the suite ran, for the coverage line.
struct Coverage {
    std::map<std::string, int> corner_classes;
    int random = 0, gated = 0, ungated = 0, selective = 0, s4d = 0;
    std::map<int64_t, int> states;
    void add(const ScanCase& c) {
        ++states[c.states];
        (c.selective ? selective : s4d)++;
        if (c.selective) (c.gated ? gated : ungated)++;
    }
};

struct SuiteResult {
    bool passed = true;
    std::vector<ChunkCycles> chunks;  // cycles of the chunks run without flow control
    Coverage coverage;
};

UnitOptions flow_options(bool back_pressure, uint64_t seed) {
    UnitOptions o;
    if (!back_pressure) return o;
    auto rng = std::make_shared<Rng>(seed);
    o.output_ready = [rng](uint64_t) { return rng->below(3) != 0; };
    o.input_valid = [rng](uint64_t) { return rng->below(4) != 0; };
    return o;
}

// One case on a fresh unit; "" when it matches the reference, else what differs (and the waves).
std::string check_case(const ScanPlugin& plugin, const UnitParams& p, const ScanCase& c, bool back_pressure,
                       const fs::path& waves_dir, SuiteResult& suite) {
    const ScanOp op = build_scan(c);
    const ReferenceResult ref = run_reference(op);
    const systolic::ScanPipe pipe{p.lanes, 1, 0};  // the closed form is compared later, once fitted
    std::string problem;
    RtlRun got;
    try {
        auto unit = plugin.make(p, flow_options(back_pressure, c.seed));
        got = run_rtl(*unit, c, op.data, pipe);
        problem = first_mismatch(c, op.data, ref.out, got.out, p.lanes, p.slots);
        if (problem.empty() && got.saturations != ref.saturations) {
            problem = "saturation count: reference " + std::to_string(ref.saturations) + ", RTL " +
                      std::to_string(got.saturations);
        }
    } catch (const std::exception& e) {
        problem = e.what();
    }
    if (problem.empty()) {
        if (!back_pressure) suite.chunks.insert(suite.chunks.end(), got.chunks.begin(), got.chunks.end());
        return "";
    }
    fs::create_directories(waves_dir);
    const fs::path waves = waves_dir / (c.name + ".fst");
    try {
        UnitOptions o = flow_options(back_pressure, c.seed);
        o.waves = waves.string();
        auto unit = plugin.make(p, o);
        run_rtl(*unit, c, op.data, pipe);
    } catch (const std::exception&) {
        // the waves up to the failure are written all the same
    }
    return problem + "\n  case " + describe(c) + "\n  waves: " + waves.string();
}

SuiteResult run_suite(const ScanPlugin& plugin, const UnitParams& p, const RtlVerifyArgs& a,
                      const fs::path& waves_dir) {
    SuiteResult s;
    const auto fail = [&](const std::string& what) {
        fmt::print("FAIL {}\n", what);
        s.passed = false;
    };
    for (const Corner& k : corner_cases(p.lanes, p.log_nmin, p.slots, p.table_depth)) {
        const std::string m = check_case(plugin, p, k.c, k.back_pressure, waves_dir, s);
        ++s.coverage.corner_classes[k.cls];
        s.coverage.add(k.c);
        if (!m.empty()) {
            fail("corner '" + k.cls + "': " + m);
            return s;
        }
    }
    Rng rng(a.seed);
    const auto states = supported_states(p.lanes, p.log_nmin, p.slots);
    for (int i = 0; i < a.cases; ++i) {
        const ScanCase c = random_case(rng, p.lanes, p.slots, p.table_depth, states, i);
        const std::string m = check_case(plugin, p, c, false, waves_dir, s);
        ++s.coverage.random;
        s.coverage.add(c);
        if (!m.empty()) {
            fail("random case " + std::to_string(i) + ": " + m);
            return s;
        }
    }
    return s;
}

void print_coverage(const Coverage& c) {
    std::string classes, ns;
    for (const auto& [k, n] : c.corner_classes)
        classes += (classes.empty() ? "" : ", ") + k + (n > 1 ? fmt::format(" x{}", n) : "");
    for (const auto& [n, count] : c.states)
        ns += (ns.empty() ? "" : ", ") + fmt::format("N={}: {}", n, count);
    fmt::print("coverage: corner classes {} ({}); random cases {}\n", c.corner_classes.size(), classes,
               c.random);
    fmt::print("coverage: {}; selective {} (gated {}, ungated {}), s4d {}\n", ns, c.selective, c.gated,
               c.ungated, c.s4d);
}

// The depth and output latency that make the closed form give the design's cycles: two one-slot chunks,
// of 1 and 2 steps, give latency + depth and one more depth (scan_timing.h).
std::optional<Fit> fit_timing(const ScanPlugin& plugin, const UnitParams& p) {
    uint64_t cycles[2] = {0, 0};
    for (int steps = 1; steps <= 2; ++steps) {
        ScanCase c{.name = "timing_probe",
                   .selective = false,
                   .len = steps,
                   .channels = 1,
                   .states = int64_t{1} << p.log_nmin};
        const ScanOp op = build_scan(c);
        auto unit = plugin.make(p);
        cycles[steps - 1] = run_rtl(*unit, c, op.data, {p.lanes, 1, 0}).cycles;
    }
    const auto depth = static_cast<int64_t>(cycles[1]) - static_cast<int64_t>(cycles[0]);
    const int64_t latency = static_cast<int64_t>(cycles[0]) - depth;
    if (depth < 1 || latency < 0) return std::nullopt;
    return Fit{depth, latency};
}

// (c) the design's cycles against the closed form: with the fitted depth and latency every chunk must match
// (else the design does not issue like the model's scan unit); against the config's, the difference.
bool check_timing(const ScanPlugin& plugin, const UnitParams& p, const SuiteResult& s, Fit& fit) {
    const auto f = fit_timing(plugin, p);
    if (!f) {
        fmt::print(
            "FAIL timing: one-slot chunks of 1 and 2 steps give no pipeline depth >= 1 and latency >= 0\n");
        return false;
    }
    fit = *f;
    for (const auto& ck : s.chunks) {
        const auto want = static_cast<uint64_t>(
            systolic::scan_chunk_cycles({p.lanes, fit.depth, fit.latency}, ck.pairs, ck.steps));
        if (ck.measured != want) {
            fmt::print(
                "FAIL timing: a chunk of {} pairs x {} steps took {} cycles; the closed form with depth {} "
                "and output latency {} (fitted on one-slot chunks) gives {}: the design does not issue "
                "like the model's scan unit (docs/models/systolic.md)\n",
                ck.pairs, ck.steps, ck.measured, fit.depth, fit.latency, want);
            return false;
        }
    }
    const HwConfig config = HwConfig::resolve("systolic", "systolic-edge", "", nlohmann::json::object());
    const int64_t depth = config.integer("scan.pipeline_depth", 1, 64);
    const int64_t latency = config.integer("scan.output_latency", 0, 256);
    int64_t measured = 0, closed = 0;
    for (const auto& ck : s.chunks) {
        measured += static_cast<int64_t>(ck.measured);
        closed += systolic::scan_chunk_cycles({p.lanes, depth, latency}, ck.pairs, ck.steps);
    }
    fmt::print("timing: {} chunks follow the closed form with pipeline depth {}, output latency {}\n",
               s.chunks.size(), fit.depth, fit.latency);
    if (fit.depth == depth && fit.latency == latency) {
        fmt::print("timing: the config systolic-edge (depth {}, latency {}) matches the design\n", depth,
                   latency);
    } else {
        fmt::print(
            "timing: the config systolic-edge (depth {}, latency {}) gives {} cycles where the design takes "
            "{} ({:+}); to model this design use --set scan.pipeline_depth={} --set "
            "scan.output_latency={}\n",
            depth, latency, closed, measured, measured - closed, fit.depth, fit.latency);
    }
    return true;
}

}  // namespace

int cmd_rtl_verify(const RtlVerifyArgs& a) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each step's line shows as soon as it is done
    Design d;
    for (const auto& f : a.rtl) {
        if (!fs::is_regular_file(f)) throw InputError("--rtl " + f, "a SystemVerilog file", "no such file");
        d.sources.emplace_back(f);
    }
    d.top = a.top;
    d.params = parse_params(a.params);
    WorkloadOptions wo;  // the co-simulation's workload, checked before anything is built
    wo.seq_len = a.seq_len;
    const ResolvedWorkload w = resolve_workload(a.workload, wo, true);
    const Toolchain tc = default_toolchain(SSMSIM_VERSION);
    const fs::path cache = a.cache.empty() ? default_cache() : fs::path(a.cache);
    make_folder("--cache", cache);
    if (!a.out.empty()) make_folder("--out", a.out);

    // The interface, before anything is compiled.
    const fs::path xml_dir = cache / ("xml-" + std::to_string(::getpid()));
    ModuleInfo m;
    try {
        m = parse_verilator_xml(design_xml(d, tc, xml_dir), d.sources.front().string());
    } catch (...) {
        fs::remove_all(xml_dir);
        throw;
    }
    fs::remove_all(xml_dir);
    std::string problem;
    const UnitParams p = unit_params(m, problem);
    if (!problem.empty()) throw InputError(m.file + ": " + problem);
    const auto problems = interface_problems(m, p);
    for (const auto& why : problems)
        fmt::print(stderr, "ssmsim: error: {}: module {}: {}\n", m.file, m.top, why);
    if (!problems.empty()) return kBadDesign;
    fmt::print(
        "design: module {}, LANES={} LOG_NMIN={} SLOTS={} TABLE_DEPTH={}; {} ports match the interface\n",
        m.top, p.lanes, p.log_nmin, p.slots, p.table_depth, expected_ports(p).size());

    const BuiltPlugin b = build_plugin(d, tc, cache);
    fmt::print("plugin: {} {}\n", b.cached ? "cached, not rebuilt:" : "built:", b.library.string());
    const ScanPlugin plugin(b.library);
    const fs::path waves_dir = a.out.empty() ? b.library.parent_path() / "waves" : fs::path(a.out);

    const SuiteResult s = run_suite(plugin, p, a, waves_dir);
    print_coverage(s.coverage);
    if (!s.passed) {
        fmt::print("FAIL\n");
        return kFail;
    }
    fmt::print("suite: every corner and random case matches the reference (outputs and saturations)\n");
    Fit fit;
    const bool timing_ok = check_timing(plugin, p, s, fit);
    const bool cosim_ok = timing_ok && cosimulate(plugin, p, fit, w, a.seq_len);
    fmt::print("{}\n", timing_ok && cosim_ok ? "PASS" : "FAIL");
    return timing_ok && cosim_ok ? kPass : kFail;
}

}  // namespace ssmsim::cli
