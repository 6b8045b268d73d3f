#include "sim/cli/set_arg.h"

#include "sim/util/error.h"

namespace ssmsim::cli {

std::pair<std::string, nlohmann::json> parse_set(const std::string& kv) {
    // Config values end up in report.json, which must be UTF-8: refuse other bytes here, naming the flag.
    try {
        (void)nlohmann::json(kv).dump();
    } catch (const nlohmann::json::type_error& e) {
        const std::string what = e.what();  // "[json.exception.type_error.316] invalid UTF-8 byte at ..."
        throw InputError(
            "--set " + nlohmann::json(kv).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
            "UTF-8 text", what.substr(what.find("] ") + 2));
    }
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw InputError("--set " + kv, "key=value", "'" + kv + "'");
    const std::string key = kv.substr(0, eq);
    const std::string text = kv.substr(eq + 1);
    // Values are printed in messages and reports, which recurses once per level: bound the nesting.
    constexpr int kMaxDepth = 64;
    const nlohmann::json::parser_callback_t bounded = [&](int depth, nlohmann::json::parse_event_t event,
                                                          nlohmann::json&) {
        if ((event == nlohmann::json::parse_event_t::object_start ||
             event == nlohmann::json::parse_event_t::array_start) &&
            depth >= kMaxDepth) {
            throw InputError("--set " + key, "a value nested at most 64 levels deep", "deeper nesting");
        }
        return true;
    };
    nlohmann::json value = nlohmann::json::parse(text, bounded, false);
    if (value.is_discarded()) value = text;
    return {key, value};
}

}  // namespace ssmsim::cli
