#include "kernels/harness/kernel_selftest.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <random>

#include "kernels/harness/compare.h"
#include "kernels/harness/gpu_executor.h"
#include "sim/trace/trace_io.h"

namespace ssmsim::cuda {

namespace {

enum class Kind { selective, s4d, attention, linear };

struct Case {
    Kind kind = Kind::selective;
    bool gated = false, reverse = false;            // scans
    bool causal = false;                            // attention
    int64_t batch = 1, len = 1, ch = 1, state = 1;  // attention: ch = width, state = heads
    int64_t n_out = 1, k_in = 1;                    // linear: y [batch, len, n_out] from x [batch, len, k_in]
    bool bias = true, classifier = false;           // linear: with bias; the classifier op (int32 logits)
};

template <typename T>
Tensor random_tensor(std::mt19937_64& rng, Shape shape, int64_t lo, int64_t hi) {
    Tensor t(dtype_of<T>(), std::move(shape));
    std::uniform_int_distribution<int64_t> d(lo, hi);
    for (auto& v : t.as<T>()) v = static_cast<T>(d(rng));
    return t;
}

// The exp table of the contract: entry i = 32768 exp(-i step), decreasing from 32768.
Tensor exp_table(int64_t size, double step) {
    Tensor t(DType::int32, {size});
    auto v = t.as<int32_t>();
    for (int64_t i = 0; i < size; ++i)
        v[i] = static_cast<int32_t>(std::lround(32768.0 * std::exp(-step * i)));
    return t;
}

template <typename T>
T pick(std::mt19937_64& rng, std::initializer_list<T> values) {
    std::uniform_int_distribution<size_t> d(0, values.size() - 1);
    return *(values.begin() + d(rng));
}

struct Built {
    Trace trace;
    TensorStore data;
};

Built build_attention(const Case& c, std::mt19937_64& rng) {
    Built b;
    Trace& t = b.trace;
    t.name = "attention-selftest";
    auto input = [&](const std::string& name, Tensor value) {
        t.add_tensor({name, value.dtype(), value.shape()});
        b.data.emplace(name, std::move(value));
        return name;
    };
    const Shape act{c.batch, c.len, c.ch};
    // Narrow value ranges now and then, so that scores tie and the maximum repeats.
    const int64_t span = std::uniform_int_distribution<int>(0, 3)(rng) == 0 ? 2 : 127;
    std::vector<std::string> in = {input("q", random_tensor<int8_t>(rng, act, -span, span)),
                                   input("k", random_tensor<int8_t>(rng, act, -span, span)),
                                   input("v", random_tensor<int8_t>(rng, act, -128, 127))};
    const int64_t size = pick<int64_t>(rng, {1, 3, 4096, 9000});
    in.push_back(input("exp_table", exp_table(size, 16.0 / static_cast<double>(size))));
    // Small multipliers and shifts (a score step can move the index by many entries: the kernel's general
    // index form), or the LRA workloads' kind (mult ~ 2^30, shift 32..40: the short form's high-word path).
    const bool lra_like = std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    const int64_t score_mult = lra_like ? std::uniform_int_distribution<int64_t>(1 << 29, INT32_MAX)(rng)
                                        : std::uniform_int_distribution<int64_t>(1, 1 << 16)(rng);
    const int score_shift = lra_like ? std::uniform_int_distribution<int>(32, 40)(rng)
                                     : std::uniform_int_distribution<int>(8, 20)(rng);
    const nlohmann::json attrs = {
        {"heads", c.state}, {"causal", c.causal}, {"score_mult", score_mult}, {"score_shift", score_shift}};
    t.add_tensor({"y", DType::int8, act});
    t.ops.push_back({"attn", "attention", in, {"y"}, attrs});
    t.outputs = {"y"};
    validate_trace(t, t.name);
    t.has_data = true;
    return b;
}

// linear (or classifier): random x and w, a bias of either magnitude, and a requantization whose shift puts
// the typical |(acc + bias) * mult| near 2^(shift + 7): most outputs in range, some saturating.
Built build_linear(const Case& c, std::mt19937_64& rng) {
    Built b;
    Trace& t = b.trace;
    t.name = "linear-selftest";
    auto input = [&](const std::string& name, Tensor value) {
        t.add_tensor({name, value.dtype(), value.shape()});
        b.data.emplace(name, std::move(value));
        return name;
    };
    const Shape xs = c.classifier ? Shape{c.batch * c.len, c.k_in} : Shape{c.batch, c.len, c.k_in};
    const int64_t span = std::uniform_int_distribution<int>(0, 3)(rng) == 0 ? 3 : 127;
    std::vector<std::string> in = {
        input("x", random_tensor<int8_t>(rng, xs, -span - 1, span)),
        input("w", random_tensor<int8_t>(rng, {c.n_out, c.k_in}, -span - 1, span))};
    const int64_t bias_mag = std::uniform_int_distribution<int>(0, 3)(rng) == 0
                                 ? (int64_t{1} << 30) - 1
                                 : 20000;  // contract: 2^30 - 1
    if (c.bias || c.classifier)
        in.push_back(input("bias", random_tensor<int32_t>(rng, {c.n_out}, -bias_mag, bias_mag)));
    nlohmann::json attrs = nlohmann::json::object();
    Shape ys = xs;
    ys.back() = c.n_out;
    if (!c.classifier) {
        // Multipliers of every magnitude, so that every shift from 0 to 62 comes.
        const int64_t mult = std::max<int64_t>(1, std::uniform_int_distribution<int64_t>(1, INT32_MAX)(rng) >>
                                                      std::uniform_int_distribution<int>(0, 24)(rng));
        const double typical =
            std::sqrt(static_cast<double>(c.k_in)) * static_cast<double>(span * span) / 2.0 +
            (c.bias ? static_cast<double>(bias_mag) / 2.0 : 0.0) + 1.0;
        const int shift = static_cast<int>(std::floor(std::log2(typical * static_cast<double>(mult)))) - 7 +
                          std::uniform_int_distribution<int>(-1, 2)(rng);
        attrs["mult"] = mult;
        attrs["shift"] = std::clamp(shift, 0, 62);
    }
    t.add_tensor({"y", c.classifier ? DType::int32 : DType::int8, ys});
    t.ops.push_back({"gemm", c.classifier ? "classifier" : "linear", in, {"y"}, attrs});
    t.outputs = {"y"};
    validate_trace(t, t.name);
    t.has_data = true;
    return b;
}

Built build(const Case& c, std::mt19937_64& rng) {
    if (c.kind == Kind::attention) return build_attention(c, rng);
    if (c.kind == Kind::linear) return build_linear(c, rng);
    const bool selective = c.kind == Kind::selective;
    Built b;
    Trace& t = b.trace;
    t.name = "scan-selftest";
    auto input = [&](const std::string& name, Tensor value) {
        t.add_tensor({name, value.dtype(), value.shape()});
        b.data.emplace(name, std::move(value));
        return name;
    };
    const Shape act{c.batch, c.len, c.ch};
    std::vector<std::string> in;
    in.push_back(input("u", random_tensor<int8_t>(rng, act, -128, 127)));
    nlohmann::json attrs = {{"y_shift", std::uniform_int_distribution<int>(4, 14)(rng)},
                            {"mult", std::uniform_int_distribution<int>(1, 1 << 14)(rng)},
                            {"shift", 20},
                            {"reverse", c.reverse}};
    if (selective) {
        in.push_back(
            input("delta", random_tensor<int8_t>(rng, act, -8, 127)));  // a few negative: index clamps
        in.push_back(input("A", random_tensor<int16_t>(rng, {c.ch, c.state}, -3000, 0)));
        in.push_back(input("B", random_tensor<int8_t>(rng, {c.batch, c.len, c.state}, -128, 127)));
        in.push_back(input("C", random_tensor<int8_t>(rng, {c.batch, c.len, c.state}, -128, 127)));
        in.push_back(input("D", random_tensor<int32_t>(rng, {c.ch}, -(1 << 20), 1 << 20)));
        const int64_t size =
            std::uniform_int_distribution<int64_t>(16, 6000)(rng);  // over 4096: global table
        in.push_back(input("exp_table", exp_table(size, 4.0 / static_cast<double>(size))));
        attrs["exp_shift"] = std::uniform_int_distribution<int>(4, 12)(rng);
        if (c.gated) {
            in.push_back(input("z", random_tensor<int8_t>(rng, act, -128, 127)));
            in.push_back(input("silu_lut", random_tensor<int8_t>(rng, {256}, -128, 127)));
            attrs["gate_mult"] = std::uniform_int_distribution<int>(1, 1 << 12)(rng);
            attrs["gate_shift"] = 14;
        }
    } else {
        in.push_back(input("Abar", random_tensor<int32_t>(rng, {c.ch, c.state}, 20000, 32768)));
        in.push_back(input("Bbar", random_tensor<int16_t>(rng, {c.ch, c.state}, -32768, 32767)));
        in.push_back(input("C", random_tensor<int16_t>(rng, {c.ch, c.state}, -32768, 32767)));
        in.push_back(input("D", random_tensor<int32_t>(rng, {c.ch}, -(1 << 20), 1 << 20)));
        attrs["y_shift"] = std::uniform_int_distribution<int>(20, 40)(rng);
    }
    t.add_tensor({"y", DType::int8, act});
    t.ops.push_back({"scan", selective ? "selective_scan" : "s4d_scan", in, {"y"}, attrs});
    t.outputs = {"y"};
    validate_trace(t, t.name);
    t.has_data = true;
    return b;
}

// Every third case is an attention case; the scan cases alternate kinds, gates and directions.
Case random_case(int i, std::mt19937_64& rng) {
    Case c;
    c.batch = pick<int64_t>(rng, {1, 1, 2, 3});
    // Every fourth case is a GEMM (linear; one in five of those the classifier): N and K of the LRA models
    // and around the mma kernel's tiles (128 rows, 16..128 columns, k steps of 64); K % 16 != 0 and N < 16
    // take the wmma kernel or the tile edges.
    if (i % 4 == 3) {
        c.kind = Kind::linear;
        c.classifier = (i / 4) % 5 == 4;
        c.len = pick<int64_t>(rng, {1, 2, 63, 127, 128, 129, 300, 1000, 1024});
        c.n_out = pick<int64_t>(rng, {1, 3, 10, 15, 16, 17, 32, 33, 64, 100, 128, 129, 256, 512});
        c.k_in = pick<int64_t>(rng, {16, 32, 48, 64, 80, 128, 144, 256, 512, 1024, 1, 8, 17, 40, 100});
        c.bias = std::uniform_int_distribution<int>(0, 3)(rng) != 0;
        // One in four is tall (4,500 .. 60,000 rows): more tiles than the GPU holds at once, several waves of
        // the mma kernel's CTAs. The reference's work stays under 2^30 multiply-adds.
        if (!c.classifier && std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
            c.len = pick<int64_t>(rng, {4500, 9001, 20000});
            c.k_in = pick<int64_t>(rng, {16, 32, 64, 80, 128, 256});
            while (c.batch * c.len * c.n_out * c.k_in > (int64_t{1} << 30) && c.k_in > 16) c.k_in /= 2;
        }
        return c;
    }
    if (i % 3 == 2) {
        c.kind = Kind::attention;
        c.causal = (i / 3) % 2 == 1;
        c.len = pick<int64_t>(rng, {1, 2, 63, 64, 65, 100, 129, 300, 1000});
        const int64_t dh = pick<int64_t>(rng, {32, 64, 128, 16, 8, 4, 48});  // 48: the fallback kernel
        c.state = pick<int64_t>(rng, {1, 2, 3});
        c.ch = dh * c.state;
        return c;
    }
    c.kind = i % 3 == 0 ? Kind::selective : Kind::s4d;
    c.gated = c.kind == Kind::selective && (i / 3) % 2 == 1;
    c.reverse = (i / 6) % 2 == 1;
    c.len = pick<int64_t>(rng, {1, 2, 31, 32, 33, 64, 95, 200, 1000});
    c.ch = pick<int64_t>(rng, {1, 3, 5, 37, 64, 130});
    c.state = c.kind == Kind::selective ? pick<int64_t>(rng, {1, 3, 4, 16, 17, 33, 64, 65, 100})
                                        : pick<int64_t>(rng, {1, 2, 4, 7, 64, 129, 200, 300, 512, 513});
    return c;
}

std::string describe(const Case& c) {
    if (c.kind == Kind::linear)
        return fmt::format("{}{} M={} N={} K={}", c.classifier ? "classifier" : "linear",
                           c.bias || c.classifier ? "" : " no-bias", c.batch * c.len, c.n_out, c.k_in);
    if (c.kind == Kind::attention)
        return fmt::format("attention{} B={} L={} W={} heads={}", c.causal ? " causal" : "", c.batch, c.len,
                           c.ch, c.state);
    return fmt::format("{}{}{} B={} L={} E={} N={}",
                       c.kind == Kind::selective ? "selective_scan" : "s4d_scan", c.gated ? " gated" : "",
                       c.reverse ? " reverse" : "", c.batch, c.len, c.ch, c.state);
}

}  // namespace

int run_kernel_selftest(int cases, uint64_t seed, bool dry_run) {
    std::mt19937_64 rng(seed);
    int failed = 0;
    for (int i = 0; i < cases; ++i) {
        const Case c = random_case(i, rng);
        Built b = build(c, rng);
        if (dry_run) continue;
        GpuRunOptions opt;
        opt.warmup = 0;
        opt.repeat = 1;
        opt.keep_all = true;
        const GpuRun run = run_on_gpu(b.trace, b.data, opt);
        const Comparison cmp = compare_with_reference(b.trace, b.data, run, 1e-3);
        fmt::print("{} {:>4}: {}: {} saturations, {}\n", cmp.ok ? "ok  " : "FAIL", i, describe(c),
                   run.saturations, cmp.summary);
        failed += cmp.ok ? 0 : 1;
    }
    fmt::print("kernel selftest: {} passed, {} failed\n", cases - failed, failed);
    return failed;
}

}  // namespace ssmsim::cuda
