#include "sim/timing/timeline.h"

namespace ssmsim {

Timeline::Timeline(std::string process_name, double clock_hz)
    : process_(std::move(process_name)), us_per_cycle_(1e6 / clock_hz) {}

int Timeline::track(const std::string& name) {
    for (size_t i = 0; i < tracks_.size(); ++i) {
        if (tracks_[i] == name) return static_cast<int>(i);
    }
    tracks_.push_back(name);
    return static_cast<int>(tracks_.size() - 1);
}

void Timeline::span(int track, const std::string& name, const std::string& category, uint64_t start_cycle,
                    uint64_t end_cycle, nlohmann::ordered_json args) {
    nlohmann::ordered_json e;
    e["name"] = name;
    e["cat"] = category;
    e["ph"] = "X";
    e["pid"] = 0;
    e["tid"] = track;
    e["ts"] = static_cast<double>(start_cycle) * us_per_cycle_;
    e["dur"] = static_cast<double>(end_cycle - start_cycle) * us_per_cycle_;
    args["start_cycle"] = start_cycle;
    args["end_cycle"] = end_cycle;
    e["args"] = std::move(args);
    events_.push_back(std::move(e));
}

std::string Timeline::dump() const {
    nlohmann::ordered_json doc;
    auto& ev = doc["traceEvents"] = nlohmann::ordered_json::array();
    ev.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 0}, {"args", {{"name", process_}}}});
    for (size_t i = 0; i < tracks_.size(); ++i) {
        ev.push_back(
            {{"name", "thread_name"}, {"ph", "M"}, {"pid", 0}, {"tid", i}, {"args", {{"name", tracks_[i]}}}});
        ev.push_back({{"name", "thread_sort_index"},
                      {"ph", "M"},
                      {"pid", 0},
                      {"tid", i},
                      {"args", {{"sort_index", i}}}});
    }
    for (const auto& e : events_) ev.push_back(e);
    doc["displayTimeUnit"] = "ns";
    return doc.dump() + "\n";
}

}  // namespace ssmsim
