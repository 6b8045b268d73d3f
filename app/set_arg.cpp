#include "app/set_arg.h"

#include "sim/util/error.h"
#include "sim/util/json_input.h"

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
    // A value that is JSON is read by the one checked parser (sim/util/json_input.h: depth, duplicate keys,
    // size), since values are printed in messages and reports; any other text is a string.
    const nlohmann::json value = nlohmann::json::accept(text)
                                     ? parse_json_input<nlohmann::json>(text, "--set " + key)
                                     : nlohmann::json(text);
    return {key, value};
}

nlohmann::json parse_sets(const std::vector<std::string>& kvs) {
    nlohmann::json overrides = nlohmann::json::object();
    for (const auto& kv : kvs) {
        auto [k, v] = parse_set(kv);
        overrides[k] = std::move(v);
    }
    return overrides;
}

}  // namespace ssmsim::cli
