#include "app/compare_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "sim/util/csv_rows.h"

namespace ssmsim::cli {

using ojson = nlohmann::ordered_json;

namespace {

struct CompareColumn {
    const char* name;
    const char* unit;
    const char* about;
};

// The order of every row's fields (app/compare_cmd.cpp fills them in this order).
constexpr CompareColumn kCompareColumns[] = {
    {"workload", "", "lra:<task>:<arch> or the trace folder"},
    {"task", "", "the LRA task (plot group); 'traces' for trace folders"},
    {"arch", "", "s4d, mamba or transformer; n/a for trace folders"},
    {"seq_len", "time steps", "sequence length of the lra: workload"},
    {"batch", "samples", "inferences in one forward pass"},
    {"label", "", "the --models label: <model> or <model>@<tag>"},
    {"model", "", "registered model or measured source"},
    {"config", "", "hardware config name (+ --set overrides), or the CSV of a measured source"},
    {"source", "", "simulated, or measured with GPU, date and commit"},
    {"clock_mhz", "MHz", "the model's clock (report clock_hz)"},
    {"latency_ms", "ms", "one forward pass of the whole batch (report seconds)"},
    {"throughput_per_s", "inferences/s", "batch / latency"},
    {"energy_mj", "mJ", "energy per inference (report energy_pj / batch)"},
    {"power_w", "W", "average power over the pass (energy_pj / seconds)"},
    {"dram_bytes", "bytes", "DRAM (HBM) traffic of the whole pass (report dram_bytes)"},
    {"utilisation", "fraction", "the model's first listed unit's utilisation (report utilisation)"},
    {"utilisation_unit", "", "which unit: array (systolic), sm_issue (gpu)"},
    {"bound", "", "compute or memory: the bound most of the ops' cycles have (report ops[].bound)"},
    {"bound_cycle_share", "fraction", "the share of cycles in ops of that bound"},
    {"baseline", "", "the label ratios are taken against (--baseline)"},
    {"latency_ratio", "x", "latency_ms / the baseline row's, same workload and batch"},
    {"energy_ratio", "x", "energy_mj / the baseline row's, same workload and batch"},
};

}  // namespace

std::string csv_cell(const ojson& v) {
    if (v.is_null()) return "n/a";
    std::string s;
    if (v.is_string()) {
        s = v.get<std::string>();
    } else if (v.is_number_integer() || v.is_number_unsigned()) {
        s = v.dump();
    } else if (v.is_number()) {
        s = fmt::format("{:.6g}", v.get<double>());
    } else {
        s = v.dump();
    }
    return csv_quote(s);
}

std::string text_cell(const ojson& v, double scale) {
    if (v.is_null()) return "n/a";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer() && scale == 1.0) return v.dump();
    return fmt::format("{:.4g}", v.get<double>() * scale);
}

ojson compare_columns() {
    ojson cols = ojson::array();
    for (const auto& c : kCompareColumns) cols.push_back({{"name", c.name}, {"unit", c.unit}, {"about", c.about}});
    return cols;
}

std::string csv_of(const std::vector<std::string>& names, const std::vector<ojson>& rows) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
    out += "\n";
    for (const auto& r : rows) {
        for (size_t i = 0; i < names.size(); ++i) {
            if (i) out += ',';
            out += csv_cell(r.value(names[i], ojson(nullptr)));
        }
        out += '\n';
    }
    return out;
}

std::string compare_csv(const std::vector<ojson>& rows) {
    std::vector<std::string> names;
    for (const auto& c : kCompareColumns) names.emplace_back(c.name);
    return csv_of(names, rows);
}

std::string compare_text_table(const std::vector<ojson>& rows) {
    struct Col {
        const char* head;
        const char* key;
        double scale;
        bool left;
    };
    const Col cols[] = {{"workload", "workload", 1, true},
                        {"B", "batch", 1, false},
                        {"label", "label", 1, true},
                        {"config", "config", 1, true},
                        {"MHz", "clock_mhz", 1, false},
                        {"latency_ms", "latency_ms", 1, false},
                        {"inf/s", "throughput_per_s", 1, false},
                        {"energy_mJ", "energy_mj", 1, false},
                        {"power_W", "power_w", 1, false},
                        {"DRAM_MB", "dram_bytes", 1e-6, false},
                        {"util", "utilisation", 1, false},
                        {"bound", "bound", 1, true},
                        {"lat_ratio", "latency_ratio", 1, false},
                        {"E_ratio", "energy_ratio", 1, false}};
    std::vector<std::vector<std::string>> cells;
    std::vector<size_t> width;
    for (const auto& c : cols) width.push_back(std::string(c.head).size());
    for (const auto& r : rows) {
        std::vector<std::string> line;
        for (size_t i = 0; i < std::size(cols); ++i) {
            std::string s = text_cell(r.value(cols[i].key, ojson(nullptr)), cols[i].scale);
            if (std::string(cols[i].key) == "config" &&
                r["source"].get<std::string>().rfind("measured", 0) == 0)
                s = "measured";  // the CSV path is in compare.csv; here it would only widen the column
            if (std::string(cols[i].key) == "config" &&
                r["source"].get<std::string>().rfind("not measured", 0) == 0)
                s = "not measured";
            width[i] = std::max(width[i], s.size());
            line.push_back(std::move(s));
        }
        cells.push_back(std::move(line));
    }
    const auto print_line = [&](const std::vector<std::string>& line) {
        std::string s;
        for (size_t i = 0; i < line.size(); ++i) {
            s += i ? "  " : "";
            s += cols[i].left ? fmt::format("{:<{}}", line[i], width[i])
                              : fmt::format("{:>{}}", line[i], width[i]);
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        return s + "\n";
    };
    std::vector<std::string> head;
    for (const auto& c : cols) head.push_back(c.head);
    std::string out = print_line(head);
    for (const auto& line : cells) out += print_line(line);
    return out;
}

}  // namespace ssmsim::cli
