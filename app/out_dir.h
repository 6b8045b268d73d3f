// The folder a command writes into (--out of run, gen and sweep). Checked before anything runs, so that a
// path that is a file or a folder ssmsim cannot write is a user's mistake (exit 2) reported at once, not an
// internal error after the whole run.
#pragma once

#include <filesystem>
#include <string>

namespace ssmsim::cli {

// Creates `dir` if needed and proves it writable by creating and removing a file in it. Throws InputError
// "<flag> <dir>: expected a folder ssmsim can write, found ..." otherwise.
void prepare_out_dir(const std::filesystem::path& dir, const std::string& flag);

}  // namespace ssmsim::cli
