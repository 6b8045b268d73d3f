// What lives in the activation SRAM between ops. An op's output stays on chip when it fits beside what is
// already resident (minus what the op needs for staging); otherwise it is written to DRAM and every later
// reader fetches it again. Dead tensors are freed after their last reader. Weights are not kept between
// ops: every weight tensor is read by one op of a trace, so the weight SRAM only serves that op's reuse.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace ssmsim::systolic {

class Residency {
public:
    explicit Residency(int64_t capacity = 0) : capacity_(capacity) {}
    bool resident(const std::string& name) const { return tensors_.count(name) > 0; }
    int64_t used() const { return used_; }
    int64_t free_bytes() const { return capacity_ - used_; }
    int64_t capacity() const { return capacity_; }
    // Keeps `name` on chip if `bytes` fit while leaving `reserve` bytes free; returns whether it did.
    bool place(const std::string& name, int64_t bytes, int64_t reserve) {
        if (bytes + reserve > free_bytes()) return false;
        tensors_[name] = bytes;
        used_ += bytes;
        return true;
    }
    void release(const std::string& name) {
        const auto it = tensors_.find(name);
        if (it == tensors_.end()) return;
        used_ -= it->second;
        tensors_.erase(it);
    }
    void rename(const std::string& from, const std::string& to) {
        const auto it = tensors_.find(from);
        if (it == tensors_.end()) return;
        const int64_t b = it->second;
        tensors_.erase(it);
        tensors_[to] = b;
    }

private:
    int64_t capacity_;
    int64_t used_ = 0;
    std::map<std::string, int64_t> tensors_;
};

}  // namespace ssmsim::systolic
