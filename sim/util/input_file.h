// Opening a file the user named (trace.json, .npy tensors, --config, --weights, sweep files, stored results).
// Only regular files are read: a FIFO would block the reader forever, /dev/zero or /dev/urandom never end, a
// directory or a socket cannot be read as bytes. The size is checked (fstat) before anything is read, so a
// huge file is refused before it is allocated. Every refusal is an InputError naming the file and what was
// found there.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace ssmsim {

// Size bounds, each far above what the formats need.
inline constexpr uint64_t kMaxJsonFileBytes = uint64_t{1} << 28;    // trace.json, results: 100k ops ~30 MB
inline constexpr uint64_t kMaxConfigFileBytes = uint64_t{1} << 20;  // configs and sweep files: a few KiB
inline constexpr uint64_t kMaxNpyFileBytes = uint64_t{1} << 42;     // 2^40 elements of 4 bytes, + header

// What is at `path`, in words: "a directory", "a FIFO (named pipe)", "a character device", ...
std::string describe_file_type(const std::filesystem::path& path);

// A regular file opened for reading. `where` names it in messages (the path, or "--config my.json").
class InputFile {
public:
    // Throws InputError "<where>: expected <expected>, found <what is there>" for a missing or unreadable
    // path, anything but a regular file, or a file over `max_bytes`.
    InputFile(const std::filesystem::path& path, std::string where, const std::string& expected,
              uint64_t max_bytes);
    ~InputFile();
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;

    uint64_t size() const { return size_; }
    const std::string& where() const { return where_; }

    // Reads exactly `n` bytes from `offset`; a file that shrank meanwhile is an InputError.
    void read_at(uint64_t offset, void* out, uint64_t n) const;
    std::string read_all() const;

private:
    int fd_ = -1;
    uint64_t size_ = 0;
    std::string where_;
};

// The whole content of a regular file of at most `max_bytes`.
std::string read_input_file(const std::filesystem::path& path, const std::string& where,
                            const std::string& expected, uint64_t max_bytes);

}  // namespace ssmsim
