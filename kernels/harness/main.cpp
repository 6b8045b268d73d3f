// ssmsim-cuda: runs traces on the GPU with the CUDA kernels of kernels/, checks them against the C++
// reference, and times kernels over a grid of shapes. Exit codes as ssmsim: 0 success, 1 internal error
// (a GPU result that differs from the reference is one), 2 bad input.
#include <cstdlib>

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "app/dataset_cmd.h"
#include "app/workload_arg.h"
#include "kernels/harness/bench_grid.h"
#include "kernels/harness/chain_report.h"
#include "kernels/harness/compare.h"
#include "kernels/harness/gemm_shapes.h"
#include "kernels/harness/gpu_executor.h"
#include "kernels/harness/gpu_info.h"
#include "kernels/harness/kernel_selftest.h"
#include "kernels/harness/launch_report.h"
#include "sim/report/report.h"
#include "sim/util/error.h"

namespace {

using namespace ssmsim;

struct RunArgs {
    std::string workload, out;
    cli::WorkloadOptions wopts;
    cuda::GpuRunOptions gpu;
    bool check_reference = false;
    double float_tolerance = 1e-3;
};

int cmd_run(const RunArgs& a) {
    if (!a.out.empty()) clear_previous_report(a.out);
    cli::ResolvedWorkload w = cli::resolve_workload(a.workload, a.wopts, true);
    if (!w.data) throw InputError("--workload " + a.workload, "a trace with data", "a shape-only trace");
    cuda::GpuRunOptions gopt = a.gpu;
    gopt.keep_all = a.check_reference;
    const cuda::GpuRun run = cuda::run_on_gpu(w.trace, *w.data, gopt);
    nlohmann::ordered_json report = common_report("cuda", w.name, w.trace, &run.outputs);
    report["saturations"] = run.saturations;
    report["gpu"] = cuda::gpu_info();
    report["date_utc"] = cuda::utc_now();
    report["timing"] = {{"warmup", run.warmup},
                        {"repeat", run.repeat},
                        {"total_ms_median", run.total_median_ms},
                        {"method",
                         "CUDA events around every op; each pass queued behind a GPU-side wait; median "
                         "over the repeats; clocks as found"}};
    if (a.gpu.graph) {
        report["timing"]["graph_ms_median"] = run.graph_median_ms;
        report["timing"]["graph_ms_min"] = run.graph_min_ms;
        report["timing"]["graph_ms_max"] = run.graph_max_ms;
        report["timing"]["graph_method"] =
            "the whole trace captured once as a CUDA Graph; each replay queued behind a GPU-side wait and "
            "timed "
            "with CUDA events; median over the repeats";
    }
    if (a.gpu.power_s > 0) {
        const auto& p = run.power;
        const double batch = static_cast<double>(std::max<int64_t>(1, a.wopts.batch));
        report["power"] = {
            {"board_w", p.watts},
            {"smi_power_w", p.smi_watts},
            {"sm_mhz", p.sm_mhz},
            {"window_s", p.seconds},
            {"replay_ms", run.power_replay_ms},
            {"busy", p.busy},
            {"energy_per_pass_mj", p.watts * run.power_replay_ms},
            {"energy_per_inference_mj", p.watts * run.power_replay_ms / batch},
            {"method",
             "the graph replayed back to back (groups of about 2 ms, about 40 ms of them queued) for 0.3 s, "
             "then for at least window_s more; board_w = the board energy NVML counts over that window (from "
             "one "
             "update of its counter to a later one) / the window; smi_power_w = mean of nvidia-smi's "
             "power.draw sampled every 10 ms; replay_ms = window / replays; busy = replays x graph_ms_median "
             "/ "
             "window (1: the host kept the GPU fed)"}};
    }
    auto ops = op_work(w.trace);
    for (size_t i = 0; i < ops.size(); ++i) {
        const auto& r = run.ops[i];
        ops[i]["saturations"] = r.saturations;
        if (!r.output_sha256.empty()) ops[i]["output_sha256"] = r.output_sha256;
        ops[i]["gpu_ms_median"] = r.median_ms;
        ops[i]["gpu_ms_min"] = r.min_ms;
        ops[i]["gpu_ms_max"] = r.max_ms;
    }
    report["ops"] = std::move(ops);
    bool ok = true;
    std::string summary;
    if (a.check_reference) {
        const cuda::Comparison c = cuda::compare_with_reference(w.trace, *w.data, run, a.float_tolerance);
        report["reference_check"] = {{"ok", c.ok},
                                     {"summary", c.summary},
                                     {"float_tolerance_rel_l2", a.float_tolerance},
                                     {"ops", c.detail}};
        ok = c.ok;
        summary = c.summary;
    }
    if (!a.out.empty()) write_run_output(a.out, report, run.outputs);
    fmt::print("{} ({} ops, {}): gpu {:.3f} ms{}{}, saturations {}, output_sha256 {}\n", w.name,
               w.trace.ops.size(), numerics_name(w.trace.numerics), run.total_median_ms,
               a.gpu.graph ? fmt::format(", graph {:.3f} ms", run.graph_median_ms) : "",
               a.gpu.power_s > 0
                   ? fmt::format(", board {:.1f} W at {:.0f} MHz", run.power.watts, run.power.sm_mhz)
                   : "",
               run.saturations, report["output_sha256"].get<std::string>());
    if (!summary.empty()) fmt::print("  {} {}\n", ok ? "PASS" : "FAIL", summary);
    return ok ? 0 : 1;
}

// The command line as the CSV's provenance records it. Device runs write under the folder named by $OUT;
// its path is the machine's own, so the record keeps the variable rather than the path.
std::string recorded_command(int argc, char** argv) {
    const char* out_env = std::getenv("OUT");
    const std::string out_dir = out_env ? out_env : "";
    std::string cmd = "ssmsim-cuda";
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (!out_dir.empty() && arg.rfind(out_dir, 0) == 0) arg.replace(0, out_dir.size(), "$OUT");
        cmd.append(" ").append(arg);
    }
    return cmd;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ssmsim-cuda: the CUDA kernels of the numerics contract on a GPU"};
    app.require_subcommand(1);

    RunArgs run;
    auto* run_cmd =
        app.add_subcommand("run", "run a trace on the GPU; write outputs, hashes and kernel timings");
    run_cmd->add_option("--workload", run.workload, "a trace folder, or lra:<task>[:<arch>]")->required();
    run_cmd->add_option("--seed", run.wopts.seed, "seed of lra: workloads")->capture_default_str();
    run_cmd->add_option("--seq-len", run.wopts.seq_len, "sequence length of lra: workloads (0: full)")
        ->check(CLI::Range(int64_t{0}, int64_t{1} << 22));
    run_cmd->add_option("--batch", run.wopts.batch, "samples of lra: workloads (the B of [B, L, ...])")
        ->check(cli::check_batch_arg)
        ->capture_default_str();
    run_cmd->add_option("--numerics", run.wopts.numerics, "int8 or float32")->capture_default_str();
    run_cmd->add_option("--weights", run.wopts.weights, "float32 parameters for lra: workloads");
    run_cmd->add_option("--out", run.out, "folder for report.json and outputs/");
    run_cmd->add_option("--warmup", run.gpu.warmup, "untimed passes")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    run_cmd->add_option("--repeat", run.gpu.repeat, "timed passes (median reported)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    run_cmd->add_flag("--check-reference", run.check_reference,
                      "also run the C++ reference and compare every op (int8: byte for byte)");
    run_cmd->add_flag("--graph", run.gpu.graph, "also time the whole trace launched as one CUDA Graph");
    run_cmd
        ->add_option("--power", run.gpu.power_s,
                     "with --graph: replay the graph back to back for this many seconds and report the board "
                     "power (NVML)")
        ->check(CLI::Range(0.0, 600.0));
    bool no_op_hashes = false;
    run_cmd->add_flag("--no-op-hashes", no_op_hashes,
                      "skip downloading and hashing every op's output (large batches; outputs still hashed)");
    run_cmd
        ->add_option("--float-tolerance", run.float_tolerance,
                     "float32: largest relative L2 error of the outputs")
        ->capture_default_str();

    cuda::BenchOptions bench;
    auto* bench_cmd = app.add_subcommand("bench", "time the kernels over a grid of shapes; write CSV");
    bench_cmd->add_option("--out", bench.out, "CSV file")->required();
    bench_cmd->add_option("--filter", bench.filter, "only kernels whose name contains this");
    bench_cmd->add_flag("--quick", bench.quick, "a few points per kernel");
    std::string gemm_shapes_csv;
    bench_cmd->add_option("--gemm-shapes", gemm_shapes_csv,
                          "int8 GEMM only at the m, n, k of this CSV's rows (torch_baseline.py --gemm-out), "
                          "in place of the grid's GEMM points");
    bench_cmd->add_option("--reps", bench.reps, "timed groups per point")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    bench_cmd
        ->add_option("--power", bench.power_s,
                     "also each point's board power (NVML), its launches back to back for this many seconds")
        ->check(CLI::Range(0.0, 600.0));
    bench_cmd
        ->add_option("--power-stride", bench.power_stride, "board power at every k-th point of each kernel")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    bench_cmd
        ->add_option("--power-min-us", bench.power_min_us, "board power only where a launch takes this long")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);

    auto* info_cmd = app.add_subcommand("info", "print the GPU and CUDA versions as JSON");

    std::string chain_json;
    auto* chain_cmd = app.add_subcommand(
        "chain", "the scan step's dependency-chain latency against the int8 scans' cycles per step");
    chain_cmd->add_option("--json", chain_json, "also write the figures to this JSON file");

    std::string launch_json;
    auto* launch_cmd = app.add_subcommand(
        "launch",
        "what the GPU spends between kernels: empty kernels as graph nodes, back to back, timed each");
    launch_cmd->add_option("--json", launch_json, "also write the figures to this JSON file");

    int selftest_cases = 200;
    uint64_t selftest_seed = 1;
    auto* selftest_cmd = app.add_subcommand(
        "selftest", "random int8 scan and attention cases on the GPU, byte for byte against the reference");
    selftest_cmd->add_option("--cases", selftest_cases, "number of cases")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    selftest_cmd->add_option("--seed", selftest_seed, "seed of the cases")->capture_default_str();
    bool selftest_dry = false;
    selftest_cmd->add_flag("--dry-run", selftest_dry, "only build and validate the cases (no GPU)");

    cli::DatasetArgs dataset;
    auto* dataset_cmd = cli::add_dataset_command(app, dataset);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    try {
        if (*run_cmd) {
            run.gpu.op_hashes = !no_op_hashes;
            return cmd_run(run);
        }
        if (*bench_cmd) {
            bench.command = recorded_command(argc, argv);
            if (!gemm_shapes_csv.empty()) bench.gemm_shapes = cuda::read_gemm_shapes(gemm_shapes_csv);
            return cuda::run_bench(bench);
        }
        if (*dataset_cmd) return cli::cmd_dataset(dataset, "ssmsim-cuda");
        if (*chain_cmd) return cuda::run_chain_report(chain_json);
        if (*launch_cmd) return cuda::run_launch_report(launch_json);
        if (*selftest_cmd)
            return cuda::run_kernel_selftest(selftest_cases, selftest_seed, selftest_dry) == 0 ? 0 : 1;
        if (*info_cmd) {
            fmt::print("{}\n", cuda::gpu_info().dump(2));
            return 0;
        }
    } catch (const InputError& e) {
        fmt::print(stderr, "ssmsim-cuda: error: {}\n", e.what());
        return 2;
    } catch (const std::invalid_argument& e) {
        fmt::print(stderr, "ssmsim-cuda: error: {}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "ssmsim-cuda: internal error: {}\n", e.what());
        return 1;
    }
    return 0;
}
