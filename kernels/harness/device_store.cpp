#include "kernels/harness/device_store.h"

#include <cuda_runtime.h>

#include "kernels/cuda_check.h"

namespace ssmsim::cuda {

DeviceBuffer::DeviceBuffer(size_t bytes) : bytes_(bytes) {
    if (bytes) check(cudaMalloc(&ptr_, bytes), "cudaMalloc");
}

DeviceBuffer::~DeviceBuffer() {
    if (ptr_) cudaFree(ptr_);
}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
        if (ptr_) cudaFree(ptr_);
        ptr_ = o.ptr_;
        bytes_ = o.bytes_;
        o.ptr_ = nullptr;
        o.bytes_ = 0;
    }
    return *this;
}

DeviceTensor upload(const Tensor& t) {
    DeviceTensor d{t.dtype(), t.shape(), DeviceBuffer(t.nbytes())};
    if (t.nbytes())
        check(cudaMemcpy(d.buf.get(), t.bytes().data(), t.nbytes(), cudaMemcpyHostToDevice), "upload");
    return d;
}

Tensor download(const DeviceTensor& d) {
    Tensor t(d.dtype, d.shape);
    if (t.nbytes())
        check(cudaMemcpy(t.bytes().data(), d.buf.get(), t.nbytes(), cudaMemcpyDeviceToHost), "download");
    return t;
}

void poison(DeviceTensor& t) {
    if (t.buf.bytes()) check(cudaMemset(t.buf.get(), 0xA5, t.buf.bytes()), "cudaMemset");
}

}  // namespace ssmsim::cuda
