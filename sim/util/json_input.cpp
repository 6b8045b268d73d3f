// The one instantiation of parse_json_input per document type (json_input.h declares them extern).
#include "sim/util/json_input.h"

namespace ssmsim {

template nlohmann::json parse_json_input<nlohmann::json>(std::string_view, const std::string&, uint64_t);
template nlohmann::ordered_json parse_json_input<nlohmann::ordered_json>(std::string_view, const std::string&,
                                                                         uint64_t);

}  // namespace ssmsim
