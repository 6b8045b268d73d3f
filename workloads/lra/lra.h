// The Long Range Arena tasks and the three architectures as traces (docs/workloads.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/trace/trace.h"

namespace ssmsim::workloads {

enum class Task { listops, text, retrieval, image, pathfinder, pathx };
enum class Arch { s4d, mamba, transformer };

struct TaskInfo {
    Task task;
    std::string_view name;
    int64_t seq_len;  // full LRA length
    int classes;
    std::string_view description;
};

const std::vector<TaskInfo>& lra_tasks();
const TaskInfo& task_info(Task t);
std::string_view arch_name(Arch a);
const std::vector<Arch>& lra_archs();

struct WorkloadSpec {
    Task task = Task::listops;
    Arch arch = Arch::s4d;
    uint64_t seed = 1;
    int64_t seq_len = 0;  // 0: the task's full length
    int64_t batch = 1;    // samples, the B of every [B, L, ...] tensor (docs/workloads.md, "Batches")
    Numerics numerics = Numerics::int8;
    std::string weights_dir;  // float32 <tensor name>.npy files that replace generated parameters
    // int8 scales: 1 (the default) calibrates on sample 0 at up to 1,024 steps; N > 1 takes max |x| over
    // samples 0..N-1 at the full length (`accuracy --calibrate N`, docs/accuracy.md).
    int64_t calibration_samples = 1;

    int64_t length() const { return seq_len ? seq_len : task_info(task).seq_len; }
    std::string name() const;  // "lra:image:mamba"
};

// Parses "lra:<task>[:<arch>]" (arch defaults to s4d). Throws InputError naming the part at fault.
WorkloadSpec parse_workload_spec(std::string_view text);

struct Workload {
    Trace trace;
    TensorStore data;  // every graph input: tokens, weights, tables
};

// The most samples a batch may have: it keeps every batched shape far inside int64 (2^20 samples of the
// longest sequence and widest layer) before a memory check sees it.
inline constexpr int64_t kMaxBatch = int64_t{1} << 20;

// Sees the finished trace's declarations and may refuse them (throw): for a batch, it is called before the
// samples after the first are generated or any batch-sized tensor is allocated.
using TraceCheck = std::function<void(const Trace&)>;

// Builds the trace with deterministic weights from the seed; in int8 mode, calibrates activation scales
// on a float32 run and quantizes by the numerics contract. A batch is sample 0's batch-1 workload widened
// to spec.batch samples (calibration sees sample 0 only, so scales do not depend on the batch).
Workload build_lra(const WorkloadSpec& spec, const TraceCheck& check = {});

// The trace build_lra would give, without its data, for timing-only runs: no weight drawn, no calibration
// (milliseconds instead of seconds). Same ops, tensors, dtypes, shapes, table sizes and meta labels, so
// the timing models report the same figures; the integer attributes are not calibrated (quantize_shapes).
// With spec.weights_dir it is build_lra's trace itself.
Trace build_lra_shapes(const WorkloadSpec& spec, const TraceCheck& check = {});

}  // namespace ssmsim::workloads
