// The one way user files are opened (sim/util/input_file.h) and JSON is parsed (sim/util/json_input.h):
// regular files only, a size bound checked before reading, duplicate keys and deep nesting refused.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "sim/util/error.h"
#include "sim/util/input_file.h"
#include "sim/util/json_input.h"

namespace fs = std::filesystem;
using namespace ssmsim;

namespace {

// A folder of this process's own, removed at exit.
fs::path scratch(const std::string& name) {
    static const struct Dir {
        fs::path path = fs::temp_directory_path() / ("ssmsim_input_file_" + std::to_string(::getpid()));
        ~Dir() {
            std::error_code ec;
            fs::remove_all(path, ec);
        }
    } dir;
    fs::create_directories(dir.path);
    return dir.path / name;
}

std::string open_error(const fs::path& p, uint64_t max_bytes = 1 << 20) {
    try {
        InputFile f(p, p.string(), "a test file", max_bytes);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

template <typename Json = nlohmann::json>
std::string parse_error(const std::string& text, uint64_t max_bytes = kMaxJsonFileBytes) {
    try {
        parse_json_input<Json>(text, "t.json", max_bytes);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(InputFile, ReadsARegularFile) {
    const fs::path p = scratch("plain.txt");
    std::ofstream(p) << "hello";
    EXPECT_EQ(read_input_file(p, p.string(), "text", 100), "hello");
    const InputFile f(p, "plain", "text", 5);
    EXPECT_EQ(f.size(), 5u);
    char two[2];
    f.read_at(3, two, 2);
    EXPECT_EQ(std::string(two, 2), "lo");
    fs::remove(p);
}

// A FIFO used to block the reader forever: refused at once, without waiting for a writer.
TEST(InputFile, RefusesAFifoWithoutBlocking) {
    const fs::path p = scratch("fifo.json");
    fs::remove(p);
    ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
    const auto start = std::chrono::steady_clock::now();
    const std::string msg = open_error(p);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_NE(msg.find(p.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("found a FIFO (named pipe)"), std::string::npos) << msg;
    fs::remove(p);
}

TEST(InputFile, RefusesDevicesDirectoriesSocketsAndMissingFiles) {
    EXPECT_NE(open_error("/dev/zero").find("found a character device"), std::string::npos);
    const fs::path dir = scratch("a_dir");
    fs::create_directories(dir);
    EXPECT_NE(open_error(dir).find("found a directory"), std::string::npos);
    EXPECT_NE(open_error(scratch("absent")).find("found no such file"), std::string::npos);

    const fs::path sock = scratch("sock");
    fs::remove(sock);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    ASSERT_LT(sock.string().size(), sizeof addr.sun_path);
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_NE(open_error(sock).find("found a socket"), std::string::npos) << open_error(sock);
    ::close(fd);
    fs::remove(sock);

    const fs::path link = scratch("dangling");
    fs::remove(link);
    fs::create_symlink(scratch("nowhere"), link);
    EXPECT_NE(open_error(link).find("dangling symbolic link"), std::string::npos) << open_error(link);
    fs::remove(link);
}

TEST(InputFile, RefusesAFileOverTheBoundBeforeReadingIt) {
    const fs::path p = scratch("big.txt");
    std::ofstream(p) << std::string(1000, 'x');
    const std::string msg = open_error(p, 999);
    EXPECT_NE(msg.find("at most 999 bytes"), std::string::npos) << msg;
    EXPECT_NE(msg.find("a file of 1000 bytes"), std::string::npos) << msg;
    EXPECT_EQ(open_error(p, 1000), "");
    fs::remove(p);
}

TEST(InputFile, ReadingPastTheEndIsAnError) {
    const fs::path p = scratch("short.txt");
    std::ofstream(p) << "abc";
    const InputFile f(p, "short", "text", 100);
    char buf[8];
    EXPECT_THROW(f.read_at(0, buf, 8), InputError);
    fs::remove(p);
}

TEST(JsonInput, BuildsTheSameDocumentAsNlohmann) {
    const std::string text =
        R"({"b": [1, -2, 3.5, true, null, "s", {"x": []}], "a": {"k": {"deep": [[[]]]}}, "u": 18446744073709551615})";
    EXPECT_EQ(parse_json_input<nlohmann::json>(text, "t.json"), nlohmann::json::parse(text));
    const auto ordered = parse_json_input<nlohmann::ordered_json>(text, "t.json");
    EXPECT_EQ(ordered, nlohmann::ordered_json::parse(text));
    EXPECT_EQ(ordered.begin().key(), "b");  // the file's order kept
    EXPECT_EQ(parse_json_input<nlohmann::json>("7", "t.json"), 7);
}

TEST(JsonInput, RefusesDuplicateKeysNamingTheObject) {
    for (const std::string& msg :
         {parse_error(R"({"a": {"b": [0, {"k": 1, "k": 2}]}})"),
          parse_error<nlohmann::ordered_json>(R"({"a": {"b": [0, {"k": 1, "k": 2}]}})")}) {
        EXPECT_NE(msg.find("t.json:/a/b/1"), std::string::npos) << msg;
        EXPECT_NE(msg.find("the key 'k' twice"), std::string::npos) << msg;
    }
    EXPECT_NE(parse_error(R"({"x": 1, "x": 1})").find("the key 'x' twice"), std::string::npos);
    EXPECT_EQ(parse_error(R"([{"x": 1}, {"x": 1}])"), "");  // the same key in two objects is fine
}

TEST(JsonInput, RefusesDeepNestingMalformedTextAndOversizedText) {
    const std::string deep = std::string(200000, '[') + std::string(200000, ']');
    EXPECT_NE(parse_error(deep).find("nested at most 64 levels deep"), std::string::npos);
    EXPECT_NE(parse_error<nlohmann::ordered_json>(deep).find("nested at most 64 levels deep"),
              std::string::npos);
    EXPECT_EQ(parse_error(std::string(64, '[') + std::string(64, ']')), "");
    EXPECT_NE(parse_error(std::string(65, '[') + std::string(65, ']')).find("nested"), std::string::npos);
    EXPECT_NE(parse_error(R"({"a": 1e999})").find("valid JSON"), std::string::npos);
    EXPECT_NE(parse_error(R"({"a": )").find("valid JSON"), std::string::npos);
    EXPECT_NE(parse_error("{} {}").find("valid JSON"), std::string::npos);
    EXPECT_NE(parse_error("\"caf\xe9\"").find("valid JSON"), std::string::npos);
    EXPECT_NE(parse_error("[1, 2, 3]", 8).find("at most 8 bytes"), std::string::npos);
}

// The trace loader used nlohmann's callback parser, which rescans the parent after each child: 40k objects
// in one array took seconds. Linear now: 200k objects parse in well under a second even in a debug build.
TEST(JsonInput, ParsesLargeArraysInLinearTime) {
    std::string text = "[";
    for (int i = 0; i < 200000; ++i) text += std::string(i ? "," : "") + R"({"name": "op", "i": 1})";
    text += "]";
    const auto start = std::chrono::steady_clock::now();
    const auto doc = parse_json_input<nlohmann::json>(text, "t.json");
    EXPECT_EQ(doc.size(), 200000u);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(JsonInput, LoadsFilesThroughTheFileHelper) {
    const fs::path p = scratch("doc.json");
    std::ofstream(p) << R"({"a": [1, 2]})";
    EXPECT_EQ(load_json_file<nlohmann::json>(p, p.string(), "a JSON file").at("a").size(), 2u);
    fs::remove(p);
    ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
    EXPECT_THROW(load_json_file<nlohmann::json>(p, p.string(), "a JSON file"), InputError);
    fs::remove(p);
}

}  // namespace
