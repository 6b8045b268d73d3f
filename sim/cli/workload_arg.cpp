#include "sim/cli/workload_arg.h"

#include <fmt/format.h>
#include <unistd.h>

#include <charconv>

#include "sim/trace/trace_io.h"
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

// Refuses a trace whose live tensors would not fit, before its data is read or any activation allocated.
void check_memory_budget(const Trace& t, const WorkloadOptions& opts) {
    const int64_t budget =
        opts.memory_budget_mib > 0 ? opts.memory_budget_mib << 20 : physical_memory_bytes() / 4 * 3;
    const LiveBytes peak = peak_live_bytes(t);
    if (peak.bytes > budget && opts.batch > 1) {
        // The batch is what the user chose to make big: say so, and how many bytes it needs.
        throw InputError(
            fmt::format("--batch {}: memory budget (--memory-budget-mib)", opts.batch),
            fmt::format("live tensors of at most {} bytes ({} MiB)", budget, budget >> 20),
            fmt::format("{} bytes ({} MiB) needed by {} samples of {} at op '{}'; lower --batch or raise "
                        "--memory-budget-mib",
                        peak.bytes, peak.bytes >> 20, opts.batch, t.name, peak.op));
    }
    if (peak.bytes > budget) {
        throw InputError(fmt::format("{}: memory budget (--memory-budget-mib)", t.name),
                         fmt::format("live tensors of at most {} MiB", budget >> 20),
                         fmt::format("{} MiB at op '{}'", peak.bytes >> 20, peak.op));
    }
}

}  // namespace

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
        workloads::Workload w =
            workloads::build_lra(spec, [&](const Trace& t) { check_memory_budget(t, opts); });
        ResolvedWorkload r{spec.name(), std::move(w.trace), std::nullopt};
        if (want_data) r.data = std::move(w.data);
        return r;
    }
    if (!opts.weights.empty()) {
        throw InputError("--weights", "an lra: workload (a trace folder carries its own weights)", arg);
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
