// Exhaustive soundness of the numeric domains without a solver.
//
// Tnum: every operation over all tnums of 6 bits (3^6 = 729 tnums, 531k pairs), embedded
// both in the low bits and sign-extended into the high bits, every concrete pair checked.
// Scalar: a fixed family of abstract values whose concretizations are small explicit sets
// (tnums with few unknown bits, short ranges near 0, 2^31, 2^32, 2^63 and 2^64, short
// 32-bit ranges under fixed upper halves); for every ALU op at 32 and 64 bits and every
// conditional jump, every concrete pair inside the inputs must land inside the output.
// A deliberately broken operation is run through the same checker to show it catches bugs.
#include <gtest/gtest.h>

#include <bit>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "isa/insn.h"
#include "verifier/scalar.h"
#include "verifier/tnum.h"

namespace bpfvet::verifier {
namespace {

using isa::AluOp;
using isa::Endian;
using isa::JmpOp;

// ---------------------------------------------------------------- Tnum, exhaustive

// All tnums over `bits` bits.  `high` moves the top bit to bit 63 and fills bits
// bits-1..62 with known ones, so carries, borrows and shifts cross the sign bit while
// the tnum keeps at most `bits` unknown bits.
std::vector<Tnum> all_tnums(int bits, bool high) {
  std::vector<Tnum> out;
  const uint64_t n = uint64_t{1} << bits;
  const uint64_t top = n >> 1;
  for (uint64_t mask = 0; mask < n; ++mask) {
    for (uint64_t value = 0; value < n; ++value) {
      if (value & mask) continue;
      Tnum t{value, mask};
      if (high) {
        const uint64_t filler = ~(n - 1) & ~(uint64_t{1} << 63);
        const auto move_top = [&](uint64_t x) { return (x & (top - 1)) | ((x & top) ? uint64_t{1} << 63 : 0); };
        t = Tnum{move_top(value) | (filler | top), move_top(mask)};
      }
      out.push_back(t);
    }
  }
  return out;
}

// The members of a tnum with at most ~12 unknown bits.
std::vector<uint64_t> members(Tnum t) {
  std::vector<uint64_t> out;
  uint64_t sub = 0;  // iterate over all subsets of t.mask
  do {
    out.push_back(t.value | sub);
    sub = (sub - t.mask) & t.mask;
  } while (sub != 0);
  return out;
}

using BinTnum = std::function<Tnum(Tnum, Tnum)>;
using BinConcrete = std::function<uint64_t(uint64_t, uint64_t)>;

// Counts (a, b) pairs whose concrete result is outside the abstract result.
uint64_t tnum_binary_violations(const std::vector<Tnum>& domain, const BinTnum& abs, const BinConcrete& conc,
                                std::string* example) {
  std::vector<std::vector<uint64_t>> mem;
  mem.reserve(domain.size());
  for (const Tnum& t : domain) mem.push_back(members(t));
  uint64_t bad = 0;
  for (size_t i = 0; i < domain.size(); ++i) {
    for (size_t j = 0; j < domain.size(); ++j) {
      const Tnum r = abs(domain[i], domain[j]);
      for (uint64_t a : mem[i]) {
        for (uint64_t b : mem[j]) {
          if (!r.contains(conc(a, b))) {
            if (bad++ == 0 && example)
              *example = domain[i].to_string() + " op " + domain[j].to_string() + " = " + r.to_string();
          }
        }
      }
    }
  }
  return bad;
}

struct TnumBinCase {
  const char* name;
  BinTnum abs;
  BinConcrete conc;
};

class TnumBinary : public testing::TestWithParam<TnumBinCase> {};

TEST_P(TnumBinary, SoundOverAllSixBitTnums) {
  const auto& c = GetParam();
  for (bool high : {false, true}) {
    const auto domain = all_tnums(6, high);
    ASSERT_EQ(domain.size(), 729u);
    std::string example;
    EXPECT_EQ(tnum_binary_violations(domain, c.abs, c.conc, &example), 0u)
        << c.name << (high ? " (top bit at 63)" : "") << ": first counterexample " << example;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Ops, TnumBinary,
    testing::Values(TnumBinCase{"add", tnum_add, [](uint64_t a, uint64_t b) { return a + b; }},
                    TnumBinCase{"sub", tnum_sub, [](uint64_t a, uint64_t b) { return a - b; }},
                    TnumBinCase{"mul", tnum_mul, [](uint64_t a, uint64_t b) { return a * b; }},
                    TnumBinCase{"and", tnum_and, [](uint64_t a, uint64_t b) { return a & b; }},
                    TnumBinCase{"or", tnum_or, [](uint64_t a, uint64_t b) { return a | b; }},
                    TnumBinCase{"xor", tnum_xor, [](uint64_t a, uint64_t b) { return a ^ b; }}),
    [](const testing::TestParamInfo<TnumBinCase>& i) { return std::string(i.param.name); });

TEST(TnumExhaustive, BrokenAddIsCaught) {
  // An add that forgets carries out of unknown bits must be reported.
  const BinTnum broken = [](Tnum a, Tnum b) {
    const uint64_t mu = a.mask | b.mask;
    return Tnum{(a.value + b.value) & ~mu, mu};
  };
  const auto domain = all_tnums(6, false);
  EXPECT_GT(tnum_binary_violations(domain, broken, [](uint64_t a, uint64_t b) { return a + b; }, nullptr), 0u);
}

TEST(TnumExhaustive, UnaryOpsOverAllEightBitTnums) {
  for (bool high : {false, true}) {
    for (const Tnum& t : all_tnums(8, high)) {
      const Tnum neg = tnum_neg(t);
      const Tnum s16 = tnum_bswap16(t), s32 = tnum_bswap32(t), s64 = tnum_bswap64(t);
      const Tnum sub = tnum_subreg(t), clr = tnum_clear_subreg(t);
      for (uint64_t v : members(t)) {
        ASSERT_TRUE(neg.contains(0 - v)) << t.to_string();
        ASSERT_TRUE(s16.contains(__builtin_bswap16(static_cast<uint16_t>(v))));
        ASSERT_TRUE(s32.contains(__builtin_bswap32(static_cast<uint32_t>(v))));
        ASSERT_TRUE(s64.contains(__builtin_bswap64(v)));
        ASSERT_TRUE(sub.contains(v & 0xffffffff));
        ASSERT_TRUE(clr.contains(v & ~uint64_t{0xffffffff}));
        for (uint8_t size : {1, 2, 4, 8}) {
          const uint64_t keep = size == 8 ? ~uint64_t{0} : (uint64_t{1} << (size * 8)) - 1;
          ASSERT_TRUE(tnum_cast(t, size).contains(v & keep));
        }
        for (uint8_t sh = 0; sh < 64; ++sh) {
          ASSERT_TRUE(tnum_lshift(t, sh).contains(v << sh));
          ASSERT_TRUE(tnum_rshift(t, sh).contains(v >> sh));
          ASSERT_TRUE(tnum_arshift(t, sh, 64).contains(static_cast<uint64_t>(static_cast<int64_t>(v) >> sh)));
          if (sh < 32) {
            const auto v32 = static_cast<int32_t>(static_cast<uint32_t>(v));
            ASSERT_TRUE(tnum_arshift(t, sh, 32).contains(static_cast<uint32_t>(v32 >> sh)));
          }
        }
        for (uint64_t size : {1, 2, 4, 8})
          if (tnum_is_aligned(t, size)) ASSERT_EQ(v % size, 0u) << t.to_string();
      }
    }
  }
}

TEST(TnumExhaustive, SetOperationsOverAllSixBitTnums) {
  const auto domain = all_tnums(6, false);
  for (const Tnum& a : domain) {
    const auto ma = members(a);
    for (const Tnum& b : domain) {
      const auto mb = members(b);
      const Tnum u = tnum_union(a, b);
      for (uint64_t v : ma) ASSERT_TRUE(u.contains(v));
      for (uint64_t v : mb) ASSERT_TRUE(u.contains(v));
      bool common = false;
      const Tnum x = tnum_intersect(a, b);
      for (uint64_t v : ma) {
        if (!b.contains(v)) continue;
        common = true;
        ASSERT_TRUE(x.contains(v)) << a.to_string() << " & " << b.to_string();
      }
      ASSERT_EQ(tnum_overlap(a, b), common) << a.to_string() << " ~ " << b.to_string();
      // includes() is exactly set inclusion.
      bool subset = true;
      for (uint64_t v : mb) subset = subset && a.contains(v);
      ASSERT_EQ(a.includes(b), subset) << a.to_string() << " >= " << b.to_string();
      const Tnum wb = tnum_with_subreg(a, b);
      for (uint64_t v : ma)
        for (uint64_t w : mb) ASSERT_TRUE(wb.contains((v & ~uint64_t{0xffffffff}) | (w & 0xffffffff)));
    }
  }
}

TEST(TnumExhaustive, RangeCoversEveryMember) {
  for (uint64_t lo = 0; lo < 256; ++lo) {
    for (uint64_t hi = lo; hi < 256; ++hi) {
      const Tnum t = Tnum::range(lo, hi);
      for (uint64_t v = lo; v <= hi; ++v) ASSERT_TRUE(t.contains(v)) << lo << ".." << hi;
    }
  }
  for (uint64_t base : {uint64_t{0x7ffffff0}, uint64_t{0xfffffff0}, ~uint64_t{0} - 20, uint64_t{1} << 63}) {
    const Tnum t = Tnum::range(base, base + 17);
    for (uint64_t v = base; v <= base + 17; ++v) ASSERT_TRUE(t.contains(v));
  }
  EXPECT_TRUE(Tnum::range(0, ~uint64_t{0}).is_unknown());
}

// ---------------------------------------------------------------- Scalar

// The complete member list of `s` when it is small enough to enumerate (one of the
// enumerators is provably complete for it), else nullopt.
std::optional<std::vector<uint64_t>> concretize(const Scalar& s) {
  constexpr uint64_t kMax = 160;
  std::vector<uint64_t> cand;
  const uint64_t high = s.var_off.value & ~uint64_t{0xffffffff};
  const bool high_known = (s.var_off.mask >> 32) == 0;
  if (s.umin <= s.umax && s.umax - s.umin <= kMax) {
    for (uint64_t v = s.umin;; ++v) {
      cand.push_back(v);
      if (v == s.umax) break;
    }
  } else if (s.smin <= s.smax && static_cast<uint64_t>(s.smax) - static_cast<uint64_t>(s.smin) <= kMax) {
    for (uint64_t v = static_cast<uint64_t>(s.smin);; ++v) {
      cand.push_back(v);
      if (v == static_cast<uint64_t>(s.smax)) break;
    }
  } else if (std::popcount(s.var_off.mask) <= 7) {
    cand = members(s.var_off);
  } else if (high_known && s.u32_min <= s.u32_max && s.u32_max - s.u32_min <= kMax) {
    for (uint64_t v = s.u32_min; v <= s.u32_max; ++v) cand.push_back(high | v);
  } else if (high_known && s.s32_min <= s.s32_max &&
             static_cast<uint32_t>(s.s32_max) - static_cast<uint32_t>(s.s32_min) <= kMax) {
    for (uint32_t v = static_cast<uint32_t>(s.s32_min);; ++v) {
      cand.push_back(high | v);
      if (v == static_cast<uint32_t>(s.s32_max)) break;
    }
  } else {
    return std::nullopt;
  }
  std::vector<uint64_t> out;
  for (uint64_t v : cand)
    if (s.contains(v)) out.push_back(v);
  return out;
}

struct Input {
  Scalar s;
  std::vector<uint64_t> members;
};

void add_input(std::vector<Input>& out, Scalar s) {
  s.reduce();
  auto m = concretize(s);
  if (!m || m->empty()) return;
  for (const Input& in : out)
    if (in.s == s) return;
  out.push_back({s, std::move(*m)});
}

// The family of abstract inputs (deterministic).
const std::vector<Input>& inputs() {
  static const std::vector<Input> all = [] {
    std::vector<Input> v;
    const uint64_t anchors[] = {0,
                                5,
                                0x78,
                                0xf8,
                                0x7ffffff8,
                                0xfffffff8,
                                0x100000000,
                                0x17ffffff8,
                                0x7ffffffffffffff8,
                                0x8000000000000000,
                                0xfffffffffffffff8,
                                0xffffffff7ffffff8};
    const uint64_t masks[] = {0, 0x1, 0x5, 0x7, 0xd, 0x13, 0x1f, 0x2b};
    for (uint64_t a : anchors) {
      for (uint64_t m : masks) {
        Scalar s;
        s.var_off = Tnum{a & ~m, m};
        add_input(v, s);
        // The same tnum with tightened bounds.
        Scalar t = s;
        t.reduce();
        const auto mem = members(t.var_off);
        if (mem.size() >= 4) {
          t.umin = mem[1];
          t.umax = mem[mem.size() - 2];
          add_input(v, t);
        }
      }
      for (uint64_t k : {uint64_t{2}, uint64_t{9}, uint64_t{30}}) {
        add_input(v, Scalar::urange(a, a + k));
        add_input(v, Scalar::srange(static_cast<int64_t>(a), static_cast<int64_t>(a + k)));
      }
    }
    // Ranges crossing 0, the signed and unsigned 32- and 64-bit boundaries.
    for (int64_t lo : {int64_t{-3}, int64_t{-8}, int64_t{-1}, int64_t{-20}, INT64_MAX - 2, INT64_MIN})
      for (int64_t len : {1, 6, 40})
        add_input(v, Scalar::srange(lo, static_cast<int64_t>(static_cast<uint64_t>(lo) + len)));  // wraps
    for (uint64_t lo : {uint64_t{0x7ffffff0}, uint64_t{0xfffffff0}, uint64_t{0x1fffffff0}})
      for (uint64_t len : {uint64_t{17}, uint64_t{40}})
        add_input(v, Scalar::urange(lo, lo + len));
    add_input(v, Scalar::urange(0x7ffffffd, 0x80000002));
    add_input(v, Scalar::urange(0xfffffffd, 0x100000003));
    add_input(v, Scalar::urange(UINT64_MAX - 4, UINT64_MAX));
    // Short 32-bit ranges under a fixed upper half: 64-bit bounds wide, subregister narrow.
    for (uint64_t high : {uint64_t{0}, uint64_t{0x100000000}, uint64_t{0xffffffff00000000}}) {
      Scalar s;
      s.var_off = Tnum{high, 0xffffffff};
      Scalar u = s;
      u.u32_min = 0xfffffffc, u.u32_max = 0xffffffff;
      add_input(v, u);
      Scalar w = s;
      w.s32_min = -3, w.s32_max = 3;
      add_input(v, w);
      Scalar x = s;
      x.u32_min = 0x7ffffffe, x.u32_max = 0x80000002;
      add_input(v, x);
    }
    // Unknown upper half, known low bits pattern: a 4-value subregister, huge 64-bit set;
    // only usable through the 32-bit ops, so keep the tnum small instead.
    for (uint64_t c : {uint64_t{0}, uint64_t{1}, uint64_t{7}, uint64_t{31}, uint64_t{32}, uint64_t{63},
                       uint64_t{64}, uint64_t{0x80}, uint64_t{0xffff}, uint64_t{0x7fffffff}, uint64_t{0x80000000},
                       uint64_t{0xffffffff}, uint64_t{0x100000001}, UINT64_MAX, uint64_t{1} << 63})
      add_input(v, Scalar::constant(c));
    return v;
  }();
  return all;
}

// Shift amounts: every constant below 64 plus small ranges.
const std::vector<Input>& shift_inputs() {
  static const std::vector<Input> all = [] {
    std::vector<Input> v;
    for (uint64_t c = 0; c < 66; ++c) add_input(v, Scalar::constant(c));
    add_input(v, Scalar::urange(0, 3));
    add_input(v, Scalar::urange(30, 34));
    add_input(v, Scalar::urange(62, 66));
    Scalar s;
    s.var_off = Tnum{0x100000000, 0x3};  // low half small, 64-bit value huge
    add_input(v, s);
    return v;
  }();
  return all;
}

int64_t sext(uint64_t v, int bits) {
  const int sh = 64 - bits;
  return static_cast<int64_t>(v << sh) >> sh;
}

// The interpreter's semantics of dst op= src.
uint64_t concrete_alu(const isa::Insn& insn, uint64_t dst, uint64_t src) {
  const bool w64 = insn.is64;
  const uint64_t a = w64 ? dst : dst & 0xffffffff;
  const uint64_t b = w64 ? src : src & 0xffffffff;
  const int width = w64 ? 64 : 32;
  uint64_t r = 0;
  switch (insn.alu) {
    case AluOp::Add: r = a + b; break;
    case AluOp::Sub: r = a - b; break;
    case AluOp::Mul: r = a * b; break;
    case AluOp::Div: r = b == 0 ? 0 : a / b; break;
    case AluOp::Mod: r = b == 0 ? a : a % b; break;
    case AluOp::SDiv: {
      const int64_t x = sext(a, width), y = sext(b, width);
      r = y == 0 ? 0 : (y == -1 ? static_cast<uint64_t>(0) - static_cast<uint64_t>(x) : static_cast<uint64_t>(x / y));
      break;
    }
    case AluOp::SMod: {
      const int64_t x = sext(a, width), y = sext(b, width);
      r = y == 0 ? a : (y == -1 ? 0 : static_cast<uint64_t>(x % y));
      break;
    }
    case AluOp::Or: r = a | b; break;
    case AluOp::And: r = a & b; break;
    case AluOp::Xor: r = a ^ b; break;
    case AluOp::Lsh: r = a << (b & (width - 1)); break;
    case AluOp::Rsh: r = a >> (b & (width - 1)); break;
    case AluOp::Arsh: r = static_cast<uint64_t>(sext(a, width) >> (b & (width - 1))); break;
    case AluOp::Neg: r = 0 - a; break;
    case AluOp::Mov: r = b; break;
    case AluOp::MovSx: r = static_cast<uint64_t>(sext(src, insn.size)); break;
    case AluOp::End: {
      const int bits = insn.size;
      const uint64_t keep = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
      if (insn.endian == Endian::Le) return dst & keep;
      if (bits == 16) return __builtin_bswap16(static_cast<uint16_t>(dst));
      if (bits == 32) return __builtin_bswap32(static_cast<uint32_t>(dst));
      return __builtin_bswap64(dst);
    }
  }
  return w64 ? r : r & 0xffffffff;
}

struct AluCase {
  std::string name;
  isa::Insn insn;
  bool shift_src;  // src drawn from shift amounts
};

std::vector<AluCase> alu_cases() {
  std::vector<AluCase> out;
  for (bool is64 : {true, false}) {
    const std::string w = is64 ? "64" : "32";
    for (AluOp op : {AluOp::Add, AluOp::Sub, AluOp::Mul, AluOp::Div, AluOp::SDiv, AluOp::Mod, AluOp::SMod,
                     AluOp::Or, AluOp::And, AluOp::Xor, AluOp::Mov, AluOp::Lsh, AluOp::Rsh, AluOp::Arsh}) {
      const bool shift = op == AluOp::Lsh || op == AluOp::Rsh || op == AluOp::Arsh;
      out.push_back({std::string(isa::alu_op_name(op)) + w, isa::make::alu(op, is64, 1, 2), shift});
    }
    out.push_back({"neg" + w, isa::make::alu_imm(AluOp::Neg, is64, 1, 0), false});
    for (uint8_t bits : {8, 16, 32}) {
      if (!is64 && bits == 32) continue;
      out.push_back({"movsx" + std::to_string(bits) + "_" + w, isa::make::mov_sx(is64, 1, 2, bits), false});
    }
  }
  for (uint8_t bits : {16, 32, 64}) {
    out.push_back({"le" + std::to_string(bits), isa::make::endian(Endian::Le, 1, bits), false});
    out.push_back({"be" + std::to_string(bits), isa::make::endian(Endian::Be, 1, bits), false});
    out.push_back({"bswap" + std::to_string(bits), isa::make::endian(Endian::Swap, 1, bits), false});
  }
  return out;
}

using AluFn = std::function<Scalar(const isa::Insn&, const Scalar&, const Scalar&)>;

// Checks every pair; returns the number of violations and describes the first.
uint64_t alu_violations(const AluCase& c, const AluFn& fn, std::string* example, uint64_t* checked) {
  const auto& dsts = inputs();
  const auto& srcs = c.shift_src ? shift_inputs() : inputs();
  const bool unary = c.insn.alu == AluOp::Neg || c.insn.alu == AluOp::End;
  uint64_t bad = 0;
  for (const Input& d : dsts) {
    for (const Input& s : srcs) {
      const Scalar r = fn(c.insn, d.s, s.s);
      for (uint64_t a : d.members) {
        for (uint64_t b : s.members) {
          ++*checked;
          const uint64_t v = concrete_alu(c.insn, a, b);
          if (!r.contains(v) && bad++ == 0 && example) {
            *example = d.s.to_string() + " op " + s.s.to_string() + " -> " + r.to_string() + " misses " +
                       std::to_string(a) + " op " + std::to_string(b) + " = " + std::to_string(v);
          }
        }
      }
      if (unary) break;  // src is ignored: one src is enough
    }
  }
  return bad;
}

class ScalarAluSound : public testing::TestWithParam<AluCase> {};

TEST_P(ScalarAluSound, EveryConcretePairLandsInside) {
  std::string example;
  uint64_t checked = 0;
  EXPECT_EQ(alu_violations(GetParam(), scalar_alu, &example, &checked), 0u) << example;
  EXPECT_GT(checked, 1000u);  // the family really enumerates
}

INSTANTIATE_TEST_SUITE_P(Ops, ScalarAluSound, testing::ValuesIn(alu_cases()),
                         [](const testing::TestParamInfo<AluCase>& i) { return i.param.name; });

TEST(ScalarAluSoundness, InputFamilyIsRich) {
  const auto& in = inputs();
  EXPECT_GT(in.size(), 200u);
  size_t total = 0, crossing32 = 0, crossing_sign = 0;
  for (const Input& i : in) {
    total += i.members.size();
    if ((i.s.umin >> 32) != (i.s.umax >> 32)) ++crossing32;
    if (i.s.smin < 0 && i.s.smax >= 0) ++crossing_sign;
  }
  EXPECT_GT(total, 2000u);
  EXPECT_GT(crossing32, 5u);
  EXPECT_GT(crossing_sign, 5u);
}

TEST(ScalarAluSoundness, BrokenAddIsCaught) {
  // An add that ignores unsigned wrap-around must be reported by the same checker.
  const AluFn broken = [](const isa::Insn& insn, const Scalar& d, const Scalar& s) {
    Scalar r = scalar_alu(insn, d, s);
    if (!d.is_const() || !s.is_const()) {
      r.umin = d.umin + s.umin;
      r.umax = d.umax + s.umax;
    }
    return r;
  };
  std::string example;
  uint64_t checked = 0;
  const AluCase c{"add64", isa::make::alu(AluOp::Add, true, 1, 2), false};
  EXPECT_GT(alu_violations(c, broken, &example, &checked), 0u);
}

TEST(ScalarReduce, KeepsEveryMember) {
  // reduce() on unreduced combinations must not drop a member.
  const auto& in = inputs();
  for (size_t i = 0; i < in.size(); i += 3) {
    for (size_t j = 0; j < in.size(); j += 5) {
      Scalar mix = in[i].s;  // the tnum of one, the 32-bit bounds of another
      mix.u32_min = in[j].s.u32_min, mix.u32_max = in[j].s.u32_max;
      mix.s32_min = in[j].s.s32_min, mix.s32_max = in[j].s.s32_max;
      std::vector<uint64_t> kept;
      for (uint64_t v : in[i].members)
        if (mix.contains(v)) kept.push_back(v);
      Scalar red = mix;
      red.reduce();
      for (uint64_t v : kept) ASSERT_TRUE(red.contains(v)) << mix.to_string() << " -> " << red.to_string();
      if (red.is_empty()) ASSERT_TRUE(kept.empty()) << mix.to_string();
    }
  }
}

// ---------------------------------------------------------------- branches

bool concrete_cond(JmpOp op, bool is64, uint64_t a, uint64_t b) {
  if (!is64) a &= 0xffffffff, b &= 0xffffffff;
  const int w = is64 ? 64 : 32;
  const int64_t sa = sext(a, w), sb = sext(b, w);
  switch (op) {
    case JmpOp::Jeq: return a == b;
    case JmpOp::Jne: return a != b;
    case JmpOp::Jgt: return a > b;
    case JmpOp::Jge: return a >= b;
    case JmpOp::Jlt: return a < b;
    case JmpOp::Jle: return a <= b;
    case JmpOp::Jset: return (a & b) != 0;
    case JmpOp::Jsgt: return sa > sb;
    case JmpOp::Jsge: return sa >= sb;
    case JmpOp::Jslt: return sa < sb;
    case JmpOp::Jsle: return sa <= sb;
    default: return true;
  }
}

struct JmpCase {
  JmpOp op;
  bool is64;
};

class ScalarBranchSound : public testing::TestWithParam<JmpCase> {};

TEST_P(ScalarBranchSound, EdgesContainEveryPairThatTakesThem) {
  const auto [op, is64] = GetParam();
  const auto& in = inputs();
  uint64_t checked = 0, decided = 0;
  for (const Input& d : in) {
    for (const Input& s : in) {
      const int taken = scalar_branch_taken(op, is64, d.s, s.s);
      const BranchRefinement br = scalar_refine_branch(op, is64, d.s, s.s);
      if (taken >= 0) ++decided;
      for (uint64_t a : d.members) {
        for (uint64_t b : s.members) {
          ++checked;
          const bool cond = concrete_cond(op, is64, a, b);
          ASSERT_NE(taken, cond ? 0 : 1) << "branch_taken lies for " << a << " " << b << " in " << d.s.to_string()
                                          << " / " << s.s.to_string();
          const auto& edge = cond ? br.taken : br.fallthrough;
          ASSERT_TRUE(edge.has_value()) << (cond ? "taken" : "fallthrough") << " edge missing for " << a << ", "
                                        << b << " in " << d.s.to_string() << " / " << s.s.to_string();
          ASSERT_TRUE(edge->first.contains(a) && edge->second.contains(b))
              << (cond ? "taken " : "fallthrough ") << d.s.to_string() << " / " << s.s.to_string() << " -> "
              << edge->first.to_string() << " / " << edge->second.to_string() << " misses " << a << ", " << b;
        }
      }
    }
  }
  EXPECT_GT(checked, 100000u);
  EXPECT_GT(decided, 100u);  // the family exercises the decided paths too
}

std::vector<JmpCase> jmp_cases() {
  std::vector<JmpCase> out;
  for (bool is64 : {true, false})
    for (JmpOp op : {JmpOp::Jeq, JmpOp::Jne, JmpOp::Jgt, JmpOp::Jge, JmpOp::Jlt, JmpOp::Jle, JmpOp::Jset,
                     JmpOp::Jsgt, JmpOp::Jsge, JmpOp::Jslt, JmpOp::Jsle})
      out.push_back({op, is64});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Ops, ScalarBranchSound, testing::ValuesIn(jmp_cases()),
                         [](const testing::TestParamInfo<JmpCase>& i) {
                           return std::string(isa::jmp_op_name(i.param.op)) + (i.param.is64 ? "64" : "32");
                         });

TEST(ScalarLoadSound, NarrowLoadsCoverEveryValue) {
  for (uint8_t size : {1, 2, 4}) {
    const Scalar z = scalar_for_load(size, false);
    const Scalar s = scalar_for_load(size, true);
    const int bits = size * 8;
    for (uint64_t raw : {uint64_t{0}, uint64_t{1}, uint64_t{0x7f}, uint64_t{0x80}, uint64_t{0xff}, uint64_t{0x7fff},
                         uint64_t{0x8000}, uint64_t{0xffff}, uint64_t{0x7fffffff}, uint64_t{0x80000000},
                         uint64_t{0xffffffff}}) {
      const uint64_t v = bits == 64 ? raw : raw & ((uint64_t{1} << bits) - 1);
      EXPECT_TRUE(z.contains(v)) << int(size) << " " << v;
      EXPECT_TRUE(s.contains(static_cast<uint64_t>(sext(v, bits)))) << int(size) << " " << v;
    }
  }
}

}  // namespace
}  // namespace bpfvet::verifier
