// csv_quote: the one CSV cell writer of ops.csv, runs.csv, sweeps' results.csv and compare's tables.
#include <gtest/gtest.h>

#include "sim/util/csv_rows.h"

namespace {

using ssmsim::csv_quote;

TEST(CsvQuote, PlainCellsStayAsTheyAre) {
    EXPECT_EQ(csv_quote(""), "");
    EXPECT_EQ(csv_quote("l0.ssm_fwd"), "l0.ssm_fwd");
    EXPECT_EQ(csv_quote("unit=scan tiles=4"), "unit=scan tiles=4");
}

TEST(CsvQuote, CommasQuotesAndLineBreaksAreQuoted) {
    EXPECT_EQ(csv_quote("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_quote("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_quote("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_quote("cr\r"), "\"cr\r\"");
    EXPECT_EQ(csv_quote("[1,2]"), "\"[1,2]\"");
}

}  // namespace
