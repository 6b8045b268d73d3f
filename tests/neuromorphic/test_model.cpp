// The neuromorphic model's mapping, timing, energy and report: routes on the mesh, every layer on cores of
// its own within the neuron and synapse budgets, refusal (a layer's indivisible part larger than a core)
// and spreading (more chips when the trace needs them), the attention fallback, the energy ledger against
// its event counts, config errors, determinism and timing-only runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "models/neuromorphic/mapper.h"
#include "sim/config/hw_config.h"
#include "sim/util/error.h"
#include "tests/neuromorphic/harness.h"
#include "tests/support/cli_harness.h"

using namespace ssmsim;
using namespace ssmsim::testing;
using workloads::Arch;
using workloads::Task;

namespace {

neuromorphic::Spec spec_with(const nlohmann::json& overrides) {
    return neuromorphic::parse_spec(HwConfig::resolve("neuromorphic", "neuromorphic-loihi2", "", overrides));
}

std::string error_of(const Trace& t, const nlohmann::json& overrides, const std::string& config = "") {
    try {
        run_neuromorphic(t, nullptr, overrides, config);
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(NeuromorphicMapper, RoutesAreManhattanHopsAndChipCrossings) {
    const auto s = spec_with({});  // 8 x 16 mesh, 128 cores a chip
    EXPECT_EQ(neuromorphic::route(s, 0, 0).hops, 0);
    EXPECT_EQ(neuromorphic::route(s, 0, 127).hops, 7 + 15);
    EXPECT_EQ(neuromorphic::route(s, 9, 2).hops, 1 + 1);  // (1, 1) -> (2, 0)
    const auto far = neuromorphic::route(s, 5, 3 * 128 + 5);
    EXPECT_EQ(far.hops, 0);
    EXPECT_EQ(far.chip_crossings, 3);
}

TEST(NeuromorphicMapper, LayersGetDisjointCoresWithinTheirBudgets) {
    for (Arch arch : workloads::lra_archs()) {
        const auto w = lra(Task::image, arch, 64);
        const auto s = spec_with({});
        const neuromorphic::Mapping m = neuromorphic::map_trace(w.trace, s);
        std::set<int64_t> used;
        for (size_t i = 0; i < w.trace.ops.size(); ++i) {
            const auto& p = m.ops[i];
            const std::string& kind = w.trace.ops[i].kind;
            if (kind == "attention") {
                EXPECT_EQ(p.unit, neuromorphic::Unit::x86);
            }
            if (kind == "reshape") {
                EXPECT_EQ(p.unit, neuromorphic::Unit::none);
            }
            if (p.unit != neuromorphic::Unit::neurocores) {
                EXPECT_TRUE(p.on.empty());
                continue;
            }
            EXPECT_EQ(static_cast<int64_t>(p.on.size()), p.cores);
            EXPECT_GE(p.cores * s.neurons_per_core, p.neurons) << w.trace.ops[i].name;
            EXPECT_GE(p.cores * (s.synapse_bytes_per_core - p.replicated_bytes), p.synapse_bytes)
                << w.trace.ops[i].name;
            double share = 0;
            for (const auto& c : p.on) {
                EXPECT_TRUE(used.insert(c.core).second) << "core " << c.core << " given twice";
                share += c.share;
            }
            EXPECT_NEAR(share, 1.0, 1e-12);
        }
        EXPECT_EQ(static_cast<int64_t>(used.size()), m.cores_used);
        EXPECT_LE(m.cores_used, m.chips_used * s.cores_per_chip);
        EXPECT_GT(m.cores_used, (m.chips_used - 1) * s.cores_per_chip);  // spare cores of a chip in use go
    }                                                                    // to the busiest layers
}

TEST(NeuromorphicMapper, ALayerWhosePartCannotFitACoreIsRefused) {
    const auto w = lra(Task::pathfinder, Arch::s4d, 64);
    // A layernorm reduces over its 256 channels on one core: 257 neurons.
    EXPECT_EQ(error_of(w.trace, {{"chip.neurons_per_core", 256}}),
              "op 'l0.norm' (layernorm): expected the 256 channels a norm reduces over within a core's 256 "
              "neurons (chip.neurons_per_core), found 257 neurons");
    const std::string syn = error_of(w.trace, {{"chip.synapse_kib_per_core", 1}});
    EXPECT_NE(syn.find("within a core's synapse memory of 1024 bytes (chip.synapse_kib_per_core)"),
              std::string::npos)
        << syn;
    // Neurons enough for the norm, too few for one S4D channel's 64 state neurons and readout.
    const auto m = lra(Task::listops, Arch::s4d, 64);
    const std::string scan = error_of(m.trace, {{"chip.neurons_per_core", 64}});
    EXPECT_NE(scan.find("(s4d_scan): expected one channel's 64 state neurons and its readout within a "
                        "core's 64 neurons (chip.neurons_per_core), found 65 neurons"),
              std::string::npos)
        << scan;
}

TEST(NeuromorphicMapper, ATraceLargerThanTheSystemNamesTheChipsItNeedsAndRunsSpreadOverThem) {
    const auto w = lra(Task::pathfinder, Arch::s4d, 64);
    const nlohmann::json small = {{"chip.cores", 16}, {"chip.mesh_x", 4}, {"chip.mesh_y", 4}};
    auto one_chip = small;
    one_chip["system.chips"] = 1;
    const std::string msg = error_of(w.trace, one_chip);
    const std::string head = "config 'neuromorphic-loihi2': system.chips: expected at least ";
    ASSERT_EQ(msg.rfind(head, 0), 0u) << msg;
    const int64_t need = std::stoll(msg.substr(head.size()));
    EXPECT_NE(msg.find("--set system.chips=" + std::to_string(need) + "), found 1"), std::string::npos)
        << msg;
    EXPECT_GT(need, 1);

    auto enough = small;
    enough["system.chips"] = need;
    const RunResult r = run_neuromorphic(w.trace, &w.data, enough);
    EXPECT_EQ(r.report["mapping"]["chips_used"], need);
    EXPECT_GT(r.report["energy_breakdown_pj"]["noc.chip_link"].get<double>(), 0.0);
    EXPECT_TRUE(r.report["error_vs_reference"]["exact"].get<bool>());
    auto fewer = enough;
    fewer["system.chips"] = need - 1;
    EXPECT_NE(error_of(w.trace, fewer).find("expected at least " + std::to_string(need)), std::string::npos);
    // One big chip: no chip crossings at all.
    const RunResult big = run_neuromorphic(w.trace, nullptr);
    EXPECT_EQ(big.report["mapping"]["chips_used"], 1);
    EXPECT_EQ(big.report["energy_breakdown_pj"]["noc.chip_link"].get<double>(), 0.0);
}

TEST(NeuromorphicMapper, AttentionRunsOnTheX86CoresOrIsRefused) {
    const auto w = lra(Task::listops, Arch::transformer, 32);
    const RunResult r = run_neuromorphic(w.trace, &w.data);
    std::vector<std::string> attn;
    for (const auto& op : w.trace.ops)
        if (op.kind == "attention") attn.push_back(op.name);
    ASSERT_FALSE(attn.empty());
    EXPECT_EQ(r.report["mapping"]["x86_fallback_ops"].get<std::vector<std::string>>(), attn);
    EXPECT_GT(r.report["energy_breakdown_pj"]["x86"].get<double>(), 0.0);
    for (const auto& op : r.report["ops"]) {
        if (op["kind"] == "attention") {
            EXPECT_EQ(op["unit"], "x86");
            EXPECT_GT(op["x86_ops"].get<double>(), 0.0);
        }
    }
    EXPECT_EQ(error_of(w.trace, {{"fallback.attention", "error"}}),
              "op '" + attn.front() +
                  "' (attention): expected an op a neuromorphic core runs natively (softmax needs a max "
                  "and a division over the whole sequence; --set fallback.attention=x86 runs it on the "
                  "embedded x86 cores), found fallback.attention = error");
    // Slower x86 cores make the run longer.
    const RunResult slow = run_neuromorphic(w.trace, nullptr, {{"x86.clock_mhz", 40}});
    const RunResult fast = run_neuromorphic(w.trace, nullptr);
    EXPECT_GT(slow.report["cycles"].get<uint64_t>(), fast.report["cycles"].get<uint64_t>());
}

TEST(NeuromorphicEnergy, TheLedgerIsTheEventCountsTimesTheConfiguredCosts) {
    const auto w = lra(Task::text, Arch::mamba, 48);
    const RunResult r = run_neuromorphic(w.trace, &w.data, {{"sigma_delta.threshold", 2}});
    const auto& rep = r.report;
    const auto& e = rep["energy_breakdown_pj"];
    const auto& c = rep["config"];
    double sum = 0;
    for (const auto& [k, v] : e.items()) sum += v.get<double>();
    EXPECT_NEAR(sum, num(rep, "energy_pj"), 1e-6 * sum);
    EXPECT_NEAR(e["synop"].get<double>(), num(rep, "synops") * c["energy"]["synop_pj"].get<double>(), 1e-3);
    EXPECT_NEAR(e["neuron_update"].get<double>(),
                num(rep, "neuron_updates") * c["energy"]["neuron_update_pj"].get<double>(), 1e-3);
    const double static_pj = c["energy"]["static_mw_per_chip"].get<double>() *
                             rep["mapping"]["chips_used"].get<double>() * num(rep, "seconds") * 1e9;
    EXPECT_NEAR(e["static"].get<double>(), static_pj, 1e-6 * static_pj);
    EXPECT_NEAR(e["barrier"].get<double>(),
                num(rep, "timesteps") * rep["mapping"]["cores_used"].get<double>() *
                    c["energy"]["barrier_pj_per_core"].get<double>(),
                1e-3);
    EXPECT_NEAR(num(rep, "dynamic_energy_pj"), num(rep, "energy_pj") - e["static"].get<double>(), 1e-3);
    double op_spikes = 0;
    for (const auto& op : rep["ops"]) op_spikes += op["spikes_out"].get<double>();
    EXPECT_NEAR(e["spike"].get<double>(), op_spikes * c["energy"]["spike_pj"].get<double>(), 1e-3);

    // Doubling the price of a synaptic op doubles that line and nothing else; time is unchanged.
    const RunResult dear = run_neuromorphic(
        w.trace, &w.data,
        {{"sigma_delta.threshold", 2}, {"energy.synop_pj", 2 * c["energy"]["synop_pj"].get<double>()}});
    EXPECT_NEAR(dear.report["energy_breakdown_pj"]["synop"].get<double>(), 2 * e["synop"].get<double>(),
                1e-3);
    EXPECT_NEAR(dear.report["energy_breakdown_pj"]["neuron_update"].get<double>(),
                e["neuron_update"].get<double>(), 1e-6);
    EXPECT_EQ(dear.report["cycles"], rep["cycles"]);
}

TEST(NeuromorphicTiming, SlowerEventsAndLongerBarriersTakeLonger) {
    const auto w = lra(Task::listops, Arch::s4d, 32);
    const auto base = run_neuromorphic(w.trace, nullptr);
    const auto slow_synops = run_neuromorphic(w.trace, nullptr, {{"core.synop_ns", 7.0}});
    const auto slow_barrier = run_neuromorphic(w.trace, nullptr, {{"noc.barrier_ns_per_hop", 50.0}});
    const uint64_t c0 = base.report["cycles"].get<uint64_t>();
    EXPECT_GT(slow_synops.report["cycles"].get<uint64_t>(), c0);
    // Every timestep pays the barrier across the mesh: (8 + 16 - 2) hops.
    const uint64_t c1 = slow_barrier.report["cycles"].get<uint64_t>();
    const double timesteps = num(base.report, "timesteps");
    EXPECT_NEAR(static_cast<double>(c1 - c0), timesteps * (50.0 - 5.3) * 22, timesteps);
    EXPECT_GE(num(base.report, "seconds_per_timestep"), 5.3e-9 * 22);
}

TEST(NeuromorphicReport, SameRunSameReportAndTimeline) {
    const auto w = lra(Task::retrieval, Arch::mamba, 32);
    const auto a = run_neuromorphic(w.trace, &w.data, {{"sigma_delta.threshold", 3}});
    const auto b = run_neuromorphic(w.trace, &w.data, {{"sigma_delta.threshold", 3}});
    EXPECT_EQ(a.report.dump(), b.report.dump());
    EXPECT_EQ(a.files.at("timeline.json"), b.files.at("timeline.json"));
    for (const auto& [name, t] : a.outputs) EXPECT_EQ(first_difference(t, b.outputs.at(name)), -1);
}

TEST(NeuromorphicReport, TimingOnlyAssumesEveryValueIsSentEveryTimestep) {
    const auto w = lra(Task::pathfinder, Arch::mamba, 64);
    const RunResult timing = run_neuromorphic(w.trace, nullptr);
    const RunResult measured = run_neuromorphic(w.trace, &w.data);
    EXPECT_TRUE(timing.outputs.empty());
    EXPECT_FALSE(timing.report.contains("saturations"));
    EXPECT_FALSE(timing.report.contains("error_vs_reference"));
    EXPECT_FALSE(timing.report["sigma_delta"]["measured"].get<bool>());
    EXPECT_TRUE(measured.report["sigma_delta"]["measured"].get<bool>());
    // Dense activity bounds the measured one: every value sent, every synapse fired.
    EXPECT_EQ(timing.report["sigma_delta"]["spikes"], timing.report["sigma_delta"]["values"]);
    EXPECT_EQ(timing.report["sigma_delta"]["values"], measured.report["sigma_delta"]["values"]);
    EXPECT_GT(num(timing.report, "spikes"), num(measured.report, "spikes"));
    EXPECT_GT(num(timing.report, "synops"), num(measured.report, "synops"));
    EXPECT_GE(timing.report["cycles"].get<uint64_t>(), measured.report["cycles"].get<uint64_t>());
    EXPECT_GT(num(timing.report, "energy_pj"), num(measured.report, "energy_pj"));
    EXPECT_EQ(timing.report["mapping"].dump(), measured.report["mapping"].dump());
}

TEST(NeuromorphicConfig, BadOverridesAreRefusedWithTheKeyAndWhatWasExpected) {
    const auto w = lra(Task::listops, Arch::s4d, 16);
    auto has = [&](const nlohmann::json& o, const std::string& fragment) {
        const std::string msg = error_of(w.trace, o);
        EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
    };
    has({{"sigma_delta.thresh", 1}},
        "--set sigma_delta.thresh=1: expected a config key of model 'neuromorphic'");
    has({{"sigma_delta.threshold", 256}},
        "--set sigma_delta.threshold=256: expected an integer in [0, 255], found 256");
    has({{"sigma_delta.threshold", -1}}, "expected an integer in [0, 255], found -1");
    has({{"sigma_delta.threshold", 1.5}}, "sigma_delta.threshold");
    has({{"spike.payload_bits", 8}}, "expected an integer in [9, 32], found 8");
    has({{"fallback.attention", "gpu"}}, "expected one of \"x86\", \"error\", found \"gpu\"");
    has({{"chip.mesh_x", 2}}, "chip.mesh_x * chip.mesh_y: expected at least chip.cores = 128, found 32");
    has({{"energy.synop_pj", -1}}, "energy.synop_pj=-1: expected a number in");
}

TEST(NeuromorphicConfig, ConfigFilesAreCheckedKeyByKeyAndFloat32IsRefused) {
    const auto dir = scratch_dir("neuromorphic_config");
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir / name) << text;
        return (dir / name).string();
    };
    const auto w = lra(Task::listops, Arch::s4d, 16);
    EXPECT_NE(error_of(w.trace, {}, write("typo.json", R"({"model": "neuromorphic", "chip": {"corez": 4}})"))
                  .find(":/chip/corez: expected a known config key"),
              std::string::npos);
    EXPECT_NE(
        error_of(w.trace, {}, write("other.json", R"({"model": "systolic"})")).find(":/model: expected"),
        std::string::npos);
    const std::string ok = write("ok.json", R"({"model": "neuromorphic", "system": {"chips": 2}})");
    const RunResult r = run_neuromorphic(w.trace, nullptr, nlohmann::json::object(), ok);
    EXPECT_EQ(r.report["config"]["system"]["chips"], 2);
    EXPECT_EQ(r.report["config"]["chip"]["cores"], 128);  // the rest from the default config

    workloads::WorkloadSpec s;
    s.task = Task::image;
    s.arch = Arch::s4d;
    s.seq_len = 16;
    s.numerics = Numerics::float32;
    const auto f = workloads::build_lra(s);
    EXPECT_THROW(run_neuromorphic(f.trace, &f.data), InputError);
    std::filesystem::remove_all(dir);
}

TEST(NeuromorphicCli, ThresholdRunsReportTheTradeOffAndBadKeysExitTwo) {
    const auto dir = scratch_dir("neuromorphic_cli");
    const std::string common = "run --model neuromorphic --workload lra:pathfinder:s4d --seq-len 64 -q ";
    const auto ref = run_ssmsim("run --model reference --workload lra:pathfinder:s4d --seq-len 64 -q --out " +
                                (dir / "ref").string());
    const auto t0 = run_ssmsim(common + "--out " + (dir / "t0").string());
    const auto t4 = run_ssmsim(common + "--set sigma_delta.threshold=4 --out " + (dir / "t4").string());
    ASSERT_EQ(ref.exit_code, 0) << ref.output;
    ASSERT_EQ(t0.exit_code, 0) << t0.output;
    ASSERT_EQ(t4.exit_code, 0) << t4.output;
    const auto r = read_json(dir / "ref" / "report.json");
    const auto a = read_json(dir / "t0" / "report.json");
    const auto b = read_json(dir / "t4" / "report.json");
    EXPECT_EQ(a["output_sha256"], r["output_sha256"]);
    EXPECT_NE(b["output_sha256"], r["output_sha256"]);
    EXPECT_LT(b["energy_pj"].get<double>(), a["energy_pj"].get<double>());
    EXPECT_LT(b["spikes"].get<double>(), a["spikes"].get<double>());
    EXPECT_TRUE(b["error_vs_reference"]["snr_db"].is_number());
    EXPECT_TRUE(b["error_vs_reference"].contains("class_agreement"));
    EXPECT_TRUE(std::filesystem::exists(dir / "t4" / "timeline.json"));

    const auto bad = run_ssmsim(common + "--set sigma_delta.thresold=4 --out " + (dir / "bad").string());
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
    EXPECT_NE(bad.output.find("unknown key 'sigma_delta.thresold'"), std::string::npos) << bad.output;
    const auto refused = run_ssmsim(common + "--timing-only --set chip.neurons_per_core=100 --out " +
                                    (dir / "refused").string());
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_NE(refused.output.find("(chip.neurons_per_core), found 257 neurons"), std::string::npos)
        << refused.output;
    std::filesystem::remove_all(dir);
}

}  // namespace
