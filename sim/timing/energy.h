// Energy accounting by component ("array.mac", "sram.weights.read", "dram", "static"): every model adds
// picojoules as it charges events, and report.json carries the tree and the total.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace ssmsim {

class EnergyLedger {
public:
    void add(const std::string& component, double pj) { pj_[component] += pj; }
    double total() const {
        double t = 0;
        for (const auto& [k, v] : pj_) t += v;
        return t;
    }
    double get(const std::string& component) const {
        const auto it = pj_.find(component);
        return it == pj_.end() ? 0.0 : it->second;
    }
    // {"array.mac": 12.5, ...} in a stable (sorted) order.
    nlohmann::ordered_json breakdown() const {
        nlohmann::ordered_json j = nlohmann::ordered_json::object();
        for (const auto& [k, v] : pj_) j[k] = v;
        return j;
    }
    const std::map<std::string, double>& items() const { return pj_; }
    void clear() { pj_.clear(); }

private:
    std::map<std::string, double> pj_;
};

}  // namespace ssmsim
