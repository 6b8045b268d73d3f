// Numbers from the user (sim/util/checked_int.h) and messages kept on one line (sim/util/one_line.h).
#include <gtest/gtest.h>

#include <limits>

#include "sim/util/checked_int.h"
#include "sim/util/error.h"
#include "sim/util/one_line.h"

using namespace ssmsim;

namespace {

TEST(CheckedInt, TakesPlainDecimalIntegersInRange) {
    EXPECT_EQ(parse_integer<int64_t>("0"), 0);
    EXPECT_EQ(parse_integer<int64_t>("-5"), -5);
    EXPECT_EQ(parse_integer<int64_t>("9223372036854775807"), std::numeric_limits<int64_t>::max());
    EXPECT_EQ(parse_integer<uint64_t>("18446744073709551615"), std::numeric_limits<uint64_t>::max());
    EXPECT_EQ(parse_integer<int>("4096", 1, 4096), 4096);
}

TEST(CheckedInt, RefusesEverythingElse) {
    for (const char* text : {"", " 1", "1 ", "+1", "1.5", "1e3", "0x10", "12abc", "9223372036854775808",
                             "-9223372036854775809", "99999999999999999999"}) {
        EXPECT_FALSE(parse_integer<int64_t>(text)) << "'" << text << "'";
    }
    EXPECT_FALSE(parse_integer<uint64_t>("-1"));
    EXPECT_FALSE(parse_integer<uint64_t>("18446744073709551616"));
    EXPECT_FALSE(parse_integer<int>("0", 1, 4096));
    EXPECT_FALSE(parse_integer<int>("4097", 1, 4096));
}

TEST(CheckedInt, ArgumentErrorsEchoTheTextAsGiven) {
    try {
        parse_integer_arg<int64_t>("18446744073709551615", "--seq-len", 0, 4194304, "time steps");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_STREQ(
            e.what(),
            "--seq-len: expected an integer in [0, 4194304] (time steps), found '18446744073709551615'");
    }
}

TEST(CheckedInt, ProductsAndBudgetsDoNotWrap) {
    EXPECT_EQ(checked_mul(1 << 20, 1 << 20), int64_t{1} << 40);
    EXPECT_FALSE(checked_mul(int64_t{1} << 32, int64_t{1} << 32));
    EXPECT_FALSE(checked_mul(1000, 1001, 1'000'000));
    EXPECT_FALSE(checked_add(std::numeric_limits<int64_t>::max(), 1));
    EXPECT_EQ(mib_to_bytes_saturating(1), 1 << 20);
    EXPECT_EQ(mib_to_bytes_saturating(int64_t{1} << 43), std::numeric_limits<int64_t>::max());
    EXPECT_EQ(mib_to_bytes_saturating(std::numeric_limits<int64_t>::max()),
              std::numeric_limits<int64_t>::max());
}

TEST(CheckedInt, NonIntegersAreNamed) {
    EXPECT_EQ(non_integer_text(2.5, "2.5"), "2.5 (a fraction: counts are not rounded)");
    EXPECT_EQ(non_integer_text(1000.0, "1000.0"), "1000.0 (a decimal point or exponent: write an integer)");
    EXPECT_EQ(non_integer_text(1e23, "1e+23"), "1e+23 (beyond 64-bit integers)");
}

TEST(OneLine, EscapesControlBytesOnly) {
    EXPECT_EQ(one_line("a\nb\rc\td"), "a\\nb\\rc\\td");
    EXPECT_EQ(one_line(std::string("x\0y\x1b[31m\x7f", 9)), "x\\x00y\\x1b[31m\\x7f");
    EXPECT_EQ(one_line("caf\xc3\xa9 'ok' \\n"), "caf\xc3\xa9 'ok' \\n");  // UTF-8 and backslashes as they are
}

TEST(OneLine, InputErrorsAreOneLineWholeMessages) {
    const InputError e("op 'a\nb'", "a known kind", std::string("'x\0y'", 5));
    EXPECT_STREQ(e.what(), "op 'a\\nb': expected a known kind, found 'x\\x00y'");
}

}  // namespace
