// Atomic file output: write to a temporary name in the same folder, then rename over the target.
// A reader sees either the old file or the whole new one, never a partial one.
#pragma once

#include <filesystem>
#include <span>
#include <string_view>

namespace ssmsim {

void write_file_atomic(const std::filesystem::path& path, std::span<const std::byte> data);
void write_file_atomic(const std::filesystem::path& path, std::string_view text);

}  // namespace ssmsim
