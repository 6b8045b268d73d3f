// The mapper turns each trace op into tiles for the array, the scan unit and the vector unit, and decides
// what lives where: which activations stay in the activation SRAM, how GEMMs are blocked and in which loop
// order, how scans are cut into channel groups and sequence chunks, and what DRAM traffic follows.
// docs/models/systolic.md ("Mapping") states every rule here.
#pragma once

#include <memory>

#include "models/systolic/plan.h"
#include "models/systolic/residency.h"
#include "models/systolic/scan_engine.h"
#include "models/systolic/spec.h"
#include "sim/trace/trace.h"

namespace ssmsim::systolic {

struct FunctionalState {
    TensorStore store;  // live tensors by name (graph inputs, then activations)
    uint64_t op_saturations = 0;
    std::unique_ptr<ScanEngine> scan;
};

class Mapper {
public:
    // `fn` is null for timing-only runs.
    Mapper(const Spec& spec, const Trace& trace, FunctionalState* fn);
    OpPlan plan(size_t op_index);
    // After op `op_index` ran: frees the activations it read last.
    void retire(size_t op_index);
    const Residency& residency() const { return act_; }

private:
    struct Io;
    OpPlan gemm(size_t i);
    OpPlan attention(size_t i);
    OpPlan scan(size_t i);
    OpPlan vector(size_t i);
    OpPlan reshape(size_t i);

    bool is_parameter(const std::string& tensor) const;
    bool place_output(const OpDecl& op, int64_t reserve);
    int64_t staging_bytes() const;
    Tensor& alloc_output(const OpDecl& op);

    const Spec& spec_;
    const Trace& trace_;
    FunctionalState* fn_;
    Residency act_;
};

}  // namespace ssmsim::systolic
