// The tensor-core attention's 32-bit forms of the contract's table index (kernels/attention_mma.h,
// TableIndex), checked on the host against fx::table_index: the general form and the short one (a min, a
// multiply-high with an addend and a shift) must give the contract's index for every score distance the
// kernel can meet, and an in-range index for a masked key's (negative) distance. Also the kernel's division
// by the row sum (div_by) and the P·V key-slot maps.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "kernels/attention_mma.h"

namespace ssmsim::cuda::attn_mma {
namespace {

struct Form {
    int64_t mult;
    int shift;
    int64_t size;
};

// Distances worth checking for one form: small ones, those around the clamp threshold, random ones up to
// 2^22 (|s| <= 128 * 2^14 at dh = 128, so best - s <= 2^22) and the edge 2^23.
std::vector<uint32_t> distances(const TableIndex& f, std::mt19937_64& rng) {
    std::vector<uint32_t> d;
    for (uint32_t i = 0; i < 300; ++i) d.push_back(i);
    for (int64_t k = -300; k <= 300; ++k) {
        const int64_t x = int64_t{f.clamp_from} + k;
        if (x >= 0 && x <= kMaxDiff) d.push_back(static_cast<uint32_t>(x));
    }
    std::uniform_int_distribution<uint32_t> any(0, 1u << 22);
    for (int i = 0; i < 2000; ++i) d.push_back(any(rng));
    d.push_back(static_cast<uint32_t>(kMaxDiff));
    return d;
}

std::vector<Form> forms(std::mt19937_64& rng) {
    // The LRA transformers' forms (score_mult ~ 1.2e9-2.1e9, shift 36-37, T = 4096), the edges of the
    // contract's ranges, and random ones.
    std::vector<Form> f = {{1402789078, 37, 4096},
                           {2057653410, 36, 4096},
                           {1208418942, 37, 4096},
                           {0, 0, 4096},
                           {0, 40, 1},
                           {1, 0, 4096},
                           {1, 1, 4096},
                           {3, 2, 4096},
                           {2147483647, 31, 4096},
                           {2147483647, 32, 4096},
                           {2147483647, 62, 4096},
                           {1, 62, 2},
                           {12345, 14, 8192},
                           {1, 0, 3},
                           {65535, 16, 100000}};
    std::uniform_int_distribution<int64_t> mult(0, 2147483647);
    std::uniform_int_distribution<int> shift(0, 62);
    std::uniform_int_distribution<int64_t> size(1, 9000);
    for (int i = 0; i < 300; ++i) f.push_back({mult(rng) >> shift(rng) % 31, shift(rng), size(rng)});
    return f;
}

TEST(AttentionTableIndex, BothFormsGiveTheContractsIndex) {
    std::mt19937_64 rng(7);
    int short_forms = 0;
    for (const Form& form : forms(rng)) {
        const TableIndex f = table_index_form(form.mult, form.shift, form.size);
        if (f.short_form) ++short_forms;
        for (const uint32_t d : distances(f, rng)) {
            const auto want =
                static_cast<uint32_t>(fx::table_index(int64_t{d} * form.mult, form.shift, form.size));
            if (d < kMaxDiff) {
                ASSERT_EQ(table_index32(f, d), want)
                    << form.mult << " " << form.shift << " " << form.size << " " << d;
            }
            if (f.short_form && d < kMaxDiff) {
                ASSERT_EQ(table_index32_short(f, d), want)
                    << form.mult << " " << form.shift << " " << form.size << " " << d;
            }
        }
    }
    EXPECT_GT(short_forms, 100);  // the random forms exercise the short form, not just the general one
}

TEST(AttentionTableIndex, ShortFormOnlyWhenTheRoundingAddIsAMultipleOf2To32) {
    EXPECT_TRUE(table_index_form(1402789078, 37, 4096).short_form);  // lra:text:transformer, layer 0
    EXPECT_TRUE(table_index_form(2147483647, 33, 4096).short_form);  // the smallest shift that has it
    EXPECT_TRUE(table_index_form(1, 62, 4096).short_form);
    EXPECT_FALSE(
        table_index_form(2147483647, 32, 4096).short_form);  // round_add 2^31: a carry into the high word
    EXPECT_FALSE(table_index_form(1, 0, 4096).short_form);   // mult = 2^shift
    EXPECT_FALSE(table_index_form(2147483647, 30, 4096).short_form);  // a step of 2 entries
}

TEST(AttentionTableIndex, MaskedKeysStayInTheTable) {
    // A masked key's best - s may be negative: as uint32 at least 2^31. Its entry is discarded, but the read
    // must stay inside the table.
    std::mt19937_64 rng(11);
    for (const Form& form : forms(rng)) {
        const TableIndex f = table_index_form(form.mult, form.shift, form.size);
        for (const uint32_t d : {0x80000000u, 0xffffffffu, 0x80000001u, 0xfffffff0u}) {
            EXPECT_LT(table_index32(f, d), static_cast<uint32_t>(form.size));
            if (f.short_form) {
                EXPECT_LT(table_index32_short(f, d), static_cast<uint32_t>(form.size));
            }
        }
    }
}

// div_by: floor(n / d) for every divisor a row sum can be (1 .. 2^31 - 1: L <= 65535 keys of at most 2^15)
// and every numerator below 2^31, checked where a multiply-shift division fails first: at multiples of d and
// just below them, at the top of the range, and at divisors near powers of two.
TEST(AttentionDivision, DivByIsFloorDivisionForNumeratorsBelow2To31) {
    std::mt19937_64 rng(3);
    std::vector<uint32_t> divisors;
    for (uint32_t d = 1; d <= 4096; ++d) divisors.push_back(d);
    for (int b = 12; b <= 31; ++b)
        for (int64_t k = -3; k <= 3; ++k) {
            const int64_t d = (int64_t{1} << b) + k;
            if (d >= 1 && d < (int64_t{1} << 31)) divisors.push_back(static_cast<uint32_t>(d));
        }
    std::uniform_int_distribution<uint32_t> any_d(1, 0x7fffffffu);
    for (int i = 0; i < 3000; ++i) divisors.push_back(any_d(rng));
    constexpr uint64_t kTop = uint64_t{1} << 31;  // numerators are below this
    std::uniform_int_distribution<uint64_t> any_n(0, kTop - 1);
    for (const uint32_t d : divisors) {
        const Divisor v = divisor_of(d);
        std::vector<uint64_t> ns = {0, 1, kTop - 1, kTop - 2, d - 1u, d, d + 1u};
        for (int i = 0; i < 40; ++i) {
            const uint64_t q = any_n(rng) / d;
            for (const uint64_t n : {q * d, q * d + d - 1, q * d - 1}) ns.push_back(n);
        }
        for (uint64_t q = (kTop - 1) / d, i = 0; i < 3 && q > 0; ++i, --q)
            for (const uint64_t n : {q * d, q * d - 1}) ns.push_back(n);
        for (const uint64_t n : ns) {
            if (n >= kTop) continue;
            ASSERT_EQ(div_by(static_cast<uint32_t>(n), v), n / d) << n << " / " << d;
        }
    }
}

TEST(AttentionTileMaps, KeySlotsArePermutationsOfEveryTileSize) {
    // vt_key must visit every key of a 64- or 128-key tile once (the V transpose of any split width).
    for (const int keys : {keys_per_tile(1), keys_per_tile(2), keys_per_tile(4)}) {
        std::vector<int> seen(static_cast<size_t>(keys), 0);
        for (int w = 0; w < keys / 4; ++w)
            for (int b = 0; b < 4; ++b) ++seen.at(static_cast<size_t>(vt_key(w, b)));
        for (int k = 0; k < keys; ++k)
            EXPECT_EQ(seen[static_cast<size_t>(k)], 1) << "key " << k << " of " << keys;
    }
    for (int s = 0; s < kChunk; ++s) EXPECT_EQ(slot_of_key(key_of_slot(s)), s);
}

}  // namespace
}  // namespace ssmsim::cuda::attn_mma
