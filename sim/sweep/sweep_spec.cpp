#include "sim/sweep/sweep_spec.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "sim/util/checked_int.h"
#include "sim/util/error.h"
#include "sim/util/input_file.h"
#include "sim/util/json_input.h"

namespace ssmsim {

namespace {

using json = nlohmann::json;

struct Reader {
    const json& doc;
    std::string file;

    std::string at(const std::string& ptr) const { return location(file, ptr); }

    const json* find(const json& obj, const std::string& key) const {
        const auto it = obj.find(key);
        return it == obj.end() ? nullptr : &*it;
    }

    std::vector<std::string> strings(const std::string& key, bool required) const {
        const json* v = find(doc, key);
        std::vector<std::string> out;
        if (!v) {
            if (required) throw InputError(at("/" + key), "a non-empty array of strings", "nothing");
            return out;
        }
        if (v->is_string()) return {v->get<std::string>()};
        if (!v->is_array() || v->empty())
            throw InputError(at("/" + key), "a non-empty array of strings", v->dump());
        for (size_t i = 0; i < v->size(); ++i) {
            if (!(*v)[i].is_string())
                throw InputError(at(fmt::format("/{}/{}", key, i)), "a string", (*v)[i].dump());
            out.push_back((*v)[i].get<std::string>());
        }
        return out;
    }

    double number(const json& obj, const std::string& key, const std::string& ptr, double lo, double hi,
                  double fallback) const {
        const json* v = find(obj, key);
        if (!v) return fallback;
        if (!v->is_number() || v->get<double>() < lo || v->get<double>() > hi)
            throw InputError(at(ptr + "/" + key), fmt::format("a number in [{:g}, {:g}]", lo, hi), v->dump());
        return v->get<double>();
    }

    // A whole number in [lo, hi]: 2.5 is refused, not truncated to 2, and 18446744073709551615 is not -1.
    uint64_t integer(const json& obj, const std::string& key, const std::string& ptr, uint64_t lo,
                     uint64_t hi, uint64_t fallback) const {
        const json* v = find(obj, key);
        if (!v) return fallback;
        // Parsed text holds 8 as unsigned; a document built in C++ may hold it as signed.
        const bool whole = v->is_number_unsigned() || (v->is_number_integer() && v->get<int64_t>() >= 0);
        const bool ok = whole && v->get<uint64_t>() >= lo && v->get<uint64_t>() <= hi;
        if (!ok) {
            throw InputError(
                at(ptr + "/" + key), fmt::format("an integer in [{}, {}]", lo, hi),
                v->is_number_float() ? non_integer_text(v->get<double>(), v->dump()) : v->dump());
        }
        return v->get<uint64_t>();
    }

    bool boolean(const json& obj, const std::string& key, const std::string& ptr, bool fallback) const {
        const json* v = find(obj, key);
        if (!v) return fallback;
        if (!v->is_boolean()) throw InputError(at(ptr + "/" + key), "true or false", v->dump());
        return v->get<bool>();
    }

    std::string string(const json& obj, const std::string& key, const std::string& ptr,
                       const std::string& fallback) const {
        const json* v = find(obj, key);
        if (!v) return fallback;
        if (!v->is_string()) throw InputError(at(ptr + "/" + key), "a string", v->dump());
        return v->get<std::string>();
    }
};

// A metric's JSON pointer: array indices must be plain numbers that fit (nlohmann throws on
// "/ops/99999999999999999999" when the report has an array there, after the point has run).
bool metric_pointer_ok(const std::string& m) {
    try {
        const json::json_pointer ptr(m);
        for (std::string rest = m; !rest.empty();) {
            const size_t next = rest.find('/', 1);
            const std::string token =
                rest.substr(1, next == std::string::npos ? std::string::npos : next - 1);
            rest = next == std::string::npos ? "" : rest.substr(next);
            const bool digits = !token.empty() && token.find_first_not_of("0123456789") == std::string::npos;
            if (digits && token.size() > 9) return false;  // no report holds 10^9 entries
        }
        return true;
    } catch (const json::exception&) {
        return false;
    }
}

void check_keys(const json& obj, const std::set<std::string>& allowed, const std::string& file,
                const std::string& ptr) {
    for (const auto& [k, v] : obj.items()) {
        if (!allowed.count(k)) {
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            throw InputError(location(file, ptr + "/" + pointer_escape(k)), "one of the keys " + list,
                             "unknown key '" + k + "'");
        }
    }
}

SweepAxis parse_axis(const Reader& r, const std::string& key, const json& v, const std::string& ptr,
                     bool grid) {
    SweepAxis a;
    a.key = key;
    if (v.is_array()) {
        if (v.empty()) throw InputError(r.at(ptr), "a non-empty array of values", "[]");
        for (const auto& x : v) {
            if (x.is_object() || x.is_array() || x.is_null())
                throw InputError(r.at(ptr), "numbers, strings or booleans", x.dump());
            a.values.push_back(x);
        }
        return a;
    }
    if (grid || !v.is_object()) {
        throw InputError(
            r.at(ptr), grid ? "an array of values (a grid axis)" : "an array of values or {\"min\", \"max\"}",
            v.dump());
    }
    check_keys(v, {"min", "max", "log", "integer"}, r.file, ptr);
    if (!v.contains("min") || !v.contains("max"))
        throw InputError(r.at(ptr), "\"min\" and \"max\"", v.dump());
    a.min = r.number(v, "min", ptr, -1e300, 1e300, 0);
    a.max = r.number(v, "max", ptr, -1e300, 1e300, 0);
    if (a.max < a.min)
        throw InputError(r.at(ptr + "/max"), fmt::format("a value >= min ({:g})", a.min), v["max"].dump());
    a.log = r.boolean(v, "log", ptr, false);
    a.integer = r.boolean(v, "integer", ptr, false);
    if (a.log && a.min <= 0)
        throw InputError(r.at(ptr + "/min"), "a positive min for a log axis", v["min"].dump());
    return a;
}

// Counts the design points before any is expanded (a grid of ten axes of ten values is 10^10 points, which
// would exhaust memory after seconds of expansion), with overflow checks.
void check_point_count(const SweepSpec& s) {
    std::optional<int64_t> n =
        checked_mul(static_cast<int64_t>(s.workloads.size()), static_cast<int64_t>(s.models.size()));
    if (s.method == "grid") {
        for (const auto& a : s.axes) {
            if (n) n = checked_mul(*n, static_cast<int64_t>(a.values.size()));
        }
    } else if (n) {
        n = checked_mul(*n, s.samples);
    }
    if (n && *n <= kMaxSweepPoints) return;
    const bool grid = s.method == "grid";
    throw InputError(location(s.file, grid ? "/grid" : "/samples/count"),
                     fmt::format("at most {} design points (workloads x models x {})", kMaxSweepPoints,
                                 grid ? "the product of the grid's value counts" : "count"),
                     n ? fmt::format("{} points", *n) : "more than 2^63 points");
}

}  // namespace

SweepSpec parse_sweep_spec(const json& doc, const std::string& file) {
    if (!doc.is_object()) throw InputError(file, "a JSON object", doc.dump().substr(0, 40));
    check_keys(doc,
               {"name", "description", "models", "workloads", "config", "set", "grid", "samples",
                "timing_only", "seq_len", "batch", "seed", "timeout_s", "metrics"},
               file, "");
    const Reader r{doc, file};
    SweepSpec s;
    s.file = file;
    s.name = r.string(doc, "name", "", "sweep");
    (void)r.string(doc, "description", "", "");  // free text, but text
    s.models = r.strings("models", true);
    s.workloads = r.strings("workloads", true);
    if (doc.contains("config")) {
        if (!doc["config"].is_string())
            throw InputError(r.at("/config"), "a config name or path", doc["config"].dump());
        s.config = doc["config"].get<std::string>();
    }
    if (doc.contains("set")) {
        if (!doc["set"].is_object())
            throw InputError(r.at("/set"), "an object of config keys and values", doc["set"].dump());
        s.fixed = doc["set"];
    }
    if (doc.contains("timing_only")) {
        if (!doc["timing_only"].is_boolean())
            throw InputError(r.at("/timing_only"), "true or false", doc["timing_only"].dump());
        s.timing_only = doc["timing_only"].get<bool>();
    }
    s.seq_len = static_cast<int64_t>(r.integer(doc, "seq_len", "", 0, uint64_t{1} << 22, 0));
    if (doc.contains("batch")) {
        // As `--batch` takes it: a whole number up to workloads::kMaxBatch (in a layer above this one).
        constexpr int64_t kMaxBatch = int64_t{1} << 20;
        const json& b = doc["batch"];
        if (!b.is_number_integer() || b.get<int64_t>() < 1 || b.get<int64_t>() > kMaxBatch)
            throw InputError(r.at("/batch"), fmt::format("an integer in [1, {}] (samples)", kMaxBatch),
                             b.dump());
        s.batch = b.get<int64_t>();
    }
    s.seed = r.integer(doc, "seed", "", 0, UINT64_MAX, 1);
    s.timeout_s = r.number(doc, "timeout_s", "", 0.001, 1e6, 600);
    s.metrics = r.strings("metrics", false);
    for (size_t i = 0; i < s.metrics.size(); ++i) {
        const std::string& m = s.metrics[i];
        if (m.starts_with('/') && !metric_pointer_ok(m)) {
            throw InputError(r.at(fmt::format("/metrics/{}", i)),
                             "a report.json field or a JSON pointer (\"/a/b\", array indices below 10^9)", m);
        }
        if (m.empty()) throw InputError(r.at(fmt::format("/metrics/{}", i)), "a report.json field", "\"\"");
    }
    if (doc.contains("grid") == doc.contains("samples"))
        throw InputError(file, "exactly one of \"grid\" and \"samples\"",
                         doc.contains("grid") ? "both" : "neither");
    if (doc.contains("grid")) {
        const json& g = doc["grid"];
        if (!g.is_object() || g.empty())
            throw InputError(r.at("/grid"), "an object of config keys to value lists", g.dump());
        for (const auto& [k, v] : g.items())
            s.axes.push_back(parse_axis(r, k, v, "/grid/" + pointer_escape(k), true));
    } else {
        const json& sm = doc["samples"];
        if (!sm.is_object()) throw InputError(r.at("/samples"), "an object", sm.dump());
        check_keys(sm, {"method", "count", "seed", "space"}, file, "/samples");
        s.method = r.string(sm, "method", "/samples", "lhs");
        if (s.method != "random" && s.method != "lhs")
            throw InputError(r.at("/samples/method"), "\"random\" or \"lhs\"", sm["method"].dump());
        s.samples = static_cast<int64_t>(r.integer(sm, "count", "/samples", 1, kMaxSweepPoints, 0));
        if (s.samples < 1) throw InputError(r.at("/samples/count"), "an integer count >= 1", "nothing");
        s.sample_seed = r.integer(sm, "seed", "/samples", 0, UINT64_MAX, 1);
        if (!sm.contains("space") || !sm["space"].is_object() || sm["space"].empty())
            throw InputError(r.at("/samples/space"), "an object of config keys to ranges or value lists",
                             "nothing");
        for (const auto& [k, v] : sm["space"].items())
            s.axes.push_back(parse_axis(r, k, v, "/samples/space/" + pointer_escape(k), false));
    }
    check_point_count(s);
    return s;
}

SweepSpec load_sweep_spec(const std::string& path) {
    // One read, then two parses of the same text: both refuse duplicate keys, deep nesting and oversized
    // files.
    const std::string text = read_input_file(path, path, "a readable sweep JSON file", kMaxConfigFileBytes);
    SweepSpec spec = parse_sweep_spec(parse_json_input<json>(text, path, kMaxConfigFileBytes), path);
    // nlohmann::json sorts object keys; the axes keep the file's order (the first varies slowest, and is the
    // x axis of `ssmsim report`), read again with an order-keeping parse.
    const auto ordered = parse_json_input<nlohmann::ordered_json>(text, path, kMaxConfigFileBytes);
    const char* axes_ptr = ordered.contains("grid") ? "/grid" : "/samples/space";
    std::vector<std::string> order;
    for (const auto& [k, v] : ordered.at(nlohmann::ordered_json::json_pointer(axes_ptr)).items())
        order.push_back(k);
    std::stable_sort(spec.axes.begin(), spec.axes.end(), [&](const SweepAxis& a, const SweepAxis& b) {
        return std::find(order.begin(), order.end(), a.key) < std::find(order.begin(), order.end(), b.key);
    });
    return spec;
}

}  // namespace ssmsim
