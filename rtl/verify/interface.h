// The scan-unit interface (docs/rtl.md, "The scan-unit interface") checked on a user's top module: the
// ports and parameter values Verilator's --xml-only output gives, against the ports the driver needs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rtl/verify/scan_unit_model.h"

namespace ssmsim::rtl {

struct PortInfo {
    std::string name, dir;  // dir: "input" or "output"
    int width = 0;          // bits; 0 when the port is not a packed vector (an unpacked array, a struct...)
};

struct ModuleInfo {
    std::string top;
    std::string file;                       // where the top module is declared: "<file>:<line>"
    std::map<std::string, int64_t> params;  // integer parameters with their resolved values
    std::vector<PortInfo> ports;
};

// The top module (topModule="1") of Verilator's --xml-only output. Throws std::runtime_error naming
// `where` when the text is not such output.
ModuleInfo parse_verilator_xml(const std::string& xml, const std::string& where);

// The interface's parameters and the ranges it allows.
struct ParamRange {
    const char* name;
    int64_t lo, hi;
    bool power_of_two;
    const char* meaning;
};
const std::vector<ParamRange>& interface_params();
// Widths fixed by the contract: a parameter of these names, if the module has one, must have this value.
const std::map<std::string, int64_t>& fixed_width_params();

// Why a value of parameter `name` is out of range, as "expected ..., found ..." ("" if it is fine); LOG_NMIN
// is checked against `lanes`.
std::string param_problem(const std::string& name, int64_t value, int64_t lanes);

// The unit's parameters from the resolved values; the first problem (a missing parameter, a value out of
// range) goes to `problem`.
UnitParams unit_params(const ModuleInfo& m, std::string& problem);

struct ExpectedPort {
    std::string name, dir;
    int width;
};
std::vector<ExpectedPort> expected_ports(const UnitParams& p);

// Every missing port, wrong direction or wrong width, one line each ("port s_x: expected ...").
std::vector<std::string> interface_problems(const ModuleInfo& m, const UnitParams& p);

}  // namespace ssmsim::rtl
