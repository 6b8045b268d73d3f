#include <fmt/format.h>

#include "sim/util/error.h"
#include "workloads/lra/lra.h"

namespace ssmsim::workloads {

const std::vector<TaskInfo>& lra_tasks() {
    // Lengths as the S4 LRA configs use them (state-spaces/s4 v3.0.0): ListOps padded to 2048, Text 4096,
    // Retrieval 4000 per document.
    static const std::vector<TaskInfo> tasks = {
        {Task::listops, "listops", 2048, 10, "nested MIN/MAX/MED/SM expressions (generated as published)"},
        {Task::text, "text", 4096, 2, "byte-level review classification (synthetic IMDb-like bytes)"},
        {Task::retrieval, "retrieval", 4000, 2,
         "document-pair matching, 2 x 4000 bytes (synthetic AAN-like)"},
        {Task::image, "image", 1024, 10, "32x32 grey image (synthetic CIFAR-10-like pixels)"},
        {Task::pathfinder, "pathfinder", 1024, 2, "32x32 path connectivity (generated as published)"},
        {Task::pathx, "pathx", 16384, 2, "128x128 path connectivity (generated as published)"},
    };
    return tasks;
}

const TaskInfo& task_info(Task t) {
    for (const auto& info : lra_tasks()) {
        if (info.task == t) return info;
    }
    throw std::logic_error("unknown task");
}

std::string_view arch_name(Arch a) {
    switch (a) {
        case Arch::s4d:
            return "s4d";
        case Arch::mamba:
            return "mamba";
        case Arch::transformer:
            return "transformer";
    }
    return "?";
}

const std::vector<Arch>& lra_archs() {
    static const std::vector<Arch> archs = {Arch::s4d, Arch::mamba, Arch::transformer};
    return archs;
}

std::string WorkloadSpec::name() const {
    return fmt::format("lra:{}:{}", task_info(task).name, arch_name(arch));
}

WorkloadSpec parse_workload_spec(std::string_view text) {
    const std::string s(text);
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        const size_t colon = s.find(':', start);
        parts.push_back(s.substr(start, colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    std::string tasks, archs;
    for (const auto& t : lra_tasks()) tasks += (tasks.empty() ? "" : ", ") + std::string(t.name);
    for (auto a : lra_archs()) archs += (archs.empty() ? "" : ", ") + std::string(arch_name(a));
    if (parts.size() < 2 || parts.size() > 3 || parts[0] != "lra") {
        throw InputError("workload '" + s + "'", "lra:<task>[:<arch>] with task one of " + tasks,
                         "'" + s + "'");
    }
    WorkloadSpec spec;
    bool found = false;
    for (const auto& t : lra_tasks()) {
        if (t.name == parts[1]) spec.task = t.task, found = true;
    }
    if (!found) throw InputError("workload '" + s + "' task", "one of " + tasks, "'" + parts[1] + "'");
    if (parts.size() == 3) {
        found = false;
        for (auto a : lra_archs()) {
            if (arch_name(a) == parts[2]) spec.arch = a, found = true;
        }
        if (!found)
            throw InputError("workload '" + s + "' architecture", "one of " + archs, "'" + parts[2] + "'");
    }
    return spec;
}

}  // namespace ssmsim::workloads
