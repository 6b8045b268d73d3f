// The corpus of bad inputs (tests/bad_inputs/<case>/, described in every tests/bad_inputs/*cases*.json;
// cases.json is written by make_cases.py). Each case must exit with its code (2, bad input, unless it says
// "exit"), not crash, not report an internal error, print every expected fragment on stderr in the
// "ssmsim: error: " form, and leave no report.json behind. A case is one of:
//   {"commands": ["run", "validate"], ...}: its folder is a broken trace folder, given to `ssmsim run --model
//       reference` and `ssmsim validate`;
//   {"args": ["sweep {case}/sweep.json --out {out}", ...], ...}: ssmsim's arguments, where {case} is the
//       case's folder and {out} a fresh scratch folder;
//   {"argv": [...], ...}: a command-line case, run by test_cli_corpus.cpp (here only its name is checked).
// "make" builds what git cannot hold in a scratch copy of the folder first: {"fifo": [path...], "dir":
// [path...], "link": {path: target}, "size": {path: bytes}} (a sparse file of that many zero bytes).
// Every command runs under timeout(1), so an input that hangs ssmsim fails its case instead of hanging CTest.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
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
    std::string manifest;  // the *cases*.json file it comes from
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }  // names the case in gtest's messages

std::vector<Case> load_cases() {
    std::set<fs::path> manifests;  // sorted: the same order everywhere
    for (const auto& e : fs::directory_iterator(kCorpus)) {
        const std::string file = e.path().filename().string();
        // cli_cases.json has its own runner (test_cli_corpus.cpp: argument vectors without a shell,
        // fixtures).
        if (e.is_regular_file() && e.path().extension() == ".json" &&
            file.find("cases") != std::string::npos && file != "cli_cases.json")
            manifests.insert(e.path());
    }
    std::vector<Case> cases;
    for (const auto& m : manifests) {
        const json manifest = read_json(m);  // named: items() would not keep a temporary alive
        for (const auto& [name, spec] : manifest.items()) {
            // Argument-vector cases ("argv") are test_cli_corpus.cpp's; only their names are checked here.
            cases.push_back({name, spec, m.filename().string()});
        }
    }
    return cases;
}

bool uses_folder(const Case& c) {
    if (c.spec.contains("commands")) return true;
    for (const auto& a : c.spec.value("args", json::array())) {
        if (a.get<std::string>().find("{case}") != std::string::npos) return true;
    }
    return false;
}

// Builds the case's "make" entries inside `dir` (a scratch copy).
void make_special_files(const fs::path& dir, const json& make) {
    auto fresh = [&](const std::string& rel) {
        const fs::path p = dir / rel;
        fs::remove_all(p);
        fs::create_directories(p.parent_path());
        return p;
    };
    for (const auto& f : make.value("fifo", json::array())) {
        const fs::path p = fresh(f.get<std::string>());
        ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0) << p;
    }
    for (const auto& d : make.value("dir", json::array()))
        fs::create_directories(fresh(d.get<std::string>()));
    const json links = make.value("link", json::object()), sizes = make.value("size", json::object());
    for (const auto& [rel, target] : links.items()) fs::create_symlink(target.get<std::string>(), fresh(rel));
    for (const auto& [rel, bytes] : sizes.items()) {
        const fs::path p = fresh(rel);
        std::ofstream(p, std::ios::binary).close();
        fs::resize_file(p, bytes.get<uint64_t>());
    }
}

std::string substitute(std::string s, const std::string& key, const std::string& value) {
    for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size()))
        s.replace(at, key.size(), value);
    return s;
}

struct Outcome {
    int exit_code = -1;
    int signal = 0;  // the signal that ended ssmsim, 0 if it exited
    std::string err;
};

// Runs ssmsim with stdout discarded and stderr captured: the message must be on stderr.
Outcome run_stderr(const std::string& args) {
    const std::string cmd = "timeout -k 5 60 " + std::string(SSMSIM_BINARY) + " " + args + " 2>&1 >/dev/null";
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
    const fs::path scratch = scratch_dir("bad_input_" + c.name);
    const fs::path out = scratch / "out";
    fs::path dir = kCorpus / c.name;
    if (c.spec.contains("make")) {  // special files are made in a copy, never in the source tree
        const fs::path copy = scratch / "case";
        if (fs::exists(dir)) {
            fs::copy(dir, copy, fs::copy_options::recursive);
        } else {
            fs::create_directories(copy);
        }
        dir = copy;
        make_special_files(dir, c.spec.at("make"));
    }
    std::vector<std::pair<std::string, std::string>> commands;  // (what, arguments)
    for (const auto& command : c.spec.value("commands", json::array())) {
        const std::string cmd = command.get<std::string>();
        ASSERT_TRUE(fs::exists(dir / "trace.json") || fs::is_symlink(dir / "trace.json")) << dir;
        if (cmd == "run") {
            commands.emplace_back(
                cmd, "run -q --model reference --workload " + dir.string() + " --out " + out.string());
        } else {
            ASSERT_EQ(cmd, "validate") << c.manifest << ": unknown command";
            commands.emplace_back(cmd, "validate " + dir.string());
        }
    }
    for (const auto& a : c.spec.value("args", json::array())) {
        const std::string args =
            substitute(substitute(a.get<std::string>(), "{case}", dir.string()), "{out}", out.string());
        commands.emplace_back(args, args);
    }
    ASSERT_FALSE(commands.empty()) << c.manifest << ": a case needs \"commands\" or \"args\"";
    const int expected_exit = c.spec.value("exit", 2);
    for (const auto& [what, args] : commands) {
        // A stale report from an earlier run must not survive a failed `run`.
        const bool writes_out = args.rfind("run ", 0) == 0 && args.find(out.string()) != std::string::npos;
        fs::create_directories(out);
        if (writes_out) write_text(out / "report.json", "{}");
        const Outcome o = run_stderr(args);
        EXPECT_EQ(o.signal, 0) << what << " crashed:\n" << o.err;
        EXPECT_EQ(o.exit_code, expected_exit) << what << ":\n" << o.err;
        EXPECT_EQ(o.err.find("internal error"), std::string::npos) << what << ":\n" << o.err;
        EXPECT_EQ(o.err.rfind("ssmsim: error: ", 0), 0u) << what << ":\n" << o.err;
        for (const auto& f : c.spec.at("fragments")) {
            EXPECT_NE(o.err.find(f.get<std::string>()), std::string::npos)
                << what << ": missing '" << f.get<std::string>() << "' in:\n"
                << o.err;
        }
        if (writes_out) {
            EXPECT_FALSE(fs::exists(out / "report.json")) << what;
        }
    }
    fs::remove_all(scratch);
}

std::vector<Case> runnable_cases() {
    std::vector<Case> mine;
    for (Case& c : load_cases()) {
        if (!c.spec.contains("argv")) mine.push_back(std::move(c));
    }
    return mine;
}

INSTANTIATE_TEST_SUITE_P(Cases, BadInputCorpus, ::testing::ValuesIn(runnable_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(BadInputCorpusManifest, ListsEveryFolderAndEnoughCases) {
    std::set<std::string> listed, needing_folders, folders;
    std::vector<std::string> names;
    for (const Case& c : load_cases()) {
        names.push_back(c.name);
        listed.insert(c.name);
        if (uses_folder(c) && !c.spec.contains("make")) needing_folders.insert(c.name);
    }
    EXPECT_EQ(names.size(), listed.size()) << "a case name is used twice across the *cases*.json files";
    for (const auto& e : fs::directory_iterator(kCorpus)) {
        if (e.is_directory() && e.path().filename().string()[0] != '_')
            folders.insert(e.path().filename().string());
    }
    for (const auto& f : folders) EXPECT_TRUE(listed.count(f)) << "folder " << f << " is no listed case";
    for (const auto& n : needing_folders) EXPECT_TRUE(folders.count(n)) << "case " << n << " has no folder";
    EXPECT_GE(listed.size(), 20u);
}

}  // namespace
