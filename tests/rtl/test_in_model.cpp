// The Verilated scan unit inside the systolic model (`scan.unit: "rtl"`): real LRA traces give the
// reference's bytes and saturations, and the same cycles as the TLM engine (the RTL engine itself throws
// if a chunk's measured cycles differ from the closed form the model's timing uses).
#include <gtest/gtest.h>
#include <unistd.h>

#include "models/systolic/scan_engine.h"
#include "sim/util/error.h"
#include "tests/support/cli_harness.h"
#include "tests/systolic/model_harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;
using workloads::Arch;
using workloads::Task;

namespace {

void expect_rtl_same_as_reference_and_tlm(const workloads::Workload& w) {
    const reference::Execution ref = reference::execute(w.trace, w.data);
    const RunResult rtl = run_systolic(w.trace, &w.data, {{"scan.unit", "rtl"}});
    const RunResult tlm = run_systolic(w.trace, &w.data, {{"scan.unit", "tlm"}});
    EXPECT_EQ(rtl.report.at("scan_unit"), "rtl");
    for (const auto& name : w.trace.outputs) {
        EXPECT_EQ(first_difference(ref.outputs.at(name), rtl.outputs.at(name)), -1) << name;
    }
    EXPECT_EQ(rtl.report.at("saturations").get<uint64_t>(), ref.saturations);
    EXPECT_EQ(rtl.report.at("cycles"), tlm.report.at("cycles"));
    EXPECT_EQ(rtl.report.at("busy_cycles").at("scan"), tlm.report.at("busy_cycles").at("scan"));
    for (size_t i = 0; i < w.trace.ops.size(); ++i) {
        EXPECT_EQ(rtl.report["ops"][i]["saturations"], tlm.report["ops"][i]["saturations"])
            << w.trace.ops[i].name;
    }
}

TEST(RtlInModel, ImageS4dMatchesTheReference) {
    expect_rtl_same_as_reference_and_tlm(lra(Task::image, Arch::s4d, 64));
}

TEST(RtlInModel, ListopsMambaMatchesTheReference) {
    // selective_scan with N = 16: the exp tables of every layer go through the unit's table port.
    expect_rtl_same_as_reference_and_tlm(lra(Task::listops, Arch::mamba, 64));
}

TEST(RtlInModel, TextS4dWithFourStatesMatchesTheReference) {
    // N = 4 = the smallest N of the 64-lane unit: 16 channels complete per beat.
    expect_rtl_same_as_reference_and_tlm(lra(Task::text, Arch::s4d, 48));
}

TEST(RtlInModel, EngineMeasuresCycles) {
    auto e = systolic::make_scan_engine("rtl");
    EXPECT_EQ(e->name(), "rtl");
    EXPECT_EQ(e->measured_cycles(), 0u);
    EXPECT_EQ(systolic::make_scan_engine("tlm")->measured_cycles(), 0u);
}

TEST(RtlInModel, AConfigThatIsNotTheRtlIsRefused) {
    const auto w = lra(Task::image, Arch::s4d, 16);
    try {
        run_systolic(w.trace, &w.data, {{"scan.unit", "rtl"}, {"scan.lanes", 32}});
        FAIL() << "ran with 32 lanes";
    } catch (const InputError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("scan.lanes"), std::string::npos) << m;
        EXPECT_NE(m.find("Verilated unit: 64 lanes"), std::string::npos) << m;
    }
}

TEST(RtlInModel, CliScanUnitFlagGivesTheReferenceSha) {
    // The acceptance run: lra:image:s4d at 256 steps through the RTL, same output_sha256 as the
    // reference.
    const auto dir =
        std::filesystem::temp_directory_path() / ("ssmsim_rtl_cli_" + std::to_string(::getpid()));
    const auto a =
        run_ssmsim("run --model systolic --scan-unit rtl --workload lra:image:s4d --seq-len 256 -q --out " +
                   (dir / "rtl").string());
    ASSERT_EQ(a.exit_code, 0) << a.output;
    const auto b = run_ssmsim("run --model reference --workload lra:image:s4d --seq-len 256 -q --out " +
                              (dir / "ref").string());
    ASSERT_EQ(b.exit_code, 0) << b.output;
    const auto ra = read_json(dir / "rtl" / "report.json"), rb = read_json(dir / "ref" / "report.json");
    EXPECT_EQ(ra.at("scan_unit"), "rtl");
    EXPECT_EQ(ra.at("output_sha256"), rb.at("output_sha256"));
    const auto bad =
        run_ssmsim("run --model systolic --scan-unit verilog --workload lra:image:s4d --seq-len 16");
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
    std::filesystem::remove_all(dir);
}

}  // namespace
