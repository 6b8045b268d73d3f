#include <stdexcept>

#include "sim/backend/backend.h"

namespace ssmsim {

namespace {
std::vector<BackendInfo>& entries() {
    static std::vector<BackendInfo> e;
    return e;
}
}  // namespace

void BackendRegistry::add(BackendInfo info) {
    if (find(info.name)) throw std::logic_error("backend '" + info.name + "' registered twice");
    entries().push_back(std::move(info));
}

const BackendInfo* BackendRegistry::find(const std::string& name) {
    for (const auto& e : entries()) {
        if (e.name == name) return &e;
    }
    return nullptr;
}

std::vector<const BackendInfo*> BackendRegistry::all() {
    std::vector<const BackendInfo*> out;
    for (const auto& e : entries()) out.push_back(&e);
    return out;
}

}  // namespace ssmsim
