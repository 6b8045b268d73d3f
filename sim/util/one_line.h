// Messages are one line ("ssmsim: error: <where>: expected ..., found ..."), which scripts read line by
// line. A name from the user may hold a newline, a NUL or a terminal escape (a trace's tensor names, a
// path, a JSON string): printed as is, it would break the line or the terminal. Here every control byte
// becomes a visible escape (\n, \x00); other bytes (UTF-8 included) stay as they are.
#pragma once

#include <string>
#include <string_view>

namespace ssmsim {

inline std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    constexpr char kHex[] = "0123456789abcdef";
                    out += "\\x";
                    out += kHex[c >> 4];
                    out += kHex[c & 15];
                } else {
                    out += ch;
                }
        }
    }
    return out;
}

}  // namespace ssmsim
