// Scalar: the kernel verifier's numeric abstract domain for one register.
//
// A Scalar is a Tnum plus eight bounds: signed/unsigned 64-bit and signed/unsigned
// 32-bit (for the low half, which 32-bit ALU ops and JMP32 observe).  Each component
// over-approximates the same set of concrete values; reduce() (the kernel's
// reg_bounds_sync) lets each one tighten the others until they agree.  Transfer
// functions follow the kernel's rules op by op, including where the kernel gives up
// (marks the result unknown), because bpfvet's verdicts must match the kernel's.
// Soundness is proved by tests: exhaustively at 8-bit width and with Z3 at 64/32 bits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "isa/insn.h"
#include "verifier/tnum.h"

namespace bpfvet::verifier {

struct Scalar {
  Tnum var_off = Tnum::unknown();
  int64_t smin = INT64_MIN, smax = INT64_MAX;
  uint64_t umin = 0, umax = UINT64_MAX;
  int32_t s32_min = INT32_MIN, s32_max = INT32_MAX;
  uint32_t u32_min = 0, u32_max = UINT32_MAX;

  /// Any value.
  static Scalar unknown() { return Scalar{}; }
  /// Exactly v.
  static Scalar constant(uint64_t v);
  /// Any value in [lo, hi] unsigned.
  static Scalar urange(uint64_t lo, uint64_t hi);
  /// Any value in [lo, hi] signed.
  static Scalar srange(int64_t lo, int64_t hi);

  bool is_const() const { return var_off.is_const(); }
  uint64_t const_value() const { return var_off.value; }
  /// The low 32 bits are a known constant.
  bool is_const32() const { return (var_off.mask & 0xffffffffu) == 0; }
  /// True when concrete v is in every component (used by the soundness tests).
  bool contains(uint64_t v) const;
  /// True when every value of `other` is in this (for state pruning: this is the old, wider state).
  bool includes(const Scalar& other) const;
  /// Tightens every component from the others (kernel's reg_bounds_sync); keeps the set.
  void reduce();
  /// True when no concrete value satisfies every component (an impossible branch).
  bool is_empty() const;
  /// Forget all but the low 32 bits and zero-extend (after a 32-bit ALU op).
  void zext32();
  friend bool operator==(const Scalar&, const Scalar&) = default;

  /// Kernel log format: "0", "-5", or "scalar(smin=...,umax=...,var_off=(0x0; 0xff))" with only the
  /// components that carry information, in the kernel's order and spelling.
  std::string to_string() const;
};

/// dst = dst op src for an ALU instruction of width 32 (is64 false: result zero-extended) or 64,
/// exactly as the kernel's adjust_scalar_min_max_vals tracks it. `insn` supplies op, widths,
/// movsx width, endianness.  src is ignored for Neg/End.  Shifts by amounts the kernel does not
/// track and untracked ops (div/mod on old kernels, ...) give unknown, as the kernel does.
Scalar scalar_alu(const isa::Insn& insn, const Scalar& dst, const Scalar& src);

/// The kernel's is_branch_taken: 1 when `dst op src` is always true, 0 when always false,
/// -1 when it depends.  is64 false compares the low 32 bits (JMP32).
int scalar_branch_taken(isa::JmpOp op, bool is64, const Scalar& dst, const Scalar& src);

/// Both operands refined on each edge of `if dst op src goto` (kernel's reg_set_min_max);
/// nullopt for an edge no concrete pair can take.
struct BranchRefinement {
  std::optional<std::pair<Scalar, Scalar>> taken;
  std::optional<std::pair<Scalar, Scalar>> fallthrough;
};
BranchRefinement scalar_refine_branch(isa::JmpOp op, bool is64, const Scalar& dst, const Scalar& src);

/// Result of a sign- or zero-extending load/cast of `size` bytes (1, 2, 4, 8) from an unknown location.
Scalar scalar_for_load(uint8_t size, bool sign_extend);

/// The low `size` bytes (1, 2, 4; 8 keeps s) zero-extended, as the kernel's coerce_reg_to_size
/// (narrow loads of a known value, 32-bit ALU operands).
Scalar scalar_truncate(const Scalar& s, uint8_t size);
/// The low `size` bytes (1, 2, 4) sign-extended to 64 bits, as the kernel's coerce_reg_to_size_sx
/// (ldsx of a known value, movsx).
Scalar scalar_sign_extend(const Scalar& s, uint8_t size);

// Building blocks of the kernel's register-state helpers, shared by scalar*.cpp and the
// tests.  Each mutates in place exactly as the kernel function named in its comment.
namespace detail {
void mark_known(Scalar& s, uint64_t v);      // __mark_reg_known
void mark_known32(Scalar& s, uint32_t v);    // __mark_reg32_known
void mark64_unbounded(Scalar& s);            // __mark_reg64_unbounded
void mark32_unbounded(Scalar& s);            // __mark_reg32_unbounded
void update_bounds32(Scalar& s);             // __update_reg32_bounds
void update_bounds64(Scalar& s);             // __update_reg64_bounds
void update_bounds(Scalar& s);               // __update_reg_bounds
void zext_32_to_64(Scalar& s);               // zext_32_to_64 (no sync)
void coerce_to_size(Scalar& s, uint8_t size);             // coerce_reg_to_size (syncs)
void coerce_to_size_sx(Scalar& s, uint8_t size);          // coerce_reg_to_size_sx (no sync)
void coerce_subreg_to_size_sx(Scalar& s, uint8_t size);   // coerce_subreg_to_size_sx (no sync)
}  // namespace detail

}  // namespace bpfvet::verifier
