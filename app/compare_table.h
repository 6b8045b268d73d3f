// The rows of `ssmsim compare` as text: the columns with their units, compare.csv, and the aligned table
// printed on stdout. A figure that does not apply is null in the rows and "n/a" in both texts.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ssmsim::cli {

// One cell of a CSV (null: "n/a"; quoted when it holds a comma, quote or newline) and of a text table (null:
// "n/a", numbers to 4 significant digits after `scale`); `run --model all`'s summary uses them too.
std::string csv_cell(const nlohmann::ordered_json& v);
std::string text_cell(const nlohmann::ordered_json& v, double scale = 1.0);

// A CSV of `rows`: a header of `names`, then each row's value under each name (absent: "n/a").
std::string csv_of(const std::vector<std::string>& names, const std::vector<nlohmann::ordered_json>& rows);

// [{"name": ..., "unit": ..., "about": ...}] in row order (compare.json "columns", docs/compare.md).
nlohmann::ordered_json compare_columns();

// compare.csv: a header of the column names, one line per row; cells with a comma or quote are quoted.
std::string compare_csv(const std::vector<nlohmann::ordered_json>& rows);

// The summary for stdout: a chosen subset of the columns, aligned, numbers to 4 significant digits.
std::string compare_text_table(const std::vector<nlohmann::ordered_json>& rows);

}  // namespace ssmsim::cli
