#include "app/validation_notes.h"

#include <fmt/format.h>

#include <set>

namespace ssmsim::cli {

std::vector<std::string> validation_notes(const std::vector<LabelledValidation>& models) {
    std::vector<std::string> notes;
    std::set<double> nodes;
    std::string node_list;
    for (const auto& [label, v] : models) {
        if (!v.is_object()) continue;
        const auto text = [&](const char* k) {
            return v.contains(k) && v[k].is_string() ? v[k].get<std::string>() : "";
        };
        std::string line = label + ": ";
        if (v.contains("energy_node_nm") && v["energy_node_nm"].is_number()) {
            const double nm = v["energy_node_nm"].get<double>();
            nodes.insert(nm);
            node_list += fmt::format("{}{} {:g} nm", node_list.empty() ? "" : ", ", label, nm);
            line += "time: " + text("time") + "; energy (" + fmt::format("{:g} nm", nm) +
                    " table): " + text("energy");
        } else {
            line += text("outputs").empty() ? "no validation statement" : "outputs: " + text("outputs");
        }
        if (v.value("config_changed", false))
            line += " [this run changes the shipped config; the statement is the shipped config's]";
        notes.push_back(std::move(line));
    }
    if (nodes.size() > 1) {
        notes.push_back("mixed technology nodes: the energy figures come from tables of different nodes (" +
                        node_list + "), so energy ratios compare processes as well as designs");
    }
    return notes;
}

}  // namespace ssmsim::cli
