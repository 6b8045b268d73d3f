// The tensor-core attention's 32-bit forms of the contract's table index (kernels/attention_mma.h,
// TableIndex), checked on the host against fx::table_index: the general form and the short one (a min and
// one 32x32 -> 64-bit multiply-add) must give the contract's index for every score distance the kernel can
// meet, and an in-range index for a masked key's (negative) distance.
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

TEST(AttentionTableIndex, ShortFormOnlyWhenAScoreStepIsUnderOneEntry) {
    EXPECT_TRUE(table_index_form(1402789078, 37, 4096).short_form);   // lra:text:transformer, layer 0
    EXPECT_FALSE(table_index_form(1, 0, 4096).short_form);            // mult = 2^shift
    EXPECT_FALSE(table_index_form(2147483647, 30, 4096).short_form);  // a step of 2 entries
    EXPECT_TRUE(table_index_form(2147483647, 31, 4096).short_form);   // just under one
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
