// Table-driven unit tests for Tnum: exact results the kernel's tnum.c gives for known
// inputs (soundness over all small tnums is in verifier_soundness8_test.cpp).
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "verifier/tnum.h"

namespace bpfvet::verifier {
namespace {

constexpr uint64_t kAll = ~uint64_t{0};

struct BinCase {
  const char* name;
  std::function<Tnum(Tnum, Tnum)> op;
  Tnum a, b, expected;
};

class TnumBinaryExact : public testing::TestWithParam<BinCase> {};

TEST_P(TnumBinaryExact, MatchesKernel) {
  const BinCase& c = GetParam();
  EXPECT_EQ(c.op(c.a, c.b), c.expected) << c.op(c.a, c.b).to_string();
}

INSTANTIATE_TEST_SUITE_P(
    Table, TnumBinaryExact,
    testing::Values(
        BinCase{"add_consts", tnum_add, Tnum::constant(3), Tnum::constant(4), Tnum::constant(7)},
        // x1 + 1: a carry may or may not ripple, so bits 0 and 1 become unknown.
        BinCase{"add_carry", tnum_add, Tnum{0, 1}, Tnum::constant(1), Tnum{0, 3}},
        BinCase{"add_range", tnum_add, Tnum{0, 0xff}, Tnum::constant(10), Tnum{0, 0x1ff}},
        BinCase{"sub_consts", tnum_sub, Tnum::constant(3), Tnum::constant(5), Tnum::constant(uint64_t{0} - 2)},
        BinCase{"sub_unknown_low", tnum_sub, Tnum{0x10, 0x1}, Tnum::constant(1), Tnum{0, 0x1f}},
        BinCase{"and_clears", tnum_and, Tnum{0, kAll}, Tnum::constant(0xff), Tnum{0, 0xff}},
        BinCase{"and_known_one", tnum_and, Tnum{0x1, 0xf0}, Tnum::constant(0x11), Tnum{0x1, 0x10}},
        BinCase{"or_sets", tnum_or, Tnum{0, 0xff}, Tnum::constant(0x5), Tnum{0x5, 0xfa}},
        BinCase{"xor_flips", tnum_xor, Tnum{0x1, 0xf0}, Tnum::constant(0x3), Tnum{0x2, 0xf0}},
        BinCase{"mul_consts", tnum_mul, Tnum::constant(6), Tnum::constant(7), Tnum::constant(42)},
        BinCase{"mul_by_pow2", tnum_mul, Tnum{0, 0xff}, Tnum::constant(16), Tnum{0, 0xff0}},
        BinCase{"mul_bit", tnum_mul, Tnum{0, 1}, Tnum::constant(10), Tnum{0, 0xa}},
        BinCase{"intersect", tnum_intersect, Tnum{0, 0xff}, Tnum{0x10, 0x0f}, Tnum{0x10, 0x0f}},
        BinCase{"union", tnum_union, Tnum::constant(4), Tnum::constant(6), Tnum{4, 2}},
        BinCase{"with_subreg", tnum_with_subreg, Tnum{0x100000000, 0xff}, Tnum::constant(0x12345678abcd),
                Tnum::constant(0x15678abcd)}),
    [](const testing::TestParamInfo<BinCase>& i) { return std::string(i.param.name); });

struct RangeCase {
  uint64_t lo, hi;
  Tnum expected;
};

class TnumRange : public testing::TestWithParam<RangeCase> {};

TEST_P(TnumRange, SmallestCoveringTnum) {
  EXPECT_EQ(Tnum::range(GetParam().lo, GetParam().hi), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Table, TnumRange,
                         testing::Values(RangeCase{5, 5, Tnum::constant(5)}, RangeCase{4, 6, Tnum{4, 3}},
                                         RangeCase{0, 255, Tnum{0, 0xff}}, RangeCase{16, 31, Tnum{16, 15}},
                                         RangeCase{0xff, 0x100, Tnum{0, 0x1ff}},
                                         RangeCase{0, kAll, Tnum::unknown()},
                                         RangeCase{uint64_t{1} << 63, kAll, Tnum{uint64_t{1} << 63, kAll >> 1}}));

TEST(TnumShifts, Exact) {
  EXPECT_EQ(tnum_lshift(Tnum{1, 2}, 4), (Tnum{0x10, 0x20}));
  EXPECT_EQ(tnum_rshift(Tnum{0x10, 0x20}, 4), (Tnum{1, 2}));
  // An unknown sign bit is copied as unknown; a known one as known.
  EXPECT_EQ(tnum_arshift(Tnum{0, uint64_t{1} << 63}, 60, 64), (Tnum{0, 0xfffffffffffffff8}));
  EXPECT_EQ(tnum_arshift(Tnum{uint64_t{1} << 63, 0}, 63, 64), Tnum::constant(kAll));
  EXPECT_EQ(tnum_arshift(Tnum{0x80000000, 0x1}, 4, 32), (Tnum{0xf8000000, 0}));
  EXPECT_EQ(tnum_arshift(Tnum{0x0, 0x80000000}, 31, 32), (Tnum{0, 0xffffffff}));
}

TEST(TnumSubreg, HalvesAndCasts) {
  const Tnum t{0x1234567800000001, 0xf0};
  EXPECT_EQ(tnum_subreg(t), (Tnum{1, 0xf0}));
  EXPECT_EQ(tnum_clear_subreg(t), (Tnum{0x1234567800000000, 0}));
  EXPECT_EQ(tnum_const_subreg(t, 7), Tnum::constant(0x1234567800000007));
  EXPECT_EQ(tnum_cast(Tnum{0x1ff, 0xf000}, 1), Tnum::constant(0xff));
  EXPECT_EQ(tnum_cast(t, 8), t);
  EXPECT_EQ(tnum_bswap16(Tnum{0x12, 0xff00}), (Tnum{0x1200, 0xff}));
  EXPECT_EQ(tnum_bswap32(Tnum::constant(0x11223344)), Tnum::constant(0x44332211));
  EXPECT_EQ(tnum_bswap64(Tnum{0, 0xff}), (Tnum{0, 0xff00000000000000}));
  EXPECT_EQ(tnum_neg(Tnum::constant(1)), Tnum::constant(kAll));
}

TEST(TnumPredicates, AlignmentInclusionOverlap) {
  EXPECT_TRUE(tnum_is_aligned(Tnum{8, 0xf0}, 8));
  EXPECT_FALSE(tnum_is_aligned(Tnum{8, 0xf4}, 8));
  EXPECT_TRUE(tnum_is_aligned(Tnum::unknown(), 1));
  EXPECT_TRUE(tnum_is_aligned(Tnum::unknown(), 0));
  EXPECT_TRUE(Tnum::unknown().includes(Tnum{3, 4}));
  EXPECT_TRUE((Tnum{0, 0xff}).includes(Tnum::constant(0x7f)));
  EXPECT_FALSE((Tnum{0, 0xff}).includes(Tnum::constant(0x100)));
  EXPECT_FALSE(Tnum::constant(1).includes(Tnum{0, 1}));
  EXPECT_TRUE(tnum_overlap(Tnum{0, 0xfe}, Tnum::constant(2)));
  EXPECT_FALSE(tnum_overlap(Tnum{0, 0xfe}, Tnum::constant(3)));
  EXPECT_TRUE((Tnum{4, 3}).contains(7));
  EXPECT_FALSE((Tnum{4, 3}).contains(8));
  EXPECT_EQ((Tnum{4, 3}).umin(), 4u);
  EXPECT_EQ((Tnum{4, 3}).umax(), 7u);
}

TEST(TnumFormat, KernelVarOffSpelling) {
  EXPECT_EQ((Tnum{0, 0xff}).to_string(), "(0x0; 0xff)");
  EXPECT_EQ(Tnum::unknown().to_string(), "(0x0; 0xffffffffffffffff)");
  EXPECT_EQ((Tnum{0x80000000, 0xffffffff7fffffff}).to_string(), "(0x80000000; 0xffffffff7fffffff)");
}

}  // namespace
}  // namespace bpfvet::verifier
