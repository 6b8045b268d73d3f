#include "sim/trace/npy.h"

#include <cctype>
#include <cstdio>
#include <map>
#include <sstream>

#include "sim/util/atomic_file.h"
#include "sim/util/error.h"
#include "sim/util/input_file.h"

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

// The header is a Python dict literal, as NumPy writes it: {'descr': '<i4', 'fortran_order': False,
// 'shape': (3, 4), } followed by padding. Returns each key's value text: a string's content, a tuple's
// inside, or a bare word (True/False). A key given twice or a key NumPy does not write is refused (NumPy
// refuses both too), so no value is ever picked silently among several.
std::map<std::string, std::string> parse_header_dict(const std::string& header, const std::string& file) {
    const std::string where = file + ": header";
    auto fail = [&](const std::string& expected) -> void {
        const std::string shown = header.size() > 200 ? header.substr(0, 200) + "..." : header;
        throw InputError(where, expected, "'" + shown + "'");
    };
    size_t i = 0;
    auto skip_space = [&] {
        while (i < header.size() && (header[i] == ' ' || header[i] == '\t' || header[i] == '\n')) ++i;
    };
    auto quoted = [&]() -> std::string {
        const char q = header[i];
        const auto end = header.find(q, i + 1);
        if (end == std::string::npos) fail("a closed quoted string");
        std::string text = header.substr(i + 1, end - i - 1);
        i = end + 1;
        return text;
    };
    std::map<std::string, std::string> dict;
    skip_space();
    if (i >= header.size() || header[i] != '{') fail("a Python dict literal {'descr': ..., ...}");
    ++i;
    while (true) {
        skip_space();
        if (i < header.size() && header[i] == '}') break;
        if (i >= header.size() || (header[i] != '\'' && header[i] != '"')) fail("a quoted key or '}'");
        const std::string key = quoted();
        if (key != "descr" && key != "fortran_order" && key != "shape") {
            throw InputError(where + " field '" + key + "'", "only 'descr', 'fortran_order' and 'shape'",
                             "an unknown key");
        }
        if (dict.count(key)) throw InputError(where + " field '" + key + "'", "the key once", "it twice");
        skip_space();
        if (i >= header.size() || header[i] != ':') fail("':' after the key '" + key + "'");
        ++i;
        skip_space();
        if (i >= header.size()) fail("a value for '" + key + "'");
        std::string value;
        if (header[i] == '\'' || header[i] == '"') {
            value = quoted();
        } else if (header[i] == '(') {
            const auto end = header.find(')', i);
            if (end == std::string::npos) fail("a closed tuple");
            value = header.substr(i + 1, end - i - 1);
            i = end + 1;
        } else {
            const size_t b = i;
            while (i < header.size() &&
                   (std::isalnum(static_cast<unsigned char>(header[i])) || header[i] == '_'))
                ++i;
            value = header.substr(b, i - b);
            if (value.empty()) fail("a string, a tuple, True or False as the value of '" + key + "'");
        }
        dict.emplace(key, value);
        skip_space();
        if (i < header.size() && header[i] == ',') {
            ++i;
        } else if (i >= header.size() || header[i] != '}') {
            fail("',' or '}' after the value of '" + key + "'");
        }
    }
    ++i;
    skip_space();
    if (i != header.size()) fail("only padding after the dict's '}'");
    return dict;
}

const std::string& dict_value(const std::map<std::string, std::string>& dict, const std::string& key,
                              const std::string& header, const std::string& file) {
    const auto it = dict.find(key);
    if (it == dict.end()) {
        throw InputError(file + ": header field '" + key + "'", "present",
                         "missing (header: " + header + ")");
    }
    return it->second;
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

// Parses and checks the header of an open .npy file against its size.
NpyHeader read_header(const InputFile& in) {
    const std::string& file = in.where();
    const uint64_t file_size = in.size();
    char pre[12] = {};
    if (file_size < 10) {
        throw InputError(file, "the .npy magic \\x93NUMPY",
                         "a file of " + std::to_string(file_size) + " bytes");
    }
    in.read_at(0, pre, 10);
    if (std::string(pre, 6) != std::string(kMagic, 6)) {
        throw InputError(file, "the .npy magic \\x93NUMPY",
                         "a file of " + std::to_string(file_size) + " bytes without it");
    }
    const int major = static_cast<unsigned char>(pre[6]);
    size_t header_len = 0;
    size_t prefix = 10;
    if (major == 1) {
        header_len = static_cast<unsigned char>(pre[8]) | (static_cast<unsigned char>(pre[9]) << 8);
    } else if (major == 2 || major == 3) {
        if (file_size < 12) throw InputError(file, "a complete .npy header", "a truncated file");
        in.read_at(10, pre + 10, 2);
        header_len = static_cast<unsigned char>(pre[8]) | (static_cast<unsigned char>(pre[9]) << 8) |
                     (static_cast<size_t>(static_cast<unsigned char>(pre[10])) << 16) |
                     (static_cast<size_t>(static_cast<unsigned char>(pre[11])) << 24);
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
    in.read_at(prefix, header.data(), header_len);
    const auto dict = parse_header_dict(header, file);

    NpyHeader h;
    const std::string& descr = dict_value(dict, "descr", header, file);
    const auto dt = parse_npy_descr(descr);
    if (!dt)
        throw InputError(file + ": header field 'descr'",
                         "one of |i1 <i2 <i4 <f4 (int8, int16, int32, float32)", "'" + descr + "'");
    h.dtype = *dt;
    const std::string& fortran = dict_value(dict, "fortran_order", header, file);
    if (fortran != "False")
        throw InputError(file + ": header field 'fortran_order'", "False (C order)", fortran);
    h.shape = parse_shape(dict_value(dict, "shape", header, file), file);
    h.data_offset = prefix + header_len;

    // Element count without overflow: every dimension is < 1e15, and the product is checked against the file.
    long double elements = 1;
    for (int64_t d : h.shape) elements *= static_cast<long double>(d);
    const long double expect = elements * dtype_size(h.dtype) + h.data_offset;
    if (expect != static_cast<long double>(file_size)) {
        const std::string what = expect > file_size ? "truncated" : "oversized";
        // The count can pass 2^64 (dimensions up to 1e15 each): written from the long double, never cast.
        char bytes[64];
        std::snprintf(bytes, sizeof bytes, "%.0Lf", expect - static_cast<long double>(h.data_offset));
        throw InputError(file,
                         std::string(bytes) + " data bytes for shape " + shape_str(h.shape) + " of " +
                             std::string(dtype_name(h.dtype)),
                         std::to_string(file_size - h.data_offset) + " (" + what + " file)");
    }
    return h;
}

InputFile open_npy(const fs::path& path) {
    return InputFile(path, path.string(), "a readable .npy file", kMaxNpyFileBytes);
}

}  // namespace

NpyHeader read_npy_header(const fs::path& path) { return read_header(open_npy(path)); }

Tensor read_npy(const fs::path& path) {
    const InputFile in = open_npy(path);
    const NpyHeader h = read_header(in);
    Tensor t(h.dtype, h.shape);
    in.read_at(h.data_offset, t.bytes().data(), t.nbytes());
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
