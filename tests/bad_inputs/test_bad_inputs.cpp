// The corpus of broken workloads (tests/bad_inputs/<case>/, described in cases.json, written by
// make_cases.py): each goes through `ssmsim run --model reference` and `ssmsim validate`, which must exit
// with 2 (not crash, not an internal error), print every expected fragment on stderr, and leave no
// report.json behind.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <set>

#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;
using nlohmann::json;

namespace {

const fs::path kCorpus = fs::path(SSMSIM_SOURCE_DIR) / "tests" / "bad_inputs";

struct Case {
    std::string name;
    json spec;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }  // names the case in gtest's messages

std::vector<Case> load_cases() {
    std::vector<Case> cases;
    const json manifest = read_json(kCorpus / "cases.json");
    for (const auto& [name, spec] : manifest.items()) cases.push_back({name, spec});
    return cases;
}

struct Outcome {
    int exit_code = -1;
    int signal = 0;  // the signal that ended ssmsim, 0 if it exited
    std::string err;
};

// Runs ssmsim with stdout discarded and stderr captured: the message must be on stderr.
Outcome run_stderr(const std::string& args) {
    const std::string cmd = std::string(SSMSIM_BINARY) + " " + args + " 2>&1 >/dev/null";
    Outcome o;
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) return o;
    char buf[4096];
    size_t n = 0;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) o.err.append(buf, n);
    const int status = pclose(pipe);
    if (WIFEXITED(status)) {
        o.exit_code = WEXITSTATUS(status);
        if (o.exit_code > 128) o.signal = o.exit_code - 128;  // the shell reports a killed child this way
    } else if (WIFSIGNALED(status)) {
        o.signal = WTERMSIG(status);
    }
    return o;
}

class BadInputCorpus : public ::testing::TestWithParam<Case> {};

TEST_P(BadInputCorpus, IsRefusedWithItsMessage) {
    const Case& c = GetParam();
    const fs::path dir = kCorpus / c.name;
    ASSERT_TRUE(fs::exists(dir / "trace.json")) << dir;
    const fs::path out = scratch_dir("bad_input_" + c.name);
    for (const auto& command : c.spec.at("commands")) {
        const std::string cmd = command.get<std::string>();
        std::string args;
        if (cmd == "run") {
            // A stale report from an earlier run must not survive a failed one.
            write_text(out / "report.json", "{}");
            args = "run -q --model reference --workload " + dir.string() + " --out " + out.string();
        } else {
            ASSERT_EQ(cmd, "validate") << "cases.json: unknown command";
            args = "validate " + dir.string();
        }
        const Outcome o = run_stderr(args);
        EXPECT_EQ(o.signal, 0) << cmd << " crashed:\n" << o.err;
        EXPECT_EQ(o.exit_code, 2) << cmd << ":\n" << o.err;
        EXPECT_EQ(o.err.find("internal error"), std::string::npos) << cmd << ":\n" << o.err;
        EXPECT_EQ(o.err.rfind("ssmsim: error: ", 0), 0u) << cmd << ":\n" << o.err;
        for (const auto& f : c.spec.at("fragments")) {
            EXPECT_NE(o.err.find(f.get<std::string>()), std::string::npos)
                << cmd << ": missing '" << f.get<std::string>() << "' in:\n"
                << o.err;
        }
        EXPECT_FALSE(fs::exists(out / "report.json")) << cmd;
    }
    fs::remove_all(out);
}

INSTANTIATE_TEST_SUITE_P(Cases, BadInputCorpus, ::testing::ValuesIn(load_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(BadInputCorpusManifest, ListsEveryFolderAndEnoughCases) {
    std::set<std::string> listed, folders;
    for (const Case& c : load_cases()) listed.insert(c.name);
    for (const auto& e : fs::directory_iterator(kCorpus)) {
        if (e.is_directory()) folders.insert(e.path().filename().string());
    }
    EXPECT_EQ(listed, folders);
    EXPECT_GE(listed.size(), 20u);
}

}  // namespace
