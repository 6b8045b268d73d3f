// Drives a Verilated scan unit (rtl/scan_unit.sv) through one ScanChunk of models/systolic/scan_engine.h:
// loads the group's parameters and carried state through the host ports, streams one beat per issue slot,
// collects the outputs in channel order, reads the state back, and measures the cycles from the first
// beat in to the last beat out. The engine behind `--scan-unit rtl`, the tests and the benchmark use it.
// Templated on the Verilated class, since each parameter set is its own class with the same ports.
#pragma once

#include <verilated.h>
#include <verilated_fst_c.h>

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "models/systolic/scan_engine.h"
#include "rtl/scan_unit_config.h"

namespace ssmsim::rtl {

static_assert(std::endian::native == std::endian::little, "byte lanes of Verilated ports");

// Bits [bit, bit + width) of a Verilated port: an integer (<= 64 bits) or a VlWide.
template <class Port>
void put_bits(Port& port, int bit, int width, uint64_t v) {
    if constexpr (std::is_integral_v<Port>) {
        const uint64_t mask = width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
        port = static_cast<Port>((static_cast<uint64_t>(port) & ~(mask << bit)) | ((v & mask) << bit));
    } else {
        for (int i = 0; i < width;) {
            const int w = (bit + i) / 32, o = (bit + i) % 32, n = std::min(32 - o, width - i);
            const uint32_t m = (n == 32 ? ~uint32_t{0} : ((uint32_t{1} << n) - 1)) << o;
            port[w] = (port[w] & ~m) | ((static_cast<uint32_t>(v >> i) << o) & m);
            i += n;
        }
    }
}

template <class Port>
uint64_t get_bits(const Port& port, int bit, int width) {
    const uint64_t mask = width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
    if constexpr (std::is_integral_v<Port>) {
        return (static_cast<uint64_t>(port) >> bit) & mask;
    } else {
        uint64_t v = 0;
        for (int i = 0; i < width;) {
            const int w = (bit + i) / 32, o = (bit + i) % 32, n = std::min(32 - o, width - i);
            v |= static_cast<uint64_t>((port[w] >> o) & (n == 32 ? ~uint32_t{0} : ((uint32_t{1} << n) - 1)))
                 << i;
            i += n;
        }
        return v & mask;
    }
}

// The bytes of a port (little endian words): lane l of a port with 8-bit lanes is byte l.
template <class Port>
uint8_t* byte_lanes(Port& port) {
    if constexpr (std::is_integral_v<Port>) {
        return reinterpret_cast<uint8_t*>(&port);
    } else {
        return reinterpret_cast<uint8_t*>(port.data());
    }
}

// Lane l of a port whose lanes are sizeof(T) bytes wide (memcpy: the port's words may be of another type).
template <class T>
void put_lane(uint8_t* port, int64_t l, T v) {
    std::memcpy(port + l * static_cast<int64_t>(sizeof(T)), &v, sizeof(T));
}
template <class T>
T get_lane(const uint8_t* port, int64_t l) {
    T v;
    std::memcpy(&v, port + l * static_cast<int64_t>(sizeof(T)), sizeof(T));
    return v;
}

// Numbers the coverage files of one process (every model class shares the sequence).
inline int coverage_serial() {
    static int serial = 0;
    return serial++;
}

struct DriverOptions {
    std::vector<std::string> plusargs;  // e.g. +scan_exp_table=FILE: tables read by $readmemh at start
    std::string waves;                  // FST file to write ("" = none)
    // Flow control for the tests (default: always): may the driver offer a beat / take an output this cycle.
    std::function<bool(uint64_t cycle)> input_valid, output_ready;
};

template <class Model>
class ScanUnitDriver {
public:
    // Whether the model was verilated with tracing (rtl/CMakeLists.txt builds the 64-lane unit both ways).
    static constexpr bool kTraced = requires(Model & m, VerilatedFstC* f) { m.trace(f, 99); };

    ScanUnitDriver(ScanUnitParams params, DriverOptions options = {})
        : p_(params), opt_(std::move(options)), ctx_(std::make_unique<VerilatedContext>()) {
        std::vector<const char*> argv{"scan_unit"};
        for (const auto& a : opt_.plusargs) argv.push_back(a.c_str());
        ctx_->commandArgs(static_cast<int>(argv.size()), argv.data());
        if (!opt_.waves.empty()) ctx_->traceEverOn(true);
        m_ = std::make_unique<Model>(ctx_.get(), "scan");
        if (!opt_.waves.empty()) {
            if constexpr (kTraced) {
                fst_ = std::make_unique<VerilatedFstC>();
                m_->trace(fst_.get(), 99);
                fst_->open(opt_.waves.c_str());
            } else {
                throw std::invalid_argument(
                    "scan unit: waves asked for, but this model was built without tracing");
            }
        }
        m_->rst = 1;
        tick();
        tick();
        m_->rst = 0;
    }

    ~ScanUnitDriver() {
        if (fst_) fst_->close();
        m_->final();
#if SSMSIM_RTL_COVERAGE
        // Models built with --coverage (rtl/scripts/coverage.sh): one file per driver, merged afterwards.
        if (const char* dir = std::getenv("SSMSIM_RTL_COVERAGE_DIR")) {
            const std::string f = std::string(dir) + "/scan_" + std::to_string(::getpid()) + "_" +
                                  std::to_string(coverage_serial()) + ".dat";
            ctx_->coveragep()->write(f.c_str());
        }
#endif
    }

    ScanUnitDriver(const ScanUnitDriver&) = delete;
    ScanUnitDriver& operator=(const ScanUnitDriver&) = delete;

    const ScanUnitParams& params() const { return p_; }
    int outs() const { return p_.lanes >> p_.log_nmin; }
    uint64_t total_cycles() const { return cycle_; }  // every clock edge since construction

    // Tables that $readmemh already put in the unit (plusargs): the driver writes them only if they differ.
    void assume_exp_table(std::span<const int32_t> t) { exp_loaded_.assign(t.begin(), t.end()); }
    void assume_silu_lut(std::span<const int8_t> t) { silu_loaded_.assign(t.begin(), t.end()); }

    // The chunk's pairs and slots, and whether this unit can run them (empty string) or why not.
    std::string unsupported(const systolic::ScanOperands& op, const systolic::ScanChunk& ck) const {
        const int64_t n = op.states, pairs = (ck.ch1 - ck.ch0) * n;
        if (n < (int64_t{1} << p_.log_nmin) || n > (int64_t{1} << 15) ||
            !std::has_single_bit(static_cast<uint64_t>(n)))
            return "a power of two in [" + std::to_string(1 << p_.log_nmin) +
                   ", 32768] states per channel, found " + std::to_string(n);
        if ((pairs + p_.lanes - 1) / p_.lanes > p_.slots)
            return "at most " + std::to_string(p_.slots * p_.lanes) +
                   " (channel, state) pairs per chunk, found " + std::to_string(pairs);
        if (op.selective && static_cast<int64_t>(op.exp_table.size()) > p_.table_depth)
            return "an exp table of at most " + std::to_string(p_.table_depth) + " entries, found " +
                   std::to_string(op.exp_table.size());
        return {};
    }

    // Runs the chunk; adds the unit's saturation count; returns the cycles from first beat in to last out.
    uint64_t run(const systolic::ScanOperands& op, const systolic::ScanChunk& ck, uint64_t& saturations) {
        if (const std::string why = unsupported(op, ck); !why.empty())
            throw std::invalid_argument("scan.unit \"rtl\": expected " + why);
        const int64_t P = p_.lanes, n = op.states, gch = ck.ch1 - ck.ch0, pairs = gch * n;
        const int64_t q = (pairs + P - 1) / P;
        const int log2n = std::countr_zero(static_cast<uint64_t>(n));
        const bool gated = op.selective && !op.z.empty();
        if (op.selective) load_exp_table(op.exp_table);
        if (gated) load_silu(op.silu);

        // Parameters and carried state, one slot of all lanes per cycle. Pair p = (e - ch0) * n + k is also
        // the state's index in ck.state.
        // The 16- and 32-bit fields are written as whole words; A/Abar (17 bits) bit by bit.
        uint8_t *bbar = byte_lanes(m_->pw_bbar), *cs = byte_lanes(m_->pw_c);
        uint8_t *d = byte_lanes(m_->pw_d), *st = byte_lanes(m_->st_wdata);
        for (int64_t j = 0; j < q; ++j) {
            for (int64_t l = 0; l < P; ++l) {
                const int64_t pr = j * P + l;
                const bool on = pr < pairs;
                const int64_t e = ck.ch0 + (pr >> log2n), i = e * n + (pr & (n - 1));
                put_bits(m_->pw_a, static_cast<int>(l) * 17, 17,
                         on ? (op.selective ? op.a[i] : op.abar[i]) : 0);
                put_lane(bbar, l, static_cast<uint16_t>(on && !op.selective ? op.bbar[i] : 0));
                put_lane(cs, l, static_cast<uint16_t>(on && !op.selective ? op.cs4d[i] : 0));
                put_lane(d, l, on ? static_cast<uint32_t>(op.d[e]) : uint32_t{0});
                put_lane(st, l, on ? static_cast<uint32_t>(ck.state[pr]) : uint32_t{0});
            }
            m_->pw_we = m_->st_we = 1;
            m_->pw_slot = m_->st_slot = static_cast<uint32_t>(j);
            tick();
        }
        m_->pw_we = m_->st_we = 0;

        m_->cfg_selective = op.selective;
        m_->cfg_gated = gated;
        m_->cfg_log2n = log2n;
        m_->cfg_slots = static_cast<uint32_t>(q);
        m_->cfg_pairs = static_cast<uint32_t>(pairs);
        m_->cfg_exp_shift = op.exp_shift;
        m_->cfg_table_size = static_cast<uint32_t>(op.selective ? op.exp_table.size() : 1);
        m_->cfg_y_shift = op.y_shift;
        m_->cfg_shift = op.shift;
        m_->cfg_mult = static_cast<uint32_t>(op.mult);
        m_->cfg_gate_shift = gated ? op.gate_shift : 0;
        m_->cfg_gate_mult = static_cast<uint32_t>(gated ? op.gate_mult : 0);
        m_->start = 1;
        tick();
        m_->start = 0;

        const int64_t beats = ck.steps * q, expected = ck.steps * gch;
        // The lanes of every slot as runs that share a channel (relative to ch0; -1: idle lanes), once per
        // chunk: a beat's gather is then a few memset/memcpy per run instead of a loop over the lanes.
        runs_.assign(static_cast<size_t>(q), {});
        for (int64_t pr = 0; pr < q * P; ++pr) {
            const int32_t e = pr < pairs ? static_cast<int32_t>(pr >> log2n) : -1;
            auto& rs = runs_[static_cast<size_t>(pr / P)];
            if (rs.empty() || pr % P == 0 || rs.back().ch != e)
                rs.push_back({static_cast<int32_t>(pr % P), 0, e, static_cast<int32_t>(pr & (n - 1))});
            ++rs.back().len;
        }
        int64_t issued = 0, filled = -1, received = 0;
        int64_t beat_s = 0, beat_j = 0;  // step and slot of beat `issued`
        int64_t out_s = 0, out_e = 0;    // step and channel (relative to ch0) of output `received`
        const uint64_t c0 = cycle_, limit = c0 + 64 * static_cast<uint64_t>(beats + 16) * 4 + 1000;
        uint64_t first_in = 0, last_out = 0;
        uint8_t* const data = byte_lanes(m_->m_data);
        while (received < expected) {
            const uint64_t c = cycle_ - c0;
            const bool offer = issued < beats && (!opt_.input_valid || opt_.input_valid(c));
            if (offer && filled != issued) {
                fill_beat(op, ck, beat_s, beat_j);
                filled = issued;
            }
            m_->s_valid = offer;
            m_->m_ready = !opt_.output_ready || opt_.output_ready(c);
            m_->clk = 0;
            m_->eval();
            if (m_->s_valid && m_->s_ready) {
                if (issued == 0) first_in = c;
                ++issued;
                if (++beat_j == q) beat_j = 0, ++beat_s;
            }
            if (m_->m_valid && m_->m_ready) {
                last_out = c;
                // The kept output stages in ascending order.
                for (uint64_t keep = get_bits(m_->m_keep, 0, outs()); keep != 0; keep &= keep - 1) {
                    if (received >= expected) throw std::logic_error("scan unit: more outputs than channels");
                    const int o = std::countr_zero(keep);
                    op.out[row(op, ck, out_s) * op.channels + ck.ch0 + out_e] = static_cast<int8_t>(data[o]);
                    ++received;
                    if (++out_e == gch) out_e = 0, ++out_s;
                }
            }
            edge();
            if (cycle_ > limit)
                throw std::logic_error("scan unit: no output for too long (a hang in the RTL)");
        }
        m_->s_valid = 0;
        saturations += m_->sat_count;

        // The state back out: registered read, one slot per cycle.
        const uint8_t* rd = byte_lanes(m_->st_rdata);
        for (int64_t j = 0; j < q; ++j) {
            m_->st_slot = static_cast<uint32_t>(j);
            tick();
            for (int64_t l = 0; l < P && j * P + l < pairs; ++l)
                ck.state[j * P + l] = static_cast<int32_t>(get_lane<uint32_t>(rd, l));
        }
        return last_out - first_in + 1;
    }

private:
    static int64_t row(const systolic::ScanOperands& op, const systolic::ScanChunk& ck, int64_t step) {
        const int64_t s = ck.step0 + step;
        return ck.batch * op.len + (op.reverse ? op.len - 1 - s : s);
    }

    // Operands of step `s`, slot `j` for every lane: the operand gather in front of the unit. Idle lanes get
    // zeros; s4d_scan writes only u (the other ports keep what they held). A run's lanes share u, delta and
    // z of their channel, and take B and C of consecutive states.
    void fill_beat(const systolic::ScanOperands& op, const systolic::ScanChunk& ck, int64_t s, int64_t j) {
        const int64_t n = op.states, r = row(op, ck, s);
        uint8_t *x = byte_lanes(m_->s_x), *dt = byte_lanes(m_->s_dt), *b = byte_lanes(m_->s_b);
        uint8_t *c = byte_lanes(m_->s_c), *z = byte_lanes(m_->s_z);
        const int8_t* u = op.u.data() + r * op.channels + ck.ch0;
        const int8_t* delta = op.selective ? op.delta.data() + r * op.channels + ck.ch0 : nullptr;
        const int8_t* zs = op.selective && !op.z.empty() ? op.z.data() + r * op.channels + ck.ch0 : nullptr;
        const int8_t* bs = op.selective ? op.b.data() + r * n : nullptr;
        const int8_t* cs = op.selective ? op.c.data() + r * n : nullptr;
        for (const LaneRun& run : runs_[static_cast<size_t>(j)]) {
            const size_t l = static_cast<size_t>(run.lane0), len = static_cast<size_t>(run.len);
            if (run.ch < 0) {
                for (uint8_t* port : {x, dt, b, c, z}) std::memset(port + l, 0, len);
                continue;
            }
            std::memset(x + l, static_cast<uint8_t>(u[run.ch]), len);
            if (!op.selective) continue;
            std::memset(dt + l, static_cast<uint8_t>(delta[run.ch]), len);
            std::memcpy(b + l, bs + run.k0, len);
            std::memcpy(c + l, cs + run.k0, len);
            std::memset(z + l, zs ? static_cast<uint8_t>(zs[run.ch]) : 0, len);
        }
    }

    void load_exp_table(std::span<const int32_t> t) {
        if (std::equal(t.begin(), t.end(), exp_loaded_.begin(), exp_loaded_.end())) return;
        for (size_t i = 0; i < t.size(); ++i) {
            m_->tw_we = 1;
            m_->tw_addr = static_cast<uint32_t>(i);
            m_->tw_data = static_cast<uint32_t>(t[i]);
            tick();
        }
        m_->tw_we = 0;
        exp_loaded_.assign(t.begin(), t.end());
    }

    void load_silu(std::span<const int8_t> t) {
        if (std::equal(t.begin(), t.end(), silu_loaded_.begin(), silu_loaded_.end())) return;
        for (size_t i = 0; i < t.size(); ++i) {
            m_->lw_we = 1;
            m_->lw_addr = static_cast<uint32_t>(i);
            m_->lw_data = static_cast<uint8_t>(t[i]);
            tick();
        }
        m_->lw_we = 0;
        silu_loaded_.assign(t.begin(), t.end());
    }

    void tick() {
        m_->clk = 0;
        m_->eval();
        edge();
    }

    void edge() {
        if (fst_) fst_->dump(2 * cycle_);
        m_->clk = 1;
        m_->eval();
        if (fst_) fst_->dump(2 * cycle_ + 1);
        ++cycle_;
    }

    ScanUnitParams p_;
    DriverOptions opt_;
    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<Model> m_;
    std::unique_ptr<VerilatedFstC> fst_;
    uint64_t cycle_ = 0;
    std::vector<int32_t> exp_loaded_;
    struct LaneRun {
        int32_t lane0, len;  // lanes [lane0, lane0 + len) of the slot
        int32_t ch, k0;      // their channel - ch0 (-1: idle lanes) and the first lane's state
    };
    std::vector<std::vector<LaneRun>> runs_;  // per slot
    std::vector<int8_t> silu_loaded_;
};

}  // namespace ssmsim::rtl
