#include "models/gpu/top.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "sim/sc/kernel.h"

namespace ssmsim::gpu {

namespace {
constexpr uint32_t kForeignTensor = (1u << 24) - 1;  // no run has this many tensors
}  // namespace

GpuTop::GpuTop(sc_core::sc_module_name name)
    : sc_core::sc_module(name), sms_("sms"), l2_("l2"), hbm_("hbm"), to_sms_("to_sms"), to_l2_("to_l2") {
    to_sms_.bind(sms_.socket);
    to_l2_.bind(l2_.socket);
    l2_.to_hbm.bind(hbm_.socket);
    SC_THREAD(controller);
}

void GpuTop::run(GpuJob& job) { runner_.run(job); }

void GpuTop::controller() {
    runner_.serve([this](GpuJob& job) { execute(job); });
}

void GpuTop::execute(GpuJob& job) {
    const Spec& s = *job.spec;
    sms_.configure(s);
    l2_.configure(s);
    hbm_.configure(s);
    for (size_t t = 0; t < job.tensor_bytes.size(); ++t)
        l2_.set_tensor_bytes(static_cast<uint32_t>(t), job.tensor_bytes[t]);
    double t = 0;
    auto& items = *job.items;
    for (size_t i = 0; i < items.size(); ++i) {
        OpItem& item = items[i];
        if (item.flush_l2) l2_.flush();
        if (item.prefill_dirty >= 0) l2_.prefill(kForeignTensor, item.prefill_dirty);
        OpResult r;
        r.start = t;
        const L2Stats l2_before = l2_.stats;
        const double rd0 = hbm_.read_bytes, wr0 = hbm_.write_bytes, hb0 = hbm_.busy, sm0 = sms_.busy_cycles();
        r.launch = lower(item.shape, s);
        double end = t;
        if (r.launch.kind != KernelKind::none && r.launch.grid > 0) end = run_kernel(s, r.launch, t, r);
        if (item.functional) item.functional(r.launch);
        for (uint32_t dead : item.freed) l2_.forget(dead);
        r.launch.work = nullptr;
        r.cycles = end - t;
        r.sm_busy = sms_.busy_cycles() - sm0;
        r.l2.read_hit_bytes = l2_.stats.read_hit_bytes - l2_before.read_hit_bytes;
        r.l2.read_miss_bytes = l2_.stats.read_miss_bytes - l2_before.read_miss_bytes;
        r.l2.write_bytes = l2_.stats.write_bytes - l2_before.write_bytes;
        r.l2.far_bytes = l2_.stats.far_bytes - l2_before.far_bytes;
        r.hbm_read = hbm_.read_bytes - rd0;
        r.hbm_write = hbm_.write_bytes - wr0;
        r.hbm_busy = hbm_.busy - hb0;

        EnergyLedger e;
        const MacUnit unit = mac_unit(r.launch);
        e.add(unit == MacUnit::tensor     ? "sm.tensor_mac"
              : unit == MacUnit::int8_alu ? "sm.int8_mac"
                                          : "sm.fma",
              r.macs * (unit == MacUnit::tensor     ? s.int8_mac_pj
                        : unit == MacUnit::int8_alu ? s.cuda_core_mac_pj
                                                    : s.fp32_fma_pj));
        e.add("sm.instr", r.instr * s.instr_pj);
        e.add("sm.active", r.sm_busy * s.sm_active_pj_per_cycle);
        e.add("l2", (r.l2.read_hit_bytes + r.l2.read_miss_bytes + r.l2.write_bytes) * s.l2_pj_per_byte);
        e.add("hbm", (r.hbm_read + r.hbm_write) * s.hbm_pj_per_byte);
        e.add("static", r.cycles * s.static_pj_per_cycle);
        r.energy_pj = e.total();
        for (const auto& [k, v] : e.items()) job.energy.add(k, v);

        if (job.timeline && r.cycles > 0) {
            Timeline& tl = *job.timeline;
            const auto c0 = static_cast<uint64_t>(std::llround(t)),
                       c1 = static_cast<uint64_t>(std::llround(end));
            tl.span(tl.track("stream"), item.name, item.kind, c0, c1,
                    {{"kernel", kernel_name(r.launch.kind)}, {"grid", r.launch.grid}, {"waves", r.waves}});
            if (r.hbm_busy > 0) {
                tl.span(tl.track("hbm"), item.name, item.kind, c0, c1,
                        {{"busy_cycles", r.hbm_busy}, {"bytes", r.hbm_read + r.hbm_write}});
            }
        }
        wait(sc_core::sc_time(static_cast<double>(sc::cycle_ps(s.clock_hz)) * (end - t), sc_core::SC_PS));
        t = end;
        job.results.push_back(std::move(r));
        if (job.progress) job.progress(i + 1);
    }
    job.cycles = t;
}

double GpuTop::run_kernel(const Spec& s, const KernelLaunch& k, double t0, OpResult& r) {
    // Every request goes out at the simulated time of its event, in time order, so that the occupancy-
    // timed targets serve them in the order they arrive. Per resident CTA: LOAD(c) issues chunk c's tile
    // loads; COMPUTE(c) starts once they are in and chunk c - 1 is done, and lets LOAD(c + 1) go at once
    // (the other buffer); STORE(c) retires the results into the L2 when the compute ends.
    enum Stage { kStore = 0, kCompute = 1, kLoad = 2 };  // at equal times: stores, then compute, then loads
    struct Event {
        double t;
        int64_t slot, chunk;
        int stage;
        bool operator>(const Event& o) const {
            if (t != o.t) return t > o.t;
            if (stage != o.stage) return stage > o.stage;
            return slot > o.slot;
        }
    };
    struct Cta {
        int64_t cta = -1, sm = 0;
        double prev_end = 0;
        double miss_share[2] = {0, 0};  // of each buffered chunk's loaded bytes
        ChunkWork w[2];
    };
    std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events;
    const double start = t0 + s.launch_cycles;
    const int64_t slots = std::min(k.grid, s.sms * k.ctas_per_sm);
    r.waves = (k.grid + s.sms * k.ctas_per_sm - 1) / (s.sms * k.ctas_per_sm);
    std::vector<Cta> cta(static_cast<size_t>(slots));
    int64_t next = 0;
    // The first wave is spread breadth-first over the SMs, as the block scheduler does.
    for (int64_t i = 0; i < slots; ++i) {
        cta[i].cta = next++;
        cta[i].sm = i % s.sms;
        events.push({start + s.cta_launch_cycles, i, 0, kLoad});
    }
    double moved = 0, missed = 0;  // bytes of the last memory() call
    auto memory = [&](const std::vector<Access>& v, int64_t sm, double t) {
        double end = t;
        moved = missed = 0;
        for (const Access& a : v) {
            MemRequest m;
            m.sm = sm;
            m.access = &a;
            m.ready = t;
            send(to_l2_, m);
            end = std::max(end, m.end);
            moved += a.bytes();
            missed += m.missed;
        }
        return end;
    };
    double end = start;
    while (!events.empty()) {
        const Event e = events.top();
        events.pop();
        Cta& c = cta[static_cast<size_t>(e.slot)];
        ChunkWork& w = c.w[e.chunk % 2];
        if (e.stage == kLoad) {
            w.clear();
            k.work(c.cta, e.chunk, w);
            r.macs += w.macs;
            r.instr += w.instr;
            const double ld = memory(w.loads, c.sm, e.t);
            c.miss_share[e.chunk % 2] = moved > 0 ? std::min(1.0, missed / moved) : 0.0;
            events.push({std::max(ld, c.prev_end), e.slot, e.chunk, kCompute});
        } else if (e.stage == kCompute) {
            SmJob j;
            j.sm = c.sm;
            j.ready = e.t;
            j.service = w.service;
            j.latency =
                w.latency + w.dependent_loads * (s.l2_hit_latency + c.miss_share[e.chunk % 2] *
                                                                        (s.hbm_latency + s.l2_hit_latency));
            send(to_sms_, j);
            c.prev_end = j.end;
            events.push({j.end, e.slot, e.chunk, kStore});
            if (e.chunk + 1 < k.chunks) events.push({e.t, e.slot, e.chunk + 1, kLoad});
        } else {
            const double done = memory(w.stores, c.sm, e.t);
            if (e.chunk + 1 < k.chunks) continue;
            end = std::max(end, done);
            if (next < k.grid) {
                c.cta = next++;
                c.prev_end = 0;
                events.push({done + s.cta_launch_cycles, e.slot, 0, kLoad});
            }
        }
    }
    return end + k.fixed_cycles;
}

}  // namespace ssmsim::gpu
