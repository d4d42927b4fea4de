// Tnum operations, following the semantics of the kernel's kernel/bpf/tnum.c.
//
// Each function is a closed form over (value, mask) pairs; the comments say why the
// formula is sound.  Soundness is checked exhaustively at 6-bit width and with Z3 in
// tests/verifier_soundness8_test.cpp and tests/verifier_z3_test.cpp.
#include "verifier/tnum.h"

#include <bit>
#include <cstdio>

namespace bpfvet::verifier {

Tnum Tnum::range(uint64_t min, uint64_t max) {
  // Every bit below the highest bit where min and max differ can take either value.
  const uint64_t chi = min ^ max;
  const int bits = 64 - std::countl_zero(chi);
  if (bits > 63) return unknown();
  const uint64_t delta = (uint64_t{1} << bits) - 1;
  return Tnum{min & ~delta, delta};
}

bool Tnum::includes(const Tnum& other) const {
  // Every bit known in this must be known in other, with the same value.
  if (other.mask & ~mask) return false;
  return value == (other.value & ~mask);
}

std::string Tnum::to_string() const {
  char buf[48];
  std::snprintf(buf, sizeof buf, "(0x%llx; 0x%llx)", static_cast<unsigned long long>(value),
                static_cast<unsigned long long>(mask));
  return buf;
}

Tnum tnum_add(Tnum a, Tnum b) {
  // The carries that differ between "all unknown bits 0" and "all unknown bits 1"
  // mark every bit a carry could change.
  const uint64_t sm = a.mask + b.mask;
  const uint64_t sv = a.value + b.value;
  const uint64_t sigma = sm + sv;
  const uint64_t chi = sigma ^ sv;
  const uint64_t mu = chi | a.mask | b.mask;
  return Tnum{sv & ~mu, mu};
}

Tnum tnum_sub(Tnum a, Tnum b) {
  // Same idea with borrows: compare the largest and the smallest difference.
  const uint64_t dv = a.value - b.value;
  const uint64_t alpha = dv + a.mask;
  const uint64_t beta = dv - b.mask;
  const uint64_t chi = alpha ^ beta;
  const uint64_t mu = chi | a.mask | b.mask;
  return Tnum{dv & ~mu, mu};
}

Tnum tnum_neg(Tnum a) { return tnum_sub(Tnum::constant(0), a); }

Tnum tnum_mul(Tnum a, Tnum b) {
  // Two constants: the loop below adds the shifted constant b for every 1 bit of a,
  // which is the wrapping product.
  if (a.is_const() && b.is_const()) return Tnum::constant(a.value * b.value);
  // Loops multiply the same operands over and over (h = h * 31 + i with an unknown h):
  // the function is pure, so one remembered result skips the 64-step loop below.
  struct Memo {
    Tnum a, b, result;
    bool valid = false;
  };
  thread_local Memo memo;
  if (memo.valid && memo.a == a && memo.b == b) return memo.result;
  const Tnum in_a = a, in_b = b;
  // Long multiplication: a known 1 bit of `a` adds the shifted `b`; an unknown bit
  // adds either nothing or `b`, so the accumulator becomes the union of both.
  Tnum acc = Tnum::constant(0);
  while (a.value || a.mask) {
    if (a.value & 1)
      acc = tnum_add(acc, b);
    else if (a.mask & 1)
      acc = tnum_union(acc, tnum_add(acc, b));
    // Once every bit is unknown, adding or uniting anything keeps it so: stop early
    // (the loop would end with the same value).
    if (acc.mask == ~uint64_t{0}) break;
    a = tnum_rshift(a, 1);
    b = tnum_lshift(b, 1);
  }
  memo = Memo{in_a, in_b, acc, true};
  return acc;
}

Tnum tnum_and(Tnum a, Tnum b) {
  const uint64_t alpha = a.value | a.mask;  // bits that may be 1 in a
  const uint64_t beta = b.value | b.mask;
  const uint64_t v = a.value & b.value;     // bits surely 1 in both
  return Tnum{v, alpha & beta & ~v};
}

Tnum tnum_or(Tnum a, Tnum b) {
  const uint64_t v = a.value | b.value;
  const uint64_t mu = a.mask | b.mask;
  return Tnum{v, mu & ~v};
}

Tnum tnum_xor(Tnum a, Tnum b) {
  const uint64_t v = a.value ^ b.value;
  const uint64_t mu = a.mask | b.mask;
  return Tnum{v & ~mu, mu};
}

Tnum tnum_lshift(Tnum a, uint8_t shift) {
  shift &= 63;
  return Tnum{a.value << shift, a.mask << shift};
}

Tnum tnum_rshift(Tnum a, uint8_t shift) {
  shift &= 63;
  return Tnum{a.value >> shift, a.mask >> shift};
}

Tnum tnum_arshift(Tnum a, uint8_t shift, uint8_t insn_bitness) {
  // An unknown sign bit stays unknown in every copy, a known one is copied as known.
  if (insn_bitness == 32) {
    shift &= 31;
    const auto v = static_cast<uint32_t>(static_cast<int32_t>(static_cast<uint32_t>(a.value)) >> shift);
    const auto m = static_cast<uint32_t>(static_cast<int32_t>(static_cast<uint32_t>(a.mask)) >> shift);
    return Tnum{v, m};
  }
  shift &= 63;
  return Tnum{static_cast<uint64_t>(static_cast<int64_t>(a.value) >> shift),
              static_cast<uint64_t>(static_cast<int64_t>(a.mask) >> shift)};
}

Tnum tnum_intersect(Tnum a, Tnum b) {
  const uint64_t v = a.value | b.value;
  const uint64_t mu = a.mask & b.mask;
  return Tnum{v & ~mu, mu};
}

Tnum tnum_union(Tnum a, Tnum b) {
  // A bit stays known only when known in both with the same value.
  const uint64_t mu = a.mask | b.mask | (a.value ^ b.value);
  return Tnum{a.value & ~mu, mu};
}

Tnum tnum_cast(Tnum a, uint8_t size) {
  if (size >= 8) return a;
  const uint64_t keep = (uint64_t{1} << (size * 8)) - 1;
  return Tnum{a.value & keep, a.mask & keep};
}

Tnum tnum_subreg(Tnum a) { return tnum_cast(a, 4); }

Tnum tnum_clear_subreg(Tnum a) { return tnum_lshift(tnum_rshift(a, 32), 32); }

Tnum tnum_with_subreg(Tnum a, Tnum b) { return tnum_or(tnum_clear_subreg(a), tnum_subreg(b)); }

Tnum tnum_const_subreg(Tnum a, uint32_t v) { return tnum_with_subreg(a, Tnum::constant(v)); }

bool tnum_is_aligned(Tnum a, uint64_t size) {
  if (size == 0) return true;
  return ((a.value | a.mask) & (size - 1)) == 0;
}

Tnum tnum_bswap16(Tnum a) {
  return Tnum{__builtin_bswap16(static_cast<uint16_t>(a.value)), __builtin_bswap16(static_cast<uint16_t>(a.mask))};
}

Tnum tnum_bswap32(Tnum a) {
  return Tnum{__builtin_bswap32(static_cast<uint32_t>(a.value)), __builtin_bswap32(static_cast<uint32_t>(a.mask))};
}

Tnum tnum_bswap64(Tnum a) { return Tnum{__builtin_bswap64(a.value), __builtin_bswap64(a.mask)}; }

bool tnum_overlap(Tnum a, Tnum b) {
  const uint64_t known_both = ~a.mask & ~b.mask;
  return (a.value & known_both) == (b.value & known_both);
}

}  // namespace bpfvet::verifier
