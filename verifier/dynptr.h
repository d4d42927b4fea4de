// Dynptrs on the stack (kernel: process_dynptr_func, mark_stack_slots_dynptr,
// destroy_if_dynptr_stack_slot, unmark_stack_slots_dynptr).
//
// How it works: a struct bpf_dynptr is 16 bytes of stack that only helpers (and kfuncs)
// write.  A helper taking an uninitialised dynptr (MEM_UNINIT) marks both 8-byte slots
// SlotKind::Dynptr and gives the dynptr a fresh id; the lower-address slot is its
// "first" slot.  A ring buffer dynptr also acquires a reference (kept in both slots'
// ref_obj_id) that bpf_ringbuf_submit_dynptr / discard_dynptr release.  Any program
// store into a dynptr slot destroys an unreferenced dynptr (both slots become invalid,
// its data slices die) and is refused for a referenced one.  Helpers taking an
// initialised dynptr need both slots intact and, when the prototype says so, the
// right kind.  Internal to the helper-call and stack transfer functions.
#pragma once

#include <cstdint>

#include "verifier/transfer.h"

namespace bpfvet::verifier {

/// What an initialised dynptr argument named: its id, reference and kind.
struct DynptrUse {
  uint32_t id = 0;
  uint32_t ref_obj_id = 0;
  DynptrKind kind = DynptrKind::None;
};

/// A store is about to write into stack slot `spi` of `frame`: destroy the dynptr that
/// slot belongs to ("cannot overwrite referenced dynptr" for a referenced one).
Check destroy_dynptr_slot(Step& s, Frame& frame, int spi);

/// A helper/kfunc argument in `regno` that must point to a struct bpf_dynptr on the
/// stack.  `uninit`: the callee initialises it as a dynptr of `kind` (acquiring a
/// reference for ring buffer dynptrs); otherwise it must be an initialised dynptr, of
/// `kind` unless that is None; `out` then describes it.
Check check_dynptr_arg(Step& s, int regno, bool uninit, DynptrKind kind, DynptrUse& out);

/// The reference a dynptr argument of a release function holds ("arg %d is an
/// unacquired reference" when none).
Check dynptr_release_ref(const Step& s, int regno, uint32_t& ref_obj_id);

/// Every dynptr slot holding reference `ref` becomes invalid stack (its release).
void invalidate_dynptr_slots(AbstractState& st, uint32_t ref);

}  // namespace bpfvet::verifier
