#include "sim/util/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sim/util/error.h"

namespace ssmsim {

namespace {

std::string type_of_mode(mode_t mode) {
    if (S_ISREG(mode)) return "a regular file";
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISLNK(mode)) return "a symbolic link";
    return "a special file";
}

std::string size_words(uint64_t bytes) { return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes"); }

}  // namespace

std::string describe_file_type(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) return type_of_mode(st.st_mode);
    if (errno == ENOENT || errno == ENOTDIR) {
        struct stat lst {};
        return ::lstat(path.c_str(), &lst) == 0 ? "a dangling symbolic link" : "no such file";
    }
    return std::strerror(errno);
}

InputFile::InputFile(const std::filesystem::path& path, std::string where, const std::string& expected,
                     uint64_t max_bytes)
    : where_(std::move(where)) {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, possibly forever. fstat on
    // the open descriptor then decides, so nothing can be swapped in between the check and the read.
    fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd_ < 0) {
        const int err = errno;
        if (err == ENOENT || err == ENOTDIR || err == ENXIO)
            throw InputError(where_, expected, describe_file_type(path));
        throw InputError(where_, expected,
                         std::string("a file that cannot be opened (") + std::strerror(err) + ")");
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
        const std::string found = type_of_mode(st.st_mode);
        ::close(fd_);
        throw InputError(where_, expected, found + ", not a regular file");
    }
    size_ = static_cast<uint64_t>(st.st_size);
    if (size_ > max_bytes) {
        ::close(fd_);
        throw InputError(where_, expected + " of at most " + size_words(max_bytes),
                         "a file of " + size_words(size_));
    }
}

InputFile::~InputFile() {
    if (fd_ >= 0) ::close(fd_);
}

void InputFile::read_at(uint64_t offset, void* out, uint64_t n) const {
    auto* dst = static_cast<char*>(out);
    uint64_t done = 0;
    while (done < n) {
        const size_t chunk = static_cast<size_t>(std::min<uint64_t>(n - done, uint64_t{1} << 30));
        const ssize_t got = ::pread(fd_, dst + done, chunk, static_cast<off_t>(offset + done));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0)
            throw InputError(where_, "a readable file",
                             std::string("a read error (") + std::strerror(errno) + ")");
        if (got == 0) {
            throw InputError(where_, size_words(offset + n) + " as its size said",
                             "a file that shrank while read (" + size_words(offset + done) + ")");
        }
        done += static_cast<uint64_t>(got);
    }
}

std::string InputFile::read_all() const {
    std::string text(size_, '\0');
    read_at(0, text.data(), size_);
    return text;
}

std::string read_input_file(const std::filesystem::path& path, const std::string& where,
                            const std::string& expected, uint64_t max_bytes) {
    return InputFile(path, where, expected, max_bytes).read_all();
}

}  // namespace ssmsim
