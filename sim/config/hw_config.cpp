#include "sim/config/hw_config.h"

#include <cmath>

#include <fmt/format.h>

#include "sim/util/checked_int.h"
#include "sim/util/error.h"
#include "sim/util/json_input.h"

namespace ssmsim {

namespace {

using ojson = nlohmann::ordered_json;

std::string type_word(const ojson& v) {
    if (v.is_boolean()) return "a boolean";
    if (v.is_number_integer()) return "an integer";
    if (v.is_number()) return "a number";
    if (v.is_string()) return "a string";
    if (v.is_object()) return "an object";
    if (v.is_array()) return "an array";
    return "null";
}

// A value may replace a base value of the same kind. Numbers replace numbers: a base value of 4 says only
// that the shipped config holds a whole number, not that the key is a count (sm.issue_per_cycle=0.5 is in
// its range). Whether a key takes only integers is the reader's to say: integer() refuses 2.5 by name.
bool same_kind(const ojson& base, const ojson& v) {
    if (base.is_number()) return v.is_number();
    if (base.is_boolean()) return v.is_boolean();
    if (base.is_string()) return v.is_string();
    if (base.is_object()) return v.is_object();
    return false;
}

std::string known_keys(const ojson& obj, const std::string& prefix) {
    std::string out;
    for (const auto& [k, v] : obj.items()) {
        if (k == "model" || k == "name" || k == "description" || k == "sources") continue;
        if (!out.empty()) out += ", ";
        out += prefix + k;
    }
    return out;
}

// Lays `user` over `base` recursively. Unknown keys and type changes are refused.
void overlay(ojson& base, const ojson& user, const std::string& file, const std::string& pointer,
             const std::string& dotted, std::map<std::string, std::string>& source) {
    for (const auto& [k, v] : user.items()) {
        const std::string ptr = pointer + "/" + pointer_escape(k);
        const std::string key = dotted.empty() ? k : dotted + "." + k;
        if (!base.contains(k)) {
            throw InputError(
                location(file, ptr),
                "a known config key (" + known_keys(base, dotted.empty() ? "" : dotted + ".") + ")",
                "unknown key '" + key + "'");
        }
        ojson& b = base[k];
        if (k == "description" || k == "sources") {
            b = v;
            continue;
        }
        if (!same_kind(b, v))
            throw InputError(location(file, ptr), type_word(b), type_word(v) + " " + v.dump());
        if (b.is_object()) {
            overlay(b, v, file, ptr, key, source);
        } else {
            b = v;
            source[key] = location(file, ptr);
        }
    }
}

void record_sources(const ojson& node, const std::string& file, const std::string& pointer,
                    const std::string& dotted, std::map<std::string, std::string>& source) {
    for (const auto& [k, v] : node.items()) {
        const std::string key = dotted.empty() ? k : dotted + "." + k;
        const std::string ptr = pointer + "/" + pointer_escape(k);
        if (v.is_object()) {
            record_sources(v, file, ptr, key, source);
        } else {
            source[key] = location(file, ptr);
        }
    }
}

ojson parse_config_text(const std::string& text, const std::string& file) {
    // Also refuses duplicate keys, 1e999, deep nesting and more than a config's size bound.
    return parse_json_input<ojson>(text, file, kMaxConfigFileBytes);
}

}  // namespace

std::string dotted_to_pointer(const std::string& key) {
    std::string out;
    size_t start = 0;
    while (true) {
        const size_t dot = key.find('.', start);
        out.append("/").append(pointer_escape(key.substr(start, dot - start)));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return out;
}

const ShippedConfig* find_shipped_config(const std::string& name) {
    for (const auto& c : shipped_configs()) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

HwConfig HwConfig::resolve(const std::string& model, const std::string& default_name, const std::string& user,
                           const nlohmann::json& overrides) {
    const ShippedConfig* base = find_shipped_config(default_name);
    if (!base) throw std::logic_error("no shipped config '" + default_name + "'");
    HwConfig c;
    const std::string base_file = "configs/" + base->name + ".json";
    c.tree_ = parse_config_text(base->text, base_file);
    record_sources(c.tree_, base_file, "", "", c.source_);

    if (!user.empty()) {
        std::string text, file;
        if (const ShippedConfig* s = find_shipped_config(user)) {
            text = s->text;
            file = "configs/" + s->name + ".json";
        } else {
            std::string names;
            for (const auto& s2 : shipped_configs()) names += (names.empty() ? "" : ", ") + s2.name;
            text = read_input_file(user, "--config " + user,
                                   "a readable JSON file or a shipped config (" + names + ")",
                                   kMaxConfigFileBytes);
            file = user;
        }
        const ojson doc = parse_config_text(text, file);
        if (!doc.is_object()) throw InputError(file, "a JSON object", type_word(doc));
        if (!doc.contains("model") || !doc["model"].is_string())
            throw InputError(location(file, "/model"), "the model name \"" + model + "\"", "nothing");
        if (doc["model"] != model) {
            throw InputError(location(file, "/model"), "\"" + model + "\" (this config is for another model)",
                             doc["model"].dump());
        }
        overlay(c.tree_, doc, file, "", "", c.source_);
        if (doc.contains("name")) c.tree_["name"] = doc["name"];
    }

    for (const auto& [key, value] : overrides.items()) {
        const std::string flag =
            "--set " + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
        const nlohmann::json::json_pointer ptr(dotted_to_pointer(key));
        if (key.empty() || key == "model" || key == "name" || !c.tree_.contains(ptr)) {
            throw InputError(
                flag, "a config key of model '" + model + "' (see `ssmsim list`, or " + base_file + ")",
                "unknown key '" + key + "'");
        }
        ojson& b = c.tree_[ptr];
        if (b.is_object()) throw InputError(flag, "a leaf key (one value)", "the group '" + key + "'");
        const ojson v = value;
        if (!same_kind(b, v)) throw InputError(flag, type_word(b), type_word(v) + " " + v.dump());
        b = v;
        c.source_[key] = flag;
    }
    return c;
}

std::string HwConfig::name() const { return tree_.value("name", std::string("custom")); }

const nlohmann::ordered_json& HwConfig::leaf(const std::string& key) const {
    const nlohmann::json::json_pointer ptr(dotted_to_pointer(key));
    if (!tree_.contains(ptr))
        throw std::logic_error("config key '" + key + "' is not in the model's base config");
    return tree_[ptr];
}

std::string HwConfig::where(const std::string& key) const {
    const auto it = source_.find(key);
    return it == source_.end() ? key : it->second;
}

int64_t HwConfig::integer(const std::string& key, int64_t lo, int64_t hi) const {
    const auto& v = leaf(key);
    const std::string range = fmt::format("an integer in [{}, {}]", lo, hi);
    if (!v.is_number_integer()) {
        // A fraction is never truncated into a count.
        if (v.is_number_float())
            throw InputError(where(key), range, non_integer_text(v.get<double>(), v.dump()));
        throw InputError(where(key), range, type_word(v) + " " + v.dump());
    }
    // Compared as the JSON holds it: 18446744073709551615 is unsigned, and read as int64 it would be -1.
    bool in_range = false;
    if (v.is_number_unsigned()) {
        const uint64_t u = v.get<uint64_t>();
        in_range = hi >= 0 && u <= static_cast<uint64_t>(hi) && (lo <= 0 || u >= static_cast<uint64_t>(lo));
    } else {
        const int64_t x = v.get<int64_t>();
        in_range = x >= lo && x <= hi;
    }
    if (!in_range) throw InputError(where(key), range, v.dump());
    return v.get<int64_t>();
}

double HwConfig::number(const std::string& key, double lo, double hi) const {
    const auto& v = leaf(key);
    const std::string range = fmt::format("a number in [{:g}, {:g}]", lo, hi);
    if (!v.is_number()) throw InputError(where(key), range, type_word(v) + " " + v.dump());
    const double x = v.get<double>();
    if (!std::isfinite(x) || x < lo || x > hi) throw InputError(where(key), range, v.dump());
    return x;
}

bool HwConfig::boolean(const std::string& key) const {
    const auto& v = leaf(key);
    if (!v.is_boolean()) throw InputError(where(key), "true or false", type_word(v) + " " + v.dump());
    return v.get<bool>();
}

std::string HwConfig::choice(const std::string& key, const std::vector<std::string>& allowed) const {
    const auto& v = leaf(key);
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + ("\"" + a + "\"");
    if (!v.is_string()) throw InputError(where(key), "one of " + list, type_word(v) + " " + v.dump());
    const std::string s = v.get<std::string>();
    for (const auto& a : allowed) {
        if (a == s) return s;
    }
    throw InputError(where(key), "one of " + list, "\"" + s + "\"");
}

}  // namespace ssmsim
