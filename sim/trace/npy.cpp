#include "sim/trace/npy.h"

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "sim/util/atomic_file.h"
#include "sim/util/error.h"

namespace ssmsim {

namespace fs = std::filesystem;

std::string shape_str(const Shape& s) {
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i) {
        if (i) out += ", ";
        out += std::to_string(s[i]);
    }
    return out + "]";
}

namespace {

constexpr char kMagic[] = "\x93NUMPY";

// Reads the value of `key` in the header dict, e.g. 'descr': '<i4'.
std::string dict_value(const std::string& header, const std::string& key, const std::string& file) {
    const std::string pat = "'" + key + "':";
    const auto pos = header.find(pat);
    if (pos == std::string::npos) {
        throw InputError(file + ": header field '" + key + "'", "present",
                         "missing (header: " + header + ")");
    }
    size_t i = pos + pat.size();
    while (i < header.size() && header[i] == ' ') ++i;
    if (i >= header.size())
        throw InputError(file + ": header field '" + key + "'", "a value", "end of header");
    const char open = header[i];
    const char close = open == '(' ? ')' : open == '\'' ? '\'' : open == '"' ? '"' : '\0';
    if (close == '\0') {  // a bare word: True/False
        size_t j = i;
        while (j < header.size() && std::isalpha(static_cast<unsigned char>(header[j]))) ++j;
        return header.substr(i, j - i);
    }
    const auto end = header.find(close, i + 1);
    if (end == std::string::npos)
        throw InputError(file + ": header field '" + key + "'", "a closed value", header);
    return header.substr(i + 1, end - i - 1);
}

Shape parse_shape(const std::string& text, const std::string& file) {
    Shape shape;
    std::string item;
    std::stringstream ss(text);
    while (std::getline(ss, item, ',')) {
        const auto b = item.find_first_not_of(" \t");
        if (b == std::string::npos) continue;  // the trailing comma of a 1-tuple
        const auto e = item.find_last_not_of(" \tL");
        const std::string num = item.substr(b, e - b + 1);
        if (num.empty() || num.find_first_not_of("0123456789") != std::string::npos || num.size() > 15) {
            throw InputError(file + ": header field 'shape'", "a tuple of non-negative integers",
                             "(" + text + ")");
        }
        shape.push_back(std::stoll(num));
    }
    return shape;
}

}  // namespace

NpyHeader read_npy_header(const fs::path& path) {
    const std::string file = path.string();
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(file, "a readable .npy file", "no such file or not readable");
    std::error_code ec;
    const uint64_t file_size = fs::file_size(path, ec);
    if (ec) throw InputError(file, "a regular file", ec.message());

    char pre[10] = {};
    in.read(pre, 10);
    if (in.gcount() < 10 || std::string(pre, 6) != std::string(kMagic, 6)) {
        throw InputError(file, "the .npy magic \\x93NUMPY",
                         "a file of " + std::to_string(file_size) + " bytes without it");
    }
    const int major = static_cast<unsigned char>(pre[6]);
    size_t header_len = 0;
    size_t prefix = 10;
    if (major == 1) {
        header_len = static_cast<unsigned char>(pre[8]) | (static_cast<unsigned char>(pre[9]) << 8);
    } else if (major == 2 || major == 3) {
        char more[2];
        in.read(more, 2);
        if (in.gcount() < 2) throw InputError(file, "a complete .npy header", "a truncated file");
        header_len = static_cast<unsigned char>(pre[8]) | (static_cast<unsigned char>(pre[9]) << 8) |
                     (static_cast<size_t>(static_cast<unsigned char>(more[0])) << 16) |
                     (static_cast<size_t>(static_cast<unsigned char>(more[1])) << 24);
        prefix = 12;
    } else {
        throw InputError(file + ": format version", "1, 2 or 3", std::to_string(major));
    }
    if (header_len > 1u << 20 || prefix + header_len > file_size) {
        throw InputError(file + ": header length",
                         "at most the file size (" + std::to_string(file_size) + ")",
                         std::to_string(header_len));
    }
    std::string header(header_len, '\0');
    in.read(header.data(), static_cast<std::streamsize>(header_len));

    NpyHeader h;
    const std::string descr = dict_value(header, "descr", file);
    const auto dt = parse_npy_descr(descr);
    if (!dt)
        throw InputError(file + ": header field 'descr'",
                         "one of |i1 <i2 <i4 <f4 (int8, int16, int32, float32)", "'" + descr + "'");
    h.dtype = *dt;
    const std::string fortran = dict_value(header, "fortran_order", file);
    if (fortran != "False")
        throw InputError(file + ": header field 'fortran_order'", "False (C order)", fortran);
    h.shape = parse_shape(dict_value(header, "shape", file), file);
    h.data_offset = prefix + header_len;

    // Element count without overflow: every dimension is < 1e15, and the product is checked against the file.
    long double elements = 1;
    for (int64_t d : h.shape) elements *= static_cast<long double>(d);
    const long double expect = elements * dtype_size(h.dtype) + h.data_offset;
    if (expect != static_cast<long double>(file_size)) {
        const std::string what = expect > file_size ? "truncated" : "oversized";
        throw InputError(file,
                         std::to_string(static_cast<uint64_t>(expect - h.data_offset)) +
                             " data bytes for shape " + shape_str(h.shape) + " of " +
                             std::string(dtype_name(h.dtype)),
                         std::to_string(file_size - h.data_offset) + " (" + what + " file)");
    }
    return h;
}

Tensor read_npy(const fs::path& path) {
    const NpyHeader h = read_npy_header(path);
    Tensor t(h.dtype, h.shape);
    std::ifstream in(path, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(h.data_offset));
    in.read(reinterpret_cast<char*>(t.bytes().data()), static_cast<std::streamsize>(t.nbytes()));
    if (static_cast<size_t>(in.gcount()) != t.nbytes()) {
        throw InputError(path.string(), std::to_string(t.nbytes()) + " data bytes",
                         "a file that shrank while read");
    }
    return t;
}

void write_npy(const fs::path& path, const Tensor& t) {
    std::string dict =
        "{'descr': '" + std::string(dtype_npy_descr(t.dtype())) + "', 'fortran_order': False, 'shape': (";
    for (size_t i = 0; i < t.shape().size(); ++i) dict += (i ? ", " : "") + std::to_string(t.shape()[i]);
    if (t.shape().size() == 1) dict += ",";  // Python's 1-tuple
    dict += "), }";
    // Pad so that the data starts at a multiple of 64 bytes, as NumPy does.
    size_t total = 10 + dict.size() + 1;
    const size_t pad = (64 - total % 64) % 64;
    dict += std::string(pad, ' ') + "\n";
    std::string out(kMagic, 6);
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(dict.size() & 0xff);
    out += static_cast<char>((dict.size() >> 8) & 0xff);
    out += dict;
    const auto data = t.bytes();
    out.append(reinterpret_cast<const char*>(data.data()), data.size());
    write_file_atomic(path, out);
}

}  // namespace ssmsim
