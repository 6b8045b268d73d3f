// Reads every value of a resolved hardware config through HwConfig's typed getters, the way a model does,
// and prints the tree as report.json would. Keeps the config targets independent of any one model.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "sim/config/hw_config.h"

namespace ssmsim::fuzz {

inline void read_every_value(const HwConfig& config, const nlohmann::ordered_json& node,
                             const std::string& prefix) {
    for (const auto& [key, value] : node.items()) {
        const std::string dotted = prefix.empty() ? key : prefix + "." + key;
        if (value.is_object()) {
            read_every_value(config, value, dotted);
        } else if (value.is_number_integer()) {
            (void)config.integer(dotted, std::numeric_limits<int64_t>::min(),
                                 std::numeric_limits<int64_t>::max());
        } else if (value.is_number()) {
            (void)config.number(dotted, -std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::max());
        } else if (value.is_boolean()) {
            (void)config.boolean(dotted);
        } else if (value.is_string()) {
            (void)config.choice(dotted, {value.get<std::string>()});
        }
    }
}

inline void read_every_value(const HwConfig& config) {
    read_every_value(config, config.tree(), "");
    (void)config.tree().dump();
}

}  // namespace ssmsim::fuzz
