// Parsing JSON that a user wrote (trace.json, hardware configs). Every problem is an InputError naming the
// file: malformed text, a number out of double range (1e999), a key given twice in one object (the parser
// would keep the last one silently), or nesting deeper than kMaxJsonDepth (printing a value, as error
// messages and reports do, recurses once per level, so a hostile file could otherwise exhaust the stack).
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/util/error.h"

namespace ssmsim {

inline constexpr int kMaxJsonDepth = 64;  // the trace format and the configs need fewer than 10 levels

// `input`: anything nlohmann's parse takes (a string, an istream). `Json`: nlohmann::json or ordered_json.
template <typename Json, typename Input>
Json parse_json_input(Input&& input, const std::string& file) {
    std::vector<std::set<std::string>> keys;  // the keys seen so far in each open object
    const typename Json::parser_callback_t check = [&](int depth, nlohmann::json::parse_event_t event,
                                                       Json& parsed) {
        using E = nlohmann::json::parse_event_t;
        if ((event == E::object_start || event == E::array_start) && depth >= kMaxJsonDepth) {
            throw InputError(file, fmt::format("JSON nested at most {} levels deep", kMaxJsonDepth),
                             "deeper nesting");
        }
        if (event == E::object_start) keys.emplace_back();
        if (event == E::object_end) keys.pop_back();
        if (event == E::key && !keys.back().insert(parsed.template get<std::string>()).second) {
            throw InputError(file, "each key once per object",
                             "the key '" + parsed.template get<std::string>() + "' twice");
        }
        return true;
    };
    try {
        return Json::parse(std::forward<Input>(input), check);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number such as 1e999
        throw InputError(file, "valid JSON (UTF-8)", std::string("a parse error: ") + e.what());
    }
}

}  // namespace ssmsim
