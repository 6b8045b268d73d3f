#include "sim/report/ops_csv.h"

#include <fmt/format.h>

#include <set>

#include "sim/report/report.h"
#include "sim/util/csv_rows.h"

namespace ssmsim {

using ojson = nlohmann::ordered_json;

const char* const kOpsCsvHeader =
    "index,name,kind,macs,vector_ops,bytes_read,bytes_written,start_cycle,cycles,seconds,energy_pj,"
    "dram_read_bytes,dram_write_bytes,bound,saturations,utilisation,mapping";

namespace {

// Fields of a model's op entry that have a column of their own (or are not about the mapping), so they stay
// out of `mapping`.
const std::set<std::string>& columned() {
    static const std::set<std::string> keys = {
        "name",        "kind",        "macs",        "vector_ops",   "bytes_read",      "bytes_written",
        "start_cycle", "cycles",      "seconds",     "energy_pj",    "dram_read_bytes", "dram_write_bytes",
        "bound",       "saturations", "utilisation", "output_sha256"};
    return keys;
}

// A number exactly (round-trip); anything else as its text.
std::string number_cell(const ojson& v) {
    if (v.is_null()) return "";
    if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
    if (v.is_number_float()) {
        const double d = v.get<double>();  // integral values as integers, others as the shortest exact text
        if (d > -9.0e15 && d < 9.0e15 && d == static_cast<double>(static_cast<int64_t>(d)))
            return std::to_string(static_cast<int64_t>(d));
        return fmt::format("{}", d);
    }
    return v.is_string() ? v.get<std::string>() : v.dump();
}

// key=value pairs separated by spaces; nested objects as parent.key.
void flatten(const std::string& prefix, const ojson& v, std::string& out) {
    if (v.is_object()) {
        for (const auto& [k, x] : v.items()) flatten(prefix.empty() ? k : prefix + "." + k, x, out);
        return;
    }
    out += (out.empty() ? "" : " ") + prefix + "=" + (v.is_array() ? v.dump() : number_cell(v));
}

std::string utilisation_cell(const ojson& u) {
    if (u.is_null()) return "";
    if (u.is_number()) return fmt::format("{:.3g}", u.get<double>());
    std::string out;
    if (u.is_object())
        for (const auto& [k, x] : u.items())
            out += (out.empty() ? "" : " ") + k + "=" +
                   (x.is_number() ? fmt::format("{:.3g}", x.get<double>()) : x.dump());
    return out;
}

}  // namespace

std::string ops_csv(const Trace& trace, const ojson& report) {
    const ojson work = op_work(trace);
    const ojson none = ojson::object();
    const ojson* ops = report.contains("ops") && report["ops"].is_array() ? &report["ops"] : nullptr;
    const double clock_hz = report.contains("clock_hz") && report["clock_hz"].is_number()
                                ? report["clock_hz"].get<double>()
                                : 0.0;
    std::string csv = std::string(kOpsCsvHeader) + "\n";
    for (size_t i = 0; i < work.size(); ++i) {
        const ojson& w = work[i];
        // The model's entry of this op: same index and name (a model reports every op, in trace order).
        const ojson& r = ops && i < ops->size() && (*ops)[i].value("name", "") == w["name"].get<std::string>()
                             ? (*ops)[i]
                             : none;
        const auto field = [&](const char* key) { return r.contains(key) ? r[key] : ojson(); };
        ojson seconds = field("seconds");
        if (seconds.is_null() && r.contains("cycles") && r["cycles"].is_number() && clock_hz > 0)
            seconds = r["cycles"].get<double>() / clock_hz;
        std::string mapping;
        for (const auto& [k, x] : r.items())
            if (!columned().contains(k)) flatten(k == "mapping" || k == "kernel" ? "" : k, x, mapping);
        csv +=
            fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", i,
                        csv_quote(w["name"].get<std::string>()), csv_quote(w["kind"].get<std::string>()),
                        number_cell(w["macs"]), number_cell(w["vector_ops"]), number_cell(w["bytes_read"]),
                        number_cell(w["bytes_written"]), number_cell(field("start_cycle")),
                        number_cell(field("cycles")), number_cell(seconds), number_cell(field("energy_pj")),
                        number_cell(field("dram_read_bytes")), number_cell(field("dram_write_bytes")),
                        csv_quote(number_cell(field("bound"))), number_cell(field("saturations")),
                        csv_quote(utilisation_cell(field("utilisation"))), csv_quote(mapping));
    }
    return csv;
}

}  // namespace ssmsim
