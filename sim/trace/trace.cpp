#include "sim/trace/trace.h"

#include <stdexcept>

namespace ssmsim {

std::string_view numerics_name(Numerics n) { return n == Numerics::int8 ? "int8" : "float32"; }

const TensorDecl& Trace::tensor(const std::string& name) const {
    const auto it = index_.find(name);
    if (it == index_.end()) throw std::out_of_range("trace has no tensor '" + name + "'");
    return tensors[it->second];
}

TensorDecl& Trace::tensor(const std::string& name) {
    return const_cast<TensorDecl&>(static_cast<const Trace&>(*this).tensor(name));
}

TensorDecl& Trace::add_tensor(TensorDecl t) {
    if (index_.count(t.name)) throw std::logic_error("duplicate tensor '" + t.name + "'");
    index_[t.name] = tensors.size();
    tensors.push_back(std::move(t));
    return tensors.back();
}

void Trace::reindex() {
    index_.clear();
    for (size_t i = 0; i < tensors.size(); ++i) index_[tensors[i].name] = i;
}

}  // namespace ssmsim
