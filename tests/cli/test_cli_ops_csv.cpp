// ops.csv beside every run's report.json, and `ssmsim report` over runs (docs/trace-format.md).
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;

namespace {

// RFC 4180 rows: quoted cells may hold commas, doubled quotes and line breaks (csv_quote, tested in
// tests/sim/test_csv_quote.cpp).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows(1);
    std::string cell;
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                cell += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cell += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            rows.back().push_back(cell);
            cell.clear();
        } else if (c == '\n') {
            rows.back().push_back(cell);
            cell.clear();
            rows.emplace_back();
        } else {
            cell += c;
        }
    }
    if (rows.back().empty()) rows.pop_back();
    return rows;
}

const std::string kHeader =
    "index,name,kind,macs,vector_ops,bytes_read,bytes_written,start_cycle,cycles,seconds,energy_pj,"
    "dram_read_bytes,dram_write_bytes,bound,saturations,utilisation,mapping";

class CliOpsCsv : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = scratch_dir("cli_ops_csv");
        const auto r = run_ssmsim("run -q --model all --workload lra:image:s4d --seq-len 64 --out " +
                                  (dir_ / "all").string());
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    static void TearDownTestSuite() { fs::remove_all(dir_); }
    static fs::path dir_;
};
fs::path CliOpsCsv::dir_;

size_t column(const std::vector<std::string>& header, const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << name;
    return static_cast<size_t>(it - header.begin());
}

// Every model's ops.csv has one row per op, in trace order, whose figures are the report's.
TEST_F(CliOpsCsv, EveryModelWritesOneRowPerOpWithTheReportsFigures) {
    const auto work = read_json(dir_ / "all" / "reference" / "report.json").at("ops");
    for (const char* model : {"systolic", "gpu", "neuromorphic", "reference"}) {
        SCOPED_TRACE(model);
        const std::string text = read_text(dir_ / "all" / model / "ops.csv");
        ASSERT_EQ(text.substr(0, kHeader.size() + 1), kHeader + "\n");
        const auto rows = parse_csv(text);
        const auto report = read_json(dir_ / "all" / model / "report.json");
        const auto& ops = report.at("ops");
        ASSERT_EQ(rows.size(), ops.size() + 1);
        const auto& h = rows[0];
        for (size_t i = 0; i < ops.size(); ++i) {
            const auto& row = rows[i + 1];
            ASSERT_EQ(row.size(), h.size()) << "row " << i;
            EXPECT_EQ(row[column(h, "index")], std::to_string(i));
            EXPECT_EQ(row[column(h, "name")], ops[i].at("name").get<std::string>());
            EXPECT_EQ(row[column(h, "kind")], ops[i].at("kind").get<std::string>());
            // The work comes from the trace, the same on every model.
            EXPECT_EQ(row[column(h, "macs")], std::to_string(work[i].at("macs").get<int64_t>()));
            EXPECT_EQ(row[column(h, "bytes_read")], std::to_string(work[i].at("bytes_read").get<int64_t>()));
            if (std::string(model) == "reference") {
                EXPECT_EQ(row[column(h, "cycles")], "");
                continue;
            }
            EXPECT_EQ(std::stoll(row[column(h, "cycles")]), ops[i].at("cycles").get<int64_t>());
            EXPECT_NEAR(std::stod(row[column(h, "energy_pj")]), ops[i].at("energy_pj").get<double>(),
                        1e-9 * std::abs(ops[i].at("energy_pj").get<double>()));
            const double seconds = ops[i].contains("seconds") ? ops[i].at("seconds").get<double>()
                                                              : ops[i].at("cycles").get<double>() /
                                                                    report.at("clock_hz").get<double>();
            EXPECT_NEAR(std::stod(row[column(h, "seconds")]), seconds, 1e-12 + 1e-9 * seconds);
        }
        // The mapping in short: each model's own description of where the op ran.
        const std::string mapping = rows[2][column(h, "mapping")];
        const std::map<std::string, std::string> marks = {
            {"systolic", "unit=scan"}, {"gpu", "grid="}, {"neuromorphic", "cores="}, {"reference", ""}};
        EXPECT_NE(mapping.find(marks.at(model)), std::string::npos) << mapping;
    }
}

TEST_F(CliOpsCsv, SameInputsGiveByteIdenticalOpsCsv) {
    const auto r = run_ssmsim("run -q --model systolic --workload lra:image:s4d --seq-len 64 --out " +
                              (dir_ / "again").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(read_text(dir_ / "again" / "ops.csv"), read_text(dir_ / "all" / "systolic" / "ops.csv"));
}

// A run that fails leaves no ops.csv of an earlier run in its folder.
TEST_F(CliOpsCsv, AFailedRunRemovesTheEarlierOpsCsv) {
    const fs::path out = dir_ / "fail";
    ASSERT_EQ(
        run_ssmsim("run -q --model systolic --workload lra:image:s4d --seq-len 64 --out " + out.string())
            .exit_code,
        0);
    ASSERT_TRUE(fs::exists(out / "ops.csv"));
    const auto r = run_ssmsim(
        "run -q --model systolic --workload lra:image:s4d --seq-len 64 --set "
        "array.rows=0 --out " +
        out.string());
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_FALSE(fs::exists(out / "report.json"));
    EXPECT_FALSE(fs::exists(out / "ops.csv"));
}

// `ssmsim report` over runs: a `run --model all` folder expands to its models; the table, runs.csv and the
// merged ops.csv hold every run.
TEST_F(CliOpsCsv, ReportPutsRunsSideBySide) {
    const auto one = run_ssmsim("run -q --model systolic --workload lra:image:mamba --seq-len 64 --out " +
                                (dir_ / "mamba").string());
    ASSERT_EQ(one.exit_code, 0) << one.output;
    const auto r =
        run_ssmsim("report " + (dir_ / "all").string() + " " + (dir_ / "mamba").string() + " --out " +
                   (dir_ / "runs.csv").string() + " --ops-out " + (dir_ / "ops.csv").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const char* s : {"gpu", "neuromorphic", "reference", "systolic", "lra:image:mamba"})
        EXPECT_NE(r.output.find(s), std::string::npos) << s << "\n" << r.output;
    const auto runs = parse_csv(read_text(dir_ / "runs.csv"));
    ASSERT_EQ(runs.size(), 6u);  // header, four models of `all`, the mamba run
    EXPECT_EQ(runs[0][0], "run");
    const auto sys = read_json(dir_ / "all" / "systolic" / "report.json");
    bool found = false;
    for (const auto& row : runs)
        if (row[0] == (dir_ / "all" / "systolic").string()) {
            found = true;
            EXPECT_EQ(row[1], "systolic");
            EXPECT_EQ(std::stoll(row[5]), sys.at("cycles").get<int64_t>());
            EXPECT_EQ(row[12], sys.at("output_sha256").get<std::string>());
        }
    EXPECT_TRUE(found);
    size_t expected_ops = 1;
    for (const char* m : {"systolic", "gpu", "neuromorphic", "reference"})
        expected_ops += read_json(dir_ / "all" / m / "report.json").at("ops").size();
    expected_ops += read_json(dir_ / "mamba" / "report.json").at("ops").size();
    EXPECT_EQ(parse_csv(read_text(dir_ / "ops.csv")).size(), expected_ops);
}

TEST_F(CliOpsCsv, ReportRefusesWhatIsNotARunAndWritesNothing) {
    const fs::path out = dir_ / "bad_runs.csv";
    auto r = run_ssmsim("report " + (dir_ / "no_such").string() + " --out " + out.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("no such folder"), std::string::npos) << r.output;
    fs::create_directories(dir_ / "broken");
    write_text(dir_ / "broken" / "report.json", "{\"model\": 3");
    r = run_ssmsim("report " + (dir_ / "all").string() + " " + (dir_ / "broken").string() + " --out " +
                   out.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("broken/report.json"), std::string::npos) << r.output;
    write_text(dir_ / "broken" / "report.json", "{\"model\": 3, \"workload\": \"w\"}");
    r = run_ssmsim("report " + (dir_ / "broken").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("/model: expected a string"), std::string::npos) << r.output;
    fs::create_directories(dir_ / "no_ops");
    fs::copy_file(dir_ / "all" / "gpu" / "report.json", dir_ / "no_ops" / "report.json");
    r = run_ssmsim("report " + (dir_ / "no_ops").string() + " --out " + out.string() + " --ops-out " +
                   (dir_ / "bad_ops.csv").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("ops.csv"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(dir_ / "bad_ops.csv"));
}

}  // namespace
