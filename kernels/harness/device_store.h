// Device copies of trace tensors: one cudaMalloc per tensor (256-byte aligned, as the 16-byte vector
// accesses of the kernels need), freed with the store.
#pragma once

#include <map>
#include <string>

#include "sim/trace/trace.h"

namespace ssmsim::cuda {

class DeviceBuffer {
public:
    DeviceBuffer() = default;
    explicit DeviceBuffer(size_t bytes);
    ~DeviceBuffer();
    DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(o.ptr_), bytes_(o.bytes_) {
        o.ptr_ = nullptr, o.bytes_ = 0;
    }
    DeviceBuffer& operator=(DeviceBuffer&& o) noexcept;
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;

    void* get() const { return ptr_; }
    size_t bytes() const { return bytes_; }

private:
    void* ptr_ = nullptr;
    size_t bytes_ = 0;
};

struct DeviceTensor {
    DType dtype = DType::int8;
    Shape shape;
    DeviceBuffer buf;

    template <typename T>
    T* as() const {
        return static_cast<T*>(buf.get());
    }
    int64_t size() const { return element_count(shape); }
};

DeviceTensor upload(const Tensor& t);
Tensor download(const DeviceTensor& t);
// Fills a device tensor with a byte pattern (0xA5): outputs a kernel forgot to write then show up.
void poison(DeviceTensor& t);

using DeviceStore = std::map<std::string, DeviceTensor>;

}  // namespace ssmsim::cuda
