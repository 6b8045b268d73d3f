// Deterministic, platform-independent random numbers.
//
// std::*_distribution output is implementation-defined, so the same seed would give different weights
// under libstdc++ and libc++. Everything that must be reproducible byte for byte draws from this
// generator instead: SplitMix64 for the raw stream, and distributions written out here.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string_view>

namespace ssmsim {

class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}

    // A stream that depends on the seed and a name only, so adding a tensor never shifts another's values.
    static Rng for_stream(uint64_t seed, std::string_view name) {
        uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a over the name
        for (unsigned char c : name) {
            h = (h ^ c) * 0x100000001b3ULL;
        }
        Rng r(seed ^ h);
        r.next_u64();
        return r;
    }

    uint64_t next_u64() {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

    // Uniform integer in [0, n), n > 0, without modulo bias (rejection sampling).
    uint64_t below(uint64_t n) {
        const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        uint64_t x = next_u64();
        while (x >= limit) {
            x = next_u64();
        }
        return x % n;
    }

    // Standard normal by Box-Muller; one value per call keeps the stream position easy to reason about.
    double normal() {
        double u1 = uniform();
        while (u1 <= 0.0) {
            u1 = uniform();
        }
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }

    double normal(double mean, double stddev) { return mean + stddev * normal(); }

private:
    uint64_t state_;
};

}  // namespace ssmsim
