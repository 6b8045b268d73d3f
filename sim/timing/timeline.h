// timeline.json in Chrome trace-event format (opens in Perfetto and chrome://tracing): one track per
// hardware unit, one span per op on each unit it used. Times are cycles, written as microseconds at the
// model's clock so that the viewer's time axis is real time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ssmsim {

class Timeline {
public:
    Timeline(std::string process_name, double clock_hz);
    int track(const std::string& name);  // returns the track id, creating it on first use
    void span(int track, const std::string& name, const std::string& category, uint64_t start_cycle,
              uint64_t end_cycle, nlohmann::ordered_json args = nlohmann::ordered_json::object());
    size_t size() const { return events_.size(); }
    std::string dump() const;

private:
    std::string process_;
    double us_per_cycle_;
    std::vector<std::string> tracks_;
    std::vector<nlohmann::ordered_json> events_;
};

}  // namespace ssmsim
