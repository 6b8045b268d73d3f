#include "models/systolic/top.h"

#include <algorithm>
#include <cmath>

#include "models/systolic/gemm_timing.h"
#include "sim/report/report.h"
#include "sim/sc/kernel.h"

namespace ssmsim::systolic {

SystolicTop::SystolicTop(sc_core::sc_module_name name)
    : sc_core::sc_module(name),
      array_("array"),
      scan_("scan"),
      vector_("vector"),
      dram_("dram"),
      to_array_("to_array"),
      to_scan_("to_scan"),
      to_vector_("to_vector"),
      to_dram_("to_dram") {
    to_array_.bind(array_.socket);
    to_scan_.bind(scan_.socket);
    to_vector_.bind(vector_.socket);
    to_dram_.bind(dram_.socket);
    SC_THREAD(controller);
}

void SystolicTop::run(RunJob& job) { runner_.run(job); }

void SystolicTop::controller() {
    runner_.serve([this](RunJob& job) { execute(job); });
}

void SystolicTop::execute(RunJob& job) {
    for (auto* u : {&array_, &scan_, &vector_, &dram_}) u->reset();
    Mapper mapper(*job.spec, *job.trace, job.fn);
    uint64_t t = 0;
    for (size_t i = 0; i < job.trace->ops.size(); ++i) {
        t = run_op(job, mapper, i, t);
        if (job.progress) job.progress(i + 1);
    }
    job.cycles = t;
}

uint64_t SystolicTop::run_op(RunJob& job, Mapper& mapper, size_t i, uint64_t t0) {
    const Spec& s = *job.spec;
    const OpDecl& op = job.trace->ops[i];
    OpStats st;
    st.start = t0;
    st.plan = mapper.plan(i);
    OpPlan& plan = st.plan;
    if (job.fn) job.fn->op_saturations = 0;
    for (auto* u : {&array_, &scan_, &vector_, &dram_}) u->begin_window();

    sc::TimedUnit* units[kUnits] = {&array_, &scan_, &vector_};
    auto dram_job = [&](uint64_t ready, int64_t bytes) {
        sc::UnitJob j;
        j.ready = ready;
        j.service = static_cast<uint64_t>(std::ceil(static_cast<double>(bytes) / s.dram_bytes_per_cycle));
        j.latency = static_cast<uint64_t>(s.dram_latency_cycles);
        return sc::issue(to_dram_, j);
    };
    auto compute_job = [&](UnitId u, sc::UnitJob& j) {
        switch (u) {
            case UnitId::array:
                return sc::issue(to_array_, j);
            case UnitId::scan:
                return sc::issue(to_scan_, j);
            case UnitId::vector:
                return sc::issue(to_vector_, j);
        }
        return j.end;
    };

    // Staging buffer k is free again once the compute that read it has finished: with two buffers the
    // load of tile j overlaps the compute of tile j - 1. A store is issued after the next tile's load so
    // that the single DRAM channel serves the load that the array waits for first.
    std::vector<uint64_t> slot_free(static_cast<size_t>(s.dma_buffers), t0);
    uint64_t prev_end = t0, op_end = t0;
    uint64_t pending_store_ready = 0;
    int64_t pending_store = 0;
    auto flush_store = [&] {
        if (pending_store > 0) op_end = std::max(op_end, dram_job(pending_store_ready, pending_store));
        pending_store = 0;
    };
    for (size_t j = 0; j < plan.tiles.size(); ++j) {
        Tile& tile = plan.tiles[j];
        uint64_t& slot = slot_free[j % slot_free.size()];
        uint64_t ready = std::max(t0, slot);
        if (tile.load_bytes > 0) ready = dram_job(ready, tile.load_bytes);
        flush_store();
        if (tile.after_previous) ready = std::max(ready, prev_end);
        sc::UnitJob cj;
        cj.ready = ready;
        cj.service = tile.cycles;
        cj.latency = tile.latency;
        uint64_t end = ready;
        if (tile.cycles > 0) {
            cj.work = std::move(tile.work);
            end = compute_job(tile.unit, cj);
        } else if (tile.work) {
            tile.work();  // no compute unit is occupied (a reshape's transfer): the data move, not the timing
        }
        slot = end;
        prev_end = end;
        op_end = std::max(op_end, end);
        st.dram_read += tile.load_bytes;
        st.dram_write += tile.store_bytes;
        pending_store = tile.store_bytes;
        pending_store_ready = end;
    }
    flush_store();
    if (job.fn && job.op_hashes)
        (*job.op_hashes)[i] = op_output_sha256(op, job.fn->store);  // outputs complete
    plan.tiles.clear();
    plan.tiles.shrink_to_fit();

    st.cycles = op_end - t0;
    for (int u = 0; u < kUnits; ++u) st.busy[u] = units[u]->window_busy();
    st.dram_busy = dram_.window_busy();
    if (job.fn) st.saturations = job.fn->op_saturations;

    // Energy of the op, by component.
    EnergyLedger e;
    const double pe_cycles = static_cast<double>(s.rows * s.cols) * static_cast<double>(st.busy[0]);
    e.add("array.mac", plan.macs * s.mac_pj);
    e.add("array.idle_pe", std::max(0.0, pe_cycles - static_cast<double>(plan.macs)) * s.idle_pe_pj);
    e.add("scan.update", plan.lane_updates * s.scan_update_pj);
    e.add("vector.op", plan.vector_elems * s.vector_op_pj);
    auto sram = [&](const char* name, const SramSpec& m, const SramTraffic& tr) {
        e.add(std::string("sram.") + name + ".read", tr.read * m.read_pj_per_byte);
        e.add(std::string("sram.") + name + ".write", tr.write * m.write_pj_per_byte);
    };
    sram("weights", s.weights, plan.weights);
    sram("activations", s.activations, plan.activations);
    sram("state", s.state, plan.state);
    e.add("dram", static_cast<double>(st.dram_read + st.dram_write) * s.dram_pj_per_byte);
    e.add("static", static_cast<double>(st.cycles) * s.static_pj_per_cycle);
    st.energy_pj = e.total();
    for (const auto& [k, v] : e.items()) job.energy.add(k, v);
    job.sram_peak = std::max(job.sram_peak, plan.sram_bytes);

    if (job.timeline) {
        Timeline& tl = *job.timeline;
        tl.span(tl.track("ops"), op.name, op.kind, t0, op_end, {{"kind", op.kind}});
        const char* names[kUnits] = {"array", "scan", "vector"};
        for (int u = 0; u < kUnits; ++u) {
            if (units[u]->window_busy() == 0) continue;
            tl.span(tl.track(names[u]), op.name, op.kind, units[u]->window_first(), units[u]->window_last(),
                    {{"busy_cycles", units[u]->window_busy()}});
        }
        if (dram_.window_busy() > 0) {
            tl.span(tl.track("dram"), op.name, op.kind, dram_.window_first(), dram_.window_last(),
                    {{"busy_cycles", dram_.window_busy()}, {"bytes", st.dram_read + st.dram_write}});
        }
    }
    mapper.retire(i);
    // Advance SystemC time to the op's end: the next op starts when this one has finished.
    const uint64_t now = t0;
    wait(sc_core::sc_time(static_cast<double>((op_end - now) * sc::cycle_ps(s.clock_hz)), sc_core::SC_PS));
    job.ops.push_back(std::move(st));
    return op_end;
}

}  // namespace ssmsim::systolic
