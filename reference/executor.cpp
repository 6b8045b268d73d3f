#include "reference/executor.h"

#include <chrono>
#include <set>
#include <stdexcept>

#include "reference/op_view.h"

namespace ssmsim::reference {

Execution execute(const Trace& trace, TensorStore data, const ProgressFn& progress, bool keep_all,
                  const ObserverFn& observer) {
    for (const auto& td : trace.tensors) {
        if (td.is_graph_input() && td.last_reader >= 0 && !data.count(td.name)) {
            throw std::invalid_argument("reference: no data for graph input '" + td.name +
                                        "' (shape-only trace?)");
        }
    }
    const std::set<std::string> outputs(trace.outputs.begin(), trace.outputs.end());
    Execution ex;
    size_t live = 0;
    for (const auto& [name, t] : data) live += t.nbytes();
    ex.peak_bytes = live;
    for (size_t i = 0; i < trace.ops.size(); ++i) {
        const OpDecl& op = trace.ops[i];
        const Kernel kernel = find_kernel(op.kind);
        if (!kernel) throw std::logic_error("reference: no kernel for op kind '" + op.kind + "'");
        OpView view(trace, op, data);
        const auto start = std::chrono::steady_clock::now();
        kernel(view);
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        ex.ops.push_back({view.saturations, secs});
        ex.saturations += view.saturations;
        for (const auto& name : op.outputs) live += data.at(name).nbytes();
        ex.peak_bytes = std::max(ex.peak_bytes, live);
        if (observer) observer(op, data);
        if (!keep_all) {
            for (const auto& name : op.inputs) {
                const TensorDecl& td = trace.tensor(name);
                if (td.last_reader == static_cast<int>(i) && !outputs.count(name)) {
                    const auto it = data.find(name);
                    if (it != data.end()) {
                        live -= it->second.nbytes();
                        data.erase(it);
                    }
                }
            }
        }
        if (progress) progress(i + 1, op.name);
    }
    if (keep_all) {
        ex.outputs = std::move(data);
    } else {
        for (const auto& name : trace.outputs) ex.outputs.emplace(name, std::move(data.at(name)));
    }
    return ex;
}

}  // namespace ssmsim::reference
