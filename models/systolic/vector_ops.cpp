#include "models/systolic/vector_ops.h"

#include <cstring>
#include <stdexcept>
#include <vector>

#include "sim/numerics/contract_ops.h"
#include "sim/numerics/tables.h"

namespace ssmsim::systolic {

namespace {

template <typename T>
const T* in(const TensorStore& st, const OpDecl& op, size_t i) {
    return st.at(op.inputs[i]).as<T>().data();
}
int64_t attr(const OpDecl& op, const char* key) { return op.attrs.at(key).get<int64_t>(); }
int attr_shift(const OpDecl& op, const char* key) { return static_cast<int>(attr(op, key)); }

// LUT ops, mul, add, gate: one pass, element i of the tile from element i of each input.
class Elementwise : public VectorOp {
public:
    enum class Kind { lut, mul, add, gate };
    Elementwise(Kind kind, const OpDecl& op, const TensorStore& st, Tensor& out, int64_t row_elems)
        : kind_(kind), e_(row_elems), a_(in<int8_t>(st, op, 0)), out_(out.as<int8_t>().data()) {
        switch (kind) {
            case Kind::lut:
                lut_ = in<int8_t>(st, op, 1);
                break;
            case Kind::gate:
                lut_ = in<int8_t>(st, op, 2);
                [[fallthrough]];
            case Kind::mul:
                b_ = in<int8_t>(st, op, 1);
                mult_ = attr(op, "mult");
                shift_ = attr_shift(op, "shift");
                break;
            case Kind::add:
                b_ = in<int8_t>(st, op, 1);
                mult_ = attr(op, "mult_a");
                mult_b_ = attr(op, "mult_b");
                shift_ = attr_shift(op, "shift");
                break;
        }
    }
    void rows(int64_t r0, int64_t r1, uint64_t& sat) override {
        const int64_t lo = r0 * e_, hi = r1 * e_;
        switch (kind_) {
            case Kind::lut:
                for (int64_t i = lo; i < hi; ++i) out_[i] = lut_[fx::lut_index(a_[i])];
                break;
            case Kind::mul:
                for (int64_t i = lo; i < hi; ++i) out_[i] = fx::mul_i8(a_[i], b_[i], mult_, shift_, sat);
                break;
            case Kind::add:
                for (int64_t i = lo; i < hi; ++i)
                    out_[i] = fx::add_i8(a_[i], b_[i], mult_, mult_b_, shift_, sat);
                break;
            case Kind::gate:  // b_ is z: a * silu(z), the table value from z
                for (int64_t i = lo; i < hi; ++i)
                    out_[i] = fx::mul_i8(a_[i], lut_[fx::lut_index(b_[i])], mult_, shift_, sat);
                break;
        }
    }

private:
    Kind kind_;
    int64_t e_;
    const int8_t* a_;
    const int8_t* b_ = nullptr;
    const int8_t* lut_ = nullptr;
    int64_t mult_ = 0, mult_b_ = 0;
    int shift_ = 0;
    int8_t* out_;
};

// rmsnorm (two passes: sum of squares, output) and layernorm (three: sum, sum of centred squares, output),
// each pass over every row of the tile before the next.
class Norm : public VectorOp {
public:
    Norm(bool center, const OpDecl& op, const TensorStore& st, Tensor& out, int64_t d)
        : center_(center),
          d_(d),
          x_(in<int8_t>(st, op, 0)),
          gamma_(in<int8_t>(st, op, 1)),
          beta_(center ? in<int32_t>(st, op, 2) : nullptr),
          eps_(static_cast<uint64_t>(attr(op, "eps"))),
          mult_(attr(op, "mult")),
          shift_(attr_shift(op, "shift")),
          rsqrt_(rsqrt_table().data()),
          out_(out.as<int8_t>().data()) {}
    void rows(int64_t r0, int64_t r1, uint64_t& sat) override {
        const int64_t n = r1 - r0, d = d_;
        sum_.assign(static_cast<size_t>(n), 0);
        ss_.assign(static_cast<size_t>(n), 0);
        // layernorm centres with D * (x - mean) = D x - sum, exact in integers; rmsnorm does not centre.
        auto centred = [&](int64_t r, int64_t i) {
            return center_ ? d * x_[r * d + i] - sum_[r - r0] : x_[r * d + i];
        };
        if (center_) {
            for (int64_t r = r0; r < r1; ++r) {
                int64_t s = 0;
                for (int64_t i = 0; i < d; ++i) s += x_[r * d + i];
                sum_[r - r0] = s;
            }
        }
        for (int64_t r = r0; r < r1; ++r) {
            uint64_t ss = 0;
            for (int64_t i = 0; i < d; ++i) {
                const int64_t xc = centred(r, i);
                ss += static_cast<uint64_t>(xc * xc);
            }
            ss_[r - r0] = ss;
        }
        for (int64_t r = r0; r < r1; ++r) {
            const fx::NormScale scale = fx::norm_scale(ss_[r - r0], static_cast<uint64_t>(d), eps_, rsqrt_);
            for (int64_t i = 0; i < d; ++i)
                out_[r * d + i] = fx::norm_output(centred(r, i), scale, gamma_[i], center_ ? beta_[i] : 0,
                                                  mult_, shift_, sat);
        }
    }

private:
    bool center_;
    int64_t d_;
    const int8_t* x_;
    const int8_t* gamma_;
    const int32_t* beta_;
    uint64_t eps_;
    int64_t mult_;
    int shift_;
    const int32_t* rsqrt_;
    int8_t* out_;
    std::vector<int64_t> sum_;
    std::vector<uint64_t> ss_;
};

// conv1d_causal_depthwise over rows (b, t) of [B, L, C]: one multiply-add pass per tap over the tile, the
// accumulators held between passes, then the requantization pass. A tap before the sequence starts reads 0.
class Conv1d : public VectorOp {
public:
    Conv1d(const OpDecl& op, const TensorStore& st, Tensor& out, const Shape& xs, int64_t taps)
        : len_(xs[1]),
          ch_(xs[2]),
          taps_(taps),
          x_(in<int8_t>(st, op, 0)),
          bias_(op.inputs.size() == 3 ? in<int32_t>(st, op, 2) : nullptr),
          mult_(attr(op, "mult")),
          shift_(attr_shift(op, "shift")),
          out_(out.as<int8_t>().data()) {
        // The weight SRAM holds the taps tap-major, so that a pass reads one tap of every channel.
        const int8_t* w = in<int8_t>(st, op, 1);
        w_.resize(static_cast<size_t>(taps * ch_));
        for (int64_t c = 0; c < ch_; ++c)
            for (int64_t j = 0; j < taps; ++j) w_[j * ch_ + c] = w[c * taps + j];
    }
    void rows(int64_t r0, int64_t r1, uint64_t& sat) override {
        const int64_t ch = ch_;
        acc_.assign(static_cast<size_t>((r1 - r0) * ch), 0);
        for (int64_t j = 0; j < taps_; ++j) {
            const int8_t* wj = &w_[j * ch];
            const int64_t lag = taps_ - 1 - j;
            for (int64_t r = r0; r < r1; ++r) {
                if (r % len_ < lag) continue;  // causal: zero before the sequence starts
                const int8_t* xr = x_ + (r - lag) * ch;
                int64_t* ar = &acc_[(r - r0) * ch];
                for (int64_t c = 0; c < ch; ++c) ar[c] += int64_t{wj[c]} * xr[c];
            }
        }
        for (int64_t r = r0; r < r1; ++r) {
            const int64_t* ar = &acc_[(r - r0) * ch];
            for (int64_t c = 0; c < ch; ++c)
                out_[r * ch + c] = fx::requant_sum(ar[c], bias_ ? bias_[c] : 0, mult_, shift_, sat);
        }
    }

private:
    int64_t len_, ch_, taps_;
    const int8_t* x_;
    const int32_t* bias_;
    int64_t mult_;
    int shift_;
    int8_t* out_;
    std::vector<int8_t> w_;
    std::vector<int64_t> acc_;
};

// pool: every row of x [B, L, C] adds into its batch item's C running sums, which persist from tile to tile;
// a batch item's means are requantized when its last time step has been added.
class Pool : public VectorOp {
public:
    Pool(const OpDecl& op, const TensorStore& st, Tensor& out, const Shape& xs)
        : len_(xs[1]),
          ch_(xs[2]),
          x_(in<int8_t>(st, op, 0)),
          mult_(attr(op, "mult")),
          shift_(attr_shift(op, "shift")),
          out_(out.as<int8_t>().data()),
          acc_(static_cast<size_t>(xs[0] * xs[2]), 0) {}
    void rows(int64_t r0, int64_t r1, uint64_t& sat) override {
        for (int64_t r = r0; r < r1; ++r) {
            const int64_t b = r / len_;
            int64_t* ab = &acc_[b * ch_];
            const int8_t* xr = x_ + r * ch_;
            for (int64_t c = 0; c < ch_; ++c) ab[c] += xr[c];
            if (r % len_ != len_ - 1) continue;
            for (int64_t c = 0; c < ch_; ++c)
                out_[b * ch_ + c] = fx::requant_sum(ab[c], 0, mult_, shift_, sat);
        }
    }

private:
    int64_t len_, ch_;
    const int8_t* x_;
    int64_t mult_;
    int shift_;
    int8_t* out_;
    std::vector<int64_t> acc_;
};

// embedding: one table row gathered per token (the token ids were checked before the op ran).
class Embedding : public VectorOp {
public:
    Embedding(const OpDecl& op, const TensorStore& st, Tensor& out)
        : tok_(in<int32_t>(st, op, 0)),
          table_(st.at(op.inputs[1]).bytes().data()),
          out_(out.bytes().data()),
          row_bytes_(out.shape().back() * static_cast<int64_t>(dtype_size(out.dtype()))) {}
    void rows(int64_t r0, int64_t r1, uint64_t&) override {
        for (int64_t r = r0; r < r1; ++r)
            std::memcpy(out_ + r * row_bytes_, table_ + tok_[r] * row_bytes_,
                        static_cast<size_t>(row_bytes_));
    }

private:
    const int32_t* tok_;
    const std::byte* table_;
    std::byte* out_;
    int64_t row_bytes_;
};

}  // namespace

VectorRows vector_rows(const Trace& trace, const OpDecl& op) {
    const Shape& first = trace.tensor(op.inputs[0]).shape;
    if (op.kind == "embedding") return {element_count(first), trace.tensor(op.outputs[0]).shape.back()};
    return {element_count(first) / first.back(), first.back()};
}

std::unique_ptr<VectorOp> make_vector_op(const Trace& trace, const OpDecl& op, const TensorStore& st,
                                         Tensor& out) {
    using K = Elementwise::Kind;
    const std::string& kind = op.kind;
    const VectorRows vr = vector_rows(trace, op);
    if (kind == "silu" || kind == "softplus" || kind == "exp" || kind == "gelu" || kind == "relu" ||
        kind == "sigmoid")
        return std::make_unique<Elementwise>(K::lut, op, st, out, vr.row_elems);
    if (kind == "mul") return std::make_unique<Elementwise>(K::mul, op, st, out, vr.row_elems);
    if (kind == "add") return std::make_unique<Elementwise>(K::add, op, st, out, vr.row_elems);
    if (kind == "gate") return std::make_unique<Elementwise>(K::gate, op, st, out, vr.row_elems);
    if (kind == "rmsnorm" || kind == "layernorm")
        return std::make_unique<Norm>(kind == "layernorm", op, st, out, vr.row_elems);
    const Shape& xs = trace.tensor(op.inputs[0]).shape;
    if (kind == "conv1d_causal_depthwise")
        return std::make_unique<Conv1d>(op, st, out, xs, trace.tensor(op.inputs[1]).shape[1]);
    if (kind == "pool") return std::make_unique<Pool>(op, st, out, xs);
    if (kind == "embedding") return std::make_unique<Embedding>(op, st, out);
    throw std::logic_error("systolic: the vector unit has no walk for op kind '" + kind + "'");
}

}  // namespace ssmsim::systolic
