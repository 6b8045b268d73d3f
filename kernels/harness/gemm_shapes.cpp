#include "kernels/harness/gemm_shapes.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "sim/util/csv_rows.h"
#include "sim/util/error.h"

namespace ssmsim::cuda {

std::vector<GemmShape> read_gemm_shapes(const std::filesystem::path& csv) {
    constexpr int64_t kMaxDim = int64_t{1} << 20;  // past every LRA shape at batch 256; keeps m*k in range
    const auto rows = read_csv_rows(csv);
    if (rows.empty())
        throw InputError(csv.string(), "a header line with m, n, k and at least one row", "none");
    std::vector<GemmShape> shapes;
    for (size_t r = 0; r < rows.size(); ++r) {
        GemmShape s{};
        const char* names[3] = {"m", "n", "k"};
        for (int d = 0; d < 3; ++d) {
            const std::string where =
                csv.string() + ": row " + std::to_string(r + 1) + ", column " + names[d];
            const auto it = rows[r].find(names[d]);
            if (it == rows[r].end())
                throw InputError(where, "a column named " + std::string(names[d]), "none");
            const std::string& cell = it->second;
            int64_t v = 0;
            const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
            if (ec != std::errc() || end != cell.data() + cell.size() || v < 1 || v > kMaxDim)
                throw InputError(where, "a whole number from 1 to " + std::to_string(kMaxDim),
                                 "'" + cell + "'");
            s[d] = v;
        }
        if (std::find(shapes.begin(), shapes.end(), s) == shapes.end()) shapes.push_back(s);
    }
    return shapes;
}

}  // namespace ssmsim::cuda
