// Errors that reach the user. Every input error names where it happened (file, JSON pointer or field),
// what was expected and what was found, so that one line tells the user what to fix.
#pragma once

#include <stdexcept>
#include <string>

#include "sim/util/one_line.h"

namespace ssmsim {

// Bad input: a trace, a tensor file, a config value or a command-line argument.
class InputError : public std::runtime_error {
public:
    // The message is made one line (sim/util/one_line.h): a name from the user may hold a newline or a NUL,
    // which what() would otherwise print as a line break or cut the message at.
    InputError(const std::string& where, const std::string& expected, const std::string& found)
        : std::runtime_error(one_line(where + ": expected " + expected + ", found " + found)),
          where_(where) {}
    // A message that does not fit the expected/found form (for example a cycle in a graph).
    explicit InputError(const std::string& message) : std::runtime_error(one_line(message)) {}

    const std::string& where() const { return where_; }

private:
    std::string where_;
};

// "file.json:/tensors/x/shape" — the location format used by every message.
inline std::string location(const std::string& file, const std::string& json_pointer) {
    return json_pointer.empty() ? file : file + ":" + json_pointer;
}

// Escapes a key for use inside a JSON pointer (RFC 6901).
inline std::string pointer_escape(const std::string& key) {
    std::string out;
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace ssmsim
