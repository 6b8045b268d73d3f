// Batches of LRA samples (docs/workloads.md, "Batches"): the batch-1 workload of sample 0 widened to N
// samples. Internal to workloads/lra: build.cpp makes sample 0's workload, batch.cpp widens it.
#pragma once

#include <cstdint>

#include "workloads/inputs/inputs.h"
#include "workloads/lra/lra.h"

namespace ssmsim::workloads {

// The task's input generator (build.cpp); `difficulty` applies to Pathfinder and Path-X only.
TaskInput make_input(Task t, uint64_t seed, int64_t len,
                     PathfinderDifficulty difficulty = PathfinderDifficulty::hard);
// The first `len` steps of every row of `in`, as int32 [rows, len] (build.cpp).
Tensor token_prefix(const TaskInput& in, int64_t len);

// The seed of sample b's input: sample 0 uses the workload's seed itself (so a batch of one is the
// unbatched workload); the others use seeds mixed from (seed, b), unrelated to any other --seed's samples.
uint64_t sample_seed(uint64_t seed, int64_t b);

// The declarations only: leading dimensions times `batch`, reshapes (Retrieval's document pairs) following.
Trace widen_declarations(const Trace& one, int64_t batch);

// `one` is sample 0's batch-1 workload of `spec`. Returns it with spec.batch samples: tokens of samples
// 1..N-1 appended, every activation's leading dimension N times larger, per-row constants repeated.
// `check` sees the widened declarations before any of that is generated or allocated.
Workload widen_to_batch(const WorkloadSpec& spec, Workload one, const TraceCheck& check);

}  // namespace ssmsim::workloads
