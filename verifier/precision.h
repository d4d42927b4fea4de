// Precision marks and stack read marks: what makes pruning as strong as the kernel's.
//
// A path's states are checkpointed at prune points; each Checkpoint keeps its parent
// (the previous checkpoint on the same path) and the history of the segment between
// the two: the instructions reached by a jump (with the one they came from) and the
// stack slot each fixed-offset stack load or store touched.  That is enough to walk a
// path backwards instruction by instruction, as the kernel's backtrack_insn does.
//
// Precision: a scalar kept in a checkpoint is "precise" when some later instruction of
// a path through it needed its exact value (a decided branch, pointer arithmetic, a
// helper's constant size, a checked return value...).  When that happens the explorer
// asks mark_precise() for the register; it walks back through the history, following
// the value through moves, arithmetic, spills and fills, and marks it precise in every
// checkpoint on the way until it meets a constant or a mark already set.  At pruning an
// imprecise scalar of the old state stands for any scalar of the current one.
//
// Stack liveness: a stack slot read before being written on a path through a
// checkpoint gets a read mark there (mark_stack_read); slots without one are ignored
// when the checkpoint is compared.  Both kinds of marks only ever grow, and a checkpoint
// is used for pruning only when every path through it is finished, so its marks are
// final by then.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "verifier/abstract_state.h"
#include "verifier/context.h"

namespace bpfvet::verifier {

/// One instruction of a segment worth remembering: reached by a jump (prev != idx - 1),
/// a fixed-offset stack access (stack_frame >= 0), or a conditional jump on scalars
/// linked by id (`linked_regs`, registers of the current frame).
struct HistEntry {
  int32_t idx = 0;
  int32_t prev = -1;
  int8_t stack_frame = -1;
  uint8_t spi = 0;
  uint16_t linked_regs = 0;
};

/// The history of one segment of a path, which starts at instruction `first`.
struct History {
  std::vector<HistEntry> entries;
  int64_t first = 0;
};

/// A state stored at a prune point.  `branches` counts the paths still being explored
/// that descend from it; only a state with none left may prune others.
struct Checkpoint {
  AbstractState st;
  std::shared_ptr<Checkpoint> parent;
  int64_t insn = 0;       // the prune point
  int64_t last_insn = 0;  // the instruction executed just before reaching it
  History hist;           // segment from the parent's prune point to last_insn
  int branches = 0;
  uint32_t hit_cnt = 0, miss_cnt = 0;
  bool evicted = false;   // dropped from its prune point's list while paths through it still run
  bool speculative = false;  // made on a speculative path: never prunes a real one
  std::array<uint64_t, kMaxCallFrames> read{};     // slots read after this point before a write
  std::array<uint64_t, kMaxCallFrames> written{};  // slots fully written in this segment
};

/// Registers and stack slots, per frame, whose values must be precise.
struct PreciseSet {
  std::array<uint16_t, kMaxCallFrames> regs{};
  std::array<uint64_t, kMaxCallFrames> slots{};
  int frame = 0;  // the frame the walk is in
  bool empty() const;
};

/// Marks the values in `want` (as they were just before instruction `pc` ran on the
/// current path, whose segment history is `hist` and parent checkpoint `parent`)
/// precise in every checkpoint they flowed through.
void mark_precise(const VerifierContext& ctx, const History& hist, int64_t pc, Checkpoint* parent, PreciseSet want);

/// The set to propagate when `old` prunes the current path (the kernel's
/// propagate_precision): every precise scalar register and spilled scalar of `old`.
PreciseSet precise_set_of(const AbstractState& old);

/// True when scalar register `r` of frame `f` (or spilled slot `spi`) is marked precise.
inline bool reg_precise(const Frame& f, int r) { return (f.precise_regs >> r) & 1u; }
inline bool slot_precise(const Frame& f, int spi) { return spi < 64 && ((f.precise_slots >> spi) & 1u); }

/// Stack slot bits [lo_spi, hi_spi] (clamped to the 64 slots of a frame).
uint64_t slot_range_mask(int lo_spi, int hi_spi);

/// What a load, store or atomic about to run does to the stack: the frame whose slots
/// it may read (`read`) and fully overwrites (`written`), and the one slot a
/// fixed-offset access touches (for the history; -1 otherwise).
struct StackEffect {
  int frame = -1;
  uint64_t read = 0;
  uint64_t written = 0;
  int fixed_spi = -1;
};
StackEffect stack_effect(const AbstractState& st, const isa::Insn& in);

/// Stack slots a helper call's stack-pointer arguments let it read: `out[f]` per frame.
void helper_stack_reads(const VerifierContext& ctx, const AbstractState& st, const isa::Insn& in,
                        std::array<uint64_t, kMaxCallFrames>& out);

/// What instruction `in`, about to run in state `st`, needs to be exact (the kernel's
/// mark_chain_precision call sites other than branches and exits): the scalar offset of
/// pointer arithmetic, helper size arguments, the tail-call index, a zero stored at a
/// misaligned stack offset, a constant array-map key spilled on the stack.
PreciseSet precise_uses(const VerifierContext& ctx, const AbstractState& st, const isa::Insn& in);

/// Registers of the current frame linked by id to the scalar operands of conditional
/// jump `in` (two or more, else 0).
uint16_t linked_regs_of(const AbstractState& st, const isa::Insn& in);

/// A read of slots `mask` of frame `frame` by the current path, which fully wrote
/// `path_written` since its parent checkpoint: read-marks the checkpoints that rely on
/// them (the kernel's mark_reg_read for stack slots).
void mark_stack_read(Checkpoint* parent, const AbstractState& cur, int frame, uint64_t mask,
                     const std::array<uint64_t, kMaxCallFrames>& path_written);

}  // namespace bpfvet::verifier
