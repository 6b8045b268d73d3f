#include "models/gpu/tools/power_fit.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "models/gpu/validation.h"
#include "sim/config/hw_config.h"
#include "sim/util/atomic_file.h"
#include "sim/util/error.h"

namespace ssmsim::gpu {
namespace {

// The power model (docs/models/gpu.md, "Energy"): energy of a launch = static power x its time + one energy
// per unit of activity the timing model counts. The same terms as the model's EnergyLedger
// (models/gpu/top.cpp).
constexpr int kTerms = 8;
const std::array<const char*, kTerms> kKeys = {"energy.static_w",
                                               "energy.int8_mac_pj",
                                               "energy.fp32_fma_pj",
                                               "energy.warp_instr_pj",
                                               "energy.l2_pj_per_byte",
                                               "energy.hbm_pj_per_byte",
                                               "energy.sm_active_pj_per_cycle",
                                               "energy.cuda_core_mac_pj"};
// Scale of each term's coefficient: static in W (x seconds = J), the others in pJ (x counts x 1e-12 = J).
const std::array<double, kTerms> kUnit = {1.0, 1e-12, 1e-12, 1e-12, 1e-12, 1e-12, 1e-12, 1e-12};

using Vec = std::array<double, kTerms>;

// Least squares on the terms in `mask` (the others 0), rows weighted by 1 / measured energy, so that the
// fit minimises relative error. Gaussian elimination on the normal equations: at most six unknowns.
bool solve(const std::vector<Vec>& x, const std::vector<double>& e, unsigned mask, Vec& theta) {
    std::vector<int> idx;
    for (int k = 0; k < kTerms; ++k)
        if (mask & (1u << k)) idx.push_back(k);
    const size_t n = idx.size();
    std::vector<std::vector<double>> a(n, std::vector<double>(n + 1, 0.0));
    for (size_t r = 0; r < x.size(); ++r) {
        const double w = 1.0 / (e[r] * e[r]);
        for (size_t i = 0; i < n; ++i) {
            for (size_t j = 0; j < n; ++j) a[i][j] += w * x[r][idx[i]] * x[r][idx[j]];
            a[i][n] += w * x[r][idx[i]] * e[r];
        }
    }
    for (size_t c = 0; c < n; ++c) {
        size_t piv = c;
        for (size_t r = c + 1; r < n; ++r)
            if (std::fabs(a[r][c]) > std::fabs(a[piv][c])) piv = r;
        if (std::fabs(a[piv][c]) < 1e-300) return false;
        std::swap(a[c], a[piv]);
        for (size_t r = 0; r < n; ++r) {
            if (r == c) continue;
            const double f = a[r][c] / a[c][c];
            for (size_t j = c; j <= n; ++j) a[r][j] -= f * a[c][j];
        }
    }
    theta.fill(0.0);
    for (size_t i = 0; i < n; ++i) theta[idx[i]] = a[i][n] / a[i][i];
    return true;
}

double relative_error(const Vec& xr, double e, const Vec& theta) {
    double p = 0;
    for (int k = 0; k < kTerms; ++k) p += xr[k] * theta[k];
    return (p - e) / e;
}

}  // namespace

int run_power_fit(const std::string& config, const std::string& csv, const std::string& out) {
    const HwConfig cfg = HwConfig::resolve("gpu", "gpu-h200", config, nlohmann::json::object());
    const Spec spec = parse_spec(cfg);
    std::vector<MeasuredRow> rows;
    // Rows the board's power limit throttled (mean SM clock below the config's) are left out: the model runs
    // every kernel at the config's clock, so their time and power belong to a different operating point.
    int throttled = 0;
    for (auto& r : load_timings(csv)) {
        if (r.power_w <= 0) continue;
        if (r.sm_mhz > 0 && r.sm_mhz * 1e6 < 0.99 * spec.clock_hz) {
            ++throttled;
            continue;
        }
        rows.push_back(std::move(r));
    }
    fmt::print(stderr, "{} rows with board power; {} left out as throttled (SM clock below {:.0f} MHz)\n",
               rows.size() + throttled, throttled, 0.99 * spec.clock_hz / 1e6);
    if (rows.size() < static_cast<size_t>(kTerms))
        throw InputError(csv, "at least 6 rows with power_w (ssmsim-cuda bench --power)",
                         std::to_string(rows.size()));
    const std::vector<OpResult> res = predict_results(rows, spec);
    // Per row: the terms' activity (measured time; the model's counts) and the measured energy per launch.
    std::vector<Vec> x;
    std::vector<double> e;
    for (size_t i = 0; i < rows.size(); ++i) {
        const OpResult& r = res[i];
        const double t = rows[i].measured_us * 1e-6;
        const double l2 = r.l2.read_hit_bytes + r.l2.read_miss_bytes + r.l2.write_bytes;
        const MacUnit unit = mac_unit(r.launch);
        Vec v = {t,
                 unit == MacUnit::tensor ? r.macs : 0.0,
                 unit == MacUnit::fp32 ? r.macs : 0.0,
                 r.instr,
                 l2,
                 r.hbm_read + r.hbm_write,
                 r.sm_busy,
                 unit == MacUnit::int8_alu ? r.macs : 0.0};
        for (int k = 0; k < kTerms; ++k) v[k] *= kUnit[k];
        x.push_back(v);
        e.push_back(rows[i].power_w * t);
    }
    // Non-negative least squares by trying every subset of terms: 64 small solves, exact.
    Vec best{};
    double best_sse = std::numeric_limits<double>::infinity();
    for (unsigned mask = 1; mask < (1u << kTerms); ++mask) {
        Vec theta;
        if (!solve(x, e, mask, theta)) continue;
        if (std::any_of(theta.begin(), theta.end(), [](double v) { return v < 0; })) continue;
        double sse = 0;
        for (size_t r = 0; r < x.size(); ++r) sse += std::pow(relative_error(x[r], e[r], theta), 2);
        if (sse < best_sse) best_sse = sse, best = theta;
    }
    // Errors in average power (= in energy per launch at the measured time), per kernel and overall.
    std::map<std::string, std::pair<int, std::pair<double, double>>> by;  // n, (sum |err|, max |err|)
    for (size_t r = 0; r < x.size(); ++r) {
        const double err = 100.0 * std::fabs(relative_error(x[r], e[r], best));
        for (const std::string& k : {rows[r].kernel, std::string("overall")}) {
            auto& [n, s] = by[k];
            ++n;
            s.first += err;
            s.second = std::max(s.second, err);
        }
    }
    for (const auto& [k, v] : by)
        fmt::print(stderr, "{:20} n={:3}  power MAPE {:5.1f}%  worst {:5.1f}%\n", k, v.first,
                   v.second.first / v.first, v.second.second);
    for (int k = 0; k < kTerms; ++k) fmt::print("{}={:.6g}\n", kKeys[k], best[k]);
    if (!out.empty()) {  // per row, for docs/models/gpu.md's plot
        std::string text =
            "kernel,m,n,k,batch,len,ch,state,heads,elements,time_us,measured_w,fitted_w,error_pct\n";
        for (size_t r = 0; r < x.size(); ++r) {
            const auto& s = rows[r].shape;
            const double t = rows[r].measured_us * 1e-6;
            const double fitted = e[r] * (1.0 + relative_error(x[r], e[r], best)) / t;
            text += fmt::format("{},{},{},{},{},{},{},{},{},{},{:.3f},{:.2f},{:.2f},{:.1f}\n", rows[r].kernel,
                                s.m, s.n, s.k, s.batch, s.len, s.ch, s.state, s.heads, s.elements,
                                rows[r].measured_us, rows[r].power_w, fitted,
                                100.0 * relative_error(x[r], e[r], best));
        }
        write_file_atomic(out, text);
    }
    return 0;
}

}  // namespace ssmsim::gpu
