#include "sim/util/atomic_file.h"

#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "sim/util/interrupt.h"

namespace ssmsim {

void write_file_atomic(const std::filesystem::path& path, std::span<const std::byte> data) {
    // The pid keeps concurrent writers (sweep processes) from sharing a temporary name.
    const std::filesystem::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
    const interrupt::TempFile registered(tmp.string());  // removed if a signal ends the process meanwhile
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot write " + tmp.string());
    const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
    const bool closed = std::fclose(f) == 0;
    std::error_code ec;
    if (!ok || !closed) {
        std::filesystem::remove(tmp, ec);
        throw std::runtime_error("cannot write " + path.string() + " (disk full?)");
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);  // never leave the temporary behind
        throw std::runtime_error("cannot rename " + tmp.string() + " to " + path.string());
    }
}

void write_file_atomic(const std::filesystem::path& path, std::string_view text) {
    write_file_atomic(path, std::span(reinterpret_cast<const std::byte*>(text.data()), text.size()));
}

}  // namespace ssmsim
