// What the fuzz targets share: a scratch folder of their own and file writing. The loaders under test read
// files, so each input is written to a file first. Only InputError is an expected outcome of a bad input;
// any other exception escapes and counts as a finding (libFuzzer reports it as a crash).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace ssmsim::fuzz {

// A fresh folder for this process under the system temp folder, removed at exit.
inline const std::filesystem::path& scratch_dir() {
    static const std::filesystem::path dir = [] {
        std::string pattern = (std::filesystem::temp_directory_path() / "ssmsim_fuzz_XXXXXX").string();
        if (!mkdtemp(pattern.data())) std::abort();
        std::atexit([] { std::filesystem::remove_all(scratch_dir()); });
        return std::filesystem::path(pattern);
    }();
    return dir;
}

inline void write_file(const std::filesystem::path& path, const uint8_t* data, size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) std::abort();
}

}  // namespace ssmsim::fuzz
