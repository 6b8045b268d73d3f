// The red-team corpus of command lines (tests/bad_inputs/cli_cases.json, written by make_cli_cases.py beside
// it; the broken trace folders there have their own runner, tests/bad_inputs/test_bad_inputs.cpp): `--set`
// values, flags, sweep files, budgets, output folders and names. Each case is an argument vector, run
// without a shell (so that a name may hold a newline), an expected exit code and fragments of the message.
// A refusal (exit 2) must be exactly one line on stderr, "ssmsim: error: ...", never an internal error; and
// a case may list files that must not exist afterwards (a report.json of a failed run).
//
// Keys of a case: why, area, argv, exit, fragments (on stderr; on stdout for exit 0), and optionally dirs and
// files (fixtures: a JSON value is written as JSON, a string as is), setup (an ssmsim command run first,
// which must succeed) and absent (paths that must not exist afterwards). In argv and in fixtures, {tmp} is
// the case's scratch folder and {trace} a small trace folder with data (lra:listops:s4d, 16 steps),
// generated once for the suite.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "tests/support/cli_harness.h"

extern char** environ;

namespace fs = std::filesystem;
using namespace ssmsim::testing;
using nlohmann::json;

namespace {

const fs::path kManifest = fs::path(SSMSIM_SOURCE_DIR) / "tests" / "bad_inputs" / "cli_cases.json";

struct Case {
    std::string name;
    json spec;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> load_cases() {
    std::vector<Case> cases;
    const json manifest = read_json(kManifest);  // kept alive: items() refers to it
    for (const auto& [name, spec] : manifest.items()) cases.push_back({name, spec});
    return cases;
}

std::string substitute(std::string s, const std::map<std::string, std::string>& vars) {
    for (const auto& [key, value] : vars) {
        for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size()))
            s.replace(at, key.size(), value);
    }
    return s;
}

struct Outcome {
    int exit_code = -1;
    int signal = 0;
    std::string out, err;
};

std::string drain(int fd) {
    std::string s;
    char buf[4096];
    ssize_t n = 0;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
    ::close(fd);
    return s;
}

// Runs ssmsim with exactly these arguments; stdout and stderr to files (no pipe to deadlock on).
Outcome run_argv(const std::vector<std::string>& args, const fs::path& scratch) {
    std::vector<std::string> argv_s{SSMSIM_BINARY};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string out_file = (scratch / ".stdout").string(), err_file = (scratch / ".stderr").string();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    pid_t pid = -1;
    Outcome o;
    const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return o;
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
    o.out = drain(::open(out_file.c_str(), O_RDONLY));
    o.err = drain(::open(err_file.c_str(), O_RDONLY));
    fs::remove(out_file);
    fs::remove(err_file);
    return o;
}

class CliCorpus : public ::testing::TestWithParam<Case> {
protected:
    static void SetUpTestSuite() {
        root_ = scratch_dir("cli_corpus");
        trace_ = root_ / "trace";
        const auto g = run_ssmsim("gen lra:listops:s4d --seq-len 16 --out " + trace_.string());
        ASSERT_EQ(g.exit_code, 0) << g.output;
    }
    static void TearDownTestSuite() { fs::remove_all(root_); }

    static fs::path root_, trace_;
};
fs::path CliCorpus::root_, CliCorpus::trace_;

TEST_P(CliCorpus, EndsAsDocumented) {
    const Case& c = GetParam();
    const fs::path tmp = root_ / c.name;
    fs::create_directories(tmp);
    const std::map<std::string, std::string> vars = {{"{tmp}", tmp.string()}, {"{trace}", trace_.string()}};
    for (const auto& d : c.spec.value("dirs", json::array()))
        fs::create_directories(tmp / d.get<std::string>());
    const json files = c.spec.value("files", json::object());  // kept alive: items() refers to it
    for (const auto& [path, content] : files.items()) {
        fs::create_directories((tmp / path).parent_path());
        write_text(tmp / path,
                   substitute(content.is_string() ? content.get<std::string>() : content.dump(), vars));
    }
    auto argv_of = [&](const json& list) {
        std::vector<std::string> args;
        for (const auto& a : list) args.push_back(substitute(a.get<std::string>(), vars));
        return args;
    };
    if (c.spec.contains("setup")) {  // an ssmsim command that prepares the case (a generated trace)
        const Outcome s = run_argv(argv_of(c.spec["setup"]), tmp);
        ASSERT_EQ(s.exit_code, 0) << "setup:\n" << s.err;
    }
    const std::vector<std::string> args = argv_of(c.spec.at("argv"));

    const Outcome o = run_argv(args, tmp);
    const int expected = c.spec.at("exit").get<int>();
    ASSERT_EQ(o.signal, 0) << "crashed:\n" << o.err;
    EXPECT_EQ(o.exit_code, expected) << "stderr:\n" << o.err << "stdout:\n" << o.out;
    EXPECT_EQ(o.err.find("internal error"), std::string::npos) << o.err;
    if (expected == 2) {
        // One line, in the one form.
        EXPECT_EQ(o.err.rfind("ssmsim: error: ", 0), 0u) << o.err;
        EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << "not one line:\n" << o.err;
        EXPECT_EQ(o.err.find('\0'), std::string::npos) << o.err;
    }
    const std::string& text = expected == 0 ? o.out : o.err;
    for (const auto& f : c.spec.at("fragments")) {
        const std::string frag = substitute(f.get<std::string>(), vars);
        EXPECT_NE(text.find(frag), std::string::npos) << "missing '" << frag << "' in:\n" << text;
    }
    for (const auto& a : c.spec.value("absent", json::array()))
        EXPECT_FALSE(fs::exists(tmp / a.get<std::string>())) << a;
    fs::remove_all(tmp);
}

INSTANTIATE_TEST_SUITE_P(Cases, CliCorpus, ::testing::ValuesIn(load_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(CliCorpusManifest, HasEnoughWellFormedCases) {
    const auto cases = load_cases();
    EXPECT_GE(cases.size(), 50u);
    std::set<std::string> areas;
    for (const Case& c : cases) {
        EXPECT_TRUE(c.spec.contains("why") && c.spec.contains("argv") && c.spec.contains("exit") &&
                    c.spec.contains("fragments"))
            << c.name;
        areas.insert(c.spec.value("area", ""));
    }
    EXPECT_EQ(areas,
              (std::set<std::string>{"set", "flags", "sweep", "budget", "output", "names", "compare"}));
}

}  // namespace
