#include "kernels/harness/gpu_executor.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "kernels/cuda_check.h"
#include "kernels/harness/cuda_timing.h"
#include "kernels/harness/device_store.h"
#include "kernels/harness/median.h"
#include "kernels/harness/op_dispatch.h"
#include "kernels/ops.h"
#include "sim/ops/value_checks.h"
#include "sim/util/sha256.h"

namespace ssmsim::cuda {

namespace {

// The whole trace as one CUDA Graph: captured once from the launches of a pass, then replayed; each replay
// is queued behind a GPU-side wait and timed with events, so neither launch overhead nor the host shows.
void time_graph(const Trace& trace, DeviceStore& store, unsigned long long* scratch, const GpuRunOptions& opt,
                GpuRun& run) {
    const CapturedGraph graph([&] {
        for (size_t i = 0; i < trace.ops.size(); ++i) {
            const OpDecl& op = trace.ops[i];
            launch_op(trace, op, store, store.at(op.outputs.at(0)), scratch + i);
        }
    });
    Events ev(2);
    std::vector<double> t;
    for (int rep = 0; rep < opt.warmup + opt.repeat; ++rep) {
        hold_gpu(1.0);
        const double ms = time_between_events_ms(ev, [&] { graph.launch(); });
        if (rep >= opt.warmup) t.push_back(ms);
    }
    if (opt.power_s > 0) {
        // Groups of replays lasting about 2 ms, so that the host keeps the queue full of short graphs.
        const int per_group =
            static_cast<int>(std::clamp(std::ceil(2.0 / std::max(median(t), 1e-3)), 1.0, 1000.0));
        BoardPower meter;
        run.power = meter.sustain(
            [&] {
                for (int i = 0; i < per_group; ++i) graph.launch();
            },
            per_group * median(t), opt.power_s);
        run.power_replay_ms = 1e3 * run.power.seconds / std::max<double>(1.0, run.power.groups * per_group);
    }
    run.graph_median_ms = median(t);
    run.graph_min_ms = *std::min_element(t.begin(), t.end());
    run.graph_max_ms = *std::max_element(t.begin(), t.end());
}

}  // namespace

GpuRun run_on_gpu(const Trace& trace, const TensorStore& data, const GpuRunOptions& opt) {
    if (opt.repeat < 1 || opt.warmup < 0) throw std::invalid_argument("--repeat must be >= 1, --warmup >= 0");
    if (opt.power_s > 0 && !opt.graph)
        throw std::invalid_argument("--power needs --graph (it replays the graph)");
    if (opt.power_s > 0) {
        const BoardPower probe;
        if (!probe.available()) throw std::invalid_argument("--power: " + probe.why_not());
    }
    DeviceStore store;
    for (const auto& td : trace.tensors) {
        if (!td.is_graph_input()) continue;
        const auto it = data.find(td.name);
        if (it == data.end()) {
            if (td.last_reader >= 0)
                throw std::invalid_argument("ssmsim-cuda: no data for graph input '" + td.name +
                                            "' (shape-only trace?)");
            continue;
        }
        store.emplace(td.name, upload(it->second));
    }
    const size_t n_ops = trace.ops.size();
    // Every activation gets its own buffer for the whole run, so timed passes can repeat any op.
    for (const auto& op : trace.ops) {
        for (const auto& name : op.outputs) {
            const TensorDecl& d = trace.tensor(name);
            DeviceTensor t{d.dtype, d.shape, DeviceBuffer(static_cast<size_t>(d.nbytes()))};
            poison(t);
            store.insert_or_assign(name, std::move(t));
        }
    }
    DeviceBuffer clips(sizeof(unsigned long long) * std::max<size_t>(n_ops, 1));
    DeviceBuffer scratch_clips(sizeof(unsigned long long) * std::max<size_t>(n_ops, 1));
    check(cudaMemset(clips.get(), 0, clips.bytes()), "cudaMemset");
    check(cudaMemset(scratch_clips.get(), 0, scratch_clips.bytes()), "cudaMemset");
    auto* counters = static_cast<unsigned long long*>(clips.get());
    auto* scratch = static_cast<unsigned long long*>(scratch_clips.get());

    GpuRun run;
    run.ops.resize(n_ops);
    run.warmup = opt.warmup;
    run.repeat = opt.repeat;
    // Checked pass: value checks before each op, a synchronisation after it, so a fault names its op.
    std::map<std::string, Tensor> host_copies;
    for (size_t i = 0; i < n_ops; ++i) {
        const OpDecl& op = trace.ops[i];
        check_op_values(trace, op, [&](size_t input) -> const Tensor& {
            const std::string& name = op.inputs.at(input);
            if (const auto it = data.find(name); it != data.end()) return it->second;
            auto [it, fresh] = host_copies.try_emplace(name);
            if (fresh) it->second = download(store.at(name));
            return it->second;
        });
        DeviceTensor& out = store.at(op.outputs.at(0));
        launch_op(trace, op, store, out, counters + i);
        const cudaError_t e = cudaDeviceSynchronize();
        if (e != cudaSuccess)
            throw std::runtime_error("CUDA: op '" + op.name + "' (" + op.kind +
                                     ") failed: " + cudaGetErrorString(e));
        if (opt.op_hashes || opt.keep_all) {
            Tensor host = download(out);
            if (opt.op_hashes) run.ops[i].output_sha256 = sha256_hex(host.bytes());
            if (opt.keep_all) run.all.insert_or_assign(op.outputs[0], std::move(host));
        }
    }
    std::vector<unsigned long long> counts(n_ops);
    if (n_ops)
        check(cudaMemcpy(counts.data(), counters, sizeof(unsigned long long) * n_ops, cudaMemcpyDeviceToHost),
              "download saturations");
    for (size_t i = 0; i < n_ops; ++i) {
        run.ops[i].saturations = counts[i];
        run.saturations += counts[i];
    }
    for (const auto& name : trace.outputs) run.outputs.emplace(name, download(store.at(name)));

    // Timed passes. The outputs are recomputed from the same inputs; their counters go to scratch.
    Events ev(n_ops + 1);
    std::vector<std::vector<double>> times(n_ops);
    std::vector<double> totals;
    for (int rep = 0; rep < opt.warmup + opt.repeat; ++rep) {
        hold_gpu(2.0 + 0.05 * static_cast<double>(n_ops));
        ev.record(0);
        for (size_t i = 0; i < n_ops; ++i) {
            const OpDecl& op = trace.ops[i];
            launch_op(trace, op, store, store.at(op.outputs.at(0)), scratch + i);
            ev.record(i + 1);
        }
        const double total = elapsed_ms(ev[0], ev[n_ops]);  // waits for the last
        if (rep < opt.warmup) continue;
        for (size_t i = 0; i < n_ops; ++i) times[i].push_back(elapsed_ms(ev[i], ev[i + 1]));
        totals.push_back(total);
    }
    for (size_t i = 0; i < n_ops; ++i) {
        run.ops[i].median_ms = median(times[i]);
        run.ops[i].min_ms = *std::min_element(times[i].begin(), times[i].end());
        run.ops[i].max_ms = *std::max_element(times[i].begin(), times[i].end());
    }
    run.total_median_ms = totals.empty() ? 0.0 : median(totals);
    if (opt.graph) time_graph(trace, store, scratch, opt, run);
    // The timed passes recomputed every output: a difference from the checked pass is a race.
    for (const auto& name : trace.outputs) {
        const Tensor again = download(store.at(name));
        const Tensor& first = run.outputs.at(name);
        if (!std::equal(first.bytes().begin(), first.bytes().end(), again.bytes().begin()))
            throw std::runtime_error("ssmsim-cuda: output '" + name + "' changed between passes (a race?)");
    }
    return run;
}

}  // namespace ssmsim::cuda
