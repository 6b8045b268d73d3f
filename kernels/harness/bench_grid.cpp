#include "kernels/harness/bench_grid.h"

#include <cuda_runtime.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <vector>

#include "kernels/cuda_check.h"
#include "kernels/harness/board_power.h"
#include "kernels/harness/cuda_timing.h"
#include "kernels/harness/device_store.h"
#include "kernels/harness/gpu_info.h"
#include "kernels/harness/median.h"
#include "kernels/ops.h"
#include "sim/util/atomic_file.h"

namespace ssmsim::cuda {

namespace {

// One measured point. `launch(set)` runs the kernel once on input/output set `set`.
struct Point {
    std::string kernel;
    std::map<std::string, int64_t> dims;
    int64_t bytes = 0;      // fewest bytes the op must move: inputs read once, output written once
    double ops = 0.0;       // arithmetic operations (2 per multiply-accumulate)
    std::string ops_unit;   // "int8_tensor", "fp32", or "" (no compute peak applies)
    int64_t set_bytes = 0;  // device bytes of one input/output set
    std::function<void(int)> launch;
};

// Input/output sets that the timed launches rotate through, so that small problems are not timed from a
// warm L2 alone: sets cover at least 4 x L2 where memory allows (at most 32 sets, 8 GiB).
struct Sets {
    std::vector<std::vector<DeviceBuffer>> sets;
    int count() const { return static_cast<int>(sets.size()); }
    template <typename T>
    T* at(int set, int i) const {
        return static_cast<T*>(sets[set][i].get());
    }
};

int set_count(int64_t set_bytes, int64_t l2) {
    const int64_t want = (4 * l2 + set_bytes - 1) / std::max<int64_t>(set_bytes, 1);
    const int64_t cap = (int64_t{8} << 30) / std::max<int64_t>(set_bytes, 1);
    return static_cast<int>(std::clamp<int64_t>(std::min(want, cap), 1, 32));
}

struct Buf {
    DType dtype;
    int64_t n;
    double lo, hi;  // random range; lo > hi: leave unfilled (outputs)
};

Sets make_sets(const std::vector<Buf>& bufs, int count, uint64_t seed) {
    Sets s;
    for (int c = 0; c < count; ++c) {
        std::vector<DeviceBuffer> set;
        for (size_t i = 0; i < bufs.size(); ++i) {
            const Buf& b = bufs[i];
            set.emplace_back(static_cast<size_t>(b.n) * dtype_size(b.dtype));
            const uint64_t sd = seed * 1000 + c * 31 + i;
            void* p = set.back().get();
            if (b.lo > b.hi) {
                check(cudaMemset(p, 0xA5, set.back().bytes()), "cudaMemset");
                continue;
            }
            const auto lo = static_cast<int64_t>(b.lo), hi = static_cast<int64_t>(b.hi);
            switch (b.dtype) {
                case DType::int8:
                    fill_random(static_cast<int8_t*>(p), b.n, sd, lo, hi);
                    break;
                case DType::int16:
                    fill_random(static_cast<int16_t*>(p), b.n, sd, lo, hi);
                    break;
                case DType::int32:
                    fill_random(static_cast<int32_t*>(p), b.n, sd, lo, hi);
                    break;
                case DType::float32:
                    fill_random(static_cast<float*>(p), b.n, sd, static_cast<float>(b.lo),
                                static_cast<float>(b.hi));
                    break;
            }
        }
        s.sets.push_back(std::move(set));
    }
    check(cudaDeviceSynchronize(), "fill");
    return s;
}

int64_t set_bytes_of(const std::vector<Buf>& bufs) {
    int64_t total = 0;
    for (const Buf& b : bufs) total += b.n * static_cast<int64_t>(dtype_size(b.dtype));
    return total;
}

struct Timing {
    double median_us, min_us, max_us;
    int inner;
};

// Warm-up, then `reps` timed groups of `inner` back-to-back launches behind hold_gpu; per-launch time of
// each group; median over the groups. `inner` makes a group last about 2 ms (at least 1 launch).
Timing time_point(const Point& p, int sets, int reps) {
    const Events ev(2);
    for (int i = 0; i < 3; ++i) p.launch(i % sets);
    hold_gpu(1.0);
    const double one = time_between_events_ms(ev, [&] { p.launch(0); });
    const int inner = static_cast<int>(std::clamp<double>(std::ceil(2.0 / std::max(one, 1e-4)), 1, 2000));
    std::vector<double> us;
    for (int r = 0; r < reps; ++r) {
        hold_gpu(1.0 + 0.01 * inner);
        const double ms = time_between_events_ms(ev, [&] {
            for (int i = 0; i < inner; ++i) p.launch((r * inner + i) % sets);
        });
        us.push_back(1000.0 * ms / inner);
    }
    return {median(us), *std::min_element(us.begin(), us.end()), *std::max_element(us.begin(), us.end()),
            inner};
}

const std::vector<std::string> kDimNames = {"m",  "n",     "k",    "batch", "len",
                                            "ch", "state", "taps", "heads", "elements"};

class Grid {
public:
    Grid(const BenchOptions& o, int64_t l2) : opt_(o), l2_(l2) {
        if (o.power_s > 0 && !power_.available())
            throw std::runtime_error("--power needs the GPU's board power: " + power_.why_not());
    }

    void add(Point p, const std::vector<Buf>& bufs, uint64_t seed) {
        if (!opt_.filter.empty() && p.kernel.find(opt_.filter) == std::string::npos) return;
        p.set_bytes = set_bytes_of(bufs);
        const int sets = set_count(p.set_bytes, l2_);
        auto s = std::make_shared<Sets>(make_sets(bufs, sets, seed));
        current_ = s;
        const Timing t = time_point(p, sets, opt_.reps);
        check(cudaDeviceSynchronize(), p.kernel.c_str());
        PowerWindow w;
        const int index = seen_[p.kernel]++;
        if (opt_.power_s > 0 && index % opt_.power_stride == 0 && t.median_us >= opt_.power_min_us) {
            int next = 0;
            w = power_.sustain(
                [&] {
                    for (int i = 0; i < t.inner; ++i) p.launch(next++ % sets);
                },
                t.inner * t.median_us * 1e-3, opt_.power_s);
            check(cudaDeviceSynchronize(), p.kernel.c_str());
        }
        rows_.push_back(row(p, sets, t, w));
        fmt::print("{:<22} {:<48} {:>12.2f} us {:>9.1f} GB/s {:>9.2f} TOPS{}\n", p.kernel, dims_text(p),
                   t.median_us, p.bytes / t.median_us / 1e3, p.ops / t.median_us / 1e6,
                   w.seconds > 0 ? fmt::format(" {:>7.1f} W {:>6.0f} MHz", w.watts, w.sm_mhz) : "");
        std::fflush(stdout);
        current_.reset();
    }
    const Sets& sets() const { return *current_; }
    const std::vector<std::string>& rows() const { return rows_; }

private:
    std::string dims_text(const Point& p) const {
        std::string s;
        for (const auto& [k, v] : p.dims) s += fmt::format("{}={} ", k, v);
        return s;
    }
    std::string row(const Point& p, int sets, const Timing& t, const PowerWindow& w) const {
        std::string r = p.kernel;
        for (const auto& d : kDimNames) {
            const auto it = p.dims.find(d);
            r += it == p.dims.end() ? "," : fmt::format(",{}", it->second);
        }
        const double gbps = p.bytes / t.median_us / 1e3;
        const double tops = p.ops / t.median_us / 1e6;
        const double peak = p.ops_unit == "int8_tensor" ? opt_.peak_int8_tops
                            : p.ops_unit == "fp32"      ? opt_.peak_fp32_tflops
                                                        : 0.0;
        r += fmt::format(",{},{:.0f},{},{},{},{},{},{:.3f},{:.3f},{:.3f},{:.1f},{:.3f},{:.4f},{}", p.bytes,
                         p.ops, p.ops_unit, p.set_bytes, sets, t.inner, opt_.reps, t.median_us, t.min_us,
                         t.max_us, gbps, tops, gbps / opt_.peak_hbm_gbps,
                         peak > 0 ? fmt::format("{:.4f}", tops / peak) : "");
        if (w.seconds > 0)
            r += fmt::format(",{:.2f},{:.2f},{:.0f},{:.3f},{:.3f}", w.watts, w.smi_watts, w.sm_mhz, w.seconds,
                             w.busy);
        else
            r += ",,,,,";
        return r;
    }

    const BenchOptions& opt_;
    int64_t l2_;
    BoardPower power_;
    std::map<std::string, int> seen_;  // points per kernel so far (for power_stride)
    std::shared_ptr<Sets> current_;
    std::vector<std::string> rows_;
};

std::vector<int64_t> pow2_range(int64_t lo, int64_t hi, int64_t factor) {
    std::vector<int64_t> v;
    for (int64_t x = lo; x <= hi; x *= factor) v.push_back(x);
    return v;
}

// Requantization that keeps a K-term int8 dot product of random data mostly inside int8.
Requant gemm_requant(int64_t k) {
    const int s =
        16 + static_cast<int>(std::ceil(std::log2(std::sqrt(static_cast<double>(k)) * 64.0 * 64.0 / 40.0)));
    return {1 << 16, s};
}

// The int8 GEMM (linear_i8) at each of `shapes`.
void int8_gemm_points(Grid& g, const std::vector<GemmShape>& shapes) {
    for (auto [m, n, k] : shapes) {
        Point p;
        p.kernel = "linear_i8";
        p.dims = {{"m", m}, {"n", n}, {"k", k}};
        p.bytes = m * k + n * k + 4 * n + m * n;
        p.ops = 2.0 * m * n * k;
        p.ops_unit = "int8_tensor";
        const Requant rq = gemm_requant(k);
        p.launch = [&g, m, n, k, rq](int s) {
            const Sets& S = g.sets();
            linear_i8(S.at<int8_t>(s, 0), S.at<int8_t>(s, 1), S.at<int32_t>(s, 2), S.at<int8_t>(s, 3), m, n,
                      k, rq, nullptr);
        };
        g.add(p,
              {{DType::int8, m * k, -127, 127},
               {DType::int8, n * k, -127, 127},
               {DType::int32, n, -5000, 5000},
               {DType::int8, m * n, 1, 0}},
              1);
    }
}

void gemm_points(Grid& g, bool quick) {
    std::vector<GemmShape> shapes;
    if (quick) {
        shapes = {{256, 256, 256}, {4096, 4096, 4096}};
    } else {
        for (int64_t s : pow2_range(32, 16384, 2)) shapes.push_back({s, s, s});  // square
        for (int64_t m : pow2_range(16, 65536, 4))                               // rows (B x L)
            for (auto nk :
                 std::vector<std::array<int64_t, 2>>{{256, 256}, {1024, 512}, {512, 1024}, {4096, 4096}})
                shapes.push_back({m, nk[0], nk[1]});
        for (int64_t n : pow2_range(16, 16384, 4)) shapes.push_back({8192, n, 1024});  // outputs
        for (int64_t k : pow2_range(16, 16384, 4)) shapes.push_back({8192, 1024, k});  // reduction
    }
    int8_gemm_points(g, shapes);
    const auto f32 = quick ? std::vector<int64_t>{1024} : pow2_range(64, 8192, 2);
    for (int64_t s : f32) {
        Point p;
        p.kernel = "linear_f32";
        p.dims = {{"m", s}, {"n", s}, {"k", s}};
        p.bytes = 4 * (2 * s * s + s + s * s);
        p.ops = 2.0 * s * s * s;
        p.ops_unit = "fp32";
        p.launch = [&g, s](int i) {
            const Sets& S = g.sets();
            linear_f32(S.at<float>(i, 0), S.at<float>(i, 1), S.at<float>(i, 2), S.at<float>(i, 3), s, s, s);
        };
        g.add(p,
              {{DType::float32, s * s, -1, 1},
               {DType::float32, s * s, -1, 1},
               {DType::float32, s, -1, 1},
               {DType::float32, s * s, 1, 0}},
              2);
    }
}

void scan_points(Grid& g, bool quick) {
    const auto lens = quick ? std::vector<int64_t>{1024} : std::vector<int64_t>{256, 1024, 4096, 16384};
    const auto chans = quick ? std::vector<int64_t>{512} : std::vector<int64_t>{128, 512, 2048, 8192};
    const auto states = quick ? std::vector<int64_t>{16} : std::vector<int64_t>{4, 16, 64};
    const auto batches = quick ? std::vector<int64_t>{1} : std::vector<int64_t>{1, 8};
    for (int64_t b : batches)
        for (int64_t l : lens)
            for (int64_t e : chans)
                for (int64_t n : states) {
                    if (b > 1 && (l > 4096 || e > 2048)) continue;  // keep the batch sweep short
                    const int64_t rows = b * l;
                    const ScanShape s{b, l, e, n, false};
                    {
                        Point p;
                        p.kernel = "selective_scan_i8";
                        p.dims = {{"batch", b}, {"len", l}, {"ch", e}, {"state", n}};
                        p.bytes = rows * e * 3 + rows * n * 2 + e * n * 2 + e * 4 +
                                  4 * 4096;  // u, delta, out; B, C
                        p.ops = 2.0 * 3 * rows * e * n;
                        p.launch = [&g, s](int i) {
                            const Sets& S = g.sets();
                            SelectiveScanI8 q{S.at<int8_t>(i, 0),
                                              S.at<int8_t>(i, 1),
                                              S.at<int16_t>(i, 2),
                                              S.at<int8_t>(i, 3),
                                              S.at<int8_t>(i, 4),
                                              S.at<int32_t>(i, 5),
                                              S.at<int32_t>(i, 6),
                                              4096,
                                              nullptr,
                                              nullptr,
                                              4,
                                              14,
                                              Requant{1 << 20, 30},
                                              Requant{}};
                            selective_scan_i8(q, s, S.at<int8_t>(i, 7), nullptr);
                        };
                        g.add(p,
                              {{DType::int8, rows * e, -127, 127},
                               {DType::int8, rows * e, 0, 60},
                               {DType::int16, e * n, -3000, -100},
                               {DType::int8, rows * n, -127, 127},
                               {DType::int8, rows * n, -127, 127},
                               {DType::int32, e, -1000, 1000},
                               {DType::int32, 4096, 0, 32768},
                               {DType::int8, rows * e, 1, 0}},
                              3);
                    }
                    if (n == 16 || n == 64) {
                        Point p;
                        p.kernel = "s4d_scan_i8";
                        p.dims = {{"batch", b}, {"len", l}, {"ch", e}, {"state", n}};
                        p.bytes = rows * e * 2 + e * n * (4 + 2 + 2) + e * 4;
                        p.ops = 2.0 * 2 * rows * e * n;
                        p.launch = [&g, s](int i) {
                            const Sets& S = g.sets();
                            S4dScanI8 q{S.at<int8_t>(i, 0),  S.at<int32_t>(i, 1), S.at<int16_t>(i, 2),
                                        S.at<int16_t>(i, 3), S.at<int32_t>(i, 4), 20,
                                        Requant{1 << 20, 30}};
                            s4d_scan_i8(q, s, S.at<int8_t>(i, 5), nullptr);
                        };
                        g.add(p,
                              {{DType::int8, rows * e, -127, 127},
                               {DType::int32, e * n, 20000, 32700},
                               {DType::int16, e * n, -3000, 3000},
                               {DType::int16, e * n, -3000, 3000},
                               {DType::int32, e, -1000, 1000},
                               {DType::int8, rows * e, 1, 0}},
                              4);
                    }
                    if (n == 16 && b == 1) {
                        Point p;
                        p.kernel = "selective_scan_f32";
                        p.dims = {{"batch", b}, {"len", l}, {"ch", e}, {"state", n}};
                        p.bytes = 4 * (rows * e * 3 + rows * n * 2 + e * n + e);
                        p.ops = 2.0 * 3 * rows * e * n;
                        p.launch = [&g, s](int i) {
                            const Sets& S = g.sets();
                            SelectiveScanF32 q{S.at<float>(i, 0),
                                               S.at<float>(i, 1),
                                               S.at<float>(i, 2),
                                               S.at<float>(i, 3),
                                               S.at<float>(i, 4),
                                               S.at<float>(i, 5),
                                               nullptr};
                            selective_scan_f32(q, s, S.at<float>(i, 6));
                        };
                        g.add(p,
                              {{DType::float32, rows * e, -1, 1},
                               {DType::float32, rows * e, 0, 0.1},
                               {DType::float32, e * n, -16, -1},
                               {DType::float32, rows * n, -1, 1},
                               {DType::float32, rows * n, -1, 1},
                               {DType::float32, e, -1, 1},
                               {DType::float32, rows * e, 1, 0}},
                              5);
                    }
                }
}

void conv_norm_attention_points(Grid& g, bool quick) {
    const auto lens = quick ? std::vector<int64_t>{4096} : std::vector<int64_t>{1024, 4096, 16384, 65536};
    const auto chans = quick ? std::vector<int64_t>{1024} : std::vector<int64_t>{256, 1024, 4096};
    for (int64_t l : lens)
        for (int64_t c : chans) {
            Point p;
            p.kernel = "conv1d_i8";
            p.dims = {{"batch", 1}, {"len", l}, {"ch", c}, {"taps", 4}};
            p.bytes = 2 * l * c + 4 * c + 4 * c;
            p.ops = 2.0 * 4 * l * c;
            p.launch = [&g, l, c](int i) {
                const Sets& S = g.sets();
                conv1d_i8(S.at<int8_t>(i, 0), S.at<int8_t>(i, 1), S.at<int32_t>(i, 2), S.at<int8_t>(i, 3), 1,
                          l, c, 4, Requant{1 << 16, 24}, nullptr);
            };
            g.add(p,
                  {{DType::int8, l * c, -127, 127},
                   {DType::int8, c * 4, -127, 127},
                   {DType::int32, c, -1000, 1000},
                   {DType::int8, l * c, 1, 0}},
                  6);
        }
    // Rows of 256 and 1024, then narrow rows (a warp per row: at d = 16 half its lanes idle, and the per-row
    // reductions weigh more) at row counts that are no LRA workload's.
    std::vector<std::pair<int64_t, int64_t>> norm_shapes;
    for (int64_t r : quick ? std::vector<int64_t>{16384} : std::vector<int64_t>{1024, 16384, 131072})
        for (int64_t d : {256, 1024}) norm_shapes.push_back({r, d});
    if (!quick)
        for (int64_t r : {3000, 60000, 300000})
            for (int64_t d : {16, 64, 128}) norm_shapes.push_back({r, d});
    for (const auto& [r, d] : norm_shapes)
        for (bool center : {false, true}) {
            Point p;
            p.kernel = center ? "layernorm_i8" : "rmsnorm_i8";
            p.dims = {{"m", r}, {"n", d}};
            p.bytes = 2 * r * d + d + (center ? 4 * d : 0);
            p.launch = [&g, r, d, center](int i) {
                const Sets& S = g.sets();
                norm_i8(S.at<int8_t>(i, 0), S.at<int8_t>(i, 1), center ? S.at<int32_t>(i, 2) : nullptr,
                        S.at<int8_t>(i, 3), r, d, 1, Requant{1 << 10, 16}, nullptr);
            };
            g.add(p,
                  {{DType::int8, r * d, -127, 127},
                   {DType::int8, d, -127, 127},
                   {DType::int32, d, -1000, 1000},
                   {DType::int8, r * d, 1, 0}},
                  7);
        }
    // Attention over L (powers of two), heads of 64 and 32, batch 1 and 8: the CTA shape the kernel picks
    // (key-split warps at small grids) changes along all three. The score multiplier and
    // shift are of the LRA kind (the short table-index form's high-word path).
    struct AttentionPoint {
        int64_t l, w, heads, b;
    };
    std::vector<AttentionPoint> apoints;
    const auto alens =
        quick ? std::vector<int64_t>{1024} : std::vector<int64_t>{256, 512, 1024, 2048, 4096, 8192, 16384};
    for (int64_t l : alens)
        for (int64_t heads : {4, 8})
            for (int64_t b : {1, 8})
                if (!quick || b == 1) apoints.push_back({l, 256, heads, b});
    // Narrow heads (dh 4, 8 and 16 run as dh = 32 for QK^T, with fewer P·V tiles and rows of dh bytes) at
    // lengths between the powers of two (a last key tile that is partly past L), on narrow widths.
    if (!quick)
        for (int64_t l : {512, 1536, 3072, 6144, 12288})
            for (const auto& [w, heads] : {std::pair<int64_t, int64_t>{32, 8}, {32, 4}, {64, 4}})
                for (int64_t b : {1, 8}) apoints.push_back({l, w, heads, b});
    for (const auto& [l, w, heads, b] : apoints) {
        Point p;
        p.kernel = "attention_i8";
        p.dims = {{"batch", b}, {"len", l}, {"ch", w}, {"heads", heads}};
        p.bytes = b * 4 * l * w + 4 * 4096;
        p.ops = 2.0 * 2 * static_cast<double>(b * l) * static_cast<double>(l * w);
        const AttentionShape s{b, l, w, heads, false};
        p.launch = [&g, s](int i) {
            const Sets& S = g.sets();
            attention_i8(S.at<int8_t>(i, 0), S.at<int8_t>(i, 1), S.at<int8_t>(i, 2), S.at<int32_t>(i, 3),
                         4096, int64_t{1} << 30, 37, s, S.at<int8_t>(i, 4), nullptr);
        };
        g.add(p,
              {{DType::int8, b * l * w, -127, 127},
               {DType::int8, b * l * w, -127, 127},
               {DType::int8, b * l * w, -127, 127},
               {DType::int32, 4096, 1, 32768},
               {DType::int8, b * l * w, 1, 0}},
              8);
    }
}

void elementwise_points(Grid& g, bool quick) {
    const auto sizes =
        quick ? std::vector<int64_t>{int64_t{1} << 24} : pow2_range(int64_t{1} << 12, int64_t{1} << 30, 4);
    for (int64_t n : sizes) {
        auto add_point = [&](const std::string& kernel, int64_t bytes, std::vector<Buf> bufs,
                             std::function<void(int)> f) {
            Point p;
            p.kernel = kernel;
            p.dims = {{"elements", n}};
            p.bytes = bytes;
            p.launch = std::move(f);
            g.add(p, bufs, 9);
        };
        const Buf x{DType::int8, n, -127, 127}, out{DType::int8, n, 1, 0}, lut{DType::int8, 256, -127, 127};
        add_point("lut_i8", 2 * n + 256, {x, lut, out}, [&g, n](int i) {
            const Sets& S = g.sets();
            lut_i8(S.at<int8_t>(i, 0), S.at<int8_t>(i, 1), S.at<int8_t>(i, 2), n);
        });
        add_point("mul_i8", 3 * n, {x, x, out}, [&g, n](int i) {
            const Sets& S = g.sets();
            mul_i8(S.at<int8_t>(i, 0), S.at<int8_t>(i, 1), S.at<int8_t>(i, 2), n, Requant{1 << 16, 23},
                   nullptr);
        });
        add_point("add_i8", 3 * n, {x, x, out}, [&g, n](int i) {
            const Sets& S = g.sets();
            add_i8(S.at<int8_t>(i, 0), S.at<int8_t>(i, 1), S.at<int8_t>(i, 2), n, 1 << 14, 1 << 14, 16,
                   nullptr);
        });
        add_point("gate_i8", 3 * n + 256, {x, x, lut, out}, [&g, n](int i) {
            const Sets& S = g.sets();
            gate_i8(S.at<int8_t>(i, 0), S.at<int8_t>(i, 1), S.at<int8_t>(i, 2), S.at<int8_t>(i, 3), n,
                    Requant{1 << 16, 23}, nullptr);
        });
        if (n <= (int64_t{1} << 28)) {
            add_point("requant_i32", 5 * n, {{DType::int32, n, -1 << 20, 1 << 20}, out}, [&g, n](int i) {
                const Sets& S = g.sets();
                requant_i32(S.at<int32_t>(i, 0), S.at<int8_t>(i, 1), n, Requant{1 << 16, 29}, nullptr);
            });
            add_point("add_f32", 12 * n,
                      {{DType::float32, n, -1, 1}, {DType::float32, n, -1, 1}, {DType::float32, n, 1, 0}},
                      [&g, n](int i) {
                          const Sets& S = g.sets();
                          add_f32(S.at<float>(i, 0), S.at<float>(i, 1), S.at<float>(i, 2), n);
                      });
        }
        add_point("memcpy_d2d", 2 * n, {x, out}, [&g, n](int i) {
            const Sets& S = g.sets();
            check(cudaMemcpyAsync(S.at<int8_t>(i, 1), S.at<int8_t>(i, 0), n, cudaMemcpyDeviceToDevice),
                  "memcpy");
        });
    }
}

std::string header(const BenchOptions& o, const nlohmann::ordered_json& gpu) {
    std::string h;
    h += "# ssmsim GPU kernel timings (kernels/, measured by ssmsim-cuda bench)\n";
    h += fmt::format("# gpu: {}\n", gpu.dump());
    h += fmt::format("# date_utc: {}\n", utc_now());
    if (const char* commit = std::getenv("SSMSIM_COMMIT"))  // device_run.sh sets it
        h += fmt::format("# commit: {}\n", commit);
    h += fmt::format("# command: {}\n", o.command);
    h += "# method: per point, 3 untimed launches; then groups of `inner` back-to-back launches (inner sized "
         "so a "
         "group lasts ~2 ms), each group queued behind a GPU-side wait so host launch overhead is hidden, "
         "timed "
         "with CUDA events; time_us = group time / inner; median (and min, max) over `reps` groups. Inputs "
         "are "
         "pseudo-random (never zeros); launches rotate over `buffer_sets` copies of the inputs and outputs "
         "(together >= 4 x L2 where memory allows) so small problems are not timed from a warm L2 alone. "
         "Clocks "
         "as found (not locked; nvidia-smi readings in the run log).\n";
    h += fmt::format(
        "# peaks used for fractions: int8 tensor {} TOPS, fp32 {} TFLOP/s, HBM {} GB/s ({}; see "
        "docs/gpu-kernels.md for the measured copy bandwidth)\n",
        o.peak_int8_tops, o.peak_fp32_tflops, o.peak_hbm_gbps, o.peaks_source);
    h += "# bytes: fewest bytes the op must move (each input read once, output written once); ops: 2 per "
         "multiply-accumulate; gbps = bytes / time; tops = ops / time (10^12 per second)\n";
    if (o.power_s > 0)
        h += fmt::format(
            "# power (--power {} at every {}-th point of a kernel taking >= {} us; empty elsewhere): after a "
            "point is timed, its launches run back to back (about 40 ms of them queued) for 0.3 s, then for "
            "at "
            "least {} s more; power_w = the board energy NVML counts over that window (from one update of "
            "its "
            "counter to a later one) / the window; smi_power_w = mean of nvidia-smi's power.draw sampled "
            "every "
            "10 ms in it; sm_mhz = mean SM clock; power_busy = launches in the window x time_us_median / the "
            "window (1: the host kept the GPU fed); idle_w below: nothing running, right after the grid\n",
            o.power_s, o.power_stride, o.power_min_us, o.power_s);
    h += "kernel";
    for (const auto& d : kDimNames) h += "," + d;
    h += ",bytes,ops,ops_unit,set_bytes,buffer_sets,inner,reps,time_us_median,time_us_min,time_us_max,gbps,"
         "tops,"
         "frac_hbm_peak,frac_compute_peak,power_w,smi_power_w,sm_mhz,power_window_s,power_busy\n";
    return h;
}

}  // namespace

int run_bench(const BenchOptions& options) {
    const nlohmann::ordered_json gpu = gpu_info();
    BenchOptions o = options;
    if (gpu["name"].get<std::string>().find("H200") != std::string::npos) {
        o.peak_hbm_gbps = 4800.0;  // HBM3e; the SMs (and so the compute peaks) are the H100 SXM's
        o.peaks_source = "H200 datasheet (compute as H100 SXM)";
    }
    Grid g(o, gpu["l2_bytes"].get<int64_t>());
    upload_rsqrt_table();
    fmt::print("{} ({} SMs, L2 {} MiB)\n", gpu["name"].get<std::string>(), gpu["sm_count"].get<int>(),
               gpu["l2_bytes"].get<int64_t>() >> 20);
    if (!o.gemm_shapes.empty()) {
        int8_gemm_points(g, o.gemm_shapes);  // --gemm-shapes: those GEMMs, nothing else
    } else {
        elementwise_points(g, o.quick);
        gemm_points(g, o.quick);
        scan_points(g, o.quick);
        conv_norm_attention_points(g, o.quick);
    }
    std::string csv = header(o, gpu);
    if (o.power_s > 0) {
        BoardPower idle_meter;
        const PowerWindow idle = idle_meter.idle(std::max(1.0, o.power_s));
        csv.insert(csv.rfind("kernel,"),
                   fmt::format("# idle_w: {:.2f} (smi {:.2f}, SM {:.0f} MHz, {:.2f} s)\n", idle.watts,
                               idle.smi_watts, idle.sm_mhz, idle.seconds));
        fmt::print("idle: {:.1f} W\n", idle.watts);
    }
    for (const auto& r : g.rows()) csv += r + "\n";
    write_file_atomic(o.out, csv);
    fmt::print("wrote {} ({} points)\n", o.out, g.rows().size());
    return 0;
}

}  // namespace ssmsim::cuda
