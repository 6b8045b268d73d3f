// The 18 LRA task x architecture workloads are 18 different cases at the reduced lengths the bit-exact and
// golden grids run them at: no two have the same ops, tensors and data. lra:pathfinder:mamba and
// lra:pathx:mamba used to be one case there (the same Pathfinder generator at the same length, and Mamba
// overwrote Path-X's dt range), so the grids checked 17 cases while counting 18.
#include <gtest/gtest.h>

#include <map>
#include <ostream>
#include <string>

#include "sim/trace/trace_io.h"
#include "sim/util/sha256.h"
#include "tests/support/model_harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;

namespace {

// What the workload computes: the trace without its name and free-form meta (those name the task and
// architecture, so they would tell two identical computations apart), and every tensor's bytes.
std::string case_digest(const workloads::Workload& w) {
    auto doc = trace_to_json(w.trace);
    doc.erase("name");
    doc.erase("meta");
    Sha256 h;
    const std::string text = doc.dump();
    h.update(std::as_bytes(std::span(text.data(), text.size())));
    for (const auto& [name, t] : w.data) {
        h.update(std::as_bytes(std::span(name.data(), name.size())));
        h.update(t.bytes());
    }
    return h.hex();
}

struct Grid {
    const char* name;
    int64_t len;
    uint64_t seed;
    Numerics numerics;
};

void PrintTo(const Grid& g, std::ostream* os) { *os << g.name; }

class EveryLraCaseDistinct : public ::testing::TestWithParam<Grid> {};

TEST_P(EveryLraCaseDistinct, NoTwoWorkloadsAreTheSameCase) {
    const Grid& g = GetParam();
    std::map<std::string, std::string> seen;  // digest -> workload
    for (const LraCase& c : every_lra_case()) {
        const auto w = lra(c.task, c.arch, g.len, g.seed, g.numerics);
        const auto [it, inserted] = seen.emplace(case_digest(w), w.trace.name);
        EXPECT_TRUE(inserted) << w.trace.name << " is the same case as " << it->second << " at length "
                              << g.len << ", seed " << g.seed << ", " << numerics_name(g.numerics);
    }
    EXPECT_EQ(seen.size(), 18u);
}

// The grids' lengths: 64 tokens in int8 (systolic, GPU and neuromorphic bit-exact suites, seed 1) and in
// float32 (the GPU suite, seed 2); 256 tokens in int8 (the golden manifest's CTest cases and the
// neuromorphic trade-off, seed 1).
INSTANTIATE_TEST_SUITE_P(Lra, EveryLraCaseDistinct,
                         ::testing::Values(Grid{"int8_64", 64, 1, Numerics::int8},
                                           Grid{"float32_64", 64, 2, Numerics::float32},
                                           Grid{"int8_256", 256, 1, Numerics::int8}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
