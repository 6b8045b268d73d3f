#include "rtl/verify/interface.h"

#include <bit>
#include <regex>
#include <stdexcept>

namespace ssmsim::rtl {

namespace {

std::string unescape(std::string s) {
    const std::pair<const char*, const char*> entities[] = {
        {"&apos;", "'"}, {"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}};
    for (const auto& [from, to] : entities) {
        for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + 1))
            s.replace(i, std::string(from).size(), to);
    }
    return s;
}

std::map<std::string, std::string> attributes(const std::string& tag) {
    static const std::regex attr(R"re(([A-Za-z_]+)="([^"]*)")re");
    std::map<std::string, std::string> a;
    for (std::sregex_iterator it(tag.begin(), tag.end(), attr), end; it != end; ++it)
        a[(*it)[1]] = unescape((*it)[2]);
    return a;
}

// A Verilator constant such as 32'h8 or 32'sh1f; nullopt-like false when it is not an integer.
bool const_value(const std::string& text, int64_t& v) {
    static const std::regex num(R"re(^\d+'s?([hdbo])([0-9a-fA-F_]+)$)re");
    std::smatch m;
    if (!std::regex_match(text, m, num)) return false;
    const int base = m[1] == "h" ? 16 : m[1] == "d" ? 10 : m[1] == "b" ? 2 : 8;
    std::string digits = m[2];
    std::erase(digits, '_');
    try {
        v = static_cast<int64_t>(std::stoull(digits, nullptr, base));
    } catch (const std::exception&) {
        return false;
    }
    return true;
}

int clog2(int64_t x) { return x <= 1 ? 0 : std::bit_width(static_cast<uint64_t>(x - 1)); }

}  // namespace

ModuleInfo parse_verilator_xml(const std::string& xml, const std::string& where) {
    ModuleInfo m;
    const size_t top = xml.find("topModule=\"1\"");
    if (top == std::string::npos) throw std::runtime_error(where + ": no top module in Verilator's XML");
    const size_t open = xml.rfind("<module ", top);
    const size_t close = xml.find("</module>", top);
    if (open == std::string::npos || close == std::string::npos)
        throw std::runtime_error(where + ": Verilator's XML has no complete top module");
    const auto module = attributes(xml.substr(open, xml.find('>', open) - open));
    m.top = module.at("name");
    // loc="<file id>,<line>,...": the file from the <files> table.
    const std::string loc = module.count("loc") ? module.at("loc") : "";
    const std::string id = loc.substr(0, loc.find(','));
    static const std::regex file(R"re(<file [^>]*>)re");
    for (std::sregex_iterator it(xml.begin(), xml.end(), file), end; it != end; ++it) {
        const auto a = attributes(it->str());
        if (a.count("id") && a.at("id") == id && a.count("filename")) m.file = a.at("filename");
    }
    if (const size_t line = loc.find(',') + 1; line > 0) {
        m.file.push_back(':');
        m.file.append(loc, line, loc.find(',', line) - line);
    }

    // Widths of the basic types: <basicdtype id=".." left=".." right=".."/> (no left: one bit).
    std::map<std::string, int> widths;
    static const std::regex basic(R"re(<basicdtype [^>]*>)re");
    for (std::sregex_iterator it(xml.begin(), xml.end(), basic), end; it != end; ++it) {
        const auto a = attributes(it->str());
        if (!a.count("id")) continue;
        const int w = a.count("left") && a.count("right")
                          ? std::abs(std::stoi(a.at("left")) - std::stoi(a.at("right"))) + 1
                          : 1;
        widths[a.at("id")] = a.count("name") && a.at("name") == "string" ? 0 : w;
    }

    // The module's own <var> elements: ports carry pinIndex, parameters param="true" and a <const> child.
    const std::string body = xml.substr(open, close - open);
    static const std::regex var(R"re(<var [^>]*>)re");
    static const std::regex konst(R"re(^\s*<const [^>]*>)re");
    for (std::sregex_iterator it(body.begin(), body.end(), var), end; it != end; ++it) {
        const auto a = attributes(it->str());
        if (a.count("pinIndex") && a.count("dir")) {
            const auto w = widths.find(a.count("dtype_id") ? a.at("dtype_id") : "");
            m.ports.push_back({a.at("name"), a.at("dir"), w == widths.end() ? 0 : w->second});
        } else if (a.count("param") && a.at("param") == "true") {
            const std::string after = body.substr(static_cast<size_t>(it->position() + it->length()), 200);
            std::smatch c;
            int64_t v = 0;
            if (std::regex_search(after, c, konst) && const_value(attributes(c.str()).at("name"), v))
                m.params[a.at("name")] = v;
        }
    }
    return m;
}

const std::vector<ParamRange>& interface_params() {
    static const std::vector<ParamRange> p{
        {"LANES", 2, 1024, true, "lanes P, a power of two in [2, 1024]"},
        {"LOG_NMIN", 0, 10, false, "log2 of the smallest N, in [0, log2 LANES]"},
        {"SLOTS", 1, 4096, false, "pairs per lane, in [1, 4096]"},
        {"TABLE_DEPTH", 1, 65536, false, "exp-table entries, in [1, 65536]"},
    };
    return p;
}

const std::map<std::string, int64_t>& fixed_width_params() {
    static const std::map<std::string, int64_t> w{{"ACT_W", 8},    {"PAR_W", 16},  {"DECAY_W", 16},
                                                  {"STATE_W", 32}, {"SKIP_W", 32}, {"MULT_W", 31}};
    return w;
}

std::string param_problem(const std::string& name, int64_t v, int64_t lanes) {
    for (const auto& r : interface_params()) {
        if (name != r.name) continue;
        const int64_t hi = name == "LOG_NMIN" && lanes > 0 ? clog2(lanes) : r.hi;
        const bool ok =
            v >= r.lo && v <= hi && (!r.power_of_two || std::has_single_bit(static_cast<uint64_t>(v)));
        if (ok) return "";
        return std::string("expected ") + r.meaning +
               (name == "LOG_NMIN" && lanes > 0 ? " = [0, " + std::to_string(hi) + "]" : "") + ", found " +
               std::to_string(v);
    }
    const auto f = fixed_width_params().find(name);
    if (f != fixed_width_params().end() && v != f->second)
        return "expected " + std::to_string(f->second) + " (a width the interface fixes), found " +
               std::to_string(v);
    return "";
}

UnitParams unit_params(const ModuleInfo& m, std::string& problem) {
    problem.clear();
    for (const auto& r : interface_params()) {
        if (!m.params.count(r.name)) {
            problem = "module " + m.top + ": expected an integer parameter " + r.name + " (" + r.meaning +
                      "), found none";
            return {};
        }
    }
    UnitParams p{static_cast<int>(m.params.at("LANES")), static_cast<int>(m.params.at("LOG_NMIN")),
                 static_cast<int>(m.params.at("SLOTS")), static_cast<int>(m.params.at("TABLE_DEPTH"))};
    for (const auto& [name, v] : m.params) {
        problem = param_problem(name, v, m.params.at("LANES"));
        if (!problem.empty()) {
            problem = "parameter " + name + " of module " + m.top + ": " + problem;
            return {};
        }
    }
    return p;
}

std::vector<ExpectedPort> expected_ports(const UnitParams& p) {
    const int P = p.lanes, outs = p.lanes >> p.log_nmin;
    const int slot_w = p.slots > 1 ? clog2(p.slots) : 1,
              tidx_w = p.table_depth > 1 ? clog2(p.table_depth) : 1;
    const std::string in = "input", out = "output";
    return {
        {"clk", in, 1},
        {"rst", in, 1},
        {"start", in, 1},
        {"cfg_selective", in, 1},
        {"cfg_gated", in, 1},
        {"cfg_log2n", in, 4},
        {"cfg_slots", in, clog2(int64_t{p.slots} + 1)},
        {"cfg_pairs", in, clog2(int64_t{P} * p.slots + 1)},
        {"cfg_exp_shift", in, 6},
        {"cfg_table_size", in, clog2(int64_t{p.table_depth} + 1)},
        {"cfg_y_shift", in, 6},
        {"cfg_shift", in, 6},
        {"cfg_mult", in, 31},
        {"cfg_gate_shift", in, 6},
        {"cfg_gate_mult", in, 31},
        {"st_we", in, 1},
        {"st_slot", in, slot_w},
        {"st_wdata", in, P * 32},
        {"st_rdata", out, P * 32},
        {"pw_we", in, 1},
        {"pw_slot", in, slot_w},
        {"pw_a", in, P * 17},
        {"pw_bbar", in, P * 16},
        {"pw_c", in, P * 16},
        {"pw_d", in, P * 32},
        {"tw_we", in, 1},
        {"tw_addr", in, tidx_w},
        {"tw_data", in, 16},
        {"lw_we", in, 1},
        {"lw_addr", in, 8},
        {"lw_data", in, 8},
        {"s_valid", in, 1},
        {"s_ready", out, 1},
        {"s_x", in, P * 8},
        {"s_dt", in, P * 8},
        {"s_b", in, P * 8},
        {"s_c", in, P * 8},
        {"s_z", in, P * 8},
        {"m_valid", out, 1},
        {"m_ready", in, 1},
        {"m_data", out, outs * 8},
        {"m_keep", out, outs},
        {"sat_count", out, 64},
    };
}

std::vector<std::string> interface_problems(const ModuleInfo& m, const UnitParams& p) {
    std::vector<std::string> problems;
    std::map<std::string, const PortInfo*> have;
    for (const auto& port : m.ports) have[port.name] = &port;
    for (const auto& want : expected_ports(p)) {
        const auto it = have.find(want.name);
        const std::string what = want.dir + " [" + std::to_string(want.width) + "]";
        if (it == have.end()) {
            problems.push_back("port " + want.name + ": expected " + what + ", found no such port");
            continue;
        }
        const PortInfo& got = *it->second;
        if (got.dir != want.dir || got.width != want.width) {
            problems.push_back("port " + want.name + ": expected " + what + ", found " + got.dir + " [" +
                               (got.width > 0 ? std::to_string(got.width) : "not a packed vector") + "]");
        }
    }
    return problems;
}

}  // namespace ssmsim::rtl
