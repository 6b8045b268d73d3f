#include "app/model_args.h"

#include "app/set_arg.h"
#include "sim/backend/backend.h"
#include "sim/config/hw_config.h"
#include "sim/util/error.h"

namespace ssmsim::cli {

namespace {

CompareModel& find_label(std::vector<CompareModel>& models, const std::string& label,
                         const std::string& where, const std::string& noun) {
    for (auto& m : models) {
        if (m.label != label) continue;
        if (m.measured)
            throw InputError(where, "a simulated model's " + noun + " (a measured source has no config)",
                             "'" + label + "'");
        return m;
    }
    std::string labels;
    for (const auto& m : models) labels += (labels.empty() ? "" : ", ") + m.label;
    throw InputError(
        where, "a " + noun + " listed in --model" + (noun == "label" ? "s" : " all") + " (" + labels + ")",
        "'" + label + "'");
}

}  // namespace

void apply_model_args(std::vector<CompareModel>& models, const std::vector<std::string>& configs,
                      const std::vector<std::string>& sets, const std::string& noun) {
    for (const auto& c : configs) {
        const auto eq = c.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == c.size())
            throw InputError("--config " + c, "<" + noun + ">=<config name or path>", "'" + c + "'");
        auto& m = find_label(models, c.substr(0, eq), "--config " + c, noun);
        if (!m.config.empty())
            throw InputError("--config " + c, "one --config per " + noun,
                             "a second one for '" + m.label + "'");
        m.config = c.substr(eq + 1);
    }
    for (const auto& s : sets) {
        const auto colon = s.find(':');
        if (colon == std::string::npos || colon == 0 || colon > s.find('='))
            throw InputError("--set " + s, "<" + noun + ">:<key>=<value>", "'" + s + "'");
        auto& m = find_label(models, s.substr(0, colon), "--set " + s, noun);
        auto [key, value] = parse_set(s.substr(colon + 1));
        m.overrides[key] = value;
        m.sets.push_back(s.substr(colon + 1));
    }
    // Config files and --set keys now (names, types, the model they belong to), not at the first run that
    // needs them; value ranges are the model's to check when it runs.
    for (const auto& m : models) {
        if (m.measured) continue;
        const auto* b = BackendRegistry::find(m.model);
        if (b->default_config.empty()) {
            if (!m.config.empty() || !m.overrides.empty())
                throw InputError("--config/--set " + m.label, "a model with a hardware config",
                                 "'" + m.model + "'");
            continue;
        }
        (void)HwConfig::resolve(m.model, b->default_config, m.config, m.overrides);
    }
}

}  // namespace ssmsim::cli
