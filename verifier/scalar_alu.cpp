// ALU transfer functions for Scalar: the kernel's adjust_scalar_min_max_vals and the
// scalar parts of check_alu_op (mov, movsx, neg, end), rule for rule.
//
// Every op computes the 32-bit bounds, the 64-bit bounds and the tnum separately
// (each from the same component of the operands), then reduce() lets them agree.
// Where the kernel gives up (division, modulo, shifts by a non-constant or too large
// amount) the result is unknown, because verdicts must match the kernel's (Linux 6.18:
// div/mod untracked, byte swaps tracked through the tnum, neg through 0 - x).
#include <algorithm>
#include <limits>

#include "verifier/scalar.h"

namespace bpfvet::verifier {
namespace detail {

void coerce_to_size(Scalar& s, uint8_t size) {
  if (size >= 8) return;
  s.var_off = tnum_cast(s.var_off, size);
  const uint64_t mask = (uint64_t{1} << (size * 8)) - 1;
  if ((s.umin & ~mask) == (s.umax & ~mask)) {
    s.umin &= mask;
    s.umax &= mask;
  } else {
    s.umin = 0;
    s.umax = mask;
  }
  s.smin = static_cast<int64_t>(s.umin);
  s.smax = static_cast<int64_t>(s.umax);
  // Below 32 bits the subregister is truncated too; learn it back from 64 bits.
  if (size < 4) mark32_unbounded(s);
  s.reduce();
}

namespace {

int64_t sext_low(uint64_t v, uint8_t size) {
  switch (size) {
    case 1: return static_cast<int8_t>(v);
    case 2: return static_cast<int16_t>(v);
    default: return static_cast<int32_t>(v);
  }
}

}  // namespace

void coerce_to_size_sx(Scalar& s, uint8_t size) {
  if (size >= 8) return;
  if (s.var_off.is_const()) {
    mark_known(s, static_cast<uint64_t>(sext_low(s.var_off.value, size)));
    return;
  }
  const unsigned bits = size * 8u;
  const auto top_max = (static_cast<uint64_t>(s.smax) >> bits) << bits;
  const auto top_min = (static_cast<uint64_t>(s.smin) >> bits) << bits;
  if (top_max == top_min) {
    // The signed range lies inside one aligned block, so its low parts form one range;
    // sign extension keeps it a range when it does not straddle the sign change.
    const int64_t a = sext_low(static_cast<uint64_t>(s.smax), size);
    const int64_t b = sext_low(static_cast<uint64_t>(s.smin), size);
    const int64_t hi = std::max(a, b), lo = std::min(a, b);
    if ((hi >= 0) == (lo >= 0)) {
      s.smin = lo;
      s.smax = hi;
      s.s32_min = static_cast<int32_t>(lo);
      s.s32_max = static_cast<int32_t>(hi);
      s.umin = static_cast<uint64_t>(lo);
      s.umax = static_cast<uint64_t>(hi);
      s.u32_min = static_cast<uint32_t>(lo);
      s.u32_max = static_cast<uint32_t>(hi);
      s.var_off = Tnum::range(static_cast<uint64_t>(lo), static_cast<uint64_t>(hi));
      return;
    }
  }
  const int64_t lim = size == 1 ? INT8_MAX : size == 2 ? INT16_MAX : INT32_MAX;
  s.smin = -lim - 1;
  s.smax = lim;
  s.s32_min = static_cast<int32_t>(-lim - 1);
  s.s32_max = static_cast<int32_t>(lim);
  s.umin = 0;
  s.umax = UINT64_MAX;
  s.u32_min = 0;
  s.u32_max = UINT32_MAX;
  s.var_off = Tnum::unknown();
}

void coerce_subreg_to_size_sx(Scalar& s, uint8_t size) {
  if (size >= 4) return;
  if (s.var_off.is_const()) {
    s.var_off = Tnum::constant(static_cast<uint64_t>(sext_low(s.var_off.value, size)));
    const auto v = static_cast<uint32_t>(s.var_off.value);
    s.s32_min = s.s32_max = static_cast<int32_t>(v);
    s.u32_min = s.u32_max = v;
    return;
  }
  const unsigned bits = size * 8u;
  const uint32_t top_max = (static_cast<uint32_t>(s.s32_max) >> bits) << bits;
  const uint32_t top_min = (static_cast<uint32_t>(s.s32_min) >> bits) << bits;
  if (top_max == top_min) {
    const auto a = static_cast<int32_t>(sext_low(static_cast<uint32_t>(s.s32_max), size));
    const auto b = static_cast<int32_t>(sext_low(static_cast<uint32_t>(s.s32_min), size));
    const int32_t hi = std::max(a, b), lo = std::min(a, b);
    if ((hi >= 0) == (lo >= 0)) {
      s.s32_min = lo;
      s.s32_max = hi;
      s.u32_min = static_cast<uint32_t>(lo);
      s.u32_max = static_cast<uint32_t>(hi);
      s.var_off = tnum_subreg(Tnum::range(static_cast<uint64_t>(int64_t{lo}), static_cast<uint64_t>(int64_t{hi})));
      return;
    }
  }
  s.s32_min = size == 1 ? INT8_MIN : INT16_MIN;
  s.s32_max = size == 1 ? INT8_MAX : INT16_MAX;
  s.u32_min = 0;
  s.u32_max = UINT32_MAX;
  s.var_off = tnum_subreg(Tnum::unknown());
}

}  // namespace detail

Scalar scalar_truncate(const Scalar& s, uint8_t size) {
  Scalar r = s;
  detail::coerce_to_size(r, size);
  return r;
}

Scalar scalar_sign_extend(const Scalar& s, uint8_t size) {
  Scalar r = s;
  detail::coerce_to_size_sx(r, size);
  return r;
}

namespace {

using detail::mark32_unbounded;
using detail::mark64_unbounded;

template <typename T>
bool add_overflows(T a, T b, T* out) { return __builtin_add_overflow(a, b, out); }
template <typename T>
bool sub_overflows(T a, T b, T* out) { return __builtin_sub_overflow(a, b, out); }
template <typename T>
bool mul_overflows(T a, T b, T* out) { return __builtin_mul_overflow(a, b, out); }

// Signed and unsigned bounds of one width, so each rule is written once for 32 and 64.
template <typename S, typename U>
struct Bounds {
  S smin, smax;
  U umin, umax;
};
using Bounds32 = Bounds<int32_t, uint32_t>;
using Bounds64 = Bounds<int64_t, uint64_t>;

Bounds32 get32(const Scalar& s) { return {s.s32_min, s.s32_max, s.u32_min, s.u32_max}; }
Bounds64 get64(const Scalar& s) { return {s.smin, s.smax, s.umin, s.umax}; }
void put(Scalar& s, const Bounds32& b) {
  s.s32_min = b.smin, s.s32_max = b.smax, s.u32_min = b.umin, s.u32_max = b.umax;
}
void put(Scalar& s, const Bounds64& b) { s.smin = b.smin, s.smax = b.smax, s.umin = b.umin, s.umax = b.umax; }

template <typename S, typename U>
constexpr Bounds<S, U> kUnbounded{std::numeric_limits<S>::min(), std::numeric_limits<S>::max(), 0,
                                  std::numeric_limits<U>::max()};

// scalar(32)_min_max_add: signed bounds survive when neither end overflows; unsigned
// ones when all sums or no sums wrap.
template <typename S, typename U>
void bounds_add(Bounds<S, U>& d, const Bounds<S, U>& s) {
  S lo, hi;
  if (add_overflows(d.smin, s.smin, &lo) || add_overflows(d.smax, s.smax, &hi)) {
    d.smin = kUnbounded<S, U>.smin;
    d.smax = kUnbounded<S, U>.smax;
  } else {
    d.smin = lo, d.smax = hi;
  }
  U ulo, uhi;
  const bool min_ovf = add_overflows(d.umin, s.umin, &ulo);
  const bool max_ovf = add_overflows(d.umax, s.umax, &uhi);
  if (!min_ovf && max_ovf) {
    d.umin = 0, d.umax = kUnbounded<S, U>.umax;
  } else {
    d.umin = ulo, d.umax = uhi;
  }
}

template <typename S, typename U>
void bounds_sub(Bounds<S, U>& d, const Bounds<S, U>& s) {
  S lo, hi;
  if (sub_overflows(d.smin, s.smax, &lo) || sub_overflows(d.smax, s.smin, &hi)) {
    d.smin = kUnbounded<S, U>.smin;
    d.smax = kUnbounded<S, U>.smax;
  } else {
    d.smin = lo, d.smax = hi;
  }
  U ulo, uhi;
  const bool min_unf = sub_overflows(d.umin, s.umax, &ulo);
  const bool max_unf = sub_overflows(d.umax, s.umin, &uhi);
  if (min_unf && !max_unf) {
    d.umin = 0, d.umax = kUnbounded<S, U>.umax;
  } else {
    d.umin = ulo, d.umax = uhi;
  }
}

template <typename S, typename U>
void bounds_mul(Bounds<S, U>& d, const Bounds<S, U>& s) {
  U ulo, uhi;
  if (mul_overflows(d.umax, s.umax, &uhi) || mul_overflows(d.umin, s.umin, &ulo)) {
    d.umin = 0, d.umax = kUnbounded<S, U>.umax;
  } else {
    d.umin = ulo, d.umax = uhi;
  }
  S p[4];
  if (mul_overflows(d.smin, s.smin, &p[0]) || mul_overflows(d.smin, s.smax, &p[1]) ||
      mul_overflows(d.smax, s.smin, &p[2]) || mul_overflows(d.smax, s.smax, &p[3])) {
    d.smin = kUnbounded<S, U>.smin;
    d.smax = kUnbounded<S, U>.smax;
  } else {
    d.smin = *std::min_element(p, p + 4);
    d.smax = *std::max_element(p, p + 4);
  }
}

// After a bitwise op: the signed bounds equal the unsigned ones when those do not
// cross the sign boundary, else nothing is known.
template <typename S, typename U>
void signed_from_unsigned(Bounds<S, U>& d) {
  if (static_cast<S>(d.umin) <= static_cast<S>(d.umax)) {
    d.smin = static_cast<S>(d.umin);
    d.smax = static_cast<S>(d.umax);
  } else {
    d.smin = kUnbounded<S, U>.smin;
    d.smax = kUnbounded<S, U>.smax;
  }
}

enum class Bitwise { And, Or, Xor };

// scalar32_min_max_and/or/xor: dst.var_off already holds the result tnum.
void bitwise32(Scalar& dst, const Scalar& src, Bitwise op) {
  const Tnum t = tnum_subreg(dst.var_off);
  if (src.is_const32() && dst.is_const32()) {
    detail::mark_known32(dst, static_cast<uint32_t>(t.value));
    return;
  }
  Bounds32 d = get32(dst);
  const auto tv = static_cast<uint32_t>(t.value);
  const auto tmax = static_cast<uint32_t>(t.value | t.mask);
  switch (op) {
    case Bitwise::And: d.umin = tv, d.umax = std::min(d.umax, src.u32_max); break;
    case Bitwise::Or: d.umin = std::max(d.umin, src.u32_min), d.umax = tmax; break;
    case Bitwise::Xor: d.umin = tv, d.umax = tmax; break;
  }
  signed_from_unsigned(d);
  put(dst, d);
}

void bitwise64(Scalar& dst, const Scalar& src, Bitwise op) {
  const Tnum t = dst.var_off;
  if (src.is_const() && dst.is_const()) {
    detail::mark_known(dst, t.value);
    return;
  }
  Bounds64 d = get64(dst);
  switch (op) {
    case Bitwise::And: d.umin = t.value, d.umax = std::min(d.umax, src.umax); break;
    case Bitwise::Or: d.umin = std::max(d.umin, src.umin), d.umax = t.value | t.mask; break;
    case Bitwise::Xor: d.umin = t.value, d.umax = t.value | t.mask; break;
  }
  signed_from_unsigned(d);
  put(dst, d);
  detail::update_bounds(dst);
}

// __scalar32_min_max_lsh with the shift range [lo, hi].
void lsh32_bounds(Scalar& d, uint64_t lo, uint64_t hi) {
  d.s32_min = INT32_MIN;
  d.s32_max = INT32_MAX;
  if (hi > 31 || d.u32_max > (uint64_t{1} << (31 - hi))) {
    d.u32_min = 0;
    d.u32_max = UINT32_MAX;
  } else {
    d.u32_min <<= lo;
    d.u32_max <<= hi;
  }
}

// __scalar64_min_max_lsh.  `<< 32` of a non-negative s32 keeps signed bounds: the
// compiler's sign-extension idiom (<<32 s>>32) depends on it.
void lsh64_bounds(Scalar& d, uint64_t lo, uint64_t hi) {
  const bool by32 = lo == 32 && hi == 32;
  d.smax = by32 && d.s32_max >= 0 ? static_cast<int64_t>(static_cast<uint64_t>(d.s32_max) << 32) : INT64_MAX;
  d.smin = by32 && d.s32_min >= 0 ? static_cast<int64_t>(static_cast<uint64_t>(d.s32_min) << 32) : INT64_MIN;
  if (hi > 63 || d.umax > (uint64_t{1} << (63 - hi))) {
    d.umin = 0;
    d.umax = UINT64_MAX;
  } else {
    d.umin <<= lo;
    d.umax <<= hi;
  }
}

void shift32(Scalar& d, const Scalar& s, isa::AluOp op) {
  const uint32_t lo = s.u32_min, hi = s.u32_max;
  switch (op) {
    case isa::AluOp::Lsh: {
      const Tnum sub = tnum_subreg(d.var_off);
      lsh32_bounds(d, lo, hi);
      d.var_off = tnum_subreg(tnum_lshift(sub, static_cast<uint8_t>(lo)));
      break;
    }
    case isa::AluOp::Rsh: {
      const Tnum sub = tnum_subreg(d.var_off);
      d.s32_min = INT32_MIN;
      d.s32_max = INT32_MAX;
      d.var_off = tnum_rshift(sub, static_cast<uint8_t>(lo));
      d.u32_min >>= hi;
      d.u32_max >>= lo;
      break;
    }
    default: {  // Arsh: the kernel only gets here with a constant amount
      d.s32_min >>= lo;
      d.s32_max >>= lo;
      d.var_off = tnum_arshift(tnum_subreg(d.var_off), static_cast<uint8_t>(lo), 32);
      d.u32_min = 0;
      d.u32_max = UINT32_MAX;
      break;
    }
  }
  mark64_unbounded(d);
  detail::update_bounds32(d);
}

void shift64(Scalar& d, const Scalar& s, isa::AluOp op) {
  const uint64_t lo = s.umin, hi = s.umax;
  switch (op) {
    case isa::AluOp::Lsh:
      lsh64_bounds(d, lo, hi);  // reads the unshifted 32-bit bounds: must come first
      lsh32_bounds(d, lo, hi);
      d.var_off = tnum_lshift(d.var_off, static_cast<uint8_t>(lo));
      break;
    case isa::AluOp::Rsh:
      d.smin = INT64_MIN;
      d.smax = INT64_MAX;
      d.var_off = tnum_rshift(d.var_off, static_cast<uint8_t>(lo));
      d.umin >>= hi;
      d.umax >>= lo;
      mark32_unbounded(d);
      break;
    default:  // Arsh
      d.smin >>= lo;
      d.smax >>= lo;
      d.var_off = tnum_arshift(d.var_off, static_cast<uint8_t>(lo), 64);
      d.umin = 0;
      d.umax = UINT64_MAX;
      mark32_unbounded(d);
      break;
  }
  detail::update_bounds(d);
}

// is_safe_to_compute_dst_reg_range: which ops the kernel tracks at all.
bool tracked(isa::AluOp op, bool is64, const Scalar& src) {
  switch (op) {
    case isa::AluOp::Add:
    case isa::AluOp::Sub:
    case isa::AluOp::Neg:
    case isa::AluOp::And:
    case isa::AluOp::Xor:
    case isa::AluOp::Or:
    case isa::AluOp::Mul:
      return true;
    case isa::AluOp::Lsh:
    case isa::AluOp::Rsh:
    case isa::AluOp::Arsh: {
      const bool known = is64 ? src.is_const() : src.is_const32();
      return known && src.umax < (is64 ? 64u : 32u);
    }
    default:
      return false;
  }
}

Scalar mov(const isa::Insn& insn, const Scalar& src) {
  Scalar r = src;
  if (insn.alu == isa::AluOp::MovSx) {
    const auto bytes = static_cast<uint8_t>(insn.size / 8);
    if (insn.is64) {
      detail::coerce_to_size_sx(r, bytes);
      return r;  // the kernel does not sync after a 64-bit movsx
    }
    detail::coerce_subreg_to_size_sx(r, bytes);
  }
  if (!insn.is64) {
    detail::zext_32_to_64(r);
    r.reduce();
  }
  return r;
}

// BPF_END: a byte swap moves the tnum's bytes (bounds are rebuilt from it); to_le on
// this little-endian target only truncates.  The 32-bit class does not truncate to 32
// bits first: be64 swaps all 8 bytes.
Scalar byte_swap(const isa::Insn& insn, const Scalar& dst) {
  Scalar r = dst;
  const bool swap = insn.endian == isa::Endian::Swap || insn.endian == isa::Endian::Be;
  if (swap) {
    r.var_off = insn.size == 16   ? tnum_bswap16(r.var_off)
                : insn.size == 32 ? tnum_bswap32(r.var_off)
                                  : tnum_bswap64(r.var_off);
    mark64_unbounded(r);
    mark32_unbounded(r);
  }
  if (insn.size == 16 || insn.size == 32)
    detail::coerce_to_size(r, static_cast<uint8_t>(insn.size / 8));
  else if (swap)
    r.reduce();
  return r;
}

}  // namespace

Scalar scalar_alu(const isa::Insn& insn, const Scalar& dst_in, const Scalar& src_in) {
  using isa::AluOp;
  const AluOp op = insn.alu;
  if (op == AluOp::Mov || op == AluOp::MovSx) return mov(insn, src_in);
  if (op == AluOp::End) return byte_swap(insn, dst_in);

  const bool alu32 = !insn.is64;
  Scalar dst = dst_in;
  Scalar src = op == AluOp::Neg ? dst_in : src_in;
  if (alu32) {
    // 32-bit RSH lets high bits flow into the low half: truncate the inputs first.
    detail::coerce_to_size(dst, 4);
    detail::coerce_to_size(src, 4);
  }
  if (!tracked(op, insn.is64, src)) return Scalar::unknown();

  switch (op) {
    case AluOp::Add: {
      Bounds32 d32 = get32(dst);
      bounds_add(d32, get32(src));
      Bounds64 d64 = get64(dst);
      bounds_add(d64, get64(src));
      put(dst, d32);
      put(dst, d64);
      dst.var_off = tnum_add(dst.var_off, src.var_off);
      break;
    }
    case AluOp::Sub:
    case AluOp::Neg: {
      // neg is 0 - dst.
      const Scalar minuend = op == AluOp::Neg ? Scalar::constant(0) : dst;
      const Scalar& subtrahend = src;
      Bounds32 d32 = get32(minuend);
      bounds_sub(d32, get32(subtrahend));
      Bounds64 d64 = get64(minuend);
      bounds_sub(d64, get64(subtrahend));
      dst.var_off = op == AluOp::Neg ? tnum_neg(subtrahend.var_off) : tnum_sub(dst.var_off, subtrahend.var_off);
      put(dst, d32);
      put(dst, d64);
      break;
    }
    case AluOp::Mul: {
      dst.var_off = tnum_mul(dst.var_off, src.var_off);
      Bounds32 d32 = get32(dst);
      bounds_mul(d32, get32(src));
      Bounds64 d64 = get64(dst);
      bounds_mul(d64, get64(src));
      put(dst, d32);
      put(dst, d64);
      break;
    }
    case AluOp::And:
    case AluOp::Or:
    case AluOp::Xor: {
      const Bitwise kind = op == AluOp::And ? Bitwise::And : op == AluOp::Or ? Bitwise::Or : Bitwise::Xor;
      dst.var_off = kind == Bitwise::And  ? tnum_and(dst.var_off, src.var_off)
                    : kind == Bitwise::Or ? tnum_or(dst.var_off, src.var_off)
                                          : tnum_xor(dst.var_off, src.var_off);
      bitwise32(dst, src, kind);
      bitwise64(dst, src, kind);
      break;
    }
    case AluOp::Lsh:
    case AluOp::Rsh:
    case AluOp::Arsh:
      if (alu32)
        shift32(dst, src, op);
      else
        shift64(dst, src, op);
      break;
    default:
      return Scalar::unknown();
  }
  if (alu32) detail::zext_32_to_64(dst);
  dst.reduce();
  return dst;
}

}  // namespace bpfvet::verifier
