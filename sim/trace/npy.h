// NumPy .npy files (format versions 1.0, 2.0 and 3.0, C order, little-endian), read with full validation
// and written atomically.
#pragma once

#include <filesystem>
#include <string>

#include "sim/trace/tensor.h"

namespace ssmsim {

struct NpyHeader {
    DType dtype = DType::int8;
    Shape shape;
    size_t data_offset = 0;  // bytes from the start of the file to the first element
};

// Parses and checks the header; checks that the file holds exactly the bytes the header promises.
// Throws InputError naming the file and the field at fault.
NpyHeader read_npy_header(const std::filesystem::path& path);

Tensor read_npy(const std::filesystem::path& path);

// Writes to a temporary name beside `path`, then renames, so a crash never leaves a partial file.
void write_npy(const std::filesystem::path& path, const Tensor& t);

}  // namespace ssmsim
