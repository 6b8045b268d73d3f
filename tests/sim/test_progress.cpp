// The progress bar fits the terminal: no drawn line reaches its last column (at 80 columns a sweep's bar
// used to wrap, and scrolled line after line), whatever the label, counts and item.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "sim/util/progress.h"
#include "tests/support/drawn_lines.h"

namespace {

using ssmsim::Progress;
using ssmsim::testing::drawn_lines;

TEST(Progress, LinesFitTheWidth) {
    const std::string long_item(200, 'x');
    for (int width : {20, 40, 60, 80, 81, 120, 200}) {
        for (const std::string& label :
             {std::string("sweep"), std::string("neuromorphic"), std::string(90, 'L')}) {
            for (const std::string& item :
                 {std::string(), std::string("lra:pathx:mamba systolic"), long_item}) {
                for (size_t done : {size_t{0}, size_t{7}, size_t{66}}) {
                    const std::string s = Progress::line(label, done, 66, 1234.5, item, width);
                    EXPECT_LT(static_cast<int>(s.size()), width) << width << " '" << s << "'";
                }
                const std::string p = Progress::phase_line(label, "building " + item, 12.5, width);
                EXPECT_LT(static_cast<int>(p.size()), width) << width << " '" << p << "'";
            }
        }
    }
    // At 80 columns a sweep's line keeps its bar, counts and (part of) the item.
    const std::string s = Progress::line("sweep", 7, 66, 3.2, "lra:pathx:mamba systolic", 80);
    EXPECT_NE(s.find("sweep ["), std::string::npos) << s;
    EXPECT_NE(s.find("7/66"), std::string::npos) << s;
    EXPECT_NE(s.find("lra:pathx:mamba"), std::string::npos) << s;
}

TEST(Progress, DrawnLinesFitTheGivenWidthAndPhasesShow) {
    ::setenv("SSMSIM_PROGRESS", "1", 1);  // stderr is not a terminal under ctest
    ::testing::internal::CaptureStderr();
    {
        Progress bar("sweep", 66, true, 80);
        bar.phase("building 18 traces");
        for (size_t i = 1; i <= 66; ++i)
            bar.update(i, "lra:retrieval:transformer gpu " + std::string(i, '.'));
    }
    const std::string out = ::testing::internal::GetCapturedStderr();
    ::unsetenv("SSMSIM_PROGRESS");
    EXPECT_NE(out.find("sweep: building 18 traces"), std::string::npos) << out;
    EXPECT_NE(out.find("66/66"), std::string::npos) << out;
    for (const std::string& l : drawn_lines(out)) EXPECT_LE(l.size(), 79u) << "'" << l << "'";
}

TEST(Progress, QuietDrawsNothing) {
    ::setenv("SSMSIM_PROGRESS", "1", 1);
    ::testing::internal::CaptureStderr();
    {
        Progress bar("sweep", 3, false, 80);
        bar.phase("building");
        bar.update(3, "x");
    }
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
    ::unsetenv("SSMSIM_PROGRESS");
}

}  // namespace
