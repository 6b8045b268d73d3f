#include "app/workload_arg.h"

#include <fmt/format.h>
#include <unistd.h>

#include <charconv>

#include "sim/trace/trace_io.h"
#include "sim/util/checked_int.h"
#include "sim/util/error.h"
#include "workloads/lra/lra.h"

namespace ssmsim::cli {

namespace {

Numerics parse_numerics(const std::string& s) {
    if (s == "int8") return Numerics::int8;
    if (s == "float32") return Numerics::float32;
    throw InputError("--numerics", "int8 or float32", "'" + s + "'");
}

int64_t physical_memory_bytes() {
    return static_cast<int64_t>(::sysconf(_SC_PHYS_PAGES)) * static_cast<int64_t>(::sysconf(_SC_PAGE_SIZE));
}

}  // namespace

// Refuses a trace whose live tensors would not fit, before its data is read or any activation allocated.
void check_memory_budget(const Trace& t, const WorkloadOptions& opts) {
    const int64_t budget = opts.memory_budget_mib > 0 ? mib_to_bytes_saturating(opts.memory_budget_mib)
                                                      : physical_memory_bytes() / 4 * 3;
    // Before generation (workloads/lra/build.cpp): the parameters it draws in float32 must fit too.
    const int64_t generation = t.meta.value("generation_bytes", int64_t{0});
    if (generation > budget) {
        throw InputError(
            fmt::format("{}: memory budget (--memory-budget-mib)", t.name),
            fmt::format("at most {} MiB to generate the workload", budget >> 20),
            fmt::format("{} MiB of parameters drawn in float32 and quantized", generation >> 20));
    }
    const LiveBytes peak = peak_live_bytes(t);
    if (peak.bytes <= budget) return;
    // An lra: workload is first checked on its declarations, before generation (workloads/lra/build.cpp):
    // in int8 these are a lower bound of what the quantized trace will need.
    const std::string at_least = t.meta.contains("estimate") ? "at least " : "";
    if (opts.batch > 1) {
        // The batch is what the user chose to make big: say so, and how many bytes it needs.
        throw InputError(
            fmt::format("--batch {}: memory budget (--memory-budget-mib)", opts.batch),
            fmt::format("live tensors of at most {} bytes ({} MiB)", budget, budget >> 20),
            fmt::format("{}{} bytes ({} MiB) needed by {} samples of {} at op '{}'; lower --batch or raise "
                        "--memory-budget-mib",
                        at_least, peak.bytes, peak.bytes >> 20, opts.batch, t.name, peak.op));
    }
    throw InputError(fmt::format("{}: memory budget (--memory-budget-mib)", t.name),
                     fmt::format("live tensors of at most {} MiB", budget >> 20),
                     fmt::format("{}{} MiB at op '{}'", at_least, peak.bytes >> 20, peak.op));
}

std::string check_batch_arg(const std::string& text) {
    int64_t n = 0;
    const char* end = text.data() + text.size();
    const auto [at, ec] = std::from_chars(text.data(), end, n);
    if (text.empty() || ec != std::errc() || at != end || n < 1 || n > workloads::kMaxBatch)
        return fmt::format("expected an integer in [1, {}] (samples), found '{}'", workloads::kMaxBatch,
                           text);
    return "";
}

ResolvedWorkload resolve_workload(const std::string& arg, const WorkloadOptions& opts, bool want_data) {
    if (opts.batch < 1 || opts.batch > workloads::kMaxBatch) {
        throw InputError("--batch", fmt::format("an integer in [1, {}] (samples)", workloads::kMaxBatch),
                         std::to_string(opts.batch));
    }
    if (arg.rfind("lra:", 0) == 0) {
        workloads::WorkloadSpec spec = workloads::parse_workload_spec(arg);
        spec.seed = opts.seed;
        spec.seq_len = opts.seq_len;
        spec.batch = opts.batch;
        spec.numerics = parse_numerics(opts.numerics);
        spec.weights_dir = opts.weights;
        spec.calibration_samples = opts.calibration_samples;
        const auto check = [&](const Trace& t) { check_memory_budget(t, opts); };
        ResolvedWorkload r{spec.name(), Trace{}, std::nullopt};
        if (want_data) {
            workloads::Workload w = workloads::build_lra(spec, check);
            r.trace = std::move(w.trace);
            r.data = std::move(w.data);
        } else {
            // Timing only: the shape-only trace directly, without drawing weights or calibrating (seconds).
            r.trace = workloads::build_lra_shapes(spec, check);
        }
        if (const auto it = r.trace.meta.find("weights"); it != r.trace.meta.end()) {
            fmt::print(stderr, "ssmsim: --weights {}: replaced {} of {} parameters\n",
                       (*it)["dir"].get<std::string>(), (*it)["replaced"].get<int64_t>(),
                       (*it)["of"].get<int64_t>());
        }
        return r;
    }
    if (!opts.weights.empty()) {
        throw InputError("--weights", "an lra: workload (a trace folder carries its own weights)", arg);
    }
    // A trace folder was generated with its own seed and numerics: silently ignoring these would let the
    // user believe the run used them.
    if (opts.seed_given) {
        throw InputError("--seed", "no --seed with a trace folder (--seed applies to lra: workloads only)",
                         std::to_string(opts.seed));
    }
    if (opts.numerics_given) {
        throw InputError("--numerics",
                         "no --numerics with a trace folder (--numerics applies to lra: workloads only; the "
                         "trace's \"numerics\" field fixes it)",
                         "'" + opts.numerics + "'");
    }
    if (opts.seq_len != 0)
        throw InputError("--seq-len", "no --seq-len with a trace folder (it fixes its shapes)",
                         std::to_string(opts.seq_len));
    if (opts.batch != 1)
        throw InputError("--batch", "no --batch with a trace folder (its tensors fix the batch)",
                         std::to_string(opts.batch));
    ResolvedWorkload r{arg, load_trace(arg), std::nullopt};
    check_memory_budget(r.trace, opts);
    if (want_data && r.trace.has_data) r.data = load_tensor_data(r.trace);
    return r;
}

}  // namespace ssmsim::cli
