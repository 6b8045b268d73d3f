// The interface check of `ssmsim rtl verify` (rtl/verify/interface.cpp) on Verilator's XML of the reference
// unit: its ports are exactly the interface's, and a changed port or parameter is named.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "rtl/verify/interface.h"
#include "rtl/verify/plugin.h"

using namespace ssmsim::rtl;

namespace {

namespace fs = std::filesystem;

ModuleInfo reference_unit(const std::string& lanes) {
    const fs::path dir = fs::temp_directory_path() / ("ssmsim_rtl_xml_" + std::to_string(::getpid()));
    Design d{{fs::path(SSMSIM_SOURCE_DIR) / "rtl/scan_unit.sv"}, "scan_unit", {{"LANES", lanes}}};
    const ModuleInfo m = parse_verilator_xml(design_xml(d, default_toolchain("test"), dir), "scan_unit.sv");
    fs::remove_all(dir);
    return m;
}

TEST(RtlVerifyInterface, TheReferenceUnitHasExactlyTheInterfacesPorts) {
    const ModuleInfo m = reference_unit("16");
    EXPECT_EQ(m.top, "scan_unit");
    EXPECT_NE(m.file.find("scan_unit.sv:18"), std::string::npos) << m.file;  // the `module` line
    std::string problem;
    const UnitParams p = unit_params(m, problem);
    EXPECT_EQ(problem, "");
    EXPECT_EQ(p.lanes, 16);
    EXPECT_EQ(p.log_nmin, 2);
    EXPECT_EQ(p.slots, 16);
    EXPECT_EQ(p.table_depth, 4096);
    EXPECT_TRUE(interface_problems(m, p).empty());
    EXPECT_EQ(m.ports.size(), expected_ports(p).size());
}

TEST(RtlVerifyInterface, AChangedPortOrParameterIsNamed) {
    ModuleInfo m = reference_unit("8");
    std::string problem;
    const UnitParams p = unit_params(m, problem);
    for (auto& port : m.ports) {
        if (port.name == "m_keep") port.width = 3;
        if (port.name == "s_ready") port.dir = "input";
    }
    std::erase_if(m.ports, [](const PortInfo& port) { return port.name == "st_rdata"; });
    const auto problems = interface_problems(m, p);
    ASSERT_EQ(problems.size(), 3u);
    EXPECT_EQ(problems[0], "port st_rdata: expected output [256], found no such port");
    EXPECT_EQ(problems[1], "port s_ready: expected output [1], found input [1]");
    EXPECT_EQ(problems[2], "port m_keep: expected output [2], found output [3]");

    m.params["SLOTS"] = 0;
    unit_params(m, problem);
    EXPECT_EQ(problem, "parameter SLOTS of module scan_unit: expected pairs per lane, in [1, 4096], found 0");
    m.params.erase("SLOTS");
    unit_params(m, problem);
    EXPECT_NE(problem.find("expected an integer parameter SLOTS"), std::string::npos) << problem;
    EXPECT_EQ(param_problem("STATE_W", 16, 8), "expected 32 (a width the interface fixes), found 16");
    EXPECT_EQ(param_problem("LANES", 1024, 0), "");
    EXPECT_NE(param_problem("LANES", 2048, 0), "");
}

}  // namespace
