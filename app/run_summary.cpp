#include "app/run_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "app/compare_table.h"

namespace ssmsim::cli {

using ojson = nlohmann::ordered_json;

namespace {

// The columns of the table and of summary.csv, in order: name, heading of the text table, scale there.
struct Column {
    const char* name;
    const char* head;
    double scale;
    bool left;
};
constexpr Column kColumns[] = {
    {"model", "model", 1, true},
    {"config", "config", 1, true},
    {"clock_mhz", "MHz", 1, false},
    {"cycles", "cycles", 1, false},
    {"latency_ms", "latency_ms", 1, false},
    {"energy_mj", "energy_mJ/inf", 1, false},
    {"dram_mb", "DRAM_MB", 1, false},
    {"energy_node_nm", "node_nm", 1, false},
    {"latency_ratio", "lat_ratio", 1, false},
    {"energy_ratio", "E_ratio", 1, false},
    {"pred_label", "pred/label", 1, true},
    {"output_sha256", "output_sha256", 1, true},
};

std::optional<double> number(const ojson& r, const char* key) {
    if (r.contains(key) && r[key].is_number()) return r[key].get<double>();
    return std::nullopt;
}

}  // namespace

std::vector<ojson> summary_rows(const std::vector<ModelRun>& runs, int64_t batch,
                                const std::string& baseline) {
    std::vector<ojson> rows;
    for (const auto& run : runs) {
        const ojson& r = run.report;
        ojson row;
        row["model"] = run.model;
        std::string config = r.contains("config") ? r["config"].value("name", "") : "";
        for (const auto& s : run.sets) config += " --set " + s;
        row["config"] = config.empty() ? ojson(nullptr) : ojson(config);
        const auto clock = number(r, "clock_hz");
        const auto seconds = number(r, "seconds");
        const auto energy = number(r, "energy_pj");
        row["clock_mhz"] = clock ? ojson(*clock / 1e6) : ojson(nullptr);
        row["cycles"] = r.contains("cycles") ? r["cycles"] : ojson(nullptr);
        // Time, not cycles: the models run at different clocks.
        row["latency_ms"] = seconds ? ojson(*seconds * 1e3) : ojson(nullptr);
        row["energy_mj"] = energy ? ojson(*energy * 1e-9 / static_cast<double>(batch)) : ojson(nullptr);
        const auto dram = number(r, "dram_bytes");
        row["dram_mb"] = dram ? ojson(*dram / 1e6) : ojson(nullptr);
        const ojson& v = r.contains("validation") ? r["validation"] : ojson(nullptr);
        row["energy_node_nm"] =
            v.is_object() && v.contains("energy_node_nm") ? v["energy_node_nm"] : ojson(nullptr);
        row["pred_label"] = nullptr;
        if (r.contains("predicted_class") && !r["predicted_class"].empty())
            row["pred_label"] =
                r["predicted_class"][0].dump() + "/" + (r.contains("label") ? r["label"].dump() : "?");
        row["output_sha256"] = r.contains("output_sha256") ? r["output_sha256"] : ojson(nullptr);
        rows.push_back(std::move(row));
    }
    const auto base =
        std::find_if(rows.begin(), rows.end(), [&](const ojson& r) { return r["model"] == baseline; });
    const ojson b = base != rows.end() ? *base : ojson::object();
    for (auto& r : rows) {
        for (auto [metric, ratio] :
             {std::pair{"latency_ms", "latency_ratio"}, {"energy_mj", "energy_ratio"}}) {
            const bool ok = r[metric].is_number() && b.contains(metric) && b[metric].is_number() &&
                            b[metric].get<double>() > 0;
            r[ratio] = ok ? ojson(r[metric].get<double>() / b[metric].get<double>()) : ojson(nullptr);
        }
    }
    return rows;
}

std::string summary_csv(const std::vector<ojson>& rows) {
    std::vector<std::string> names;
    for (const auto& c : kColumns) names.emplace_back(c.name);
    return csv_of(names, rows);
}

std::string summary_text(const std::vector<ojson>& rows) {
    std::vector<std::vector<std::string>> lines(1);
    for (const auto& c : kColumns) lines[0].push_back(c.head);
    for (const auto& r : rows) {
        std::vector<std::string> line;
        for (const auto& c : kColumns) {
            std::string s = text_cell(r.value(c.name, ojson(nullptr)), c.scale);
            if (std::string(c.name) == "output_sha256" && s != "n/a") s = s.substr(0, 16);
            line.push_back(std::move(s));
        }
        lines.push_back(std::move(line));
    }
    std::vector<size_t> width(std::size(kColumns), 0);
    for (const auto& line : lines)
        for (size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
    std::string out;
    for (const auto& line : lines) {
        std::string s;
        for (size_t i = 0; i < line.size(); ++i) {
            s += i ? "  " : "";
            s += kColumns[i].left ? fmt::format("{:<{}}", line[i], width[i])
                                  : fmt::format("{:>{}}", line[i], width[i]);
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        out += s + "\n";
    }
    return out;
}

}  // namespace ssmsim::cli
