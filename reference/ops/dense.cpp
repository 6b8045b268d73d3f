// embedding, linear, conv1d_causal_depthwise, pool, classifier, reshape (docs/numerics.md).
#include <cstring>

#include "reference/ops/kernels.h"
#include "sim/numerics/contract_ops.h"
#include "sim/ops/op_schema.h"

namespace ssmsim::reference {

namespace {

void check_bias(OpView& v, size_t input) {
    const auto b = v.in_as<int32_t>(input);
    for (size_t i = 0; i < b.size(); ++i) {
        if (b[i] > limits::kMaxBiasMagnitude || b[i] < -limits::kMaxBiasMagnitude) {
            v.bad_value(input, static_cast<int64_t>(i), "a bias within +-(2^30 - 1)", b[i]);
        }
    }
}

template <typename T>
void embedding_impl(OpView& v) {
    const auto tok = v.in_as<int32_t>(0);
    const auto table = v.in_as<T>(1);
    const int64_t vocab = v.in_shape(1)[0];
    const int64_t d = v.in_shape(1)[1];
    auto out = v.out(0).as<T>();
    for (size_t i = 0; i < tok.size(); ++i) {
        if (tok[i] < 0 || tok[i] >= vocab)
            v.bad_value(0, static_cast<int64_t>(i), fmt_range(0, vocab - 1), tok[i]);
        std::memcpy(&out[i * d], &table[tok[i] * d], d * sizeof(T));
    }
}

}  // namespace

std::string fmt_range(int64_t lo, int64_t hi) {
    return "a value in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

void embedding(OpView& v) { v.int_mode() ? embedding_impl<int8_t>(v) : embedding_impl<float>(v); }

void linear(OpView& v) {
    const int64_t k = v.in_shape(1)[1];
    const int64_t n = v.in_shape(1)[0];
    const bool has_bias = v.n_inputs() == 3;
    if (v.int_mode()) {
        if (has_bias) check_bias(v, 2);
        const auto x = v.in_as<int8_t>(0);
        const auto w = v.in_as<int8_t>(1);
        const auto bias = has_bias ? v.in_as<int32_t>(2) : std::span<const int32_t>();
        const int64_t mult = v.attr_int("mult");
        const int shift = v.attr_shift("shift");
        auto out = v.out(0).as<int8_t>();
        const int64_t rows = static_cast<int64_t>(x.size()) / k;
        for (int64_t r = 0; r < rows; ++r) {
            const int8_t* xr = &x[r * k];
            for (int64_t o = 0; o < n; ++o) {
                const int8_t* wr = &w[o * k];
                int32_t acc = 0;  // exact: |sum| <= 2^30 by the K limit
                for (int64_t i = 0; i < k; ++i) acc += int32_t{xr[i]} * int32_t{wr[i]};
                out[r * n + o] = fx::requant_sum(acc, has_bias ? bias[o] : 0, mult, shift, v.saturations);
            }
        }
    } else {
        const auto x = v.in_as<float>(0);
        const auto w = v.in_as<float>(1);
        const auto bias = has_bias ? v.in_as<float>(2) : std::span<const float>();
        auto out = v.out(0).as<float>();
        const int64_t rows = static_cast<int64_t>(x.size()) / k;
        for (int64_t r = 0; r < rows; ++r) {
            for (int64_t o = 0; o < n; ++o) {
                float acc = 0.0f;
                for (int64_t i = 0; i < k; ++i) acc += x[r * k + i] * w[o * k + i];
                out[r * n + o] = acc + (has_bias ? bias[o] : 0.0f);
            }
        }
    }
}

void conv1d_causal_depthwise(OpView& v) {
    const Shape& s = v.in_shape(0);
    const int64_t batch = s[0], len = s[1], ch = s[2];
    const int64_t taps = v.in_shape(1)[1];
    const bool has_bias = v.n_inputs() == 3;
    if (v.int_mode()) {
        if (has_bias) check_bias(v, 2);
        const auto x = v.in_as<int8_t>(0);
        const auto w = v.in_as<int8_t>(1);
        const auto bias = has_bias ? v.in_as<int32_t>(2) : std::span<const int32_t>();
        const int64_t mult = v.attr_int("mult");
        const int shift = v.attr_shift("shift");
        auto out = v.out(0).as<int8_t>();
        for (int64_t b = 0; b < batch; ++b) {
            for (int64_t t = 0; t < len; ++t) {
                for (int64_t d = 0; d < ch; ++d) {
                    int64_t acc = has_bias ? bias[d] : 0;
                    for (int64_t j = 0; j < taps; ++j) {
                        const int64_t src = t - (taps - 1) + j;  // causal: zero before the sequence starts
                        if (src >= 0) acc += int64_t{w[d * taps + j]} * x[(b * len + src) * ch + d];
                    }
                    out[(b * len + t) * ch + d] = fx::requant(acc, mult, shift, v.saturations);
                }
            }
        }
    } else {
        const auto x = v.in_as<float>(0);
        const auto w = v.in_as<float>(1);
        const auto bias = has_bias ? v.in_as<float>(2) : std::span<const float>();
        auto out = v.out(0).as<float>();
        for (int64_t b = 0; b < batch; ++b) {
            for (int64_t t = 0; t < len; ++t) {
                for (int64_t d = 0; d < ch; ++d) {
                    float acc = 0.0f;
                    for (int64_t j = 0; j < taps; ++j) {
                        const int64_t src = t - (taps - 1) + j;
                        if (src >= 0) acc += w[d * taps + j] * x[(b * len + src) * ch + d];
                    }
                    out[(b * len + t) * ch + d] = acc + (has_bias ? bias[d] : 0.0f);
                }
            }
        }
    }
}

void pool(OpView& v) {
    const Shape& s = v.in_shape(0);
    const int64_t batch = s[0], len = s[1], ch = s[2];
    if (v.int_mode()) {
        const auto x = v.in_as<int8_t>(0);
        const int64_t mult = v.attr_int("mult");
        const int shift = v.attr_shift("shift");
        auto out = v.out(0).as<int8_t>();
        for (int64_t b = 0; b < batch; ++b) {
            for (int64_t d = 0; d < ch; ++d) {
                int64_t acc = 0;
                for (int64_t t = 0; t < len; ++t) acc += x[(b * len + t) * ch + d];
                out[b * ch + d] = fx::requant(acc, mult, shift, v.saturations);
            }
        }
    } else {
        const auto x = v.in_as<float>(0);
        auto out = v.out(0).as<float>();
        for (int64_t b = 0; b < batch; ++b) {
            for (int64_t d = 0; d < ch; ++d) {
                float acc = 0.0f;
                for (int64_t t = 0; t < len; ++t) acc += x[(b * len + t) * ch + d];
                out[b * ch + d] = acc / static_cast<float>(len);
            }
        }
    }
}

void classifier(OpView& v) {
    const int64_t batch = v.in_shape(0)[0], k = v.in_shape(0)[1];
    const int64_t classes = v.in_shape(1)[0];
    if (v.int_mode()) {
        check_bias(v, 2);
        const auto x = v.in_as<int8_t>(0);
        const auto w = v.in_as<int8_t>(1);
        const auto bias = v.in_as<int32_t>(2);
        auto out = v.out(0).as<int32_t>();
        for (int64_t b = 0; b < batch; ++b) {
            for (int64_t c = 0; c < classes; ++c) {
                int32_t acc = bias[c];
                for (int64_t i = 0; i < k; ++i) acc += int32_t{x[b * k + i]} * int32_t{w[c * k + i]};
                out[b * classes + c] = acc;
            }
        }
    } else {
        const auto x = v.in_as<float>(0);
        const auto w = v.in_as<float>(1);
        const auto bias = v.in_as<float>(2);
        auto out = v.out(0).as<float>();
        for (int64_t b = 0; b < batch; ++b) {
            for (int64_t c = 0; c < classes; ++c) {
                float acc = 0.0f;
                for (int64_t i = 0; i < k; ++i) acc += x[b * k + i] * w[c * k + i];
                out[b * classes + c] = acc + bias[c];
            }
        }
    }
}

void reshape(OpView& v) {
    const auto src = v.in(0).bytes();
    auto dst = v.out(0).bytes();
    std::memcpy(dst.data(), src.data(), src.size());
}

}  // namespace ssmsim::reference
