#include "sim/cli/set_arg.h"

#include "sim/util/error.h"

namespace ssmsim::cli {

std::pair<std::string, nlohmann::json> parse_set(const std::string& kv) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw InputError("--set " + kv, "key=value", "'" + kv + "'");
    const std::string key = kv.substr(0, eq);
    const std::string text = kv.substr(eq + 1);
    nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
    if (value.is_discarded()) value = text;
    return {key, value};
}

}  // namespace ssmsim::cli
