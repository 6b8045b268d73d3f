// A dense, row-major tensor: the unit of data that flows between ops and into .npy files.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/trace/dtype.h"

namespace ssmsim {

using Shape = std::vector<int64_t>;

inline int64_t element_count(const Shape& s) {
    int64_t n = 1;
    for (int64_t d : s) n *= d;
    return n;
}

std::string shape_str(const Shape& s);  // "[1, 1024, 256]"

class Tensor {
public:
    Tensor() = default;
    Tensor(DType dtype, Shape shape)
        : dtype_(dtype), shape_(std::move(shape)), bytes_(element_count(shape_) * dtype_size(dtype_)) {}

    DType dtype() const { return dtype_; }
    const Shape& shape() const { return shape_; }
    int64_t size() const { return element_count(shape_); }
    size_t nbytes() const { return bytes_.size(); }
    bool empty() const { return bytes_.empty(); }

    std::span<std::byte> bytes() { return bytes_; }
    std::span<const std::byte> bytes() const { return bytes_; }

    template <typename T>
    std::span<T> as() {
        check<T>();
        return {reinterpret_cast<T*>(bytes_.data()), static_cast<size_t>(size())};
    }
    template <typename T>
    std::span<const T> as() const {
        check<T>();
        return {reinterpret_cast<const T*>(bytes_.data()), static_cast<size_t>(size())};
    }

    template <typename T>
    static Tensor from(Shape shape, const std::vector<T>& values) {
        Tensor t(dtype_of<T>(), std::move(shape));
        if (values.size() != static_cast<size_t>(t.size()))
            throw std::logic_error("Tensor::from: size mismatch");
        std::memcpy(t.bytes_.data(), values.data(), t.bytes_.size());
        return t;
    }

private:
    template <typename T>
    void check() const {
        if (dtype_of<T>() != dtype_) {
            throw std::logic_error("tensor of dtype " + std::string(dtype_name(dtype_)) + " read as " +
                                   std::string(dtype_name(dtype_of<T>())));
        }
    }

    DType dtype_ = DType::int8;
    Shape shape_;
    std::vector<std::byte> bytes_;
};

}  // namespace ssmsim
