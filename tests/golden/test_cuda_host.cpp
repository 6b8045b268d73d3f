// Host-side logic of ssmsim-cuda that CI can run without a GPU: the comparison with the reference (what
// decides "byte-identical" on the device) and the runtime value checks (same errors as the reference).
#ifdef SSMSIM_HAVE_CUDA_HOST

#include <gtest/gtest.h>

#include "kernels/harness/compare.h"
#include "kernels/harness/kernel_selftest.h"
#include "sim/ops/value_checks.h"
#include "reference/executor.h"
#include "sim/util/error.h"
#include "sim/util/sha256.h"
#include "workloads/lra/lra.h"

namespace ssmsim::cuda {
namespace {

workloads::Workload small(const char* spec_text, Numerics numerics = Numerics::int8) {
    workloads::WorkloadSpec spec = workloads::parse_workload_spec(spec_text);
    spec.seq_len = 16;
    spec.numerics = numerics;
    return workloads::build_lra(spec);
}

// A GpuRun that is the reference's own run: what a correct GPU returns.
GpuRun as_gpu_run(const Trace& trace, const TensorStore& data) {
    reference::Execution ex = reference::execute(trace, data, {}, true);
    GpuRun run;
    for (size_t i = 0; i < trace.ops.size(); ++i) {
        GpuOpResult r;
        r.saturations = ex.ops[i].saturations;
        r.output_sha256 = sha256_hex(ex.outputs.at(trace.ops[i].outputs[0]).bytes());
        run.ops.push_back(r);
    }
    for (const auto& name : trace.outputs) run.outputs.emplace(name, ex.outputs.at(name));
    run.all = std::move(ex.outputs);
    return run;
}

TEST(CudaCompare, IdenticalRunPasses) {
    const auto w = small("lra:image:mamba");
    const Comparison c = compare_with_reference(w.trace, w.data, as_gpu_run(w.trace, w.data), 1e-3);
    EXPECT_TRUE(c.ok) << c.summary;
    EXPECT_EQ(c.detail.size(), w.trace.ops.size());
}

TEST(CudaCompare, OneFlippedByteNamesItsOp) {
    const auto w = small("lra:image:mamba");
    GpuRun run = as_gpu_run(w.trace, w.data);
    const OpDecl& op = w.trace.ops[5];
    Tensor& t = run.all.at(op.outputs[0]);
    t.as<int8_t>()[7] ^= 1;
    const Comparison c = compare_with_reference(w.trace, w.data, run, 1e-3);
    EXPECT_FALSE(c.ok);
    EXPECT_NE(c.summary.find("op 5 '" + op.name + "'"), std::string::npos) << c.summary;
    EXPECT_NE(c.summary.find("element 7"), std::string::npos) << c.summary;
}

TEST(CudaCompare, SaturationCountMustMatch) {
    const auto w = small("lra:image:s4d");
    GpuRun run = as_gpu_run(w.trace, w.data);
    run.ops[2].saturations += 1;
    const Comparison c = compare_with_reference(w.trace, w.data, run, 1e-3);
    EXPECT_FALSE(c.ok);
    EXPECT_NE(c.summary.find("op 2 "), std::string::npos) << c.summary;
}

TEST(CudaCompare, FloatToleranceIsApplied) {
    const auto w = small("lra:image:mamba", Numerics::float32);
    GpuRun run = as_gpu_run(w.trace, w.data);
    EXPECT_TRUE(compare_with_reference(w.trace, w.data, run, 1e-6).ok);
    for (auto& v : run.outputs.begin()->second.as<float>()) v *= 1.01f;  // 1% off
    const Comparison c = compare_with_reference(w.trace, w.data, run, 1e-3);
    EXPECT_FALSE(c.ok) << c.summary;
    EXPECT_TRUE(compare_with_reference(w.trace, w.data, run, 0.02).ok);
}

TEST(CudaCompare, FloatErrorCountsNaNAsFailure) {
    Tensor a = Tensor::from<float>({2}, {1.0f, NAN}), b = Tensor::from<float>({2}, {1.0f, 2.0f});
    EXPECT_FALSE(float_error(a, b).rel_l2 <= 1.0);
}

// The GPU harness refuses the same values as the reference, with the same message.
TEST(CudaValueChecks, BadBiasGivesTheReferencesError) {
    auto w = small("lra:image:mamba");
    size_t index = 0;
    for (; index < w.trace.ops.size(); ++index) {
        const OpDecl& op = w.trace.ops[index];
        if (op.kind == "linear" && op.inputs.size() == 3) break;
    }
    ASSERT_LT(index, w.trace.ops.size());
    const OpDecl& op = w.trace.ops[index];
    w.data.at(op.inputs[2]).as<int32_t>()[3] = 1 << 30;
    std::string reference_message;
    try {
        reference::execute(w.trace, w.data);
    } catch (const InputError& e) {
        reference_message = e.what();
    }
    ASSERT_FALSE(reference_message.empty());
    EXPECT_TRUE(op_checks_input(w.trace, op, 2));
    try {
        check_op_values(w.trace, op, [&](size_t i) -> const Tensor& { return w.data.at(op.inputs.at(i)); });
        FAIL() << "no error for a bias of 2^30";
    } catch (const InputError& e) {
        EXPECT_EQ(std::string(e.what()), reference_message);
    }
}

TEST(CudaValueChecks, TokenOutOfRange) {
    auto w = small("lra:text:s4d");
    const OpDecl& op = w.trace.ops.front();
    ASSERT_EQ(op.kind, "embedding");
    w.data.at(op.inputs[0]).as<int32_t>()[4] = -1;
    EXPECT_THROW(
        check_op_values(w.trace, op, [&](size_t i) -> const Tensor& { return w.data.at(op.inputs.at(i)); }),
        InputError);
}

// The random cases `ssmsim-cuda selftest` runs on a GPU must be traces the validator accepts (their value
// ranges included), or the device run would test nothing.
TEST(KernelSelftest, EveryCaseIsAValidTrace) { EXPECT_EQ(run_kernel_selftest(300, 1, /*dry_run=*/true), 0); }

}  // namespace
}  // namespace ssmsim::cuda

#endif  // SSMSIM_HAVE_CUDA_HOST
