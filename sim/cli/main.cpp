// ssmsim: the command-line front end. Registers every model, parses arguments, maps errors to exit codes:
// 0 success, 1 internal error, 2 bad input (the message names the file and field).
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "models/gpu/backend.h"
#include "models/neuromorphic/backend.h"
#include "models/systolic/backend.h"
#include "reference/backend.h"
#include "sim/cli/commands.h"
#include "sim/cli/sweep_cmd.h"
#include "sim/util/error.h"

int main(int argc, char** argv) {
    using namespace ssmsim::cli;
    ssmsim::reference::register_backend();
    ssmsim::systolic::register_backend();
    ssmsim::neuromorphic::register_backend();
    ssmsim::gpu::register_backend();

    CLI::App app{"ssmsim: cycle-approximate simulation of state-space-model hardware on LRA workloads"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "ssmsim 0.1.0");

    auto add_workload_opts = [](CLI::App* c, WorkloadOptions& o) {
        c->add_option("--seed", o.seed, "seed of the weights and inputs of lra: workloads")
            ->capture_default_str();
        c->add_option("--seq-len", o.seq_len, "sequence length of lra: workloads (0: the task's full length)")
            ->check(CLI::Range(int64_t{0}, int64_t{1} << 22));
        c->add_option("--batch", o.batch, "samples of lra: workloads, the B of every [B, L, ...] tensor")
            ->check(check_batch_arg)
            ->capture_default_str();
        c->add_option("--numerics", o.numerics, "int8 (the integer contract) or float32")
            ->capture_default_str();
        c->add_option("--memory-budget-mib", o.memory_budget_mib,
                      "refuse traces whose live tensors exceed this (default: 3/4 of physical memory)")
            ->check(CLI::NonNegativeNumber);
        c->add_option("--weights", o.weights,
                      "folder of float32 <tensor>.npy parameters that replace the generated ones");
    };

    RunArgs run;
    auto* run_cmd = app.add_subcommand("run", "run a workload on a model and write report.json");
    run_cmd->add_option("--model", run.model, "a registered model, or 'all'")->capture_default_str();
    run_cmd->add_option("--workload", run.workload, "a trace folder, or lra:<task>[:<arch>]")->required();
    add_workload_opts(run_cmd, run.workload_opts);
    run_cmd->add_option("--config", run.config, "hardware config JSON (default: the model's own)");
    run_cmd->add_option("--set", run.sets, "override a config value: key=value (repeatable)");
    std::string scan_unit;
    run_cmd
        ->add_option("--scan-unit", scan_unit,
                     "systolic scan unit: tlm, or rtl (Verilated); = --set scan.unit=")
        ->check(CLI::IsMember({"tlm", "rtl"}));
    run_cmd->add_flag("--timing-only", run.timing_only, "simulate timing without data");
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
    auto* validate_cmd = app.add_subcommand("validate", "check a trace folder without running it");
    validate_cmd->add_option("path", validate_path, "trace folder or trace.json")->required();

    auto* list_cmd = app.add_subcommand("list", "list models, LRA tasks, architectures and op kinds");

    SweepArgs sweep;
    auto* sweep_cmd =
        app.add_subcommand("sweep", "run a design-space sweep (also under mpirun), docs/sweeps.md");
    sweep_cmd->add_option("sweep", sweep.file, "sweep JSON file")->required();
    sweep_cmd->add_option("--out", sweep.out, "results folder (re-running resumes it)")->required();
    sweep_cmd->add_option("--jobs", sweep.jobs, "design points in parallel (default: the number of cores)")
        ->check(CLI::Range(1, 4096));
    sweep_cmd->add_flag("--retry-failed", sweep.retry_failed, "run again the points recorded as failed");
    sweep_cmd->add_flag("-q,--quiet", sweep.quiet, "no progress bar");

    std::string report_dir;
    auto* report_cmd =
        app.add_subcommand("report", "plots (PNG, SVG), Pareto front and report.html of a sweep");
    report_cmd->add_option("dir", report_dir, "a sweep's --out folder")->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    try {
        if (!scan_unit.empty()) run.sets.push_back("scan.unit=" + scan_unit);
        if (*run_cmd) return cmd_run(run);
        if (*gen_cmd) return cmd_gen(gen_workload, gen_opts, gen_out, gen_shape_only);
        if (*validate_cmd) return cmd_validate(validate_path);
        if (*list_cmd) return cmd_list();
        if (*sweep_cmd) return cmd_sweep(sweep);
        if (*report_cmd) return cmd_report(report_dir);
    } catch (const ssmsim::InputError& e) {
        fmt::print(stderr, "ssmsim: error: {}\n", e.what());
        return 2;
    } catch (const std::invalid_argument& e) {
        fmt::print(stderr, "ssmsim: error: {}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "ssmsim: internal error: {}\n", e.what());
        return 1;
    }
    return 0;
}
