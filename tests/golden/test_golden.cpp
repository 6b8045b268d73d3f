// The GPU goldens (reference/golden/manifest.json, measured with kernels/ on an H100) against the C++
// reference regenerated here on a CPU: the whole chain reference == CUDA kernels, checked without a GPU.
// Every op's output hash and saturation count must match, so a failure names the first op that drifted.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "reference/executor.h"
#include "sim/report/report.h"
#include "sim/trace/npy.h"
#include "sim/util/csv_rows.h"
#include "sim/util/sha256.h"
#include "workloads/lra/lra.h"

namespace ssmsim {
namespace {

const std::filesystem::path kGoldenDir = std::filesystem::path(SSMSIM_SOURCE_DIR) / "reference" / "golden";

nlohmann::json load_manifest() {
    std::ifstream in(kGoldenDir / "manifest.json");
    if (!in) return nlohmann::json::object();  // the Manifest test reports it
    return nlohmann::json::parse(in);
}

const nlohmann::json& manifest() {
    static const nlohmann::json m = load_manifest();
    return m;
}

std::vector<nlohmann::json> cases() {
    const auto& m = manifest();
    if (!m.contains("cases")) return {};
    return {m["cases"].begin(), m["cases"].end()};
}

std::string case_dir(const nlohmann::json& c) {
    const std::string w = c["workload"];  // lra:<task>:<arch>
    const auto a = w.find(':', 4);
    const int64_t len = c["seq_len"];
    return w.substr(4, a - 4) + "-" + w.substr(a + 1) + "-" + (len ? std::to_string(len) : "full") + "-" +
           c["numerics"].get<std::string>();
}

TEST(GoldenManifest, IsCompleteWithProvenance) {
    const auto& m = manifest();
    ASSERT_TRUE(m.contains("cases")) << (kGoldenDir / "manifest.json") << " is missing or has no cases";
    EXPECT_EQ(m["format"], "ssmsim-goldens");
    size_t reduced = 0, full = 0;
    for (const auto& c : m["cases"]) {
        for (const char* key :
             {"gpu", "driver", "cuda_runtime", "date_utc", "commit", "command", "device_check"})
            EXPECT_TRUE(c["provenance"].contains(key)) << c["workload"] << ": provenance lacks " << key;
        EXPECT_EQ(c["output_sha256"].get<std::string>().size(), 64u);
        EXPECT_FALSE(c["ops"].empty());
        (c["ctest"].get<bool>() ? reduced : full)++;
    }
    // Every LRA task x architecture, at a reduced length (CTest) and at full length.
    EXPECT_EQ(reduced, workloads::lra_tasks().size() * workloads::lra_archs().size());
    EXPECT_EQ(full, reduced);
}

// The committed comparison with PyTorch (reference/gpu-timings/h200-lra-e2e.csv, kernels/tools/
// gpu_comparison.py): every LRA workload at batch 1 and 32, with positive times, and the batch-1 rows'
// output hashes equal to the full-length goldens, so the timings come from kernels that computed the
// contract's bytes.
std::string workload_of(std::string_view task, workloads::Arch arch) {
    return "lra:" + std::string(task) + ":" + std::string(workloads::arch_name(arch));
}

TEST(GpuComparison, EveryWorkloadAtBothBatchesWithTheGoldenOutputs) {
    const auto path = kGoldenDir.parent_path() / "gpu-timings" / "h200-lra-e2e.csv";
    std::map<std::string, std::string> full_hash;
    for (const auto& c : cases())
        if (c["seq_len"] == 0) full_hash[c["workload"]] = c["output_sha256"];
    std::map<std::pair<std::string, int>, std::map<std::string, std::string>> rows;
    for (auto& row : read_csv_rows(path))
        rows[{"lra:" + row["task"] + ":" + row["arch"], std::stoi(row["batch"])}] = row;
    for (const auto& task : workloads::lra_tasks())
        for (const auto arch : workloads::lra_archs())
            for (const int batch : {1, 32}) {
                const std::string w = workload_of(task.name, arch);
                const auto it = rows.find({w, batch});
                ASSERT_NE(it, rows.end()) << w << " at batch " << batch << " is missing from " << path;
                const auto& row = it->second;
                EXPECT_GT(std::stod(row.at("ours_graph_ms")), 0.0) << w;
                EXPECT_GT(std::stod(row.at("torch_best_ms")), 0.0) << w;
                if (batch == 1) {
                    EXPECT_EQ(row.at("output_sha256"), full_hash[w]) << w;
                }
            }
}

// The kernels' commit a timing CSV names in its '#' lines (the first "commit <40 hex digits>").
std::string csv_commit(const std::filesystem::path& path) {
    std::ifstream in(path);
    for (std::string line; std::getline(in, line) && line.rfind('#', 0) == 0;) {
        const auto at = line.find("commit ");
        if (at != std::string::npos && line.size() >= at + 7 + 40) return line.substr(at + 7, 40);
    }
    return "";
}

// The GPU model's validation set (docs/models/gpu.md): every workload at three lengths (its full one and two
// shorter ones) and batches 1, 8 and 32, end to end. Measured with the same kernels as the comparison, its
// full-length batch-1 and batch-32 rows are the comparison's measurements. When the comparison was measured
// again with newer kernels, the comparison's CSV must say which kernels the validation set still describes.
TEST(GpuValidationSet, EveryWorkloadAtThreeLengthsAndThreeBatches) {
    const auto dir = kGoldenDir.parent_path() / "gpu-timings";
    const std::string e2e_commit = csv_commit(dir / "h200-lra-e2e.csv");
    const std::string val_commit = csv_commit(dir / "h200-lra-validation.csv");
    ASSERT_EQ(e2e_commit.size(), 40u);
    ASSERT_EQ(val_commit.size(), 40u);
    const bool same_kernels = e2e_commit == val_commit;
    if (!same_kernels) {
        std::ifstream in(dir / "h200-lra-e2e.csv");
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        EXPECT_NE(text.find("# validation set (h200-lra-validation.csv): the kernels of commit " + val_commit),
                  std::string::npos)
            << "h200-lra-e2e.csv (" << e2e_commit << ") and h200-lra-validation.csv (" << val_commit
            << ") come from different kernels, and the comparison does not say so";
    }
    std::map<std::pair<std::string, int>, double> compared;
    for (const auto& row : read_csv_rows(dir / "h200-lra-e2e.csv"))
        compared[{"lra:" + row.at("task") + ":" + row.at("arch"), std::stoi(row.at("batch"))}] =
            std::stod(row.at("ours_graph_ms"));
    std::map<std::tuple<std::string, int, int>, double> graph_ms;
    std::map<std::string, std::set<int>> lengths;
    for (const auto& row : read_csv_rows(dir / "h200-lra-validation.csv")) {
        const std::string w = "lra:" + row.at("task") + ":" + row.at("arch");
        graph_ms[{w, std::stoi(row.at("seq_len")), std::stoi(row.at("batch"))}] =
            std::stod(row.at("graph_ms"));
        lengths[w].insert(std::stoi(row.at("seq_len")));
    }
    for (const auto& task : workloads::lra_tasks())
        for (const auto arch : workloads::lra_archs()) {
            const std::string w = workload_of(task.name, arch);
            ASSERT_EQ(lengths[w].size(), 3u) << w;
            EXPECT_EQ(*lengths[w].rbegin(), task.seq_len) << w << ": the longest is the full length";
            for (const int len : lengths[w])
                for (const int batch : {1, 8, 32}) {
                    const auto it = graph_ms.find({w, len, batch});
                    ASSERT_NE(it, graph_ms.end()) << w << " L=" << len << " batch " << batch;
                    EXPECT_GT(it->second, 0.0);
                    if (same_kernels && len == task.seq_len && batch != 8) {
                        // The comparison's CSV rounds to 4 decimals.
                        EXPECT_NEAR(it->second, compared.at({w, batch}), 6e-5) << w << " batch " << batch;
                    }
                }
        }
}

// One case of the manifest: the reference regenerated on this CPU against the GPU's hashes and tensors.
void check_case(const nlohmann::json& c) {
    if (!c["ctest"].get<bool>() && !std::getenv("SSMSIM_GOLDEN_FULL"))
        GTEST_SKIP() << "full-length golden: set SSMSIM_GOLDEN_FULL=1 to check it";
    workloads::WorkloadSpec spec = workloads::parse_workload_spec(c["workload"].get<std::string>());
    spec.seed = c["seed"];
    spec.seq_len = c["seq_len"];
    spec.numerics = c["numerics"] == "int8" ? Numerics::int8 : Numerics::float32;
    const workloads::Workload w = workloads::build_lra(spec);
    const reference::Execution ex = reference::execute(w.trace, w.data, {}, /*keep_all=*/true);

    // Op by op: the first op whose output or saturation count differs is where the chain broke.
    const auto& ops = c["ops"];
    ASSERT_EQ(ops.size(), w.trace.ops.size()) << "the trace changed shape since the goldens were measured";
    for (size_t i = 0; i < ops.size(); ++i) {
        const OpDecl& op = w.trace.ops[i];
        ASSERT_EQ(op.name, ops[i]["name"].get<std::string>());
        ASSERT_EQ(sha256_hex(ex.outputs.at(op.outputs[0]).bytes()),
                  ops[i]["output_sha256"].get<std::string>())
            << "op " << i << " '" << op.name << "' (" << op.kind
            << "): reference output differs from the GPU's";
        ASSERT_EQ(ex.ops[i].saturations, ops[i]["saturations"].get<uint64_t>())
            << "op " << i << " '" << op.name << "': saturation count differs from the GPU's";
    }
    EXPECT_EQ(ex.saturations, c["saturations"].get<uint64_t>());
    TensorStore outputs;
    for (const auto& name : w.trace.outputs) outputs.emplace(name, ex.outputs.at(name));
    EXPECT_EQ(output_sha256(w.trace, outputs), c["output_sha256"].get<std::string>());

    // The committed tensors of reduced-length cases, element by element.
    if (!c["ctest"].get<bool>()) return;
    for (const auto& name : w.trace.outputs) {
        const Tensor gpu = read_npy(kGoldenDir / "tensors" / case_dir(c) / (name + ".npy"));
        const Tensor& ref = outputs.at(name);
        ASSERT_EQ(gpu.dtype(), ref.dtype());
        ASSERT_EQ(gpu.shape(), ref.shape());
        const auto g = gpu.as<int32_t>(), r = ref.as<int32_t>();  // LRA outputs are int32 logits
        for (size_t i = 0; i < g.size(); ++i) ASSERT_EQ(g[i], r[i]) << name << " element " << i;
    }
}

// Each case is registered by name (Golden.listops_s4d_full_int8) rather than through TEST_P: a value-
// parameterized test lists its whole parameter, here the case's JSON with every op's hash, and CMake's
// test discovery would put that into the CTest name.
class GoldenCase : public testing::Test {
public:
    explicit GoldenCase(nlohmann::json c) : c_(std::move(c)) {}
    void TestBody() override { check_case(c_); }

private:
    nlohmann::json c_;
};

[[maybe_unused]] const bool kRegistered = [] {
    for (const auto& c : cases()) {
        std::string name = case_dir(c);
        for (char& ch : name)
            if (ch == '-') ch = '_';
        testing::RegisterTest("Golden", name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                              [c]() -> GoldenCase* { return new GoldenCase(c); });
    }
    return true;
}();  // an empty manifest registers nothing; GoldenManifest fails instead

}  // namespace
}  // namespace ssmsim
