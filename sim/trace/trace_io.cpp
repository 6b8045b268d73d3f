#include "sim/trace/trace_io.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <regex>
#include <set>

#include "sim/ops/op_schema.h"
#include "sim/trace/npy.h"
#include "sim/util/atomic_file.h"
#include "sim/util/error.h"
#include "sim/util/json_input.h"

namespace ssmsim {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr int kFormatVersion = 1;
constexpr int64_t kMaxDim = int64_t{1} << 40;

class Reader {
public:
    explicit Reader(std::string file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const std::string& ptr, const std::string& expected,
                           const std::string& found) const {
        throw InputError(location(file_, ptr), expected, found);
    }

    const json& member(const json& obj, const std::string& ptr, const char* key, json::value_t type,
                       const char* type_name) const {
        if (!obj.contains(key)) fail(ptr + "/" + key, type_name, "nothing (missing)");
        const json& v = obj.at(key);
        if (v.type() != type && !(type == json::value_t::number_integer && v.is_number_integer())) {
            fail(ptr + "/" + key, type_name, brief(v));
        }
        return v;
    }

    void only_keys(const json& obj, const std::string& ptr, std::initializer_list<const char*> keys) const {
        for (const auto& [k, v] : obj.items()) {
            bool known = false;
            std::string list;
            for (const char* key : keys) {
                known |= k == key;
                list += (list.empty() ? "" : ", ") + std::string(key);
            }
            if (!known)
                fail(ptr + "/" + pointer_escape(k), "one of the keys " + list, "unknown key '" + k + "'");
        }
    }

    static std::string brief(const json& v) {
        std::string s = v.dump();
        if (s.size() > 60) s = s.substr(0, 57) + "...";
        return std::string(v.type_name()) + " " + s;
    }

    const std::string& file() const { return file_; }

private:
    std::string file_;
};

const std::regex& name_pattern() {
    static const std::regex re("[A-Za-z0-9_.:\\-]{1,200}");
    return re;
}

// The shape rules, for tensors from a file and tensors built in memory alike.
void check_shape(const Reader& r, const Shape& shape, const std::string& ptr) {
    if (shape.empty() || shape.size() > 8) r.fail(ptr + "/shape", "1 to 8 dimensions", shape_str(shape));
    long double total = 1;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] < 1 || shape[i] > kMaxDim) {
            r.fail(fmt::format("{}/shape/{}", ptr, i), "a positive integer (at most 2^40)",
                   std::to_string(shape[i]));
        }
        total *= static_cast<long double>(shape[i]);
    }
    if (total > static_cast<long double>(kMaxDim)) {
        r.fail(ptr + "/shape", "at most 2^40 elements",
               fmt::format("{} ({:.3g} elements)", shape_str(shape), static_cast<double>(total)));
    }
}

TensorDecl parse_tensor(const Reader& r, const std::string& name, const json& v, const std::string& ptr) {
    if (!std::regex_match(name, name_pattern())) {
        r.fail(ptr, "a tensor name of 1-200 characters from A-Z a-z 0-9 _ . : -", "'" + name + "'");
    }
    if (!v.is_object()) r.fail(ptr, "an object with dtype and shape", Reader::brief(v));
    r.only_keys(v, ptr, {"dtype", "shape", "file"});
    TensorDecl t;
    t.name = name;
    const std::string dt = r.member(v, ptr, "dtype", json::value_t::string, "a string").get<std::string>();
    const auto dtype = parse_dtype(dt);
    if (!dtype) r.fail(ptr + "/dtype", "one of int8, int16, int32, float32", "'" + dt + "'");
    t.dtype = *dtype;
    const json& shape = r.member(v, ptr, "shape", json::value_t::array, "an array of positive integers");
    for (size_t i = 0; i < shape.size(); ++i) {
        const json& d = shape[i];
        if (!d.is_number_integer() || d.get<int64_t>() < 1 || d.get<int64_t>() > kMaxDim) {
            r.fail(fmt::format("{}/shape/{}", ptr, i), "a positive integer (at most 2^40)", Reader::brief(d));
        }
        t.shape.push_back(d.get<int64_t>());
    }
    check_shape(r, t.shape, ptr);
    if (v.contains("file")) {
        const json& f = v.at("file");
        if (!f.is_string()) r.fail(ptr + "/file", "a string", Reader::brief(f));
        const std::string file = f.get<std::string>();
        const fs::path p(file);
        bool escapes = p.is_absolute() || file.empty();
        for (const auto& part : p) escapes |= part == "..";
        if (escapes || p.extension() != ".npy") {
            r.fail(ptr + "/file", "a relative path inside the trace folder ending in .npy", "'" + file + "'");
        }
        t.file = file;
    }
    return t;
}

OpDecl parse_op(const Reader& r, const json& v, const std::string& ptr) {
    if (!v.is_object()) r.fail(ptr, "an op object", Reader::brief(v));
    r.only_keys(v, ptr, {"name", "kind", "inputs", "outputs", "attrs"});
    OpDecl op;
    op.name = r.member(v, ptr, "name", json::value_t::string, "a string").get<std::string>();
    op.kind = r.member(v, ptr, "kind", json::value_t::string, "a string").get<std::string>();
    for (const char* list : {"inputs", "outputs"}) {
        const json& a = r.member(v, ptr, list, json::value_t::array, "an array of tensor names");
        auto& dst = std::string(list) == "inputs" ? op.inputs : op.outputs;
        for (size_t i = 0; i < a.size(); ++i) {
            if (!a[i].is_string())
                r.fail(fmt::format("{}/{}/{}", ptr, list, i), "a tensor name", Reader::brief(a[i]));
            dst.push_back(a[i].get<std::string>());
        }
    }
    if (v.contains("attrs")) {
        op.attrs = v.at("attrs");
        if (!op.attrs.is_object()) r.fail(ptr + "/attrs", "an object", Reader::brief(op.attrs));
    }
    return op;
}

// Finds a cycle among ops (edges producer -> reader) and describes it, or returns "".
std::string find_cycle(const Trace& t) {
    const size_t n = t.ops.size();
    std::vector<int> state(n, 0);  // 0 new, 1 on stack, 2 done
    std::vector<int> parent(n, -1);
    std::string found;
    std::function<bool(size_t)> dfs = [&](size_t i) {
        state[i] = 1;
        for (const auto& in : t.ops[i].inputs) {
            const int p = t.tensor(in).producer;
            if (p < 0) continue;
            // edge: op i depends on op p
            if (state[p] == 1) {
                std::string path = t.ops[p].name;
                for (int j = static_cast<int>(i); j != p && j >= 0; j = parent[j])
                    path = t.ops[j].name + " -> " + path;
                found = t.ops[p].name + " -> " + path;
                return true;
            }
            if (state[p] == 0) {
                parent[p] = static_cast<int>(i);
                if (dfs(p)) return true;
            }
        }
        state[i] = 2;
        return false;
    };
    for (size_t i = 0; i < n && found.empty(); ++i) {
        if (state[i] == 0) dfs(i);
    }
    return found;
}

}  // namespace

void validate_trace(Trace& t, const std::string& file) {
    const Reader r(file);
    t.reindex();
    for (auto& td : t.tensors) {
        td.producer = -1;
        td.last_reader = -1;
    }
    for (const auto& td : t.tensors) check_shape(r, td.shape, "/tensors/" + pointer_escape(td.name));
    std::set<std::string> op_names;
    for (size_t i = 0; i < t.ops.size(); ++i) {
        const OpDecl& op = t.ops[i];
        const std::string ptr = fmt::format("/ops/{}", i);
        if (!std::regex_match(op.name, name_pattern())) {
            r.fail(ptr + "/name", "an op name of 1-200 characters from A-Z a-z 0-9 _ . : -",
                   "'" + op.name + "'");
        }
        if (!op_names.insert(op.name).second)
            r.fail(ptr + "/name", "a unique op name", "'" + op.name + "' again");
        if (!find_op_schema(op.kind)) {
            std::string kinds;
            for (auto k : op_kinds()) kinds += (kinds.empty() ? "" : ", ") + std::string(k);
            r.fail(ptr + "/kind", "one of " + kinds, "unknown op '" + op.kind + "'");
        }
        for (size_t j = 0; j < op.inputs.size(); ++j) {
            if (!t.has_tensor(op.inputs[j])) {
                r.fail(fmt::format("{}/inputs/{}", ptr, j), "a tensor declared under /tensors",
                       "'" + op.inputs[j] + "' (not declared)");
            }
        }
        for (size_t j = 0; j < op.outputs.size(); ++j) {
            const std::string optr = fmt::format("{}/outputs/{}", ptr, j);
            if (!t.has_tensor(op.outputs[j])) {
                r.fail(optr, "a tensor declared under /tensors", "'" + op.outputs[j] + "' (not declared)");
            }
            TensorDecl& out = t.tensor(op.outputs[j]);
            if (out.producer >= 0) {
                r.fail(optr, "a tensor that no other op writes",
                       fmt::format("'{}', also written by op '{}'", out.name, t.ops[out.producer].name));
            }
            if (!out.file.empty()) {
                r.fail("/tensors/" + pointer_escape(out.name) + "/file",
                       "no file: op '" + op.name + "' computes it", "'" + out.file + "'");
            }
            out.producer = static_cast<int>(i);
        }
    }
    // Graph order: every input is written by an earlier op or is a graph input.
    for (size_t i = 0; i < t.ops.size(); ++i) {
        for (size_t j = 0; j < t.ops[i].inputs.size(); ++j) {
            TensorDecl& in = t.tensor(t.ops[i].inputs[j]);
            if (in.producer >= static_cast<int>(i)) {
                const std::string cycle = find_cycle(t);
                if (!cycle.empty())
                    throw InputError(location(file, "/ops") + ": the op graph has a cycle: " + cycle);
                r.fail(fmt::format("/ops/{}/inputs/{}", i, j),
                       "a tensor written by an earlier op (ops are listed in execution order)",
                       fmt::format("'{}', written by op {} ('{}')", in.name, in.producer,
                                   t.ops[in.producer].name));
            }
            in.last_reader = static_cast<int>(i);
        }
    }
    if (t.outputs.empty()) r.fail("/outputs", "at least one output tensor", "an empty list");
    std::set<std::string> listed;
    for (size_t i = 0; i < t.outputs.size(); ++i) {
        if (!listed.insert(t.outputs[i]).second) {
            r.fail(fmt::format("/outputs/{}", i), "each output listed once", "'" + t.outputs[i] + "' again");
        }
        if (!t.has_tensor(t.outputs[i]) || t.tensor(t.outputs[i]).producer < 0) {
            r.fail(fmt::format("/outputs/{}", i), "a tensor written by an op", "'" + t.outputs[i] + "'");
        }
    }
    // Data or shape-only, never a mix.
    size_t with = 0, inputs = 0;
    std::string without;
    for (const auto& td : t.tensors) {
        if (!td.is_graph_input()) continue;
        ++inputs;
        if (!td.file.empty()) {
            ++with;
        } else if (without.empty()) {
            without = td.name;
        }
    }
    if (with != 0 && with != inputs) {
        r.fail("/tensors/" + pointer_escape(without) + "/file",
               "a file for every graph input (or for none: a shape-only trace)", "none");
    }
    t.has_data = inputs > 0 && with == inputs;
    for (size_t i = 0; i < t.ops.size(); ++i) {
        find_op_schema(t.ops[i].kind)->check(OpSite{t, t.ops[i], i, file});
    }
}

Trace parse_trace(const json& doc, const std::string& file, const fs::path& dir) {
    const Reader r(file);
    if (!doc.is_object()) r.fail("", "a JSON object", Reader::brief(doc));
    r.only_keys(doc, "", {"format", "version", "name", "numerics", "meta", "tensors", "ops", "outputs"});
    const std::string format =
        r.member(doc, "", "format", json::value_t::string, "\"ssmsim-trace\"").get<std::string>();
    if (format != "ssmsim-trace") r.fail("/format", "\"ssmsim-trace\"", "\"" + format + "\"");
    const json& version = r.member(doc, "", "version", json::value_t::number_integer, "an integer");
    if (version.get<int64_t>() != kFormatVersion)
        r.fail("/version", std::to_string(kFormatVersion), version.dump());
    Trace t;
    t.dir = dir;
    t.name = r.member(doc, "", "name", json::value_t::string, "a string").get<std::string>();
    const std::string numerics =
        r.member(doc, "", "numerics", json::value_t::string, "a string").get<std::string>();
    if (numerics == "int8") {
        t.numerics = Numerics::int8;
    } else if (numerics == "float32") {
        t.numerics = Numerics::float32;
    } else {
        r.fail("/numerics", "\"int8\" or \"float32\"", "\"" + numerics + "\"");
    }
    if (doc.contains("meta")) {
        t.meta = doc.at("meta");
        if (!t.meta.is_object()) r.fail("/meta", "an object", Reader::brief(t.meta));
    }
    const json& tensors = r.member(doc, "", "tensors", json::value_t::object, "an object of tensors by name");
    for (const auto& [name, v] : tensors.items()) {
        t.tensors.push_back(parse_tensor(r, name, v, "/tensors/" + pointer_escape(name)));
    }
    const json& ops = r.member(doc, "", "ops", json::value_t::array, "an array of ops");
    if (ops.empty()) r.fail("/ops", "at least one op", "an empty list");
    for (size_t i = 0; i < ops.size(); ++i) t.ops.push_back(parse_op(r, ops[i], fmt::format("/ops/{}", i)));
    const json& outs = r.member(doc, "", "outputs", json::value_t::array, "an array of tensor names");
    for (size_t i = 0; i < outs.size(); ++i) {
        if (!outs[i].is_string())
            r.fail(fmt::format("/outputs/{}", i), "a tensor name", Reader::brief(outs[i]));
        t.outputs.push_back(outs[i].get<std::string>());
    }
    validate_trace(t, file);
    return t;
}

Trace load_trace(const fs::path& path) {
    const fs::path file = fs::is_directory(path) ? path / "trace.json" : path;
    const std::string name = file.string();
    const json doc = load_json_file<json>(file, name, "a readable trace.json");
    Trace t = parse_trace(doc, name, file.parent_path());
    if (t.has_data) {
        for (const auto& td : t.tensors) {
            if (td.file.empty()) continue;
            const NpyHeader h = read_npy_header(t.dir / td.file);
            const std::string ptr = location(name, "/tensors/" + pointer_escape(td.name));
            if (h.dtype != td.dtype) {
                throw InputError(ptr + "/dtype", std::string(dtype_name(td.dtype)) + " as declared",
                                 std::string(dtype_name(h.dtype)) + " in " + (t.dir / td.file).string());
            }
            if (h.shape != td.shape) {
                throw InputError(ptr + "/shape", shape_str(td.shape) + " as declared",
                                 shape_str(h.shape) + " in " + (t.dir / td.file).string());
            }
        }
    }
    return t;
}

void require_finite(const Tensor& data, const std::string& where) {
    if (data.dtype() != DType::float32) return;
    const auto v = data.as<float>();
    for (size_t i = 0; i < v.size(); ++i) {
        if (!std::isfinite(v[i])) {
            throw InputError(where + fmt::format(" (element {})", i), "finite float32 values",
                             std::isnan(v[i]) ? "NaN" : "infinity");
        }
    }
}

TensorStore load_tensor_data(const Trace& t) {
    TensorStore store;
    for (const auto& td : t.tensors) {
        if (!td.is_graph_input() || td.file.empty()) continue;
        Tensor data = read_npy(t.dir / td.file);
        require_finite(data, (t.dir / td.file).string());
        store.emplace(td.name, std::move(data));
    }
    return store;
}

LiveBytes peak_live_bytes(const Trace& t) {
    const std::set<std::string> outputs(t.outputs.begin(), t.outputs.end());
    int64_t live = 0;
    for (const auto& td : t.tensors) live += td.is_graph_input() && td.last_reader >= 0 ? td.nbytes() : 0;
    LiveBytes peak{live, t.ops.empty() ? "" : t.ops.front().name};
    for (size_t i = 0; i < t.ops.size(); ++i) {
        for (const auto& o : t.ops[i].outputs) live += t.tensor(o).nbytes();
        if (live > peak.bytes) peak = {live, t.ops[i].name};
        for (const auto& in : t.ops[i].inputs) {
            const TensorDecl& td = t.tensor(in);
            if (td.last_reader == static_cast<int>(i) && !outputs.count(in)) live -= td.nbytes();
        }
    }
    return peak;
}

nlohmann::ordered_json trace_to_json(const Trace& t) {
    nlohmann::ordered_json doc;
    doc["format"] = "ssmsim-trace";
    doc["version"] = kFormatVersion;
    doc["name"] = t.name;
    doc["numerics"] = numerics_name(t.numerics);
    doc["meta"] = t.meta;
    auto& tensors = doc["tensors"] = nlohmann::ordered_json::object();
    for (const auto& td : t.tensors) {
        auto& j = tensors[td.name];
        j["dtype"] = dtype_name(td.dtype);
        j["shape"] = td.shape;
        if (!td.file.empty()) j["file"] = td.file;
    }
    auto& ops = doc["ops"] = nlohmann::ordered_json::array();
    for (const auto& op : t.ops) {
        ops.push_back({{"name", op.name},
                       {"kind", op.kind},
                       {"inputs", op.inputs},
                       {"outputs", op.outputs},
                       {"attrs", op.attrs}});
    }
    doc["outputs"] = t.outputs;
    return doc;
}

void save_trace(const fs::path& dir, Trace t, const TensorStore& store) {
    fs::create_directories(dir);
    const fs::path trace_file = dir / "trace.json";
    fs::remove(trace_file);  // the folder is incomplete until the new trace.json lands
    for (auto& td : t.tensors) {
        if (!td.is_graph_input()) continue;
        const auto it = store.find(td.name);
        if (it == store.end()) continue;
        td.file = td.name + ".npy";
        write_npy(dir / td.file, it->second);
    }
    write_file_atomic(trace_file, trace_to_json(t).dump(1) + "\n");
}

}  // namespace ssmsim
