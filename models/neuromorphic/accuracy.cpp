#include "models/neuromorphic/accuracy.h"

#include <cmath>
#include <cstdlib>

namespace ssmsim::neuromorphic {

namespace {

double value_at(const Tensor& t, int64_t i) {
    switch (t.dtype()) {
        case DType::int8:
            return t.as<int8_t>()[i];
        case DType::int16:
            return t.as<int16_t>()[i];
        case DType::int32:
            return t.as<int32_t>()[i];
        case DType::float32:
            return t.as<float>()[i];
    }
    return 0;
}

std::vector<int64_t> argmax_rows(const Tensor& t) {
    std::vector<int64_t> out;
    if (t.shape().size() != 2) return out;
    const int64_t rows = t.shape()[0], cols = t.shape()[1];
    for (int64_t r = 0; r < rows; ++r) {
        int64_t best = 0;
        for (int64_t c = 1; c < cols; ++c) {
            if (value_at(t, r * cols + c) > value_at(t, r * cols + best)) best = c;
        }
        out.push_back(best);
    }
    return out;
}

}  // namespace

nlohmann::ordered_json compare_outputs(const Trace& trace, const TensorStore& model, const TensorStore& ref) {
    double signal = 0, noise = 0, max_err = 0;
    bool exact = true;
    for (const auto& name : trace.outputs) {
        const Tensor& a = model.at(name);
        const Tensor& b = ref.at(name);
        exact = exact && a.nbytes() == b.nbytes() &&
                std::equal(a.bytes().begin(), a.bytes().end(), b.bytes().begin());
        for (int64_t i = 0; i < b.size(); ++i) {
            const double r = value_at(b, i), d = value_at(a, i) - r;
            signal += r * r;
            noise += d * d;
            max_err = std::max(max_err, std::abs(d));
        }
    }
    nlohmann::ordered_json j;
    j["exact"] = exact;
    if (noise > 0 && signal > 0) {
        j["snr_db"] = 10.0 * std::log10(signal / noise);
    } else {
        j["snr_db"] = nullptr;  // exact (infinite SNR) or a zero reference (undefined)
    }
    j["max_abs_error"] = max_err;
    const auto pa = argmax_rows(model.at(trace.outputs.front()));
    const auto pb = argmax_rows(ref.at(trace.outputs.front()));
    if (!pb.empty() && pa.size() == pb.size()) {
        int64_t same = 0;
        for (size_t i = 0; i < pa.size(); ++i) same += pa[i] == pb[i];
        j["class_agreement"] = static_cast<double>(same) / static_cast<double>(pb.size());
        j["reference_class"] = pb;
    }
    return j;
}

}  // namespace ssmsim::neuromorphic
