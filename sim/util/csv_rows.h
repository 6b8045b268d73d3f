// Writing a CSV cell, and reading the project's own CSV files (reference/gpu-timings/, docs/models/): '#'
// lines are provenance, the first other line names the columns, and no cell holds a comma. Each row comes
// back as column -> cell.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sim/util/error.h"

namespace ssmsim {

// One CSV cell as RFC 4180 writes it: quoted (with quotes doubled) when it holds a comma, a quote or a line
// break, as is otherwise.
inline std::string csv_quote(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

inline std::vector<std::map<std::string, std::string>> read_csv_rows(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw InputError(path.string(), "a CSV file", "no such file");
    std::vector<std::string> columns;
    std::vector<std::map<std::string, std::string>> rows;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();  // Python's csv module ends rows with CRLF
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> cells;
        std::stringstream ss(line);
        for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
        if (!line.empty() && line.back() == ',') cells.emplace_back();  // getline drops a last empty cell
        if (columns.empty()) {
            columns = std::move(cells);
            continue;
        }
        if (cells.size() != columns.size())
            throw InputError(path.string(), std::to_string(columns.size()) + " cells per row", line);
        std::map<std::string, std::string> row;
        for (size_t i = 0; i < cells.size(); ++i) row[columns[i]] = cells[i];
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace ssmsim
