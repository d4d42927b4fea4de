// Scalar basics: construction, membership, inclusion, the bounds reduction (the
// kernel's reg_bounds_sync) and the kernel's log format.  The ALU transfer functions
// are in scalar_alu.cpp, the branch logic in scalar_branch.cpp.
#include "verifier/scalar.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>


namespace bpfvet::verifier {

Scalar Scalar::constant(uint64_t v) {
  Scalar s;
  detail::mark_known(s, v);
  return s;
}

Scalar Scalar::urange(uint64_t lo, uint64_t hi) {
  Scalar s;
  s.umin = lo;
  s.umax = hi;
  s.reduce();
  return s;
}

Scalar Scalar::srange(int64_t lo, int64_t hi) {
  Scalar s;
  s.smin = lo;
  s.smax = hi;
  s.reduce();
  return s;
}

bool Scalar::contains(uint64_t v) const {
  const auto sv = static_cast<int64_t>(v);
  const auto v32 = static_cast<uint32_t>(v);
  const auto s32 = static_cast<int32_t>(v32);
  return var_off.contains(v) && umin <= v && v <= umax && smin <= sv && sv <= smax && u32_min <= v32 &&
         v32 <= u32_max && s32_min <= s32 && s32 <= s32_max;
}

bool Scalar::includes(const Scalar& other) const {
  // The kernel's range_within() plus tnum_in() (regsafe for scalars).
  return umin <= other.umin && other.umax <= umax && smin <= other.smin && other.smax <= smax &&
         u32_min <= other.u32_min && other.u32_max <= u32_max && s32_min <= other.s32_min &&
         other.s32_max <= s32_max && var_off.includes(other.var_off);
}

namespace detail {

void mark_known(Scalar& s, uint64_t v) {
  s.var_off = Tnum::constant(v);
  s.umin = s.umax = v;
  s.smin = s.smax = static_cast<int64_t>(v);
  s.u32_min = s.u32_max = static_cast<uint32_t>(v);
  s.s32_min = s.s32_max = static_cast<int32_t>(static_cast<uint32_t>(v));
}

void mark_known32(Scalar& s, uint32_t v) {
  s.var_off = tnum_const_subreg(s.var_off, v);
  s.u32_min = s.u32_max = v;
  s.s32_min = s.s32_max = static_cast<int32_t>(v);
}

void mark64_unbounded(Scalar& s) {
  s.smin = INT64_MIN;
  s.smax = INT64_MAX;
  s.umin = 0;
  s.umax = UINT64_MAX;
}

void mark32_unbounded(Scalar& s) {
  s.s32_min = INT32_MIN;
  s.s32_max = INT32_MAX;
  s.u32_min = 0;
  s.u32_max = UINT32_MAX;
}

void update_bounds32(Scalar& s) {
  const Tnum t = tnum_subreg(s.var_off);
  const auto tv = static_cast<uint32_t>(t.value);
  const auto tm = static_cast<uint32_t>(t.mask);
  // The smallest signed value sets the sign bit if it may be set; the largest clears it.
  s.s32_min = std::max(s.s32_min, static_cast<int32_t>(tv | (tm & 0x80000000u)));
  s.s32_max = std::min(s.s32_max, static_cast<int32_t>(tv | (tm & 0x7fffffffu)));
  s.u32_min = std::max(s.u32_min, tv);
  s.u32_max = std::min(s.u32_max, tv | tm);
}

void update_bounds64(Scalar& s) {
  const Tnum t = s.var_off;
  s.smin = std::max(s.smin, static_cast<int64_t>(t.value | (t.mask & (uint64_t{1} << 63))));
  s.smax = std::min(s.smax, static_cast<int64_t>(t.value | (t.mask & ~(uint64_t{1} << 63))));
  s.umin = std::max(s.umin, t.value);
  s.umax = std::min(s.umax, t.value | t.mask);
}

void update_bounds(Scalar& s) {
  update_bounds32(s);
  update_bounds64(s);
}

namespace {

// The kernel's __reg32_deduce_bounds: the 32-bit bounds learn from the 64-bit ones
// (when the upper halves are fixed) and from each other.
void deduce_bounds32(Scalar& s) {
  auto tighten_s32 = [&](int32_t lo, int32_t hi) {
    s.s32_min = std::max(s.s32_min, lo);
    s.s32_max = std::min(s.s32_max, hi);
  };
  auto tighten_u32 = [&](uint32_t lo, uint32_t hi) {
    s.u32_min = std::max(s.u32_min, lo);
    s.u32_max = std::min(s.u32_max, hi);
  };
  const auto lo32 = [](uint64_t v) { return static_cast<uint32_t>(v); };
  const auto slo32 = [](uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); };
  if ((s.umin >> 32) == (s.umax >> 32)) {
    tighten_u32(lo32(s.umin), lo32(s.umax));
    if (slo32(s.umin) <= slo32(s.umax)) tighten_s32(slo32(s.umin), slo32(s.umax));
  }
  const auto usmin = static_cast<uint64_t>(s.smin);
  const auto usmax = static_cast<uint64_t>(s.smax);
  if ((s.smin >> 32) == (s.smax >> 32)) {
    tighten_u32(lo32(usmin), lo32(usmax));
    if (slo32(usmin) <= slo32(usmax)) tighten_s32(slo32(usmin), slo32(usmax));
  }
  // A 64-bit range whose upper half moves up by exactly one while the lower half
  // crosses from negative to non-negative is one contiguous s32 range.
  if (static_cast<uint32_t>(s.umin >> 32) + 1 == static_cast<uint32_t>(s.umax >> 32) && slo32(s.umin) < 0 &&
      slo32(s.umax) >= 0)
    tighten_s32(slo32(s.umin), slo32(s.umax));
  if (static_cast<uint32_t>(usmin >> 32) + 1 == static_cast<uint32_t>(usmax >> 32) && slo32(usmin) < 0 &&
      slo32(usmax) >= 0)
    tighten_s32(slo32(usmin), slo32(usmax));
  // A u32 range that does not cross the sign boundary is also an s32 range ...
  if (static_cast<int32_t>(s.u32_min) <= static_cast<int32_t>(s.u32_max))
    tighten_s32(static_cast<int32_t>(s.u32_min), static_cast<int32_t>(s.u32_max));
  // ... and vice versa.
  if (static_cast<uint32_t>(s.s32_min) <= static_cast<uint32_t>(s.s32_max))
    tighten_u32(static_cast<uint32_t>(s.s32_min), static_cast<uint32_t>(s.s32_max));
}

// The kernel's __reg64_deduce_bounds.
void deduce_bounds64(Scalar& s) {
  if (static_cast<int64_t>(s.umin) <= static_cast<int64_t>(s.umax)) {
    s.smin = std::max(s.smin, static_cast<int64_t>(s.umin));
    s.smax = std::min(s.smax, static_cast<int64_t>(s.umax));
  }
  const auto usmin = static_cast<uint64_t>(s.smin);
  const auto usmax = static_cast<uint64_t>(s.smax);
  if (usmin <= usmax) {
    s.umin = std::max(s.umin, usmin);
    s.umax = std::min(s.umax, usmax);
  } else {
    // The signed range wraps around the unsigned domain's ends: [smin, U64_MAX] and
    // [0, smax].  A u64 range touching only one of the two pieces selects it.
    if (s.umax < usmin) {
      s.smin = static_cast<int64_t>(s.umin);
      s.umax = std::min(s.umax, usmax);
    } else if (usmax < s.umin) {
      s.smax = static_cast<int64_t>(s.umax);
      s.umin = std::max(s.umin, usmin);
    }
  }
}

// The kernel's __reg_deduce_mixed_bounds: the 64-bit bounds learn from the 32-bit ones.
void deduce_mixed_bounds(Scalar& s) {
  constexpr uint64_t kHigh = ~uint64_t{0xffffffff};
  const uint64_t new_umin = (s.umin & kHigh) | s.u32_min;
  const uint64_t new_umax = (s.umax & kHigh) | s.u32_max;
  s.umin = std::max(s.umin, new_umin);
  s.umax = std::min(s.umax, new_umax);
  const auto new_smin = static_cast<int64_t>((static_cast<uint64_t>(s.smin) & kHigh) | s.u32_min);
  const auto new_smax = static_cast<int64_t>((static_cast<uint64_t>(s.smax) & kHigh) | s.u32_max);
  s.smin = std::max(s.smin, new_smin);
  s.smax = std::min(s.smax, new_smax);
  // A value whose 64-bit range fits in s32 and whose low half is non-negative is
  // exactly its low half (the shape a sign-extending load leaves).
  if (s.s32_min >= 0 && s.smin >= INT32_MIN && s.smax <= INT32_MAX) {
    s.smin = s.s32_min;
    s.smax = s.s32_max;
    s.umin = static_cast<uint64_t>(s.s32_min);
    s.umax = static_cast<uint64_t>(s.s32_max);
    s.var_off = tnum_intersect(s.var_off, Tnum::range(static_cast<uint64_t>(s.smin), static_cast<uint64_t>(s.smax)));
  }
}

void deduce_bounds(Scalar& s) {
  deduce_bounds32(s);
  deduce_bounds64(s);
  deduce_mixed_bounds(s);
}

// The kernel's __reg_bound_offset: the tnum learns from the unsigned ranges.
void bound_offset(Scalar& s) {
  const Tnum var64 = tnum_intersect(s.var_off, Tnum::range(s.umin, s.umax));
  const Tnum var32 = tnum_intersect(tnum_subreg(var64), Tnum::range(s.u32_min, s.u32_max));
  s.var_off = tnum_or(tnum_clear_subreg(var64), var32);
}

}  // namespace

void zext_32_to_64(Scalar& s) {
  s.var_off = tnum_subreg(s.var_off);
  s.umin = s.u32_min;
  s.umax = s.u32_max;
  if (s.s32_min >= 0 && s.s32_max >= 0) {
    s.smin = s.s32_min;
    s.smax = s.s32_max;
  } else {
    s.smin = 0;
    s.smax = UINT32_MAX;
  }
}

}  // namespace detail

void Scalar::reduce() {
  detail::update_bounds(*this);
  detail::deduce_bounds(*this);
  detail::deduce_bounds(*this);
  detail::deduce_bounds(*this);
  detail::bound_offset(*this);
  detail::update_bounds(*this);
}

bool Scalar::is_empty() const {
  auto inverted = [](const Scalar& s) {
    return s.umin > s.umax || s.smin > s.smax || s.u32_min > s.u32_max || s.s32_min > s.s32_max ||
           (s.var_off.value & s.var_off.mask) != 0;
  };
  if (inverted(*this)) return true;
  Scalar r = *this;
  r.reduce();
  // reduce() keeps the set, so bounds it inverts describe no value.  Agreeing bounds
  // can in rare cases still be empty; answering "not empty" then is only imprecise.
  return inverted(r);
}

void Scalar::zext32() {
  detail::zext_32_to_64(*this);
  reduce();
}

namespace {

constexpr bool is_unum_decimal(uint64_t v) { return v <= 0xffff; }
constexpr bool is_snum_decimal(int64_t v) { return v >= INT16_MIN && v <= INT16_MAX; }

std::string unum_text(uint64_t v) {
  char buf[32];
  if (is_unum_decimal(v))
    std::snprintf(buf, sizeof buf, "%" PRIu64, v);
  else
    std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

std::string snum_text(int64_t v) {
  char buf[32];
  if (is_snum_decimal(v))
    std::snprintf(buf, sizeof buf, "%" PRId64, v);
  else
    std::snprintf(buf, sizeof buf, "0x%" PRIx64, static_cast<uint64_t>(v));
  return buf;
}

}  // namespace

std::string Scalar::to_string() const {
  if (var_off.is_const()) return snum_text(static_cast<int64_t>(var_off.value));
  // As the kernel's print_scalar_ranges: omit uninformative bounds, and merge equal
  // values of the same kind (min with mins, max with maxes), never mixing signs.
  struct Item {
    const char* name;
    uint64_t val;
    bool omit;
  };
  auto s32_val = [](int32_t v) {
    return is_snum_decimal(v) ? static_cast<uint64_t>(static_cast<int64_t>(v))
                              : static_cast<uint64_t>(static_cast<uint32_t>(v));
  };
  Item items[] = {
      {"smin", static_cast<uint64_t>(smin), smin == INT64_MIN},
      {"smax", static_cast<uint64_t>(smax), smax == INT64_MAX},
      {"umin", umin, umin == 0},
      {"umax", umax, umax == UINT64_MAX},
      {"smin32", s32_val(s32_min), s32_min == INT32_MIN},
      {"smax32", s32_val(s32_max), s32_max == INT32_MAX},
      {"umin32", u32_min, u32_min == 0},
      {"umax32", u32_max, u32_max == UINT32_MAX},
  };
  constexpr size_t kItems = sizeof items / sizeof items[0];
  std::string out = "scalar(";
  const char* sep = "";
  for (size_t i = 0; i < kItems; ++i) {
    if (items[i].omit) continue;
    const bool is_signed = items[i].name[0] == 's';
    const bool neg1 = is_signed && static_cast<int64_t>(items[i].val) < 0;
    out += sep;
    out += items[i].name;
    out += '=';
    sep = ",";
    for (size_t j = i + 2; j < kItems; j += 2) {
      if (items[j].omit || items[j].val != items[i].val) continue;
      const bool neg2 = items[j].name[0] == 's' && static_cast<int64_t>(items[j].val) < 0;
      if (neg2 != neg1) continue;
      items[j].omit = true;
      out += items[j].name;
      out += '=';
    }
    out += is_signed ? snum_text(static_cast<int64_t>(items[i].val)) : unum_text(items[i].val);
  }
  if (!var_off.is_unknown()) {
    out += sep;
    out += "var_off=" + var_off.to_string();
  }
  out += ')';
  return out;
}

Scalar scalar_for_load(uint8_t size, bool sign_extend) {
  Scalar s = Scalar::unknown();
  if (size >= 8) return s;
  if (sign_extend) {
    detail::coerce_to_size_sx(s, size);
  } else {
    detail::coerce_to_size(s, size);
  }
  return s;
}

}  // namespace bpfvet::verifier
