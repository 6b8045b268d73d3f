#include "kernels/harness/op_dispatch.h"

#include <cuda_runtime.h>

#include <stdexcept>

namespace ssmsim::cuda {

namespace {

class OpArgs {
public:
    OpArgs(const Trace& trace, const OpDecl& op, const DeviceStore& store) : op_(op), store_(store) {
        int_mode = trace.numerics == Numerics::int8;
    }
    const DeviceTensor& in(size_t i) const {
        const auto it = store_.find(op_.inputs.at(i));
        if (it == store_.end())
            throw std::logic_error("ssmsim-cuda: tensor '" + op_.inputs[i] + "' has no value");
        return it->second;
    }
    template <typename T>
    const T* ptr(size_t i) const {
        return in(i).as<T>();
    }
    template <typename T>
    const T* opt(size_t i) const {  // optional input: null when absent
        return i < op_.inputs.size() ? ptr<T>(i) : nullptr;
    }
    const Shape& shape(size_t i) const { return in(i).shape; }
    size_t n_inputs() const { return op_.inputs.size(); }
    int64_t attr(const char* key) const { return op_.attrs.at(key).get<int64_t>(); }
    int shift(const char* key) const { return static_cast<int>(attr(key)); }
    Requant requant(const char* mult = "mult", const char* shift_key = "shift") const {
        return {attr(mult), shift(shift_key)};
    }
    double number(const char* key) const { return op_.attrs.at(key).get<double>(); }
    bool flag(const char* key) const { return op_.attrs.value(key, false); }
    std::string text(const char* key, const std::string& fallback) const {
        return op_.attrs.value(key, fallback);
    }

    bool int_mode = true;

private:
    const OpDecl& op_;
    const DeviceStore& store_;
};

LutKind lut_kind(const std::string& kind) {
    if (kind == "silu") return LutKind::silu;
    if (kind == "softplus") return LutKind::softplus;
    if (kind == "exp") return LutKind::exp;
    if (kind == "gelu") return LutKind::gelu;
    if (kind == "relu") return LutKind::relu;
    return LutKind::sigmoid;
}

bool is_lut(const std::string& k) {
    return k == "silu" || k == "softplus" || k == "exp" || k == "gelu" || k == "relu" || k == "sigmoid";
}

ScanShape scan_shape(const OpArgs& a, int64_t state) {
    const Shape& s = a.shape(0);
    return {s[0], s[1], s[2], state, a.flag("reverse")};
}

void selective_scan(const OpArgs& a, DeviceTensor& out, Clips clips) {
    const ScanShape s = scan_shape(a, a.shape(2)[1]);
    if (a.int_mode) {
        const bool gated = a.n_inputs() == 9;
        SelectiveScanI8 p{a.ptr<int8_t>(0),
                          a.ptr<int8_t>(1),
                          a.ptr<int16_t>(2),
                          a.ptr<int8_t>(3),
                          a.ptr<int8_t>(4),
                          a.ptr<int32_t>(5),
                          a.ptr<int32_t>(6),
                          a.shape(6)[0],
                          gated ? a.ptr<int8_t>(7) : nullptr,
                          gated ? a.ptr<int8_t>(8) : nullptr,
                          a.shift("exp_shift"),
                          a.shift("y_shift"),
                          a.requant(),
                          gated ? a.requant("gate_mult", "gate_shift") : Requant{}};
        selective_scan_i8(p, s, out.as<int8_t>(), clips);
    } else {
        SelectiveScanF32 p{a.ptr<float>(0), a.ptr<float>(1), a.ptr<float>(2), a.ptr<float>(3),
                           a.ptr<float>(4), a.ptr<float>(5), a.opt<float>(6)};
        selective_scan_f32(p, s, out.as<float>());
    }
}

void s4d_scan(const OpArgs& a, DeviceTensor& out, Clips clips) {
    const ScanShape s = scan_shape(a, a.shape(1)[1]);
    if (a.int_mode) {
        S4dScanI8 p{a.ptr<int8_t>(0),  a.ptr<int32_t>(1),  a.ptr<int16_t>(2), a.ptr<int16_t>(3),
                    a.ptr<int32_t>(4), a.shift("y_shift"), a.requant()};
        s4d_scan_i8(p, s, out.as<int8_t>(), clips);
    } else {
        S4dScanF32 p{a.ptr<float>(0), a.ptr<float>(1), a.ptr<float>(2), a.ptr<float>(3), a.ptr<float>(4)};
        s4d_scan_f32(p, s, out.as<float>());
    }
}

void attention(const OpArgs& a, DeviceTensor& out, Clips clips) {
    const Shape& s = a.shape(0);
    const AttentionShape as{s[0], s[1], s[2], a.attr("heads"), a.flag("causal")};
    if (a.int_mode) {
        attention_i8(a.ptr<int8_t>(0), a.ptr<int8_t>(1), a.ptr<int8_t>(2), a.ptr<int32_t>(3), a.shape(3)[0],
                     a.attr("score_mult"), a.shift("score_shift"), as, out.as<int8_t>(), clips);
    } else {
        attention_f32(a.ptr<float>(0), a.ptr<float>(1), a.ptr<float>(2),
                      static_cast<float>(a.number("scale")), as, out.as<float>());
    }
}

}  // namespace

void launch_op(const Trace& trace, const OpDecl& op, const DeviceStore& store, DeviceTensor& out,
               Clips clips) {
    const OpArgs a(trace, op, store);
    const std::string& k = op.kind;
    const int64_t n = out.size();
    if (k == "embedding") {
        const Shape& table = a.shape(1);
        embedding(a.ptr<int32_t>(0), a.in(1).buf.get(), out.buf.get(), a.in(0).size(),
                  table[1] * static_cast<int64_t>(dtype_size(a.in(1).dtype)));
    } else if (k == "linear" || k == "classifier") {
        const int64_t nout = a.shape(1)[0], kdim = a.shape(1)[1];
        const int64_t rows = a.in(0).size() / kdim;
        if (!a.int_mode) {
            linear_f32(a.ptr<float>(0), a.ptr<float>(1), a.opt<float>(2), out.as<float>(), rows, nout, kdim);
        } else if (k == "linear") {
            linear_i8(a.ptr<int8_t>(0), a.ptr<int8_t>(1), a.opt<int32_t>(2), out.as<int8_t>(), rows, nout,
                      kdim, a.requant(), clips);
        } else {
            classifier_i8(a.ptr<int8_t>(0), a.ptr<int8_t>(1), a.ptr<int32_t>(2), out.as<int32_t>(), rows,
                          nout, kdim);
        }
    } else if (k == "conv1d_causal_depthwise") {
        const Shape& s = a.shape(0);
        const int64_t taps = a.shape(1)[1];
        if (a.int_mode) {
            conv1d_i8(a.ptr<int8_t>(0), a.ptr<int8_t>(1), a.opt<int32_t>(2), out.as<int8_t>(), s[0], s[1],
                      s[2], taps, a.requant(), clips);
        } else {
            conv1d_f32(a.ptr<float>(0), a.ptr<float>(1), a.opt<float>(2), out.as<float>(), s[0], s[1], s[2],
                       taps);
        }
    } else if (is_lut(k)) {
        if (a.int_mode) {
            lut_i8(a.ptr<int8_t>(0), a.ptr<int8_t>(1), out.as<int8_t>(), n);
        } else {
            lut_f32(lut_kind(k), a.ptr<float>(0), out.as<float>(), n);
        }
    } else if (k == "mul") {
        if (a.int_mode) {
            mul_i8(a.ptr<int8_t>(0), a.ptr<int8_t>(1), out.as<int8_t>(), n, a.requant(), clips);
        } else {
            mul_f32(a.ptr<float>(0), a.ptr<float>(1), out.as<float>(), n);
        }
    } else if (k == "add") {
        if (a.int_mode) {
            add_i8(a.ptr<int8_t>(0), a.ptr<int8_t>(1), out.as<int8_t>(), n, a.attr("mult_a"),
                   a.attr("mult_b"), a.shift("shift"), clips);
        } else {
            add_f32(a.ptr<float>(0), a.ptr<float>(1), out.as<float>(), n);
        }
    } else if (k == "gate") {
        if (a.int_mode) {
            gate_i8(a.ptr<int8_t>(0), a.ptr<int8_t>(1), a.ptr<int8_t>(2), out.as<int8_t>(), n, a.requant(),
                    clips);
        } else {
            gate_f32(a.ptr<float>(0), a.ptr<float>(1), out.as<float>(), n, a.text("fn", "silu") == "sigmoid");
        }
    } else if (k == "rmsnorm" || k == "layernorm") {
        const int64_t d = a.shape(1)[0];
        const bool center = k == "layernorm";
        if (a.int_mode) {
            norm_i8(a.ptr<int8_t>(0), a.ptr<int8_t>(1), center ? a.ptr<int32_t>(2) : nullptr,
                    out.as<int8_t>(), n / d, d, static_cast<uint64_t>(a.attr("eps")), a.requant(), clips);
        } else {
            norm_f32(a.ptr<float>(0), a.ptr<float>(1), center ? a.ptr<float>(2) : nullptr, out.as<float>(),
                     n / d, d, static_cast<float>(a.number("eps")));
        }
    } else if (k == "selective_scan") {
        selective_scan(a, out, clips);
    } else if (k == "s4d_scan") {
        s4d_scan(a, out, clips);
    } else if (k == "attention") {
        attention(a, out, clips);
    } else if (k == "pool") {
        const Shape& s = a.shape(0);
        if (a.int_mode) {
            pool_i8(a.ptr<int8_t>(0), out.as<int8_t>(), s[0], s[1], s[2], a.requant(), clips);
        } else {
            pool_f32(a.ptr<float>(0), out.as<float>(), s[0], s[1], s[2]);
        }
    } else if (k == "reshape") {
        if (out.buf.bytes() && cudaMemcpyAsync(out.buf.get(), a.in(0).buf.get(), out.buf.bytes(),
                                               cudaMemcpyDeviceToDevice) != cudaSuccess)
            throw std::runtime_error("CUDA: reshape copy failed");
    } else {
        throw std::logic_error("ssmsim-cuda: no kernel for op kind '" + k + "'");
    }
}

}  // namespace ssmsim::cuda
