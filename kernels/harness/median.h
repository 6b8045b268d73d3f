// The median of timing samples (the harness's reported figure for repeated launches).
#pragma once

#include <algorithm>
#include <vector>

namespace ssmsim::cuda {

// Median of v (taken by value: the copy is sorted); the mean of the two middle samples for an even count. v
// must not be empty.
inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace ssmsim::cuda
