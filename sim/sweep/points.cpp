#include "sim/sweep/points.h"

#include <algorithm>
#include <cmath>

#include "sim/util/rng.h"
#include "sim/util/sha256.h"

namespace ssmsim {

namespace {

using json = nlohmann::json;

// Maps u in [0, 1) onto an axis.
json axis_value(const SweepAxis& a, double u) {
    if (!a.ranged()) {
        const size_t i =
            std::min(a.values.size() - 1, static_cast<size_t>(u * static_cast<double>(a.values.size())));
        return a.values[i];
    }
    double x = a.log ? std::exp(std::log(a.min) + u * (std::log(a.max) - std::log(a.min)))
                     : a.min + u * (a.max - a.min);
    if (a.integer) return static_cast<int64_t>(std::llround(std::clamp(x, a.min, a.max)));
    return x;
}

std::vector<json> grid_points(const SweepSpec& s) {
    std::vector<json> out{json::object()};
    for (const auto& a : s.axes) {
        std::vector<json> next;
        for (const auto& p : out) {
            for (const auto& v : a.values) {
                json q = p;
                q[a.key] = v;
                next.push_back(std::move(q));
            }
        }
        out = std::move(next);
    }
    return out;
}

// Random: independent uniform draws. Latin hypercube: each axis cut into `count` strata, one draw per
// stratum, strata shuffled independently per axis (McKay, Beckman and Conover, 1979).
std::vector<json> sampled_points(const SweepSpec& s) {
    Rng rng(s.sample_seed);
    const auto n = static_cast<size_t>(s.samples);
    std::vector<json> out(n, json::object());
    for (const auto& a : s.axes) {
        std::vector<size_t> strata(n);
        for (size_t i = 0; i < n; ++i) strata[i] = i;
        if (s.method == "lhs") {
            for (size_t i = n; i > 1; --i) std::swap(strata[i - 1], strata[rng.below(i)]);
        }
        for (size_t i = 0; i < n; ++i) {
            const double u = s.method == "lhs"
                                 ? (static_cast<double>(strata[i]) + rng.uniform()) / static_cast<double>(n)
                                 : rng.uniform();
            out[i][a.key] = axis_value(a, u);
        }
    }
    return out;
}

}  // namespace

std::vector<DesignPoint> expand_points(const SweepSpec& s) {
    const std::vector<json> params = s.method == "grid" ? grid_points(s) : sampled_points(s);
    std::vector<DesignPoint> points;
    for (const auto& w : s.workloads) {
        for (const auto& m : s.models) {
            for (const auto& p : params) {
                DesignPoint d;
                d.index = points.size();
                d.model = m;
                d.workload = w;
                d.swept = p;
                d.sets = s.fixed;
                for (const auto& [k, v] : p.items()) d.sets[k] = v;
                json canon = {{"model", m},
                              {"workload", w},
                              {"config", s.config},
                              {"sets", d.sets},
                              {"timing_only", s.timing_only},
                              {"seq_len", s.seq_len},
                              {"seed", s.seed}};
                if (s.batch != 1) canon["batch"] = s.batch;  // only then: unbatched points keep their ids
                const std::string text = canon.dump();       // nlohmann::json sorts object keys: canonical
                d.id = sha256_hex(std::as_bytes(std::span(text.data(), text.size()))).substr(0, 16);
                points.push_back(std::move(d));
            }
        }
    }
    return points;
}

}  // namespace ssmsim
