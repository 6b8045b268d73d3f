#include "reference/op_view.h"

#include <fmt/format.h>

#include "sim/util/error.h"

namespace ssmsim::reference {

const Tensor& OpView::in(size_t i) const {
    const auto it = store_.find(op_.inputs.at(i));
    if (it == store_.end()) throw std::logic_error("reference: tensor '" + op_.inputs[i] + "' has no value");
    return it->second;
}

Tensor& OpView::out(size_t i) {
    const TensorDecl& d = trace_.tensor(op_.outputs.at(i));
    auto [it, inserted] = store_.insert_or_assign(d.name, Tensor(d.dtype, d.shape));
    return it->second;
}

void OpView::bad_value(size_t input, int64_t flat_index, const std::string& expected, int64_t found) const {
    const TensorDecl& d = trace_.tensor(op_.inputs.at(input));
    const std::string file = d.file.empty() ? "tensor '" + d.name + "'" : (trace_.dir / d.file).string();
    throw InputError(fmt::format("{} (input {} of op '{}', element {})", file, input, op_.name, flat_index),
                     expected, std::to_string(found));
}

}  // namespace ssmsim::reference
