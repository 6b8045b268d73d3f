// The C++ scan engine: the contract's recurrence (docs/numerics.md, selective_scan and s4d_scan) for one
// channel group over one chunk. Steps run outermost, as in the hardware, where every lane advances one
// step per issue slot.
#include <optional>
#include <stdexcept>

#include "models/systolic/scan_engine.h"
#include "sim/numerics/fixed_point.h"

namespace ssmsim::systolic {

namespace {

class TlmScanEngine : public ScanEngine {
public:
    std::string name() const override { return "tlm"; }

    void run(const ScanOperands& op, const ScanChunk& ck, uint64_t& sat) override {
        op.selective ? selective(op, ck, sat) : s4d(op, ck, sat);
    }

private:
    static int64_t time_of(const ScanOperands& op, int64_t step) {
        return op.reverse ? op.len - 1 - step : step;
    }

    // Requantization and the optional gate: the output stage shared by both scans.
    static int8_t output(const ScanOperands& op, int64_t y, int64_t x, int64_t e, int64_t zi, uint64_t& sat) {
        const int64_t ys = fx::sat32(fx::rshift_round(y, op.y_shift), sat);
        const int64_t with_skip = fx::sat32(ys + int64_t{op.d[e]} * x, sat);
        int8_t o = fx::requant(with_skip, op.mult, op.shift, sat);
        if (!op.z.empty()) {
            o = fx::requant(int64_t{o} * op.silu[fx::lut_index(op.z[zi])], op.gate_mult, op.gate_shift, sat);
        }
        return o;
    }

    static void selective(const ScanOperands& op, const ScanChunk& ck, uint64_t& sat) {
        const int64_t n = op.states, ch = op.channels;
        const int64_t tsize = static_cast<int64_t>(op.exp_table.size());
        for (int64_t s = ck.step0; s < ck.step0 + ck.steps; ++s) {
            const int64_t row = ck.batch * op.len + time_of(op, s);
            const int8_t* brow = &op.b[row * n];
            const int8_t* crow = &op.c[row * n];
            for (int64_t e = ck.ch0; e < ck.ch1; ++e) {
                const int64_t dt = op.delta[row * ch + e];
                const int64_t x = op.u[row * ch + e];
                int32_t* h = &ck.state[(e - ck.ch0) * n];
                const int16_t* ae = &op.a[e * n];
                int64_t y = 0;
                for (int64_t k = 0; k < n; ++k) {
                    const int64_t abar = op.exp_table[fx::table_index(-dt * ae[k], op.exp_shift, tsize)];
                    const int64_t decayed = fx::rshift_round(abar * h[k], fx::kQ15);
                    h[k] = fx::sat32(decayed + dt * brow[k] * x, sat);
                    y += int64_t{crow[k]} * h[k];
                }
                op.out[row * ch + e] = output(op, y, x, e, row * ch + e, sat);
            }
        }
    }

    static void s4d(const ScanOperands& op, const ScanChunk& ck, uint64_t& sat) {
        const int64_t n = op.states, ch = op.channels;
        for (int64_t s = ck.step0; s < ck.step0 + ck.steps; ++s) {
            const int64_t row = ck.batch * op.len + time_of(op, s);
            for (int64_t e = ck.ch0; e < ck.ch1; ++e) {
                const int64_t x = op.u[row * ch + e];
                int32_t* h = &ck.state[(e - ck.ch0) * n];
                int64_t y = 0;
                for (int64_t k = 0; k < n; ++k) {
                    const int64_t i = e * n + k;
                    h[k] = fx::sat32(fx::rshift_round(int64_t{op.abar[i]} * h[k], fx::kQ15) + op.bbar[i] * x,
                                     sat);
                    y += int64_t{op.cs4d[i]} * h[k];
                }
                op.out[row * ch + e] = output(op, y, x, e, row * ch + e, sat);
            }
        }
    }
};

std::optional<RtlScanOverride>& override_slot() {
    static std::optional<RtlScanOverride> o;
    return o;
}

}  // namespace

void set_rtl_scan_override(RtlScanOverride o) { override_slot() = std::move(o); }
void clear_rtl_scan_override() { override_slot().reset(); }
const RtlScanOverride* rtl_scan_override() { return override_slot() ? &*override_slot() : nullptr; }

std::unique_ptr<ScanEngine> make_scan_engine(const std::string& kind) {
    if (kind == "tlm") return std::make_unique<TlmScanEngine>();
    if (kind == "rtl") {
        if (const RtlScanOverride* o = rtl_scan_override()) return o->make();  // ssmsim rtl verify's design
        return make_rtl_scan_engine();
    }
    throw std::invalid_argument("scan.unit: no scan engine '" + kind + "'");
}

}  // namespace ssmsim::systolic
