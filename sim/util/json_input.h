// Parsing JSON that a user wrote (trace.json, hardware configs, sweep files, stored sweep results). Every
// problem is an InputError naming the file: malformed text, a number out of double range (1e999), a key given
// twice in one object (nlohmann's own parse keeps the last one silently), nesting deeper than kMaxJsonDepth
// (printing a value, as error messages and reports do, recurses once per level, so a hostile file could
// otherwise exhaust the stack), or more than a size bound of text.
//
// The document is built by a SAX handler of our own, in time linear in the text: nlohmann's callback parser,
// the other way to see keys and depth while parsing, rescans the parent container after each child (a 100k-op
// trace.json took 89 s).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/util/error.h"
#include "sim/util/input_file.h"

namespace ssmsim {

inline constexpr int kMaxJsonDepth = 64;  // the trace format and the configs need fewer than 10 levels

namespace detail {

// Builds a Json (nlohmann::json or ordered_json) from nlohmann's SAX events, refusing duplicate keys and
// nesting deeper than kMaxJsonDepth as they arrive.
template <typename Json>
class CheckedJsonBuilder {
public:
    using string_t = typename Json::string_t;
    using object_t = typename Json::object_t;
    using array_t = typename Json::array_t;

    explicit CheckedJsonBuilder(const std::string& file) : file_(file) {}

    Json take() { return std::move(root_); }

    bool null() { return put(Json(nullptr)); }
    bool boolean(bool v) { return put(Json(v)); }
    bool number_integer(typename Json::number_integer_t v) { return put(Json(v)); }
    bool number_unsigned(typename Json::number_unsigned_t v) { return put(Json(v)); }
    bool number_float(typename Json::number_float_t v, const string_t&) { return put(Json(v)); }
    bool string(string_t& v) { return put(Json(std::move(v))); }
    bool binary(typename Json::binary_t& v) { return put(Json::binary(std::move(v))); }

    bool start_object(std::size_t) { return open(Json::value_t::object); }
    bool start_array(std::size_t) { return open(Json::value_t::array); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(string_t& k) {
        Frame& f = frames_.back();
        object_t& obj = f.node->template get_ref<object_t&>();
        if constexpr (requires { typename object_t::Container; }) {
            // ordered_map finds keys by a linear scan: check with a hash set, then append to its vector.
            if (!f.ordered_keys.insert(k).second) duplicate(k);
            auto& items = static_cast<typename object_t::Container&>(obj);
            items.emplace_back(k, nullptr);
            slot_ = &items.back().second;
        } else {
            const auto [it, inserted] = obj.emplace(k, nullptr);
            if (!inserted) duplicate(k);
            slot_ = &it->second;
        }
        f.key = std::move(k);
        return true;
    }

    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
        // A syntax error, bad UTF-8, or a number out of double range (1e999).
        throw InputError(file_, "valid JSON (UTF-8)", std::string("a parse error: ") + e.what());
    }

private:
    struct Frame {
        Json* node;
        std::string key;                               // the member being read (objects)
        std::unordered_set<std::string> ordered_keys;  // ordered_json only
    };

    bool put(Json&& v) {
        if (frames_.empty()) {
            root_ = std::move(v);
            last_ = &root_;
        } else if (Json& parent = *frames_.back().node; parent.is_array()) {
            auto& items = parent.template get_ref<array_t&>();
            items.push_back(std::move(v));
            last_ = &items.back();
        } else {
            *slot_ = std::move(v);
            last_ = slot_;
        }
        return true;
    }

    bool open(typename Json::value_t type) {
        if (frames_.size() >= static_cast<size_t>(kMaxJsonDepth)) {
            throw InputError(file_, fmt::format("JSON nested at most {} levels deep", kMaxJsonDepth),
                             "deeper nesting");
        }
        put(Json(type));
        // A container's address is stable while it is being filled: its parent grows only after it closes.
        frames_.push_back({last_, {}, {}});
        return true;
    }

    bool close() {
        frames_.pop_back();
        return true;
    }

    // The JSON pointer of the object being read.
    std::string pointer() const {
        std::string p;
        for (size_t i = 0; i + 1 < frames_.size(); ++i) {
            const Json& n = *frames_[i].node;
            p += '/';
            p += n.is_array() ? std::to_string(n.size() - 1) : pointer_escape(frames_[i].key);
        }
        return p;
    }

    [[noreturn]] void duplicate(const std::string& k) const {
        throw InputError(location(file_, pointer()), "each key once per object", "the key '" + k + "' twice");
    }

    const std::string& file_;
    Json root_;
    Json* last_ = nullptr;  // the value put last
    Json* slot_ = nullptr;  // the member of the innermost object that the next value fills
    std::vector<Frame> frames_;
};

}  // namespace detail

// `Json`: nlohmann::json or ordered_json. `file` names the text in messages.
template <typename Json>
Json parse_json_input(std::string_view text, const std::string& file,
                      uint64_t max_bytes = kMaxJsonFileBytes) {
    if (text.size() > max_bytes) {
        throw InputError(file, fmt::format("JSON of at most {} bytes", max_bytes),
                         fmt::format("{} bytes", text.size()));
    }
    detail::CheckedJsonBuilder<Json> builder(file);
    Json::sax_parse(text, &builder, nlohmann::json::input_format_t::json, true, false);
    return builder.take();
}

// A user's JSON file: a regular file of at most `max_bytes` (see input_file.h), then parse_json_input.
// `where` names it in messages; `expected` says what it should be ("a readable trace.json").
template <typename Json>
Json load_json_file(const std::filesystem::path& path, const std::string& where, const std::string& expected,
                    uint64_t max_bytes = kMaxJsonFileBytes) {
    return parse_json_input<Json>(read_input_file(path, where, expected, max_bytes), where, max_bytes);
}

// Instantiated once, in json_input.cpp, for both document types: nlohmann's SAX parser and the builder are
// the bulk of the object code of every file that parses JSON, and would otherwise be compiled in each of
// them.
extern template nlohmann::json parse_json_input<nlohmann::json>(std::string_view, const std::string&,
                                                                uint64_t);
extern template nlohmann::ordered_json parse_json_input<nlohmann::ordered_json>(std::string_view,
                                                                                const std::string&, uint64_t);

}  // namespace ssmsim
