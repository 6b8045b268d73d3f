// The ssmsim command line as a function: the executable (app/main.cpp) and the Python module
// (python/src/module.cpp) parse and run the same commands, so their report.json files are the same.
#include "app/cli.h"

#include <mutex>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "app/accuracy_cmd.h"
#include "app/commands.h"
#include "app/compare_cmd.h"
#include "app/dataset_cmd.h"
#include "app/int_arg.h"
#include "app/quantize_cmd.h"
#include "app/rtl_verify_cmd.h"
#include "app/runs_report.h"
#include "app/sweep_cmd.h"
#include "models/gpu/backend.h"
#include "models/neuromorphic/backend.h"
#include "models/systolic/backend.h"
#include "reference/backend.h"
#include "sim/util/error.h"

namespace ssmsim::cli {

void register_models() {
    static std::once_flag once;
    std::call_once(once, [] {
        reference::register_backend();
        systolic::register_backend();
        neuromorphic::register_backend();
        gpu::register_backend();
    });
}

int dispatch(const std::vector<std::string>& args) {
    register_models();
    std::vector<std::string> arg_copy(args);
    std::vector<char*> argv;
    for (auto& a : arg_copy) argv.push_back(a.data());
    const int argc = static_cast<int>(argv.size());
    argv.push_back(nullptr);

    CLI::App app{"ssmsim: cycle-approximate simulation of state-space-model hardware on LRA workloads"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "ssmsim " SSMSIM_VERSION);

    // Numbers are checked as text before CLI11 converts them: no wrap-around, no fractions, no "1e3".
    auto add_budget_opt = [](CLI::App* c, WorkloadOptions& o) {
        c->add_option("--memory-budget-mib", o.memory_budget_mib,
                      "refuse traces whose live tensors exceed this (default: 3/4 of physical memory)")
            ->check(integer_arg<int64_t>(0, std::numeric_limits<int64_t>::max(), "MiB, 0: the default"));
    };
    auto add_workload_opts = [&](CLI::App* c, WorkloadOptions& o) {
        c->add_option("--seed", o.seed, "seed of the weights and inputs of lra: workloads")
            ->check(integer_arg<uint64_t>(0, std::numeric_limits<uint64_t>::max()))
            ->capture_default_str();
        c->add_option("--seq-len", o.seq_len, "sequence length of lra: workloads (0: the task's full length)")
            ->check(integer_arg<int64_t>(0, kMaxSeqLen, "time steps, 0: the task's own"));
        c->add_option("--batch", o.batch, "samples of lra: workloads, the B of every [B, L, ...] tensor")
            ->check(check_batch_arg)
            ->capture_default_str();
        c->add_option("--numerics", o.numerics, "int8 (the integer contract) or float32 (lra: workloads)")
            ->capture_default_str();
        add_budget_opt(c, o);
        c->add_option("--weights", o.weights,
                      "folder of float32 <tensor>.npy parameters that replace the generated ones");
    };
    // Whether --seed and --numerics were given, not just defaulted: a trace folder refuses them.
    auto note_given = [](CLI::App* c, WorkloadOptions& o) {
        o.seed_given = c->count("--seed") > 0;
        o.numerics_given = c->count("--numerics") > 0;
    };

    RunArgs run;
    auto* run_cmd = app.add_subcommand("run", "run a workload on a model and write report.json");
    run_cmd->add_option("--model", run.model, "a registered model, or 'all'")->capture_default_str();
    run_cmd->add_option("--workload", run.workload, "a trace folder, or lra:<task>[:<arch>]")->required();
    add_workload_opts(run_cmd, run.workload_opts);
    run_cmd->add_option("--config", run.configs,
                        "hardware config name or JSON file (default: the model's own); with --model all "
                        "<model>=<config> (repeatable)");
    run_cmd->add_option(
        "--set", run.sets,
        "override a config value: key=value; with --model all <model>:key=value (repeatable)");
    run_cmd->add_option("--baseline", run.baseline,
                        "--model all: the model the summary's ratios are taken against (default: the first "
                        "timing model, systolic)");
    std::string scan_unit;
    run_cmd
        ->add_option("--scan-unit", scan_unit,
                     "systolic scan unit: tlm, or rtl (Verilated); = --set scan.unit=")
        ->check(CLI::IsMember({"tlm", "rtl"}));
    run_cmd->add_flag("--timing-only", run.timing_only, "simulate timing without data");
    run_cmd->add_flag(
        "--hash-ops", run.hash_ops,
        "hash every op's outputs as computed (report.json ops[i].output_sha256), to find the first op "
        "where two models differ");
    run_cmd->add_option("--out", run.out, "folder for report.json and outputs/");
    run_cmd->add_flag("-q,--quiet", run.quiet, "no progress bar");

    std::string gen_workload, gen_out;
    WorkloadOptions gen_opts;
    auto* gen_cmd = app.add_subcommand("gen", "write an LRA workload as a trace folder with data");
    gen_cmd->add_option("workload", gen_workload, "lra:<task>[:<arch>]")->required();
    gen_cmd->add_option("--out", gen_out, "trace folder to write")->required();
    add_workload_opts(gen_cmd, gen_opts);
    bool gen_shape_only = false;
    gen_cmd->add_flag("--shape-only", gen_shape_only,
                      "write trace.json without tensor data (timing-only runs)");

    std::string validate_path;
    WorkloadOptions validate_opts;
    auto* validate_cmd = app.add_subcommand("validate", "check a trace folder without running it");
    validate_cmd->add_option("path", validate_path, "trace folder or trace.json")->required();
    add_budget_opt(validate_cmd, validate_opts);

    auto* list_cmd = app.add_subcommand("list", "list models, LRA tasks, architectures and op kinds");

    SweepArgs sweep;
    auto* sweep_cmd =
        app.add_subcommand("sweep", "run a design-space sweep (also under mpirun), docs/sweeps.md");
    sweep_cmd->add_option("sweep", sweep.file, "sweep JSON file")->required();
    sweep_cmd->add_option("--out", sweep.out, "results folder (re-running resumes it)")->required();
    sweep_cmd->add_option("--jobs", sweep.jobs, "design points in parallel (default: the number of cores)")
        ->check(integer_arg<int>(1, kMaxJobs, "processes"));
    sweep_cmd->add_flag("--retry-failed", sweep.retry_failed, "run again the points recorded as failed");
    sweep_cmd->add_flag("-q,--quiet", sweep.quiet, "no progress bar");

    QuantizeArgs quantize;
    auto* quantize_cmd = app.add_subcommand(
        "quantize", "a float32 trace into the int8 contract, as the LRA builder does (docs/workloads.md)");
    quantize_cmd->add_option("trace", quantize.trace, "a float32 trace folder with data")->required();
    quantize_cmd->add_option("--calibration", quantize.calibration,
                             "folder of <graph input>.npy that replace those inputs for calibration");
    quantize_cmd->add_option("--out", quantize.out, "folder for the int8 trace and quantize_report.csv")
        ->required();

    AccuracyArgs accuracy;
    auto* accuracy_cmd = add_accuracy_command(app, accuracy);

    DatasetArgs dataset;
    auto* dataset_cmd = add_dataset_command(app, dataset);

    ReportArgs report;
    auto* report_cmd = app.add_subcommand(
        "report",
        "a sweep's plots, Pareto front and report.html; or runs side by side (docs/trace-format.md)");
    report_cmd
        ->add_option(
            "dirs", report.dirs,
            "a sweep's --out folder, or the --out folders of runs (`run --model all` folders expand)")
        ->required();
    report_cmd->add_option("--out", report.out, "runs: write runs.csv, one row per run");
    report_cmd->add_option("--ops-out", report.ops_out,
                           "runs: write their ops.csv merged, with a run column");

    CompareArgs compare;
    auto* compare_cmd = app.add_subcommand(
        "compare",
        "workloads x models (simulated and measured) in one table, plots and HTML, docs/compare.md");
    compare_cmd
        ->add_option(
            "--workloads", compare.workloads,
            "lra:all, lra:<task> (its three architectures), lra:<task>:<arch>, trace folders; commas")
        ->required();
    compare_cmd
        ->add_option(
            "--models", compare.models,
            "models and measured sources (measured-gpu, pytorch), commas; <model>@<tag> runs a model "
            "again under another label")
        ->required();
    compare_cmd->add_option("--config", compare.configs,
                            "<label>=<config name or JSON file> (repeatable; default: the model's own)");
    compare_cmd->add_option("--set", compare.sets, "<label>:<key>=<value>, a config override (repeatable)");
    compare_cmd->add_option("--batch", compare.batches, "batch sizes of lra: workloads, commas")
        ->capture_default_str();
    compare_cmd->add_option("--seq-len", compare.seq_len, "sequence length of lra: workloads (0: full)")
        ->check(integer_arg<int64_t>(0, kMaxSeqLen, "time steps, 0: the task's own"));
    compare_cmd->add_option("--seed", compare.seed, "seed of the weights and inputs of lra: workloads")
        ->check(integer_arg<uint64_t>(0, std::numeric_limits<uint64_t>::max()))
        ->capture_default_str();
    compare_cmd->add_flag("--timing-only", compare.timing_only, "simulate timing without data");
    compare_cmd->add_option("--baseline", compare.baseline,
                            "the label ratios are taken against (default: measured-gpu if listed, else the "
                            "first model)");
    compare_cmd->add_option("--out", compare.out, "folder for compare.csv, compare.json, plots/, index.html")
        ->required();
    compare_cmd->add_flag("-q,--quiet", compare.quiet, "no progress bar");

    RtlVerifyArgs verify;
    auto* rtl_cmd = app.add_subcommand("rtl", "the scan unit in RTL (docs/rtl.md)");
    rtl_cmd->require_subcommand(1);
    auto* verify_cmd = rtl_cmd->add_subcommand(
        "verify",
        "check a scan unit in SystemVerilog against the interface, the reference and the timing; "
        "exit 0 PASS, 1 FAIL, 2 a design that does not build or match the interface");
    verify_cmd->add_option("--rtl", verify.rtl, "SystemVerilog source (repeatable)")->required();
    verify_cmd->add_option("--top", verify.top, "the top module")->required();
    verify_cmd->add_option("--param", verify.params, "NAME=VALUE, a parameter of the top (repeatable)");
    verify_cmd->add_option("--cases", verify.cases, "random cases, besides the corner cases")
        ->check(integer_arg<int>(0, 100000, "cases"))
        ->capture_default_str();
    verify_cmd->add_option("--seed", verify.seed, "seed of the random cases")
        ->check(integer_arg<uint64_t>(0, std::numeric_limits<uint64_t>::max()))
        ->capture_default_str();
    verify_cmd->add_option("--workload", verify.workload, "the co-simulation's workload, lra:<task>:<arch>")
        ->capture_default_str();
    verify_cmd->add_option("--seq-len", verify.seq_len, "sequence length of the co-simulation's workload")
        ->check(integer_arg<int64_t>(1, kMaxSeqLen, "time steps"))
        ->capture_default_str();
    verify_cmd->add_option(
        "--cache", verify.cache,
        "folder of built plugins (default: $XDG_CACHE_HOME/ssmsim/rtl or ~/.cache/ssmsim/rtl)");
    verify_cmd->add_option(
        "--out", verify.out,
        "folder for the FST waves of a failing case (default: waves/ in the plugin's cache folder)");

    try {
        app.parse(argc, argv.data());
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version: printed on stdout
        if (app.get_subcommands().empty() && argc > 1 && argv[1][0] != '-') {
            // CLI11 only says "A subcommand is required": name the word it did not know.
            std::string names;
            for (const auto* c : app.get_subcommands({}))
                names += (names.empty() ? "" : ", ") + c->get_name();
            throw UsageError("the command: expected one of " + names + ", found '" + argv[1] + "'");
        }
        // CLI11's own words ("--workload is required", "The following arguments were not expected: x"),
        // in the form of every other error.
        throw UsageError(std::string(e.what()) + " (see ssmsim --help)");
    }
    note_given(run_cmd, run.workload_opts);
    note_given(gen_cmd, gen_opts);
    if (!scan_unit.empty())  // the systolic model's key: with --model all, for systolic alone
        run.sets.push_back(std::string(run.model == "all" ? "systolic:" : "") + "scan.unit=" + scan_unit);
    if (*run_cmd) return cmd_run(run);
    if (*gen_cmd) return cmd_gen(gen_workload, gen_opts, gen_out, gen_shape_only);
    if (*validate_cmd) return cmd_validate(validate_path, validate_opts);
    if (*list_cmd) return cmd_list();
    if (*sweep_cmd) return cmd_sweep(sweep);
    if (*report_cmd) return cmd_report_any(report);
    if (*quantize_cmd) return cmd_quantize(quantize);
    if (*accuracy_cmd) return cmd_accuracy(accuracy);
    if (*dataset_cmd) return cmd_dataset(dataset, "ssmsim " SSMSIM_VERSION);
    if (*verify_cmd) {
#if SSMSIM_HAVE_RTL_VERIFY
        return cmd_rtl_verify(verify);
#else
        throw ssmsim::InputError("ssmsim rtl verify", "an ssmsim built with Verilator",
                                 "one built without it");
#endif
    }
    if (*compare_cmd) {
        compare.batches_given = compare_cmd->count("--batch") > 0;
        compare.command_line = args;
        compare.command_line[0] = "ssmsim";  // not the path it was started from
        return cmd_compare(compare);
    }
    return 0;
}

}  // namespace ssmsim::cli
