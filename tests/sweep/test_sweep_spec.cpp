// Sweep files: what is refused (with the file and JSON pointer), and the design points they expand to.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "sim/sweep/points.h"
#include "sim/sweep/sweep_spec.h"
#include "sim/util/error.h"

namespace {

using json = nlohmann::json;
using ssmsim::InputError;
using ssmsim::parse_sweep_spec;

json base() {
    return json::parse(R"({"models": ["systolic"], "workloads": ["lra:image:mamba", "lra:text:mamba"],
                           "grid": {"sram.activations.kib": [64, 256, 1024], "array.rows": [16, 32]}})");
}

// The message of the InputError that parsing `doc` throws ("" when it parses).
std::string error_of(const json& doc) {
    try {
        parse_sweep_spec(doc, "s.json");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(SweepSpec, RefusesBadFilesWithFileAndPointer) {
    struct Case {
        const char* pointer;
        json value;
        const char* expected;
    };
    const std::vector<Case> cases = {
        {"/colour", "red", "s.json:/colour"},
        {"/models", json::array(), "s.json:/models"},
        {"/models", json::array({1}), "s.json:/models/0"},
        {"/grid/sram.activations.kib", json::array(), "s.json:/grid/sram.activations.kib"},
        {"/grid/sram.activations.kib", json::object({{"min", 1}, {"max", 2}}),
         "an array of values (a grid axis)"},
        {"/grid/array.rows", json::array({json::array({1})}), "numbers, strings or booleans"},
        {"/timing_only", "yes", "s.json:/timing_only"},
        {"/timeout_s", -1, "s.json:/timeout_s"},
        {"/seq_len", 1.0e12, "s.json:/seq_len"},
        {"/metrics", json::array({"/a/~2"}), "s.json:/metrics/0"},
    };
    for (const auto& c : cases) {
        json doc = base();
        doc[json::json_pointer(c.pointer)] = c.value;
        const std::string err = error_of(doc);
        EXPECT_NE(err.find(c.expected), std::string::npos) << c.pointer << " -> " << err;
    }
    json both = base();
    both["samples"] = {{"count", 4}, {"space", {{"a", {{"min", 1}, {"max", 2}}}}}};
    EXPECT_NE(error_of(both).find("exactly one of \"grid\" and \"samples\""), std::string::npos);
    json neither = base();
    neither.erase("grid");
    EXPECT_NE(error_of(neither).find("neither"), std::string::npos);
}

TEST(SweepSpec, RefusesBadSampleSpaces) {
    json doc = base();
    doc.erase("grid");
    doc["samples"] = {{"method", "lhs"}, {"count", 8}, {"space", {{"k", {{"min", 4}, {"max", 2}}}}}};
    EXPECT_NE(error_of(doc).find("s.json:/samples/space/k/max"), std::string::npos) << error_of(doc);
    doc["samples"]["space"]["k"] = {{"min", 0}, {"max", 2}, {"log", true}};
    EXPECT_NE(error_of(doc).find("a positive min for a log axis"), std::string::npos);
    doc["samples"]["space"]["k"] = {{"min", 1}, {"max", 2}, {"step", 1}};
    EXPECT_NE(error_of(doc).find("unknown key 'step'"), std::string::npos);
    doc["samples"]["space"]["k"] = {{"min", 1}, {"max", 2}};
    doc["samples"]["method"] = "sobol";
    EXPECT_NE(error_of(doc).find("s.json:/samples/method"), std::string::npos);
    doc["samples"]["method"] = "random";
    doc["samples"]["count"] = 0;
    EXPECT_NE(error_of(doc).find("s.json:/samples/count"), std::string::npos);
}

TEST(SweepPoints, GridIsEveryWorkloadTimesEveryCombinationInAFixedOrder) {
    json doc = base();
    doc["set"] = {{"sram.cost_model", "cacti-28nm"}};
    const auto points = ssmsim::expand_points(parse_sweep_spec(doc, "s.json"));
    ASSERT_EQ(points.size(), 2u * 3u * 2u);
    std::set<std::string> ids;
    for (size_t i = 0; i < points.size(); ++i) {
        EXPECT_EQ(points[i].index, i);
        EXPECT_EQ(points[i].id.size(), 16u);
        ids.insert(points[i].id);
        EXPECT_EQ(points[i].sets.at("sram.cost_model"), "cacti-28nm");  // fixed keys ride along
        EXPECT_FALSE(points[i].swept.contains("sram.cost_model"));      // but are not columns
    }
    EXPECT_EQ(ids.size(), points.size());
    EXPECT_EQ(points[0].workload, "lra:image:mamba");
    EXPECT_EQ(points[6].workload, "lra:text:mamba");
    // The first key (in key order here) varies slowest within a workload.
    EXPECT_EQ(points[0].swept, json({{"sram.activations.kib", 64}, {"array.rows", 16}}));
    EXPECT_EQ(points[1].swept, json({{"sram.activations.kib", 256}, {"array.rows", 16}}));
    EXPECT_EQ(points[3].swept, json({{"sram.activations.kib", 64}, {"array.rows", 32}}));
}

TEST(SweepPoints, AFilesAxesKeepTheirOrder) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("ssmsim_sweep_order_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = dir / "s.json";
    std::ofstream(file) << R"({"models": ["systolic"], "workloads": ["lra:image:mamba"],
                               "grid": {"sram.activations.kib": [64, 256], "array.rows": [16, 32]}})";
    const auto spec = ssmsim::load_sweep_spec(file.string());
    std::filesystem::remove_all(dir);
    ASSERT_EQ(spec.axes.size(), 2u);
    EXPECT_EQ(spec.axes[0].key, "sram.activations.kib");
    const auto points = ssmsim::expand_points(spec);
    EXPECT_EQ(points[1].swept, json({{"sram.activations.kib", 64}, {"array.rows", 32}}));
}

TEST(SweepPoints, IdsDependOnTheRunNotOnThePointsPosition) {
    json a = base();
    json b = base();
    b["workloads"] = json::array({"lra:text:mamba"});  // the same text points, now first
    const auto pa = ssmsim::expand_points(parse_sweep_spec(a, "a.json"));
    const auto pb = ssmsim::expand_points(parse_sweep_spec(b, "b.json"));
    for (size_t i = 0; i < pb.size(); ++i) EXPECT_EQ(pb[i].id, pa[i + 6].id);
    b["seed"] = 2;  // another seed is another run
    const auto pc = ssmsim::expand_points(parse_sweep_spec(b, "b.json"));
    EXPECT_NE(pc[0].id, pb[0].id);
}

TEST(SweepPoints, ABatchIsAnotherRunAndABatchOfOneIsNone) {
    const auto plain = ssmsim::expand_points(parse_sweep_spec(base(), "a.json"));
    json one = base();
    one["batch"] = 1;  // the default, spelled out: the same points, the same ids as before batches existed
    EXPECT_EQ(ssmsim::expand_points(parse_sweep_spec(one, "a.json"))[0].id, plain[0].id);
    json two = base();
    two["batch"] = 2;
    EXPECT_EQ(parse_sweep_spec(two, "a.json").batch, 2);
    EXPECT_NE(ssmsim::expand_points(parse_sweep_spec(two, "a.json"))[0].id, plain[0].id);
    for (const json& bad : {json(0), json(1.5), json("2"), json(1 << 21)}) {
        two["batch"] = bad;
        EXPECT_NE(error_of(two).find("s.json:/batch: expected an integer in [1, 1048576]"), std::string::npos)
            << bad.dump() << " -> " << error_of(two);
    }
}

json sampled(const std::string& method, int count, int seed) {
    json doc = base();
    doc.erase("grid");
    doc["workloads"] = json::array({"lra:image:mamba"});
    doc["samples"] = {
        {"method", method},
        {"count", count},
        {"seed", seed},
        {"space",
         {{"sram.activations.kib", {{"min", 64}, {"max", 65536}, {"log", true}, {"integer", true}}},
          {"dram.bandwidth_gbps", {{"min", 10.0}, {"max", 50.0}}},
          {"dataflow", json::array({"ws", "os"})}}}};
    return doc;
}

TEST(SweepPoints, LatinHypercubeHasOneSampleInEveryStratumOfEveryAxis) {
    const int n = 20;
    const auto points = ssmsim::expand_points(parse_sweep_spec(sampled("lhs", n, 7), "s.json"));
    ASSERT_EQ(points.size(), static_cast<size_t>(n));
    std::vector<int> kib_strata(n, 0), bw_strata(n, 0);
    int ws = 0;
    for (const auto& p : points) {
        const double bw = p.swept.at("dram.bandwidth_gbps").get<double>();
        ASSERT_GE(bw, 10.0);
        ASSERT_LT(bw, 50.0);
        ++bw_strata[static_cast<int>((bw - 10.0) / 40.0 * n)];
        ASSERT_TRUE(p.swept.at("sram.activations.kib").is_number_integer());
        const double kib = p.swept.at("sram.activations.kib").get<double>();
        ASSERT_GE(kib, 64);
        ASSERT_LE(kib, 65536);
        // Integer rounding can move a value across a stratum edge of the log axis by at most half a unit.
        const double u = std::log(kib / 64.0) / std::log(1024.0) * n;
        ++kib_strata[std::clamp(static_cast<int>(u + 1e-9), 0, n - 1)];
        ws += p.swept.at("dataflow") == "ws";
    }
    for (int i = 0; i < n; ++i) EXPECT_EQ(bw_strata[i], 1) << "stratum " << i;
    EXPECT_LE(std::count(kib_strata.begin(), kib_strata.end(), 0), 2);  // edges only, see above
    EXPECT_EQ(ws, n / 2);  // a categorical axis is stratified too
}

TEST(SweepPoints, SamplesAreReproducibleAndDependOnTheSeed) {
    const auto a = ssmsim::expand_points(parse_sweep_spec(sampled("random", 10, 3), "s.json"));
    const auto b = ssmsim::expand_points(parse_sweep_spec(sampled("random", 10, 3), "s.json"));
    const auto c = ssmsim::expand_points(parse_sweep_spec(sampled("random", 10, 4), "s.json"));
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].swept, b[i].swept);
    size_t same = 0;
    for (size_t i = 0; i < a.size(); ++i) same += a[i].swept == c[i].swept;
    EXPECT_LT(same, a.size());
}

}  // namespace
