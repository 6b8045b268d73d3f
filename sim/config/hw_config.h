// Hardware configs (docs/configs.md): parse first, then construct. A model's config is a JSON tree whose
// shape is fixed by the model's default config; a user file (--config) and --set overrides may only change
// values that exist there, with the same type. Every leaf remembers where its value came from, so an error
// names the file or the --set flag, the JSON pointer, what was expected and what was found.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ssmsim {

// Configs shipped in configs/ (compiled into the binary, so the CLI needs no install path).
struct ShippedConfig {
    std::string name;  // file stem, e.g. "systolic-edge"
    std::string text;  // the JSON text
};
const std::vector<ShippedConfig>& shipped_configs();
const ShippedConfig* find_shipped_config(const std::string& name);

class HwConfig {
public:
    // `model`: the model asking (the config's "model" field must name it). `default_name`: the shipped
    // config used as the base. `user`: empty, a shipped config's name, or a path to a JSON file laid over
    // the base. `overrides`: --set pairs, dotted keys ("sram.weights.kib") to JSON values.
    static HwConfig resolve(const std::string& model, const std::string& default_name,
                            const std::string& user, const nlohmann::json& overrides);

    // Typed, range-checked reads by dotted key. Each key must exist in the base config.
    int64_t integer(const std::string& key, int64_t lo, int64_t hi) const;
    double number(const std::string& key, double lo, double hi) const;
    bool boolean(const std::string& key) const;
    std::string choice(const std::string& key, const std::vector<std::string>& allowed) const;

    // The resolved tree, as written into report.json.
    const nlohmann::ordered_json& tree() const { return tree_; }
    std::string name() const;

private:
    const nlohmann::ordered_json& leaf(const std::string& key) const;
    std::string where(const std::string& key) const;  // "file:/json/pointer" or "--set key=value"

    nlohmann::ordered_json tree_;
    std::map<std::string, std::string> source_;  // dotted key -> where its value came from
};

// "a.b.c" -> "/a/b/c"
std::string dotted_to_pointer(const std::string& key);

}  // namespace ssmsim
