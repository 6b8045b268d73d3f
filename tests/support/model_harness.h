// What the model suites share: running a registered backend in-process (the SystemC kernel elaborates
// once per test process), building LRA workloads, the LRA task x architecture grid, and the bit-exact
// comparison with the reference (output bytes and saturation counts op by op).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "reference/executor.h"
#include "sim/backend/backend.h"
#include "sim/report/report.h"
#include "workloads/lra/lra.h"

namespace ssmsim::testing {

// Calls `register_backend` once per process, however many suites of the process ask for it.
template <void (*register_backend)()>
void register_once() {
    static const bool registered = [] {
        register_backend();
        return true;
    }();
    (void)registered;
}

// Runs the backend `name`, registering it through `register_backend` on first use.
template <void (*register_backend)()>
RunResult run_model(const std::string& name, const Trace& trace, const TensorStore* data,
                    nlohmann::json overrides, const std::string& config) {
    register_once<register_backend>();
    auto backend = BackendRegistry::find(name)->make();
    RunRequest req{trace, data, std::move(overrides), config, false};
    req.hash_ops = data != nullptr;  // the bit-exact suites compare op by op
    return backend->run(req);
}

inline workloads::Workload lra(workloads::Task t, workloads::Arch a, int64_t len, uint64_t seed = 1,
                               Numerics numerics = Numerics::int8) {
    workloads::WorkloadSpec s;
    s.task = t;
    s.arch = a;
    s.seq_len = len;
    s.seed = seed;
    s.numerics = numerics;
    return workloads::build_lra(s);
}

// The LRA workload with `batch` samples; its sample 0 is lra(t, a, len, seed)'s only sample.
inline workloads::Workload lra_batch(workloads::Task t, workloads::Arch a, int64_t len, int64_t batch,
                                     uint64_t seed = 1) {
    workloads::WorkloadSpec s;
    s.task = t;
    s.arch = a;
    s.seq_len = len;
    s.seed = seed;
    s.batch = batch;
    return workloads::build_lra(s);
}

// First differing byte of two tensors, or -1.
inline int64_t first_difference(const Tensor& a, const Tensor& b) {
    if (a.nbytes() != b.nbytes()) return 0;
    const auto x = a.bytes(), y = b.bytes();
    for (size_t i = 0; i < x.size(); ++i) {
        if (x[i] != y[i]) return static_cast<int64_t>(i);
    }
    return -1;
}

// One LRA task x architecture, the parameter of the suites that cover the whole grid.
struct LraCase {
    workloads::Task task;
    workloads::Arch arch;
};

inline std::vector<LraCase> every_lra_case() {
    std::vector<LraCase> c;
    for (const auto& t : workloads::lra_tasks())
        for (workloads::Arch a : workloads::lra_archs()) c.push_back({t.task, a});
    return c;
}

inline std::string lra_case_name(const ::testing::TestParamInfo<LraCase>& info) {
    return std::string(workloads::task_info(info.param.task).name) + "_" +
           std::string(workloads::arch_name(info.param.arch));
}

// The reference's op_output_sha256 of every op, in trace order.
inline std::vector<std::string> reference_op_hashes(const Trace& trace, const TensorStore& data,
                                                    reference::Execution* execution = nullptr) {
    std::vector<std::string> hashes(trace.ops.size());
    reference::Execution e =
        reference::execute(trace, data, {}, false, [&](const OpDecl& op, const TensorStore& live) {
            hashes[static_cast<size_t>(&op - trace.ops.data())] = op_output_sha256(op, live);
        });
    if (execution) *execution = std::move(e);
    return hashes;
}

// The first op (in trace order) whose outputs' hash differs from the reference's, or "" if none; ops the
// model leaves unhashed ("") are skipped. Names the op, its kind and position.
inline std::string first_differing_op(const Trace& trace, const std::vector<std::string>& model,
                                      const std::vector<std::string>& ref) {
    for (size_t i = 0; i < model.size() && i < ref.size(); ++i) {
        if (!model[i].empty() && model[i] != ref[i])
            return "op " + std::to_string(i) + " '" + trace.ops[i].name + "' (" + trace.ops[i].kind + ")";
    }
    return "";
}

// The model's run `r` of `w` against the reference: op by op, every op's outputs byte-identical (the first
// differing op named, when the model hashed its ops); every output byte-identical (the first differing byte
// named), the same output_sha256, the same saturation count in total and op by op. `context` says which run
// failed (its overrides).
inline void expect_same_as_reference(const workloads::Workload& w, const RunResult& r,
                                     const std::string& context = "") {
    reference::Execution ref;
    const std::vector<std::string> ref_hashes = reference_op_hashes(w.trace, w.data, &ref);
    if (!r.op_sha256.empty()) {
        ASSERT_EQ(r.op_sha256.size(), w.trace.ops.size()) << context;
        EXPECT_EQ(first_differing_op(w.trace, r.op_sha256, ref_hashes), "")
            << "the first op whose outputs differ from the reference's " << context;
    }
    ASSERT_EQ(r.outputs.size(), w.trace.outputs.size()) << context;
    for (const auto& name : w.trace.outputs) {
        const int64_t at = first_difference(ref.outputs.at(name), r.outputs.at(name));
        EXPECT_EQ(at, -1) << "output " << name << " differs at byte " << at << " " << context;
    }
    EXPECT_EQ(output_sha256(w.trace, r.outputs), output_sha256(w.trace, ref.outputs)) << context;
    EXPECT_EQ(r.report.at("saturations").get<uint64_t>(), ref.saturations) << context;
    for (size_t i = 0; i < w.trace.ops.size(); ++i) {
        EXPECT_EQ(r.report["ops"][i]["saturations"].get<uint64_t>(), ref.ops[i].saturations)
            << w.trace.ops[i].name << " " << context;
    }
}

// Sample 0 of a batch is the batch of one: each of the model's outputs `batched` (of workload `w`) begins,
// byte for byte, with the reference's output of `one` (the batch-1 workload of the same seed), and has
// `batch` times its rows. Only sample 0 can be compared: the other samples come from other seeds.
inline void expect_first_sample_is_batch_of_one(const workloads::Workload& w, const TensorStore& batched,
                                                const workloads::Workload& one, int64_t batch) {
    const reference::Execution ref = reference::execute(one.trace, one.data);
    for (const auto& name : w.trace.outputs) {
        const Tensor& b = batched.at(name);
        const Tensor& o = ref.outputs.at(name);
        ASSERT_EQ(b.shape().front(), batch * o.shape().front()) << name;
        const auto x = b.bytes().first(o.nbytes()), y = o.bytes();
        EXPECT_TRUE(std::equal(x.begin(), x.end(), y.begin())) << "sample 0 of output " << name;
    }
}

// A few workloads that between them batch every op kind: Mamba's scan and conv (ListOps), Retrieval's two
// documents per sample and their pairing reshape (S4D), attention and the per-row position table (Image).
inline std::vector<LraCase> batch_lra_cases() {
    using workloads::Arch;
    using workloads::Task;
    return {{Task::listops, Arch::mamba}, {Task::retrieval, Arch::s4d}, {Task::image, Arch::transformer}};
}

}  // namespace ssmsim::testing
