#include "kernels/harness/scan_selftest.h"

#include <fmt/format.h>

#include <cmath>
#include <random>

#include "kernels/harness/compare.h"
#include "kernels/harness/gpu_executor.h"
#include "sim/trace/trace_io.h"

namespace ssmsim::cuda {

namespace {

struct Case {
    bool selective = true, gated = false, reverse = false;
    int64_t batch = 1, len = 1, ch = 1, state = 1;
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

struct Built {
    Trace trace;
    TensorStore data;
};

Built build(const Case& c, std::mt19937_64& rng) {
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
    if (c.selective) {
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
    t.ops.push_back({"scan", c.selective ? "selective_scan" : "s4d_scan", in, {"y"}, attrs});
    t.outputs = {"y"};
    validate_trace(t, t.name);
    t.has_data = true;
    return b;
}

template <typename T>
T pick(std::mt19937_64& rng, std::initializer_list<T> values) {
    std::uniform_int_distribution<size_t> d(0, values.size() - 1);
    return *(values.begin() + d(rng));
}

}  // namespace

int run_scan_selftest(int cases, uint64_t seed, bool dry_run) {
    std::mt19937_64 rng(seed);
    int failed = 0;
    for (int i = 0; i < cases; ++i) {
        Case c;
        c.selective = i % 2 == 0;
        c.gated = c.selective && (i / 2) % 2 == 1;
        c.reverse = (i / 4) % 2 == 1;
        c.batch = pick<int64_t>(rng, {1, 1, 2, 3});
        c.len = pick<int64_t>(rng, {1, 2, 31, 32, 33, 64, 95, 200, 1000});
        c.ch = pick<int64_t>(rng, {1, 3, 5, 37, 64, 130});
        c.state = c.selective ? pick<int64_t>(rng, {1, 3, 4, 16, 17, 33, 64, 65, 100})
                              : pick<int64_t>(rng, {1, 2, 4, 7, 64, 129, 200, 300, 512, 513});
        Built b = build(c, rng);
        if (dry_run) continue;
        GpuRunOptions opt;
        opt.warmup = 0;
        opt.repeat = 1;
        opt.keep_all = true;
        const GpuRun run = run_on_gpu(b.trace, b.data, opt);
        const Comparison cmp = compare_with_reference(b.trace, b.data, run, 1e-3);
        fmt::print("{} {:>4}: {}{}{} B={} L={} E={} N={}: {} saturations, {}\n", cmp.ok ? "ok  " : "FAIL", i,
                   c.selective ? "selective_scan" : "s4d_scan", c.gated ? " gated" : "",
                   c.reverse ? " reverse" : "", c.batch, c.len, c.ch, c.state, run.saturations, cmp.summary);
        failed += cmp.ok ? 0 : 1;
    }
    fmt::print("scan selftest: {} passed, {} failed\n", cases - failed, failed);
    return failed;
}

}  // namespace ssmsim::cuda
