#include "app/compare_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "app/measured.h"
#include "app/set_arg.h"
#include "app/workload_arg.h"
#include "sim/backend/backend.h"
#include "sim/config/hw_config.h"
#include "sim/trace/trace_io.h"
#include "sim/util/error.h"
#include "workloads/lra/lra.h"

namespace ssmsim::cli {

namespace {

// Comma-separated items; an empty item (",," or a trailing comma) is a mistake worth naming.
std::vector<std::string> split_list(const std::string& text, const std::string& flag,
                                    const std::string& what) {
    std::vector<std::string> items;
    std::stringstream ss(text);
    for (std::string item; std::getline(ss, item, ',');) items.push_back(item);
    if (!text.empty() && text.back() == ',') items.emplace_back();
    if (items.empty()) throw InputError(flag, "a comma-separated list of " + what, "''");
    for (const auto& item : items) {
        if (item.empty())
            throw InputError(flag, "a comma-separated list of " + what + " (no empty item)",
                             "'" + text + "'");
    }
    return items;
}

std::vector<CompareWorkload> expand_workload(const std::string& w) {
    if (w.rfind("lra:", 0) != 0) {
        (void)load_trace(w);  // declarations and .npy headers: a folder that is not a trace fails here
        return {{w, "traces", "", false}};
    }
    std::vector<workloads::Task> tasks;
    std::vector<workloads::Arch> archs;
    const size_t colons = static_cast<size_t>(std::count(w.begin(), w.end(), ':'));
    if (w == "lra:all") {
        for (const auto& t : workloads::lra_tasks()) tasks.push_back(t.task);
        archs = workloads::lra_archs();
    } else if (colons == 1) {  // lra:<task>: every architecture (parse_workload_spec alone would pick s4d)
        tasks.push_back(workloads::parse_workload_spec(w).task);
        archs = workloads::lra_archs();
    } else {
        const auto spec = workloads::parse_workload_spec(w);
        tasks.push_back(spec.task);
        archs.push_back(spec.arch);
    }
    std::vector<CompareWorkload> out;
    for (auto t : tasks) {
        for (auto a : archs) {
            workloads::WorkloadSpec spec;
            spec.task = t;
            spec.arch = a;
            out.push_back({spec.name(), std::string(workloads::task_info(t).name),
                           std::string(workloads::arch_name(a)), true});
        }
    }
    return out;
}

std::string model_names() {
    std::string names;
    for (const auto* b : BackendRegistry::all()) names += b->name + ", ";
    for (const auto& m : measured_source_names()) names += m + ", ";
    return names.substr(0, names.size() - 2);
}

CompareModel parse_label(const std::string& label, bool timing_only) {
    static const std::regex tag(R"([A-Za-z0-9._-]+)");
    const auto at = label.find('@');
    CompareModel m;
    m.label = label;
    m.model = label.substr(0, at);
    const auto* backend = BackendRegistry::find(m.model);
    m.measured = find_measured_source(m.model) != nullptr;
    if (!backend && !m.measured) {
        throw InputError("--models " + label, "a model (" + model_names() + "), optionally as <model>@<tag>",
                         "'" + m.model + "'");
    }
    if (at != std::string::npos) {
        const std::string t = label.substr(at + 1);
        if (m.measured)
            throw InputError("--models " + label, "no @<tag> on a measured source (it has no config)",
                             "'" + label + "'");
        if (!std::regex_match(t, tag))
            throw InputError("--models " + label, "a tag of letters, digits, '.', '_' or '-' after '@'",
                             "'" + t + "'");
    }
    if (backend && backend->needs_data && timing_only) {
        throw InputError("--models " + label, "a model that runs without data (--timing-only)",
                         "'" + m.model + "', which computes every output");
    }
    return m;
}

}  // namespace

ComparePlan plan_compare(const CompareArgs& a) {
    ComparePlan plan;
    for (const auto& w :
         split_list(a.workloads, "--workloads", "workloads (lra:all, lra:<task>[:<arch>], trace folders)")) {
        for (auto& cw : expand_workload(w)) {
            const bool seen = std::any_of(plan.workloads.begin(), plan.workloads.end(),
                                          [&](const CompareWorkload& x) { return x.arg == cw.arg; });
            if (!seen) plan.workloads.push_back(std::move(cw));
        }
    }
    const bool traces = std::any_of(plan.workloads.begin(), plan.workloads.end(),
                                    [](const CompareWorkload& w) { return !w.lra; });
    if (traces && a.seq_len != 0)
        throw InputError("--seq-len", "no --seq-len with a trace folder (it fixes its shapes)",
                         std::to_string(a.seq_len));
    if (traces && a.batches_given)
        throw InputError("--batch", "no --batch with a trace folder (its tensors fix the batch)",
                         "'" + a.batches + "'");

    for (const auto& label : split_list(a.models, "--models", "models")) {
        if (std::any_of(plan.models.begin(), plan.models.end(),
                        [&](const CompareModel& m) { return m.label == label; }))
            throw InputError("--models", "each label once (add @<tag> to run a model again)",
                             "'" + label + "' twice");
        plan.models.push_back(parse_label(label, a.timing_only));
    }

    apply_model_args(plan.models, a.configs, a.sets, "label");

    for (const auto& b : split_list(a.batches, "--batch", "batch sizes")) {
        if (const std::string bad = check_batch_arg(b); !bad.empty()) throw InputError("--batch: " + bad);
        const int64_t n = std::stoll(b);
        if (std::find(plan.batches.begin(), plan.batches.end(), n) != plan.batches.end())
            throw InputError("--batch", "each batch size once", "'" + a.batches + "'");
        plan.batches.push_back(n);
    }

    plan.baseline = a.baseline;
    if (plan.baseline.empty()) {
        const bool gpu = std::any_of(plan.models.begin(), plan.models.end(),
                                     [](const CompareModel& m) { return m.label == "measured-gpu"; });
        plan.baseline = gpu ? "measured-gpu" : plan.models.front().label;
    } else if (std::none_of(plan.models.begin(), plan.models.end(),
                            [&](const CompareModel& m) { return m.label == a.baseline; })) {
        throw InputError("--baseline", "one of the labels of --models ('" + a.models + "')",
                         "'" + a.baseline + "'");
    }
    return plan;
}

}  // namespace ssmsim::cli
