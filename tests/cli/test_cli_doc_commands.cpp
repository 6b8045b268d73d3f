// The documented MPI commands must run as they are written on the machines our users (and CI) have: as root
// in containers, with more ranks than cores. Open MPI refuses both without its flags (issue 19: the README's
// `mpirun -np 4` failed as root on 2 cores).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;

namespace {

TEST(DocCommands, EveryMpirunCommandRunsAsRootWithMoreRanksThanCores) {
    int commands = 0;
    for (const char* doc : {"README.md", "docs/sweeps.md"}) {
        std::ifstream in(fs::path(SSMSIM_SOURCE_DIR) / doc);
        ASSERT_TRUE(in) << doc;
        std::string line;
        int number = 0;
        while (std::getline(in, line)) {
            ++number;
            const auto first = line.find_first_not_of(' ');
            if (first == std::string::npos || line.compare(first, 7, "mpirun ") != 0) continue;  // prose
            ++commands;
            EXPECT_NE(line.find("--allow-run-as-root"), std::string::npos)
                << doc << ":" << number << ": " << line;
            EXPECT_NE(line.find("--oversubscribe"), std::string::npos)
                << doc << ":" << number << ": " << line;
        }
    }
    EXPECT_GE(commands, 2);  // README's sweep example and docs/sweeps.md's
}

}  // namespace
