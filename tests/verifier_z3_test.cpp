// Z3 proofs of soundness for Scalar at full 64/32-bit width.
//
// The abstract inputs are concrete parameters (a table of random abstract values from a
// fixed seed, plus edge cases near 0, 2^31, 2^32, 2^63); for each pair one query asks Z3
// for symbolic x in A, y in B whose concrete result escapes the abstract result.  Every
// query must be unsat.  Branches: any pair satisfying the condition (or its negation)
// stays inside the refined operands of that edge, and decided branches never lie.
#include <gtest/gtest.h>
#include <z3++.h>

#include <random>
#include <string>
#include <vector>

#include "isa/insn.h"
#include "verifier/scalar.h"

namespace bpfvet::verifier {
namespace {

using isa::AluOp;
using isa::Endian;
using isa::JmpOp;

z3::expr bv(z3::context& c, uint64_t v, unsigned bits = 64) { return c.bv_val(static_cast<uint64_t>(v), bits); }

// x (64 bits) is a member of every component of s.
z3::expr member(z3::context& c, const z3::expr& x, const Scalar& s) {
  const z3::expr lo = x.extract(31, 0);
  return ((x & bv(c, ~s.var_off.mask)) == bv(c, s.var_off.value)) && z3::uge(x, bv(c, s.umin)) &&
         z3::ule(x, bv(c, s.umax)) && x >= bv(c, static_cast<uint64_t>(s.smin)) &&
         x <= bv(c, static_cast<uint64_t>(s.smax)) && z3::uge(lo, bv(c, s.u32_min, 32)) &&
         z3::ule(lo, bv(c, s.u32_max, 32)) && lo >= bv(c, static_cast<uint32_t>(s.s32_min), 32) &&
         lo <= bv(c, static_cast<uint32_t>(s.s32_max), 32);
}

z3::expr bswap(const z3::expr& x, unsigned bytes) {
  z3::expr r = x.extract(7, 0);
  for (unsigned i = 1; i < bytes; ++i) r = z3::concat(r, x.extract(8 * i + 7, 8 * i));
  return r;
}

// The interpreter's semantics of dst op= src as a 64-bit expression.
z3::expr concrete(z3::context& c, const isa::Insn& insn, const z3::expr& dst, const z3::expr& src) {
  if (insn.alu == AluOp::End) {
    const unsigned bits = insn.size;
    if (insn.endian == Endian::Le) return bits == 64 ? dst : z3::zext(dst.extract(bits - 1, 0), 64 - bits);
    const z3::expr sw = bswap(dst, bits / 8);
    return bits == 64 ? sw : z3::zext(sw, 64 - bits);
  }
  if (insn.alu == AluOp::MovSx) {
    const z3::expr low = src.extract(insn.size - 1, 0);
    const z3::expr wide = z3::sext(low, (insn.is64 ? 64 : 32) - insn.size);
    return insn.is64 ? wide : z3::zext(wide, 32);
  }
  const unsigned w = insn.is64 ? 64 : 32;
  const z3::expr a = insn.is64 ? dst : dst.extract(31, 0);
  const z3::expr b = insn.is64 ? src : src.extract(31, 0);
  const z3::expr zero = c.bv_val(0, w);
  const z3::expr amount = b & c.bv_val(w - 1, w);
  z3::expr r = a;
  switch (insn.alu) {
    case AluOp::Add: r = a + b; break;
    case AluOp::Sub: r = a - b; break;
    case AluOp::Mul: r = a * b; break;
    case AluOp::Div: r = z3::ite(b == zero, zero, z3::udiv(a, b)); break;
    case AluOp::Mod: r = z3::ite(b == zero, a, z3::urem(a, b)); break;
    case AluOp::SDiv: r = z3::ite(b == zero, zero, a / b); break;  // bvsdiv wraps MIN / -1 like BPF
    case AluOp::SMod: r = z3::ite(b == zero, a, z3::srem(a, b)); break;
    case AluOp::Or: r = a | b; break;
    case AluOp::And: r = a & b; break;
    case AluOp::Xor: r = a ^ b; break;
    case AluOp::Lsh: r = z3::shl(a, amount); break;
    case AluOp::Rsh: r = z3::lshr(a, amount); break;
    case AluOp::Arsh: r = z3::ashr(a, amount); break;
    case AluOp::Neg: r = -a; break;
    case AluOp::Mov: r = b; break;
    default: break;
  }
  return insn.is64 ? r : z3::zext(r, 32);
}

// Abstract values from a fixed seed: constants, tnums, ranges (64 and 32 bit), near the
// interesting boundaries.
class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}

  Scalar next() {
    for (;;) {
      Scalar s = raw();
      s.reduce();
      if (!s.is_empty()) return s;
    }
  }
  Scalar shift_amount(unsigned width) {
    if (rng_() % 5 == 0) return Scalar::urange(rng_() % width, rng_() % (width + 8));
    return Scalar::constant(rng_() % width);
  }

 private:
  uint64_t anchor() {
    static const uint64_t kAnchors[] = {0,          1,           0x7f,       0x80,        0xffff,
                                        0x7fffffff, 0x80000000,  0xffffffff, 0x100000000, 0x7fffffffffffffff,
                                        uint64_t{1} << 63, ~uint64_t{0}, 0xffffffff80000000};
    if (rng_() % 3 == 0) return rng_();
    const uint64_t a = kAnchors[rng_() % std::size(kAnchors)];
    return a + (rng_() % 9) - 4;
  }
  uint64_t span() {
    switch (rng_() % 4) {
      case 0: return rng_() % 16;
      case 1: return rng_() % 4096;
      case 2: return rng_() >> (rng_() % 64);
      default: return uint64_t{1} << (rng_() % 64);
    }
  }
  Scalar raw() {
    Scalar s;
    switch (rng_() % 6) {
      case 0: return Scalar::constant(anchor());
      case 1: {
        const uint64_t mask = (rng_() & rng_()) >> (rng_() % 64);
        s.var_off = Tnum{anchor() & ~mask, mask};
        return s;
      }
      case 2: {
        const uint64_t lo = anchor(), hi = lo + span();
        return hi < lo ? Scalar::urange(hi, lo) : Scalar::urange(lo, hi);
      }
      case 3: {
        const auto lo = static_cast<int64_t>(anchor());
        const int64_t hi = static_cast<int64_t>(static_cast<uint64_t>(lo) + span());
        return hi < lo ? Scalar::srange(hi, lo) : Scalar::srange(lo, hi);
      }
      case 4: {
        const auto lo = static_cast<uint32_t>(anchor());
        const uint32_t hi = lo + static_cast<uint32_t>(span());
        s.u32_min = std::min(lo, hi), s.u32_max = std::max(lo, hi);
        if (rng_() % 2) s.var_off = Tnum{rng_() & ~uint64_t{0xffffffff}, 0xffffffff};
        return s;
      }
      default: {
        const auto lo = static_cast<int32_t>(anchor());
        const auto hi = static_cast<int32_t>(static_cast<uint32_t>(lo) + static_cast<uint32_t>(span()));
        s.s32_min = std::min(lo, hi), s.s32_max = std::max(lo, hi);
        const uint64_t mask = rng_() & rng_();
        s.var_off = Tnum{rng_() & ~mask, mask};
        return s;
      }
    }
  }
  std::mt19937_64 rng_;
};

struct AluCase {
  std::string name;
  isa::Insn insn;
  int pairs;
};

std::vector<AluCase> alu_cases() {
  std::vector<AluCase> out;
  for (bool is64 : {true, false}) {
    const std::string w = is64 ? "64" : "32";
    for (AluOp op : {AluOp::Add, AluOp::Sub, AluOp::Mul, AluOp::Div, AluOp::SDiv, AluOp::Mod, AluOp::SMod,
                     AluOp::Or, AluOp::And, AluOp::Xor, AluOp::Mov, AluOp::Lsh, AluOp::Rsh, AluOp::Arsh}) {
      const bool untracked = op == AluOp::Div || op == AluOp::SDiv || op == AluOp::Mod || op == AluOp::SMod;
      const int pairs = untracked ? 3 : op == AluOp::Mul ? 15 : 30;
      out.push_back({std::string(isa::alu_op_name(op)) + w, isa::make::alu(op, is64, 1, 2), pairs});
    }
    out.push_back({"neg" + w, isa::make::alu_imm(AluOp::Neg, is64, 1, 0), 30});
    for (uint8_t bits : {8, 16, 32}) {
      if (!is64 && bits == 32) continue;
      out.push_back({"movsx" + std::to_string(bits) + "_" + w, isa::make::mov_sx(is64, 1, 2, bits), 30});
    }
  }
  for (uint8_t bits : {16, 32, 64}) {
    out.push_back({"le" + std::to_string(bits), isa::make::endian(Endian::Le, 1, bits), 15});
    out.push_back({"be" + std::to_string(bits), isa::make::endian(Endian::Be, 1, bits), 15});
    out.push_back({"bswap" + std::to_string(bits), isa::make::endian(Endian::Swap, 1, bits), 15});
  }
  return out;
}

// "sat" with a model, "unknown", or "" when the query is unsat (proved).
std::string refute(z3::solver& s) {
  switch (s.check()) {
    case z3::unsat: return "";
    case z3::sat: return "counterexample: " + s.get_model().to_string();
    default: return "solver gave up: " + s.reason_unknown();
  }
}

class ScalarAluProof : public testing::TestWithParam<AluCase> {};

TEST_P(ScalarAluProof, ResultContainsEveryConcreteResult) {
  const AluCase& c = GetParam();
  z3::context ctx;
  z3::params p(ctx);
  p.set("timeout", 10000u);
  const z3::expr x = ctx.bv_const("dst", 64), y = ctx.bv_const("src", 64);
  Gen gen(0x5eed0000u + std::hash<std::string>{}(c.name) % 1000);
  const bool shift = c.insn.alu == AluOp::Lsh || c.insn.alu == AluOp::Rsh || c.insn.alu == AluOp::Arsh;
  const z3::expr result = concrete(ctx, c.insn, x, y);
  for (int i = 0; i < c.pairs; ++i) {
    const Scalar a = gen.next();
    const Scalar b = shift ? gen.shift_amount(c.insn.is64 ? 64 : 32) : gen.next();
    const Scalar r = scalar_alu(c.insn, a, b);
    z3::solver s(ctx);
    s.set(p);
    s.add(member(ctx, x, a));
    s.add(member(ctx, y, b));
    s.add(!member(ctx, result, r));
    const std::string why = refute(s);
    EXPECT_EQ(why, "") << c.name << ": " << a.to_string() << " op " << b.to_string() << " -> " << r.to_string();
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, ScalarAluProof, testing::ValuesIn(alu_cases()),
                         [](const testing::TestParamInfo<AluCase>& i) { return i.param.name; });

z3::expr condition(JmpOp op, bool is64, const z3::expr& x64, const z3::expr& y64) {
  const z3::expr x = is64 ? x64 : x64.extract(31, 0);
  const z3::expr y = is64 ? y64 : y64.extract(31, 0);
  switch (op) {
    case JmpOp::Jeq: return x == y;
    case JmpOp::Jne: return x != y;
    case JmpOp::Jgt: return z3::ugt(x, y);
    case JmpOp::Jge: return z3::uge(x, y);
    case JmpOp::Jlt: return z3::ult(x, y);
    case JmpOp::Jle: return z3::ule(x, y);
    case JmpOp::Jsgt: return x > y;
    case JmpOp::Jsge: return x >= y;
    case JmpOp::Jslt: return x < y;
    case JmpOp::Jsle: return x <= y;
    default: return (x & y) != x.ctx().bv_val(0, x.get_sort().bv_size());  // Jset
  }
}

struct JmpCase {
  JmpOp op;
  bool is64;
};

class ScalarBranchProof : public testing::TestWithParam<JmpCase> {};

TEST_P(ScalarBranchProof, EdgesAndDecisionsAreSound) {
  const auto [op, is64] = GetParam();
  z3::context ctx;
  const z3::expr x = ctx.bv_const("dst", 64), y = ctx.bv_const("src", 64);
  const z3::expr cond = condition(op, is64, x, y);
  Gen gen(0xb4a2c0u + static_cast<unsigned>(op) * 2 + is64);
  int decided = 0;
  for (int i = 0; i < 30; ++i) {
    const Scalar a = gen.next();
    // Half the time compare against a constant, as most programs do.
    const Scalar b = i % 2 ? Scalar::constant(static_cast<uint64_t>(gen.next().var_off.value)) : gen.next();
    const BranchRefinement br = scalar_refine_branch(op, is64, a, b);
    const int taken = scalar_branch_taken(op, is64, a, b);
    decided += taken >= 0;
    for (bool edge : {true, false}) {
      const auto& out = edge ? br.taken : br.fallthrough;
      z3::solver s(ctx);
      s.add(member(ctx, x, a));
      s.add(member(ctx, y, b));
      s.add(edge ? cond : !cond);
      if (out) s.add(!(member(ctx, x, out->first) && member(ctx, y, out->second)));
      EXPECT_EQ(refute(s), "") << (edge ? "taken " : "fallthrough ") << a.to_string() << " vs " << b.to_string()
                               << (out ? " -> " + out->first.to_string() + " / " + out->second.to_string()
                                       : std::string(" (edge dropped)"));
    }
    if (taken >= 0) EXPECT_TRUE(taken == 1 ? !br.fallthrough : !br.taken);
  }
  EXPECT_GT(decided, 0);
}

std::vector<JmpCase> jmp_cases() {
  std::vector<JmpCase> out;
  for (bool is64 : {true, false})
    for (JmpOp op : {JmpOp::Jeq, JmpOp::Jne, JmpOp::Jgt, JmpOp::Jge, JmpOp::Jlt, JmpOp::Jle, JmpOp::Jset,
                     JmpOp::Jsgt, JmpOp::Jsge, JmpOp::Jslt, JmpOp::Jsle})
      out.push_back({op, is64});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Ops, ScalarBranchProof, testing::ValuesIn(jmp_cases()),
                         [](const testing::TestParamInfo<JmpCase>& i) {
                           return std::string(isa::jmp_op_name(i.param.op)) + (i.param.is64 ? "64" : "32");
                         });

TEST(ScalarReduceProof, ReduceKeepsEveryMember) {
  z3::context ctx;
  const z3::expr x = ctx.bv_const("x", 64);
  std::mt19937_64 rng(42);
  for (int i = 0; i < 40; ++i) {
    // Arbitrary (unreduced) combinations of components.
    Scalar s;
    const uint64_t mask = rng() | rng();
    s.var_off = Tnum{rng() & ~mask, mask};
    uint64_t a = rng() >> (rng() % 64), b = rng() >> (rng() % 64);
    s.umin = std::min(a, b), s.umax = std::max(a, b);
    auto sa = static_cast<int64_t>(rng() >> (rng() % 64)) * (rng() % 2 ? -1 : 1), sb = static_cast<int64_t>(rng());
    s.smin = std::min(sa, sb), s.smax = std::max(sa, sb);
    const auto ua = static_cast<uint32_t>(rng()), ub = static_cast<uint32_t>(rng());
    if (i % 2) s.u32_min = std::min(ua, ub), s.u32_max = std::max(ua, ub);
    Scalar r = s;
    r.reduce();
    z3::solver sol(ctx);
    sol.add(member(ctx, x, s));
    sol.add(!member(ctx, x, r));
    EXPECT_EQ(refute(sol), "") << s.to_string() << " -> " << r.to_string();
    if (r.is_empty()) {
      z3::solver e(ctx);
      e.add(member(ctx, x, s));
      EXPECT_EQ(refute(e), "") << "is_empty() on a non-empty " << s.to_string();
    }
  }
}

}  // namespace
}  // namespace bpfvet::verifier
