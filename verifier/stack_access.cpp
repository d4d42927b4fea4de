// Stack accesses: bounds, spills and fills, reads of uninitialized bytes, and the
// byte ranges helpers read or write (kernel: check_stack_write_*, check_stack_read_*,
// check_stack_range_initialized).
#include <algorithm>

#include "verifier/stack_access.h"

#include "verifier/dynptr.h"

namespace bpfvet::verifier {

namespace {

// Byte `slot` (= -off - 1) of a frame: its 8-byte slot index and index inside it.
int spi_of(int slot) { return slot / kRegSize; }
int byte_of(int slot) { return slot % kRegSize; }

bool is_spillable(const RegState& r) { return r.is_ptr(); }

void scrub_spill(StackSlot& slot) {
  for (auto& k : slot.kind)
    if (k == SlotKind::Spill) k = SlotKind::Misc;
  slot.spilled = RegState{};
}

std::string tnum_text(const Scalar& v) { return v.var_off.to_string(); }

}  // namespace

Check check_stack_bounds(const Step& s, int regno, int32_t off, int size, const char* what) {
  const RegState& reg = s.st.reg(regno);
  int64_t min_off, max_off;
  if (reg.var.is_const()) {
    min_off = static_cast<int64_t>(reg.var.const_value()) + off;
    max_off = min_off + size;
  } else {
    if (reg.var.smax >= (int64_t{1} << 29) || reg.var.smin <= -(int64_t{1} << 29))
      return reject(ErrorCode::UnboundedAccess, "invalid unbounded variable-offset%s stack R%d", what, regno);
    min_off = reg.var.smin + off;
    max_off = reg.var.smax + off + size;
  }
  if (min_off < -kMaxBpfStack || max_off > 0 || size < 0) {
    if (reg.var.is_const())
      return reject(ErrorCode::StackOutOfBounds, "invalid%s stack R%d off=%d size=%d", what, regno, off, size);
    return reject(ErrorCode::StackOutOfBounds, "invalid variable-offset%s stack R%d var_off=%s off=%d size=%d", what,
                  regno, tnum_text(reg.var).c_str(), off, size);
  }
  return std::nullopt;
}

Check stack_write(Step& s, int regno, int32_t off, int size, RegState* value, bool store_imm, int32_t imm) {
  const RegState& ptr = s.st.reg(regno);
  Frame& frame = s.st.frames[ptr.frameno];
  if (!ptr.var.is_const()) {
    // Variable offset: every byte that may be written loses what it held.
    int64_t lo = ptr.var.smin + off, hi = ptr.var.smax + off + size;
    bool zero = (value && value->is_null_const()) || (!value && store_imm && imm == 0);
    for (int64_t i = lo; i < hi; ++i) {
      int slot = static_cast<int>(-i - 1);
      if (auto r = destroy_dynptr_slot(s, frame, spi_of(slot))) return r;
      StackSlot& st = frame.slot(spi_of(slot));
      SlotKind& k = st.kind[byte_of(slot)];
      if (k == SlotKind::Invalid && !s.ctx.rules.allow_uninit_stack)
        return reject(ErrorCode::UninitStackRead, "uninit stack in range of var-offset write prohibited for !root; insn %lld, off: %lld",
                      static_cast<long long>(s.pc), static_cast<long long>(i));
      if (st.is_spill()) scrub_spill(st);
      k = (zero && k == SlotKind::Zero) ? SlotKind::Zero : SlotKind::Misc;
    }
    return std::nullopt;
  }
  int64_t abs_off = static_cast<int64_t>(ptr.var.const_value()) + off;
  int slot = static_cast<int>(-abs_off - 1);
  int spi = spi_of(slot);
  frame.slot(spi);  // allocated before `st` is taken: destroying a dynptr touches its neighbour
  if (auto r = destroy_dynptr_slot(s, frame, spi)) return r;
  StackSlot& st = frame.slot(spi);
  // Without CAP_PERFMON a narrow store may not overwrite part of a spilled pointer
  // (the rest could then be read back as a scalar: a leak).
  if (!s.ctx.rules.allow_ptr_leaks && st.is_spill() && !st.spilled.is_scalar() && size != kRegSize)
    return reject(ErrorCode::PointerLeak, "attempt to corrupt spilled pointer on stack");
  // Spectre v4: a store of a pointer, or over bytes that held anything but plain data,
  // gets a barrier after it (nospec_result), where speculative paths end.
  if (!s.ctx.rules.bypass_spec_v4) {
    bool sanitize = value && is_spillable(*value);
    for (int i = 0; i < size && !sanitize; ++i) {
      const StackSlot* t = frame.find_slot(spi_of(slot - i));  // no allocation: `st` stays valid
      const SlotKind k = t ? t->kind[byte_of(slot - i)] : SlotKind::Invalid;
      sanitize = k != SlotKind::Misc && k != SlotKind::Zero;
    }
    if (sanitize) s.ids.nospec_result.insert(s.pc);
  }
  // Writing part of a spilled register invalidates the whole spill.
  bool aligned = abs_off % kRegSize == 0;
  auto save_spill = [&](const RegState& r) {
    st.spilled = r;
    for (int i = kRegSize; i > kRegSize - size; --i) st.kind[i - 1] = SlotKind::Spill;
    for (int i = kRegSize - size; i > 0; --i) {
      SlotKind& k = st.kind[i - 1];
      if (k != SlotKind::Zero && k != SlotKind::Invalid) k = SlotKind::Misc;
    }
  };
  if (value && aligned && value->is_scalar() && s.ctx.rules.privileged) {
    if (st.is_spill() && size != kRegSize) scrub_spill(st);
    // A spill that keeps the whole value links the register and the slot: the register
    // gets an id first if it has none (assign_scalar_id_before_mov), so a later fill is a
    // copy whose bounds follow the register's.  A narrowing spill keeps the value only
    // when it fits, and never the link.
    const bool fits = size == kRegSize || value->var.umax >> (size * 8) == 0;
    if (fits && value->id == 0 && !value->var.is_const()) value->id = s.ids.fresh();
    RegState r = *value;
    if (!fits) r.id = 0;
    save_spill(r);
    return std::nullopt;
  }
  if (!value && store_imm && aligned && s.ctx.rules.privileged) {
    if (st.is_spill() && size != kRegSize) scrub_spill(st);
    save_spill(RegState::constant(static_cast<uint64_t>(static_cast<int64_t>(imm))));
    return std::nullopt;
  }
  if (value && is_spillable(*value)) {
    if (size != kRegSize) return reject(ErrorCode::InvalidMemAccess, "invalid size of register spill");
    if (value->type == RegType::Stack && ptr.frameno != s.st.cur().frameno)
      return reject(ErrorCode::InvalidMemAccess, "cannot spill pointers to stack into stack frame of the caller");
    save_spill(*value);
    return std::nullopt;
  }
  if (st.is_spill()) scrub_spill(st);
  st.spilled = RegState{};
  bool zero = (value && value->is_null_const()) || (!value && store_imm && imm == 0);
  for (int i = 0; i < size; ++i) {
    int b = slot - i;
    frame.slot(spi_of(b)).kind[byte_of(b)] = zero ? SlotKind::Zero : SlotKind::Misc;
  }
  return std::nullopt;
}

// Without allow_uninit_stack, 6.18 refuses a read that reaches below the deepest stack
// byte written so far before looking at the bytes, worded as a bounds error.
Check check_read_within_allocated(const Step& s, int regno, const Frame& frame, int64_t lo, int64_t size) {
  if (s.ctx.rules.allow_uninit_stack || s.ctx.rules.profile.version < isa::KernelVersion{6, 18}) return std::nullopt;
  if (-lo <= frame.allocated_bytes()) return std::nullopt;
  return reject(ErrorCode::UninitStackRead, "invalid read from stack R%d off=%lld size=%lld", regno,
                static_cast<long long>(lo), static_cast<long long>(size));
}

Check stack_read(Step& s, int regno, int32_t off, int size, int dst, bool sign_extend) {
  const RegState ptr = s.st.reg(regno);
  const bool uninit_ok = s.ctx.rules.allow_uninit_stack;
  // The kernel's update_stack_depth: every access, also a read of never-written bytes,
  // grows the depth of the frame the pointer belongs to (the slot stays uninitialized).
  if (uninit_ok) {
    const int64_t deepest = ptr.var.is_const() ? static_cast<int64_t>(ptr.var.const_value()) + off : ptr.var.smin + off;
    if (deepest < 0 && deepest >= -kMaxBpfStack) s.st.frames[ptr.frameno].slot(spi_of(static_cast<int>(-deepest - 1)));
  }
  const Frame& frame = s.st.frames[ptr.frameno];
  if (!ptr.var.is_const()) {
    int64_t lo = ptr.var.smin + off, hi = ptr.var.smax + off + size;
    bool all_zero = true;
    for (int64_t i = lo; i < hi; ++i) {
      int slot = static_cast<int>(-i - 1);
      const StackSlot* st = frame.find_slot(spi_of(slot));
      SlotKind k = st ? st->kind[byte_of(slot)] : SlotKind::Invalid;
      if (k != SlotKind::Zero) all_zero = false;
      if ((k == SlotKind::Invalid && !uninit_ok) || k == SlotKind::Dynptr)
        return reject(ErrorCode::UninitStackRead, "invalid variable-offset read from stack R%d var_off=%s off=%d size=%d",
                      regno, tnum_text(ptr.var).c_str(), off, size);
    }
    if (dst >= 0) s.st.reg(dst) = all_zero ? RegState::constant(0) : RegState::unknown_scalar();
    return std::nullopt;
  }
  int64_t abs_off = static_cast<int64_t>(ptr.var.const_value()) + off;
  if (auto r = check_read_within_allocated(s, regno, frame, abs_off, size)) return r;
  int slot = static_cast<int>(-abs_off - 1);
  const StackSlot* st = frame.find_slot(spi_of(slot));
  static const StackSlot kEmpty{};
  const StackSlot& sl = st ? *st : kEmpty;
  auto byte_kind = [&](int i) {
    int b = slot - i;
    const StackSlot* t = frame.find_slot(spi_of(b));
    return t ? t->kind[byte_of(b)] : SlotKind::Invalid;
  };
  if (sl.is_spill()) {
    const RegState& spilled = sl.spilled;
    int spill_size = sl.spill_size();
    if (size != kRegSize || spill_size != kRegSize) {
      if (!spilled.is_scalar()) return reject(ErrorCode::InvalidMemAccess, "invalid size of register fill");
      if (dst < 0) return std::nullopt;
      if (size <= spill_size && abs_off % kRegSize == 0) {
        RegState r = spilled;
        if (size < kRegSize && (r.var.umax >> (size * 8)) != 0) r.id = 0;
        s.st.reg(dst) = r;
        return std::nullopt;
      }
      int spill_cnt = 0, zero_cnt = 0;
      for (int i = 0; i < size; ++i) {
        SlotKind k = byte_kind(i);
        if (k == SlotKind::Spill) { ++spill_cnt; continue; }
        if (k == SlotKind::Misc) continue;
        if (k == SlotKind::Zero) { ++zero_cnt; continue; }
        if (k == SlotKind::Invalid && uninit_ok) continue;
        return reject(ErrorCode::UninitStackRead, "invalid read from stack off %lld+%d size %d",
                      static_cast<long long>(abs_off), i, size);
      }
      if ((spill_cnt == size && spilled.is_null_const()) || zero_cnt == size)
        s.st.reg(dst) = RegState::constant(0);
      else
        s.st.reg(dst) = RegState::unknown_scalar();
      return std::nullopt;
    }
    if (dst >= 0) {
      s.st.reg(dst) = spilled;
    } else if (spilled.is_ptr() && !s.ctx.rules.allow_ptr_leaks) {
      return reject(ErrorCode::PointerLeak, "leaking pointer from stack off %lld", static_cast<long long>(abs_off));
    }
    (void)sign_extend;
    return std::nullopt;
  }
  int zeros = 0;
  for (int i = 0; i < size; ++i) {
    SlotKind k = byte_kind(i);
    if (k == SlotKind::Misc) continue;
    if (k == SlotKind::Zero) { ++zeros; continue; }
    if (k == SlotKind::Invalid && uninit_ok) continue;
    return reject(ErrorCode::UninitStackRead, "invalid read from stack off %lld+%d size %d",
                  static_cast<long long>(abs_off), i, size);
  }
  if (dst >= 0) s.st.reg(dst) = zeros == size ? RegState::constant(0) : RegState::unknown_scalar();
  return std::nullopt;
}

Check check_stack_range(Step& s, int regno, int64_t size, bool write_only, bool zero_size_ok) {
  const RegState ptr = s.st.reg(regno);
  if (size == 0 && zero_size_ok) return std::nullopt;
  if (size == 0) return reject(ErrorCode::HelperArgSize, "invalid zero-sized read");
  const char* what = write_only ? " write to" : " read from";
  if (auto r = check_stack_bounds(s, regno, ptr.off, static_cast<int>(size), what)) return r;
  Frame& frame = s.st.frames[ptr.frameno];
  int64_t lo, hi;
  if (ptr.var.is_const()) {
    lo = static_cast<int64_t>(ptr.var.const_value()) + ptr.off;
    hi = lo + size;
    if (!write_only)
      if (auto r = check_read_within_allocated(s, regno, frame, lo, size)) return r;
  } else {
    lo = ptr.var.smin + ptr.off;
    hi = ptr.var.smax + ptr.off + size;
  }
  // 6.12 dropped "indirect" from the helper-read wording.
  const char* indirect = s.ctx.rules.profile.version >= isa::KernelVersion{6, 12} ? "" : " indirect";
  for (int64_t i = lo; i < hi; ++i) {
    int slot = static_cast<int>(-i - 1);
    StackSlot& st = frame.slot(spi_of(slot));
    SlotKind& k = st.kind[byte_of(slot)];
    if (write_only) {
      // A helper may not fill part of a dynptr (it could alias a dynptr argument).
      if (k == SlotKind::Dynptr)
        return reject(ErrorCode::InvalidMemAccess, "potential write to dynptr at off=%lld disallowed",
                      static_cast<long long>(i));
      // The helper fills these bytes: whatever was spilled there is gone.
      if (st.is_spill()) scrub_spill(st);
      if (ptr.var.is_const()) k = SlotKind::Misc;
      continue;
    }
    if (k == SlotKind::Misc || k == SlotKind::Zero) continue;
    if (k == SlotKind::Spill) {
      if (st.spilled.is_scalar() || s.ctx.rules.allow_ptr_leaks) {
        if (st.spilled.is_ptr()) scrub_spill(st);
        continue;
      }
    }
    if (k == SlotKind::Invalid && s.ctx.rules.allow_uninit_stack) continue;
    if (ptr.var.is_const())
      return reject(ErrorCode::UninitStackRead, "invalid%s read from stack R%d off %lld+%lld size %lld", indirect,
                    regno, static_cast<long long>(lo), static_cast<long long>(i - lo), static_cast<long long>(size));
    return reject(ErrorCode::UninitStackRead, "invalid%s read from stack R%d var_off %s+%lld size %lld", indirect, regno,
                  tnum_text(ptr.var).c_str(), static_cast<long long>(i - lo), static_cast<long long>(size));
  }
  return std::nullopt;
}

}  // namespace bpfvet::verifier
