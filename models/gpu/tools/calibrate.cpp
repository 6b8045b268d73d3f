// ssmsim-gpu-calibrate: the GPU model against reference/gpu-timings/h100.csv (docs/models/gpu.md).
//   eval [--config C] [--csv F] [--out predictions.csv]   errors per op class on both halves
//   fit  [--config C] [--csv F] [--kernel K] [--all-rows] [--rounds N] [--wide]
//                                                         fits the kernel costs on the calibration half, or
//                                                         on every row (a grid that is all calibration:
//                                                         H200), N rounds of coordinate descent at most
//                                                         (default 2), steps of 0.6-1.6x (--wide: 0.1-10x)
//   workloads [--config C] [--csv F] [--out F] [--max-len N] [--ops-csv F --ops-out F]
//                                                         whole LRA workloads (the validation family,
//                                                         reference/gpu-timings/h200-lra-validation.csv; with
//                                                         h200-lra-power.csv also their board power)
//   fit-power [--config C] [--csv F] [--out F]            the energy.* keys on the grid's board power
//                                                         (reference/gpu-timings/h200-power.csv)
// `fit` changes only the costs that kernels/ fixes (instructions, latencies, efficiencies per kernel),
// each kernel's on its own calibration rows, by coordinate descent on their mean absolute percentage
// error; the held-out half is never read. It prints the fitted costs as key=value lines for the config.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include <fmt/format.h>

#include "models/gpu/backend.h"
#include "models/gpu/tools/lra_validation.h"
#include "models/gpu/tools/power_fit.h"
#include "models/gpu/validation.h"
#include "sim/config/hw_config.h"
#include "sim/util/error.h"

using namespace ssmsim;
using namespace ssmsim::gpu;

namespace {

struct Tunable {
    std::string key;  // config key under kernels.
    double* value;
    double hi;  // upper bound (efficiencies <= 1)
};

// The costs each measured kernel's rows calibrate.
std::map<std::string, std::vector<Tunable>> tunables(Spec& s) {
    auto cost = [](const std::string& k, KernelCost& c) {
        return std::vector<Tunable>{{k + ".instr", &c.instr, 1e9},
                                    {k + ".latency", &c.latency, 1e9},
                                    {k + ".fixed_ns", &c.fixed_ns, 1e9}};
    };
    auto scan = [](const std::string& k, ScanCost& c) {
        return std::vector<Tunable>{{k + ".step_latency", &c.step_latency, 1e9},
                                    {k + ".state_latency", &c.state_latency, 1e9},
                                    {k + ".step_instr", &c.step_instr, 1e9},
                                    {k + ".state_instr", &c.state_instr, 1e9},
                                    {k + ".level_latency", &c.level_latency, 1e9}};
    };
    std::map<std::string, std::vector<Tunable>> t;
    t["linear_i8"] = cost("gemm_i8", s.gemm_i8);
    t["linear_i8"].push_back({"gemm_i8.efficiency", &s.gemm_i8_efficiency, 1});
    t["linear_f32"] = cost("gemm_f32", s.gemm_f32);
    t["linear_f32"].push_back({"gemm_f32.efficiency", &s.gemm_f32_efficiency, 1});
    t["lut_i8"] = cost("lut_i8", s.lut_i8);
    t["mul_i8"] = cost("mul_i8", s.mul_i8);
    t["add_i8"] = cost("add_i8", s.add_i8);
    t["gate_i8"] = cost("gate_i8", s.gate_i8);
    t["requant_i32"] = cost("requant_i32", s.requant_i32);
    t["add_f32"] = cost("map_f32", s.map_f32);
    t["memcpy_d2d"] = cost("copy", s.copy);
    t["conv1d_i8"] = cost("conv1d", s.conv1d);
    t["rmsnorm_i8"] = cost("norm", s.norm);  // rmsnorm and layernorm share the kernel and its costs
    t["rmsnorm_i8"].push_back({"norm.row_instr", &s.norm_row_instr, 1e9});
    t["rmsnorm_i8"].push_back({"norm.row_latency", &s.norm_row_latency, 1e9});
    t["attention_i8"] = cost("attention", s.attention);
    t["selective_scan_i8"] = scan("selective_scan_i8", s.selective_i8);
    t["s4d_scan_i8"] = scan("s4d_scan_i8", s.s4d_i8);
    t["selective_scan_f32"] = scan("selective_scan_f32", s.selective_f32);
    if (s.chain_kernels) {  // generation 67eb621: the grid's int8 GEMMs, scans and attention take these
                            // kernels
        t["linear_i8"] = cost("gemm_mma", s.gemm_mma);
        t["linear_i8"].push_back({"gemm_mma.efficiency", &s.gemm_mma_efficiency, 1});
        t["selective_scan_i8"] = scan("selective_scan_i8_fast", s.selective_i8_fast);
        t["s4d_scan_i8"] = scan("s4d_scan_i8_fast", s.s4d_i8_fast);
        t["attention_i8"] = cost("attention_mma", s.attention_mma);
        t["attention_i8"].push_back({"attention_mma.instr_per_mma", &s.attention_mma_instr_per_mma, 1e9});
        t["attention_i8"].push_back({"attention_mma.latency_per_mma", &s.attention_mma_latency_per_mma, 1e9});
    }
    // Generation 34fa29c: the grid's few-chain selective scans take the split kernel.
    if (s.split_selective) {
        for (const auto& [key, field] : kSplitScanKeys)
            t["selective_scan_i8"].push_back(
                {std::string("selective_scan_i8_split.") + key, &(s.selective_i8_split.*field), 1e9});
    }
    return t;
}

double mape(const std::vector<MeasuredRow>& rows, const std::vector<double>& pred) {
    double e = 0;
    for (size_t i = 0; i < rows.size(); ++i)
        e += std::fabs(pred[i] - rows[i].measured_us) / rows[i].measured_us;
    return rows.empty() ? 0.0 : 100.0 * e / static_cast<double>(rows.size());
}

void print_stats(const char* half, const std::vector<ErrorStats>& st) {
    for (const auto& s : st)
        fmt::print("{:9} {:12} n={:3}  MAPE {:6.2f}%  max {:6.1f}%\n", half, s.name, s.n, s.mape,
                   s.max_abs_pct);
}

// A whole number of at least 0 given to `flag`.
int64_t count_arg(const std::string& flag, const std::string& text) {
    size_t used = 0;
    int64_t v = -1;
    try {
        v = std::stoll(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || v < 0)
        throw InputError("ssmsim-gpu-calibrate", "a whole number >= 0 after " + flag, "'" + text + "'");
    return v;
}

int run(int argc, char** argv) {
    if (argc < 2) {
        fmt::print(stderr,
                   "usage: ssmsim-gpu-calibrate eval|fit|workloads|fit-power [--config C] [--csv F] [--out "
                   "F] [--all-rows]\n");
        return 2;
    }
    const std::string mode = argv[1];
    std::string config, csv, out, only, ops_csv, ops_out;
    int64_t max_len = 0, rounds = 2;
    bool all_rows = false, wide = false;
    for (int i = 2; i < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--all-rows" || a == "--wide") {
            (a == "--wide" ? wide : all_rows) = true;
            --i;  // a flag: no value
            continue;
        }
        if (i + 1 >= argc) throw InputError("ssmsim-gpu-calibrate", "a value after " + a, "none");
        if (a == "--config")
            config = argv[i + 1];
        else if (a == "--csv")
            csv = argv[i + 1];
        else if (a == "--out")
            out = argv[i + 1];
        else if (a == "--ops-csv")
            ops_csv = argv[i + 1];
        else if (a == "--ops-out")
            ops_out = argv[i + 1];
        else if (a == "--kernel")
            only = argv[i + 1];
        else if (a == "--max-len")
            max_len = count_arg(a, argv[i + 1]);
        else if (a == "--rounds")
            rounds = count_arg(a, argv[i + 1]);
        else
            throw InputError("ssmsim-gpu-calibrate",
                             "--config, --csv, --out, --kernel, --max-len, --rounds, --ops-csv or --ops-out",
                             a);
    }
    register_backend();
    if (mode == "workloads")
        return run_workload_validation(config,
                                       csv.empty() ? "reference/gpu-timings/h200-lra-validation.csv" : csv,
                                       out, max_len, ops_csv, ops_out);
    if (mode == "fit-power")
        return run_power_fit(config, csv.empty() ? "reference/gpu-timings/h200-power.csv" : csv, out);
    if (csv.empty()) csv = "reference/gpu-timings/h100.csv";
    const HwConfig cfg = HwConfig::resolve("gpu", "gpu-h100-sxm", config, nlohmann::json::object());
    Spec spec = parse_spec(cfg);
    const auto rows = load_timings(csv);
    if (mode == "eval") {
        const auto pred = predict_us(rows, spec);
        print_stats("calibrate", error_stats(rows, pred, false));
        print_stats("held-out", error_stats(rows, pred, true));
        if (!out.empty()) {
            std::ofstream f(out);
            f << "kernel,class,half,m,n,k,batch,len,ch,state,heads,elements,measured_us,predicted_us\n";
            for (size_t i = 0; i < rows.size(); ++i) {
                const auto& s = rows[i].shape;
                f << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{:.3f}\n", rows[i].kernel,
                                 rows[i].op_class, rows[i].heldout ? "heldout" : "calibration", s.m, s.n, s.k,
                                 s.batch, s.len, s.ch, s.state, s.heads, s.elements, rows[i].measured_us,
                                 pred[i]);
            }
        }
        return 0;
    }
    if (mode != "fit") throw InputError("ssmsim-gpu-calibrate", "eval or fit", mode);
    auto params = tunables(spec);
    for (auto& [kernel, list] : params) {
        if (!only.empty() && only != kernel) continue;
        std::vector<MeasuredRow> mine;
        for (const auto& r : rows) {
            const bool same = r.kernel == kernel || (kernel == "rmsnorm_i8" && r.kernel == "layernorm_i8");
            if (same && (all_rows || !r.heldout)) mine.push_back(r);
        }
        if (mine.empty()) continue;
        double best = mape(mine, predict_us(mine, spec));
        const double start = best;
        // --wide: steps of up to 10x as well, for a cost that two rounds of 0.6-1.6x cannot reach (a
        // coordinate descent stalls where the small rows' error grows before the large rows' falls).
        const std::vector<double> factors =
            wide ? std::vector<double>{0.1, 0.3, 0.6, 0.85, 0.95, 1.05, 1.2, 1.6, 3, 10}
                 : std::vector<double>{0.6, 0.85, 0.95, 1.05, 1.2, 1.6};
        for (int64_t round = 0; round < rounds; ++round) {
            bool improved = false;
            for (Tunable& t : list) {
                const double base = *t.value;
                double best_v = base;
                for (double f : factors) {
                    // Every cost is non-negative (the config refuses less than 0).
                    const double v = std::clamp(base == 0 ? (f - 0.5) * 100 : base * f, 0.0, t.hi);
                    *t.value = v;
                    const double e = mape(mine, predict_us(mine, spec));
                    if (e < best - 1e-6) {
                        best = e;
                        best_v = v;
                        improved = true;
                    }
                }
                *t.value = best_v;
            }
            if (!improved) break;
        }
        fmt::print(stderr, "{:20} n={:3} calibration MAPE {:6.2f}% -> {:6.2f}%\n", kernel, mine.size(), start,
                   best);
        for (Tunable& t : list) fmt::print("kernels.{}={:.6g}\n", t.key, *t.value);
        std::fflush(stdout);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const InputError& e) {
        fmt::print(stderr, "ssmsim-gpu-calibrate: error: {}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "ssmsim-gpu-calibrate: internal error: {}\n", e.what());
        return 1;
    }
}
