// Tnum: a "tristate number", the kernel verifier's bit-level abstract domain.
//
// A Tnum is (value, mask): every bit set in `mask` is unknown; every other bit equals
// the corresponding bit of `value` (invariant: value & mask == 0).  The set of
// concrete values it stands for is { x : (x & ~mask) == value }.  Every operation is
// sound: for concrete a in A and b in B, op(a, b) is in op(A, B).  Precision losses are
// noted per operation.
#pragma once

#include <cstdint>
#include <string>

namespace bpfvet::verifier {

struct Tnum {
  uint64_t value = 0;
  uint64_t mask = ~uint64_t{0};

  /// Exactly the constant v.
  static Tnum constant(uint64_t v) { return Tnum{v, 0}; }
  /// Any 64-bit value.
  static Tnum unknown() { return Tnum{0, ~uint64_t{0}}; }
  /// The smallest tnum containing every value in [min, max] (unsigned); loses the
  /// gaps: [4, 6] becomes 0b1xx = [4, 7].
  static Tnum range(uint64_t min, uint64_t max);

  bool is_const() const { return mask == 0; }
  bool is_unknown() const { return mask == ~uint64_t{0}; }
  /// True when concrete v is a member.
  bool contains(uint64_t v) const { return (v & ~mask) == value; }
  /// True when every member of `other` is a member of this (the kernel's tnum_in(this, other)).
  bool includes(const Tnum& other) const;
  uint64_t umin() const { return value; }
  uint64_t umax() const { return value | mask; }
  friend bool operator==(const Tnum&, const Tnum&) = default;

  /// "(0x0; 0xff)" as the kernel prints var_off.
  std::string to_string() const;
};

// Arithmetic: results contain every concrete result (mod 2^64).
Tnum tnum_add(Tnum a, Tnum b);
Tnum tnum_sub(Tnum a, Tnum b);
/// Multiplication; precise only when one side is constant or has few unknown bits.
Tnum tnum_mul(Tnum a, Tnum b);
Tnum tnum_neg(Tnum a);
Tnum tnum_and(Tnum a, Tnum b);
Tnum tnum_or(Tnum a, Tnum b);
Tnum tnum_xor(Tnum a, Tnum b);
/// Shifts by a constant amount `shift` (0..63).
Tnum tnum_lshift(Tnum a, uint8_t shift);
Tnum tnum_rshift(Tnum a, uint8_t shift);
/// Arithmetic right shift treating a as `insn_bitness` (32 or 64) bits wide.
Tnum tnum_arshift(Tnum a, uint8_t shift, uint8_t insn_bitness);
/// Values in both a and b (assumes they overlap).
Tnum tnum_intersect(Tnum a, Tnum b);
/// Values in either (the smallest tnum containing both).
Tnum tnum_union(Tnum a, Tnum b);
/// Truncates to the low `size` bytes (zero-extends).
Tnum tnum_cast(Tnum a, uint8_t size);
/// The low 32 bits, zero-extended.
Tnum tnum_subreg(Tnum a);
/// The high 32 bits kept, low 32 cleared.
Tnum tnum_clear_subreg(Tnum a);
/// High 32 bits of a, low 32 bits replaced by those of b.
Tnum tnum_with_subreg(Tnum a, Tnum b);
/// High 32 bits of a, low 32 bits the constant v.
Tnum tnum_const_subreg(Tnum a, uint32_t v);
/// True when (a & (size - 1)) is known zero, for alignment checks.
bool tnum_is_aligned(Tnum a, uint64_t size);
/// Byte swap of the low 2, 4 or 8 bytes (higher bytes become known zero): exact.
Tnum tnum_bswap16(Tnum a);
Tnum tnum_bswap32(Tnum a);
Tnum tnum_bswap64(Tnum a);
/// True when a and b may share a value: no bit known in both differs.
bool tnum_overlap(Tnum a, Tnum b);

}  // namespace bpfvet::verifier
