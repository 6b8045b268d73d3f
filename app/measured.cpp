#include "app/measured.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <regex>
#include <sstream>

namespace ssmsim::cli {

extern const char* const kH200LraE2eCsv;  // reference/gpu-timings/h200-lra-e2e.csv, embedded at build time
extern const char* const
    kH200LraPowerCsv;  // reference/gpu-timings/h200-lra-power.csv, embedded at build time

namespace {

constexpr const char* kFile = "reference/gpu-timings/h200-lra-e2e.csv";

std::vector<std::string> split(const std::string& line, char sep) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, sep);) cells.push_back(cell);
    return cells;
}

std::optional<double> number(const std::string& text) {
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !(v > 0)) return std::nullopt;  // "oom"
    return v;
}

std::string match(const std::string& text, const std::regex& re) {
    std::smatch m;
    return std::regex_search(text, m, re) ? m[1].str() : "";
}

// "NVIDIA H200, commit 67eb621, 2026-11-29T03:55:22Z" from one provenance line of the CSV.
std::string provenance_of(const std::string& gpu, const std::string& line) {
    static const std::regex commit(R"(commit:? ([0-9a-f]{7,40}))");
    static const std::regex date(R"((\d{4}-\d{2}-\d{2}T[0-9:]+Z))");
    std::string out = gpu;
    const std::string c = match(line, commit);
    if (!c.empty()) out += ", commit " + c.substr(0, 7);
    const std::string d = match(line, date);
    if (!d.empty()) out += ", " + d;
    return out;
}

// Board power of our kernels by "task,arch,seq_len,batch", each with its provenance: the GPU of the file's
// first line, and the row's own commit and date (columns commit, date_utc) where the file has them, else the
// first line's.
struct BoardPower {
    double watts;
    std::string provenance;
};
std::map<std::string, BoardPower> load_power() {
    std::map<std::string, BoardPower> watts;
    std::string provenance, gpu_name;
    std::vector<std::string> columns;
    std::istringstream in(kH200LraPowerCsv);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        if (line[0] == '#') {
            static const std::regex gpu(R"(^# GPU: (NVIDIA [^,]+),)");
            std::smatch m;
            if (provenance.empty() && std::regex_search(line, m, gpu)) {
                gpu_name = m[1];
                provenance = provenance_of(m[1], line);
            }
            continue;
        }
        if (columns.empty()) {
            columns = split(line, ',');
            continue;
        }
        const auto cells = split(line, ',');
        std::map<std::string, std::string> row;
        for (size_t i = 0; i < columns.size() && i < cells.size(); ++i) row[columns[i]] = cells[i];
        const std::string& commit = row["commit"];
        const std::string own = commit.empty() ? provenance
                                               : gpu_name + ", commit " + commit.substr(0, 7) +
                                                     (row["date_utc"].empty() ? "" : ", " + row["date_utc"]);
        if (const auto w = number(row["board_w"]))
            watts[row["task"] + "," + row["arch"] + "," + row["seq_len"] + "," + row["batch"]] = {*w, own};
    }
    return watts;
}

// Both sources from the one CSV. Its '#' lines carry the provenance: the first names the GPU, driver, commit
// and date of our kernels' run; a "# torch:" block gives PyTorch's (gpu:, torch:, date_utc:, commit:); a line
// "# <task>,<arch> rows ... re-measured ...: <GPU>, ..., commit <c>, <date>" gives rows measured again later
// (all batches of that workload, or only batch B where it reads "rows at batch B ...").
std::map<std::string, MeasuredSource> load() {
    static const std::regex gpu_name(R"(^# (NVIDIA [^,]+),)");
    static const std::regex remeasured(
        R"(^# ([a-z]+),([a-z0-9]+) rows (at batch (\d+) )?.*re-measured[^:]*: (NVIDIA [^,]+),(.*)$)");
    // "# torch <arch> rows from <tool> (...): <GPU>, torch <version>, commit <c>, <date>": that arch's
    // PyTorch figures come from another tool (Mamba: mamba-ssm's fused scan,
    // kernels/tools/mamba_ssm_baseline.py).
    static const std::regex torch_arch_rows(
        R"(^# torch ([a-z0-9]+) rows from (\S+) .*: (NVIDIA [^,]+), torch ([^,]+), commit ([0-9a-f]+), (\S+)$)");
    std::string ours_prov, torch_gpu, torch_version, torch_date, torch_commit;
    std::map<std::string, std::string> torch_override;  // arch -> provenance
    std::map<std::string, std::string> ours_override;   // "task,arch" or "task,arch,batch" -> provenance
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> cells;
    std::istringstream in(kH200LraE2eCsv);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        if (line[0] == '#') {
            std::smatch m;
            if (ours_prov.empty() && std::regex_search(line, m, gpu_name))
                ours_prov = provenance_of(m[1], line);
            if (std::regex_search(line, m, remeasured))
                ours_override[m[1].str() + "," + m[2].str() + (m[4].matched ? "," + m[4].str() : "")] =
                    provenance_of(m[5], m[6]);
            if (std::regex_search(line, m, torch_arch_rows))
                torch_override[m[1].str()] = m[3].str() + ", PyTorch " + m[4].str() + " (" + m[2].str() +
                                             "), commit " + m[5].str().substr(0, 7) + ", " + m[6].str();
            const auto field = [&](const char* key) {
                const auto at = line.find(key);
                return at == std::string::npos ? "" : line.substr(at + std::string(key).size());
            };
            if (line.rfind("#   gpu: ", 0) == 0)
                torch_gpu = field("gpu: ").substr(0, field("gpu: ").find(" ("));
            if (line.rfind("#   torch: ", 0) == 0)
                torch_version = field("torch: ").substr(0, field("torch: ").find(';'));
            if (line.rfind("#   date_utc: ", 0) == 0) torch_date = field("date_utc: ");
            if (line.rfind("#   commit: ", 0) == 0) torch_commit = field("commit: ").substr(0, 7);
            continue;
        }
        if (columns.empty()) {
            columns = split(line, ',');
        } else {
            cells.push_back(split(line, ','));
        }
    }
    const auto col = [&](const std::vector<std::string>& row, const std::string& name) -> std::string {
        for (size_t i = 0; i < columns.size() && i < row.size(); ++i)
            if (columns[i] == name) return row[i];
        return "";
    };
    const std::map<std::string, BoardPower> power = load_power();
    const std::string torch_prov =
        torch_gpu + ", PyTorch " + torch_version + ", commit " + torch_commit + ", " + torch_date;

    MeasuredSource ours{
        "measured-gpu",
        kFile,
        "our CUDA kernels (int8, whole trace as one CUDA Graph, median of 10), column ours_graph_ms",
        {},
        {}};
    MeasuredSource torch{
        "pytorch",
        kFile,
        "PyTorch float baseline (kernels/tools/torch_baseline.py, best of eager and CUDA-graph "
        "replay, median; Mamba: mamba-ssm's fused selective scan, kernels/tools/mamba_ssm_baseline.py, "
        "where faster), column torch_best_ms",
        {},
        {}};
    for (const auto& row : cells) {
        MeasuredSource::Row base;
        base.task = col(row, "task");
        base.arch = col(row, "arch");
        base.batch = std::stoll(col(row, "batch"));
        base.seq_len = std::stoll(col(row, "seq_len"));
        MeasuredSource::Row o = base;
        if (const auto ms = number(col(row, "ours_graph_ms"))) {
            auto it = ours_override.find(base.task + "," + base.arch + "," + col(row, "batch"));
            if (it == ours_override.end()) it = ours_override.find(base.task + "," + base.arch);
            o.figure = MeasuredFigure{*ms, "CUDA Graph, int8",
                                      it != ours_override.end() ? it->second : ours_prov, std::nullopt, ""};
            const auto w =
                power.find(base.task + "," + base.arch + "," + col(row, "seq_len") + "," + col(row, "batch"));
            if (w != power.end()) {
                o.figure->power_w = w->second.watts;
                o.figure->power_provenance = w->second.provenance;
            }
        }
        ours.rows.push_back(o);
        MeasuredSource::Row t = base;
        if (const auto ms = number(col(row, "torch_best_ms"))) {
            const std::string method = col(row, "torch_method");  // torch_baseline.py's, or another tool's
            const bool other_tool = torch_override.count(base.arch) && method != "eager" &&
                                    method != "graph" && method.rfind("compile", 0) != 0;
            t.figure =
                MeasuredFigure{*ms, "PyTorch " + method + ", float",
                               other_tool ? torch_override.at(base.arch) : torch_prov, std::nullopt, ""};
        }
        torch.rows.push_back(t);
        for (auto* s : {&ours, &torch}) {
            if (std::find(s->batches.begin(), s->batches.end(), base.batch) == s->batches.end())
                s->batches.push_back(base.batch);
        }
    }
    return {{ours.name, ours}, {torch.name, torch}};
}

const std::map<std::string, MeasuredSource>& sources() {
    static const std::map<std::string, MeasuredSource> all = load();
    return all;
}

}  // namespace

std::optional<MeasuredFigure> MeasuredSource::find(const std::string& task, const std::string& arch,
                                                   int64_t batch, int64_t seq_len) const {
    for (const auto& r : rows)
        if (r.task == task && r.arch == arch && r.batch == batch && r.seq_len == seq_len) return r.figure;
    return std::nullopt;
}

const MeasuredSource* find_measured_source(const std::string& name) {
    const auto it = sources().find(name);
    return it == sources().end() ? nullptr : &it->second;
}

std::vector<std::string> measured_source_names() { return {"measured-gpu", "pytorch"}; }

}  // namespace ssmsim::cli
