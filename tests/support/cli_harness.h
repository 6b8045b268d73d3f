// Runs the ssmsim binary from tests and reads what it leaves behind.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace ssmsim::testing {

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

// Runs a shell command line, stdout and stderr together.
inline CommandResult run_command(const std::string& cmd) {
    CommandResult r;
    FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
    if (!pipe) return r;
    std::array<char, 4096> buf{};
    size_t n = 0;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
    const int status = pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

inline CommandResult run_ssmsim(const std::string& args) {
    // Appended in place: GCC 12 sees a false -Warray-bounds in `std::string(a) + " " + b` once inlined.
    std::string command = SSMSIM_BINARY;
    command.append(" ").append(args);
    return run_command(command);
}

inline std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline nlohmann::json read_json(const std::filesystem::path& p) {
    return nlohmann::json::parse(read_text(p));
}

inline void write_text(const std::filesystem::path& p, const std::string& s) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << s;
}

// A fresh, empty folder under the system temp folder for one test.
inline std::filesystem::path scratch_dir(const std::string& name) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("ssmsim_test_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

}  // namespace ssmsim::testing
