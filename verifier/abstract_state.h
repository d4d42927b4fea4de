// Abstract state: registers, stacks and references of one path through the program.
//
// A state holds one Frame per active bpf-to-bpf call (frame 0 is the entry function).
// Each frame has eleven registers and a 512-byte stack tracked per byte: invalid
// (never written), misc (written with something unknown), zero, or part of a spilled
// register whose full RegState is kept in the 8-byte slot (so spilling a pointer or a
// bounded scalar and filling it back loses nothing).  Acquired references (ring buffer
// records, sockets) are listed in `refs` until released.  `includes()` is the pruning
// test: an old, fully explored state that includes the current one proves it safe.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "verifier/reg_state.h"

namespace bpfvet::verifier {

inline constexpr int kMaxBpfStack = 512;
inline constexpr int kRegSize = 8;
inline constexpr int kNumRegs = 11;
inline constexpr int kMaxCallFrames = 8;

// Dynptr: one of the two slots of a struct bpf_dynptr made by a helper (the kernel's
// STACK_DYNPTR); `spilled` holds its kind, id and reference.
enum class SlotKind : uint8_t { Invalid, Spill, Misc, Zero, Dynptr };

/// One 8-byte stack slot: a kind per byte (byte 7 is the slot's highest address, as the
/// kernel indexes it) and the spilled register when kinds hold Spill.
struct StackSlot {
  std::array<SlotKind, kRegSize> kind{};  // all Invalid
  RegState spilled;                       // meaningful when kind[7] == Spill
  /// A spill whose top byte is Spill (the kernel's is_spilled_reg).
  bool is_spill() const { return kind[kRegSize - 1] == SlotKind::Spill; }
  /// Number of Spill bytes counted down from byte 7.
  int spill_size() const;
  bool is_invalid() const;
  /// A slot of a dynptr (every byte is SlotKind::Dynptr).
  bool is_dynptr() const { return kind[0] == SlotKind::Dynptr; }
  friend bool operator==(const StackSlot&, const StackSlot&) = default;
};

struct Frame {
  std::array<RegState, kNumRegs> regs{};
  std::vector<StackSlot> stack;  // slot i covers [fp - 8*(i+1), fp - 8*i)
  uint8_t frameno = 0;
  int64_t callsite = -1;         // index of the call instruction that created this frame
  uint32_t subprog_start = 0;    // first instruction of the function this frame runs
  int32_t callback_of = -1;      // helper id when this frame runs a callback (bpf_loop, ...)
  // Iterated callbacks (6.7+): walks of callbacks this frame's pending callback-calling
  // helper call has scheduled.  No part of equality; pruning wants old <= cur.
  uint32_t callback_depth = 0;
  // Precision marks (precision.h): bit r / bit spi set when a later instruction needed
  // the exact value.  Only checkpoints carry them; they take no part in equality.
  uint16_t precise_regs = 0;
  uint64_t precise_slots = 0;

  /// Stack slot for spi (allocated on demand by the writer).
  StackSlot& slot(int spi);
  /// nullptr when never touched.
  const StackSlot* find_slot(int spi) const;
  /// Bytes of stack in use (highest touched slot), before rounding.
  int allocated_bytes() const { return static_cast<int>(stack.size()) * kRegSize; }
  /// Same registers, stack and call site (precision marks ignored).
  friend bool operator==(const Frame& a, const Frame& b) {
    return a.regs == b.regs && a.stack == b.stack && a.frameno == b.frameno && a.callsite == b.callsite &&
           a.subprog_start == b.subprog_start && a.callback_of == b.callback_of;
  }
};

struct Reference {
  uint32_t id = 0;
  int64_t insn = 0;   // the acquiring call
  friend bool operator==(const Reference&, const Reference&) = default;
};

struct AbstractState {
  std::vector<Frame> frames;   // frames.back() is the current function
  std::vector<Reference> refs;
  int32_t active_lock = 0;     // 1 + map index of the held bpf_spin_lock, 0 when none
  int32_t active_rcu = 0;      // bpf_rcu_read_lock() sections entered and not yet left
  uint32_t callback_unroll_depth = 0;  // iterated callback walks that led here (infinite-loop test)

  Frame& cur() { return frames.back(); }
  const Frame& cur() const { return frames.back(); }
  RegState& reg(int r) { return cur().regs[r]; }
  const RegState& reg(int r) const { return cur().regs[r]; }
  friend bool operator==(const AbstractState&, const AbstractState&) = default;
};

/// Calls `fn` on every register and spilled register of every frame.
void for_each_reg(AbstractState& st, const std::function<void(RegState&)>& fn);

/// The state at program entry: r1 = ctx (when `ctx_arg`), r10 = fp0.
AbstractState entry_state(bool ctx_arg);

/// What the pruning test may ignore in the old state (see precision.h).
struct PruneHints {
  /// Per frame (kMaxCallFrames entries): the stack slots read after the old state before
  /// being written; slots outside are ignored.  nullptr: every slot counts.
  const uint64_t* read_slots = nullptr;
  /// Scalars of the old state not marked precise stand for any scalar (privileged
  /// loaders; an unprivileged one treats every scalar as precise).
  bool use_precision = false;
  /// Uninitialized or misc stack bytes in the old state stand for anything (6.5+ privileged).
  bool allow_uninit_stack = true;
};

/// Pruning test (the kernel's states_equal): every concrete state `cur` stands for is
/// also one `old` stands for, looking only at registers live at the instruction (bit r
/// of `live_regs` for frame-current registers) and at stack bytes `old` relies on.
/// `exact` demands identical states (infinite-loop detection).
bool state_includes(const AbstractState& old, const AbstractState& cur, uint16_t live_regs, bool exact,
                    const PruneHints& hints = {});

/// The kernel's widen_imprecise_scalars (iterated callbacks, 6.7+): every scalar of
/// `cur` (registers and spills of every frame) that `old` holds as a scalar not marked
/// precise, with another value, becomes unknown, so that the walks of a callback
/// converge instead of counting.
void widen_imprecise_scalars(const AbstractState& old, AbstractState& cur);

/// "fp-16=ctx()" / "fp-8=mmmmmmmm" for stack slot `spi` of frame `f` (empty when unused).
std::string format_slot(const Frame& f, int spi, const std::vector<isa::MapDef>& maps);

/// Kernel-format line of every initialized register and stack slot of the current frame:
/// "R1=ctx() R10=fp0 fp-8=mmmmmmmm".
std::string format_state(const AbstractState& s, const std::vector<isa::MapDef>& maps);

}  // namespace bpfvet::verifier
