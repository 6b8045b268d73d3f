#include "app/out_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "sim/util/error.h"

namespace ssmsim::cli {

namespace fs = std::filesystem;

namespace {

std::string kind_of(const fs::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return std::strerror(errno);
    if (S_ISREG(st.st_mode)) return "a regular file";
    if (S_ISFIFO(st.st_mode)) return "a FIFO (named pipe)";
    if (S_ISCHR(st.st_mode)) return "a character device";
    if (S_ISBLK(st.st_mode)) return "a block device";
    if (S_ISSOCK(st.st_mode)) return "a socket";
    return "something that is not a folder";
}

}  // namespace

void prepare_out_dir(const fs::path& dir, const std::string& flag) {
    const std::string where = flag + " " + dir.string();
    const std::string expected = "a folder ssmsim can write";
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) throw InputError(where, expected, kind_of(dir));
    fs::create_directories(dir, ec);
    if (ec) throw InputError(where, expected, "a folder that cannot be created (" + ec.message() + ")");
    // access(W_OK) would trust permission bits that root ignores and miss a read-only mount: try it.
    std::string probe = (dir / ".ssmsim-write-check-XXXXXX").string();
    const int fd = ::mkstemp(probe.data());
    if (fd < 0) {
        throw InputError(where, expected,
                         std::string("a folder it cannot write (") + std::strerror(errno) + ")");
    }
    ::close(fd);
    ::unlink(probe.c_str());
}

}  // namespace ssmsim::cli
