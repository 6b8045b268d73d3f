// The footnotes under `run --model all`'s summary and `ssmsim compare`'s table, compare.json and index.html:
// each model's report "validation" (what its time and energy are validated against, from its config), and a
// warning when one comparison's energy figures come from different technology nodes.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace ssmsim::cli {

// (label, report "validation") per model column, in column order; a label without validation is skipped.
using LabelledValidation = std::pair<std::string, nlohmann::ordered_json>;

// One line per label ("systolic: time: ...; energy (28 nm): ..."), then the mixed-nodes note when the
// labels' energy_node_nm differ.
std::vector<std::string> validation_notes(const std::vector<LabelledValidation>& models);

}  // namespace ssmsim::cli
