// Multi-head attention with the contract's integer softmax (docs/numerics.md, "Attention"):
// scores in int32, max-subtracted, exp by table, probabilities in Q1.15 by integer division, then P·V.
#include <algorithm>
#include <cmath>
#include <vector>

#include "reference/ops/kernels.h"
#include "sim/numerics/contract_ops.h"

namespace ssmsim::reference {

namespace {

void attention_int(OpView& v) {
    const Shape& s = v.in_shape(0);
    const int64_t batch = s[0], len = s[1], width = s[2];
    const int64_t heads = v.attr_int("heads");
    const int64_t dh = width / heads;
    const bool causal = v.attr_bool("causal", false);
    const auto q = v.in_as<int8_t>(0);
    const auto k = v.in_as<int8_t>(1);
    const auto val = v.in_as<int8_t>(2);
    const auto table = v.in_as<int32_t>(3);
    for (size_t i = 0; i < table.size(); ++i) {
        if (table[i] < 0 || table[i] > 32768)
            v.bad_value(3, static_cast<int64_t>(i), "a Q1.15 value in [0, 32768]", table[i]);
    }
    if (table[0] == 0) v.bad_value(3, 0, "a positive first entry (exp(0) = 32768)", 0);
    const int64_t table_size = static_cast<int64_t>(table.size());
    const int64_t score_mult = v.attr_int("score_mult");
    const int score_shift = v.attr_shift("score_shift");
    auto out = v.out(0).as<int8_t>();
    std::vector<int32_t> score(len);
    std::vector<int64_t> e(len);
    std::vector<int64_t> acc(dh);
    for (int64_t b = 0; b < batch; ++b) {
        for (int64_t hd = 0; hd < heads; ++hd) {
            for (int64_t i = 0; i < len; ++i) {
                const int64_t last = causal ? i : len - 1;
                const int8_t* qi = &q[(b * len + i) * width + hd * dh];
                int32_t best = INT32_MIN;
                for (int64_t j = 0; j <= last; ++j) {
                    const int8_t* kj = &k[(b * len + j) * width + hd * dh];
                    int32_t sc = 0;
                    for (int64_t d = 0; d < dh; ++d) sc += int32_t{qi[d]} * int32_t{kj[d]};
                    score[j] = sc;
                    best = std::max(best, sc);
                }
                int64_t sum = 0;
                for (int64_t j = 0; j <= last; ++j) {
                    e[j] =
                        fx::attention_exp(table.data(), table_size, best, score[j], score_mult, score_shift);
                    sum += e[j];
                }
                // sum >= table[0] > 0: the maximum's own entry is table[0].
                std::fill(acc.begin(), acc.end(), 0);
                for (int64_t j = 0; j <= last; ++j) {
                    const int64_t p = fx::attention_prob(e[j], sum);
                    const int8_t* vj = &val[(b * len + j) * width + hd * dh];
                    for (int64_t d = 0; d < dh; ++d) acc[d] += p * vj[d];
                }
                int8_t* oi = &out[(b * len + i) * width + hd * dh];
                for (int64_t d = 0; d < dh; ++d) oi[d] = fx::attention_out(acc[d], v.saturations);
            }
        }
    }
}

void attention_float(OpView& v) {
    const Shape& s = v.in_shape(0);
    const int64_t batch = s[0], len = s[1], width = s[2];
    const int64_t heads = v.attr_int("heads");
    const int64_t dh = width / heads;
    const bool causal = v.attr_bool("causal", false);
    const float scale = static_cast<float>(v.attr_number("scale"));
    const auto q = v.in_as<float>(0);
    const auto k = v.in_as<float>(1);
    const auto val = v.in_as<float>(2);
    auto out = v.out(0).as<float>();
    std::vector<float> p(len);
    std::vector<float> acc(dh);
    for (int64_t b = 0; b < batch; ++b) {
        for (int64_t hd = 0; hd < heads; ++hd) {
            for (int64_t i = 0; i < len; ++i) {
                const int64_t last = causal ? i : len - 1;
                const float* qi = &q[(b * len + i) * width + hd * dh];
                float best = -INFINITY;
                for (int64_t j = 0; j <= last; ++j) {
                    const float* kj = &k[(b * len + j) * width + hd * dh];
                    float sc = 0.0f;
                    for (int64_t d = 0; d < dh; ++d) sc += qi[d] * kj[d];
                    p[j] = sc * scale;
                    best = std::max(best, p[j]);
                }
                float sum = 0.0f;
                for (int64_t j = 0; j <= last; ++j) {
                    p[j] = std::exp(p[j] - best);
                    sum += p[j];
                }
                std::fill(acc.begin(), acc.end(), 0.0f);
                for (int64_t j = 0; j <= last; ++j) {
                    const float* vj = &val[(b * len + j) * width + hd * dh];
                    for (int64_t d = 0; d < dh; ++d) acc[d] += p[j] / sum * vj[d];
                }
                std::copy(acc.begin(), acc.end(), &out[(b * len + i) * width + hd * dh]);
            }
        }
    }
}

}  // namespace

void attention(OpView& v) { v.int_mode() ? attention_int(v) : attention_float(v); }

}  // namespace ssmsim::reference
