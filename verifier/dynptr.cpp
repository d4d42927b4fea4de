// Dynptr stack objects: see dynptr.h.
#include "verifier/dynptr.h"

namespace bpfvet::verifier {

namespace {

constexpr int kDynptrSlots = 2;

// The kernel's dynptr_get_spi: the stack slot of the dynptr's first (lower-address)
// 8 bytes, or a rejection for a variable or misaligned offset.  `in_range` says whether
// both slots lie inside the frame's written stack (-ERANGE otherwise, no error).
Check dynptr_spi(const Step& s, const RegState& reg, int& spi, bool& in_range) {
  if (!reg.var.is_const()) return reject(ErrorCode::HelperArgType, "dynptr has to be at a constant offset");
  const int64_t off = reg.off + static_cast<int64_t>(reg.var.const_value());
  if (off % kRegSize != 0 || off >= -kRegSize)
    return reject(ErrorCode::HelperArgType, "cannot pass in dynptr at an offset=%lld", static_cast<long long>(off));
  spi = static_cast<int>((-off - 1) / kRegSize);
  const Frame& f = s.st.frames[reg.frameno];
  in_range = spi - kDynptrSlots + 1 >= 0 && static_cast<size_t>(spi) < f.stack.size();
  return std::nullopt;
}

// A slot that once was a dynptr becomes never-written stack.
void clear_slot(StackSlot& slot) {
  slot.kind.fill(SlotKind::Invalid);
  slot.spilled = RegState{};
}

// mark_reg_invalid: what a register becomes when the object it points into is gone.
void invalidate(RegState& r, bool allow_ptr_leaks) {
  r = allow_ptr_leaks ? RegState::unknown_scalar() : RegState::not_init();
}

bool is_initialized(const Frame& f, int spi) {
  const StackSlot* first = f.find_slot(spi);
  const StackSlot* second = f.find_slot(spi - 1);
  if (!first || !second || !first->spilled.dynptr_first) return false;
  for (int i = 0; i < kRegSize; ++i)
    if (first->kind[i] != SlotKind::Dynptr || second->kind[i] != SlotKind::Dynptr) return false;
  return true;
}

}  // namespace

Check destroy_dynptr_slot(Step& s, Frame& frame, int spi) {
  const StackSlot* slot = frame.find_slot(spi);
  if (!slot || !slot->is_dynptr()) return std::nullopt;
  if (!slot->spilled.dynptr_first) ++spi;  // to the first slot
  StackSlot* first = frame.find_slot(spi) ? &frame.stack[static_cast<size_t>(spi)] : nullptr;
  if (!first || spi < 1) return std::nullopt;
  if (first->spilled.ref_obj_id)
    return reject(ErrorCode::InvalidMemAccess, "cannot overwrite referenced dynptr");
  const uint32_t id = first->spilled.id;
  clear_slot(*first);
  clear_slot(frame.stack[static_cast<size_t>(spi - 1)]);
  // Its data slices point into memory no longer described: they die with it.
  const bool leaks = s.ctx.rules.allow_ptr_leaks;
  for_each_reg(s.st, [&](RegState& r) {
    if (r.type == RegType::Mem && id != 0 && r.dynptr_id == id) invalidate(r, leaks);
  });
  return std::nullopt;
}

Check check_dynptr_arg(Step& s, int regno, bool uninit, DynptrKind kind, DynptrUse& out) {
  const RegState reg = s.st.reg(regno);
  int spi = 0;
  bool in_range = false;
  if (auto r = dynptr_spi(s, reg, spi, in_range)) return r;
  if (uninit) {
    // The callee writes the 16 bytes, 8 at a time: bounds and dynptrs there are checked
    // as for program stores (an unreferenced dynptr is destroyed, a referenced one refused).
    for (int i = 0; i < kDynptrSlots * kRegSize; i += kRegSize)
      if (auto r = check_mem_access(s, regno, i, kRegSize, true, -1, false)) return r;
    Frame& f = s.st.frames[reg.frameno];
    if (auto r = destroy_dynptr_slot(s, f, spi)) return r;
    if (auto r = destroy_dynptr_slot(s, f, spi - 1)) return r;
    RegState d;
    d.dynptr = kind;
    d.id = s.ids.fresh();
    if (kind == DynptrKind::Ringbuf) {
      d.ref_obj_id = s.ids.fresh();
      s.st.refs.push_back(Reference{d.ref_obj_id, s.pc});
    }
    StackSlot& second = f.slot(spi - 1);
    second.kind.fill(SlotKind::Dynptr);
    second.spilled = d;
    StackSlot& first = f.slot(spi);
    first.kind.fill(SlotKind::Dynptr);
    d.dynptr_first = true;
    first.spilled = d;
    return std::nullopt;
  }
  const Frame& f = s.st.frames[reg.frameno];
  if (!in_range || !is_initialized(f, spi))
    return reject(ErrorCode::HelperArgType, "Expected an initialized dynptr as arg #%d", regno - 1);
  const RegState& d = f.stack[static_cast<size_t>(spi)].spilled;
  if (kind != DynptrKind::None && d.dynptr != kind)
    return reject(ErrorCode::HelperArgType, "Expected a dynptr of type %s as arg #%d", dynptr_kind_name(kind),
                  regno - 1);
  out.id = d.id;
  out.ref_obj_id = d.ref_obj_id;
  out.kind = d.dynptr;
  return std::nullopt;
}

Check dynptr_release_ref(const Step& s, int regno, uint32_t& ref_obj_id) {
  const RegState& reg = s.st.reg(regno);
  int spi = 0;
  bool in_range = false;
  ref_obj_id = 0;
  if (!dynptr_spi(s, reg, spi, in_range) && in_range) {
    const StackSlot* slot = s.st.frames[reg.frameno].find_slot(spi);
    if (slot && slot->is_dynptr()) ref_obj_id = slot->spilled.ref_obj_id;
  }
  if (ref_obj_id == 0) return reject(ErrorCode::InvalidRelease, "arg %d is an unacquired reference", regno);
  return std::nullopt;
}

void invalidate_dynptr_slots(AbstractState& st, uint32_t ref) {
  if (ref == 0) return;
  for (Frame& f : st.frames)
    for (StackSlot& slot : f.stack)
      if (slot.is_dynptr() && slot.spilled.ref_obj_id == ref) clear_slot(slot);
}

}  // namespace bpfvet::verifier
