#include "verifier/precision.h"

#include <algorithm>
#include <bit>

#include "isa/helpers.h"

namespace bpfvet::verifier {

using isa::Insn;
using isa::Kind;

bool PreciseSet::empty() const {
  for (int f = 0; f < kMaxCallFrames; ++f)
    if (regs[f] || slots[f]) return false;
  return true;
}

uint64_t slot_range_mask(int lo_spi, int hi_spi) {
  if (lo_spi < 0) lo_spi = 0;
  if (hi_spi > 63) hi_spi = 63;
  if (hi_spi < lo_spi) return 0;
  uint64_t upto = hi_spi == 63 ? ~uint64_t{0} : ((uint64_t{1} << (hi_spi + 1)) - 1);
  return upto & ~((uint64_t{1} << lo_spi) - 1);
}

namespace {

constexpr uint16_t kArgRegs = 0x3e;  // r1-r5

enum class Bt { Ok, GiveUp };

bool has(uint16_t mask, int r) { return (mask >> r) & 1u; }

// One instruction walked backwards (the kernel's backtrack_insn): `want` holds what is
// needed after instruction `i`; on return, what is needed before it.  `next` is the
// instruction the path executed after `i`.
Bt backtrack(const VerifierContext& ctx, int64_t i, int64_t next, const HistEntry* he, PreciseSet& want) {
  const Insn& in = ctx.insn(i);
  int f = want.frame;
  uint16_t& regs = want.regs[f];
  const int dst = in.dst, src = in.src;
  switch (in.kind) {
    case Kind::Alu:
      if (!has(regs, dst)) return Bt::Ok;
      if (in.alu == isa::AluOp::Mov) {
        regs &= static_cast<uint16_t>(~(1u << dst));
        if (in.use_src && src != 10) regs |= static_cast<uint16_t>(1u << src);
      } else if (in.use_src && src != 10) {
        regs |= static_cast<uint16_t>(1u << src);
      }
      return Bt::Ok;
    case Kind::Load:
      if (!has(regs, dst)) return Bt::Ok;
      regs &= static_cast<uint16_t>(~(1u << dst));
      // Only a fill from the stack keeps a scalar's value; other memory is unknown.
      if (he && he->stack_frame >= 0) want.slots[he->stack_frame] |= uint64_t{1} << he->spi;
      return Bt::Ok;
    case Kind::Store:
    case Kind::StoreReg: {
      if (!he || he->stack_frame < 0) return Bt::Ok;
      uint64_t bit = uint64_t{1} << he->spi;
      if (!(want.slots[he->stack_frame] & bit)) return Bt::Ok;
      want.slots[he->stack_frame] &= ~bit;
      if (in.kind == Kind::StoreReg) regs |= static_cast<uint16_t>(1u << src);
      return Bt::Ok;
    }
    case Kind::LdImm64:
      regs &= static_cast<uint16_t>(~(1u << dst));
      return Bt::Ok;
    case Kind::LdAbs:
    case Kind::LdInd:
      // The kernel does not follow a packet load's value: every scalar becomes precise.
      if (has(regs, 0)) return Bt::GiveUp;
      return Bt::Ok;
    case Kind::Exit: {
      // Walking back into a callee from the instruction after its call: its r0 is the
      // caller's r0, the caller's r6-r9 stay with the caller's frame.  An iterated
      // callback's walk returns to the helper call itself: the helper sets r1-r5 of
      // the next walk, and the callback's r0 is not the caller's.
      if (next < 0 || f + 1 >= kMaxCallFrames) return Bt::Ok;
      if (iterates_callback(ctx, ctx.insn(next))) regs &= static_cast<uint16_t>(~kArgRegs);
      if (regs & kArgRegs) return Bt::GiveUp;
      const Insn* call = next >= 1 ? &ctx.insn(next - 1) : nullptr;
      const bool r0 = has(regs, 0) && call && call->kind == Kind::Call && call->call == isa::CallKind::Local;
      regs &= static_cast<uint16_t>(~1u);
      if (r0) want.regs[f + 1] |= 1u;
      want.frame = f + 1;
      return Bt::Ok;
    }
    case Kind::Call: {
      const bool entered = next >= 0 && next != i + 1;
      if (entered && f > 0) {
        // Back out of a callee's (or callback's) first instruction into the caller.
        if (in.call == isa::CallKind::Local) want.regs[f - 1] |= static_cast<uint16_t>(regs & kArgRegs);
        want.regs[f] = 0;
        want.slots[f] = 0;
        want.frame = f - 1;
        return Bt::Ok;
      }
      // A helper (or global function) sets r0 and clobbers r1-r5.
      regs &= static_cast<uint16_t>(~1u);
      regs &= static_cast<uint16_t>(~kArgRegs);
      return Bt::Ok;
    }
    case Kind::Jmp:
      if (in.jmp == isa::JmpOp::Ja || in.jmp == isa::JmpOp::MayGoto) return Bt::Ok;
      if (he && he->linked_regs && (regs & he->linked_regs)) regs |= he->linked_regs;
      if (in.use_src && (has(regs, dst) || has(regs, src))) {
        regs |= static_cast<uint16_t>(1u << dst);
        if (src != 10) regs |= static_cast<uint16_t>(1u << src);
      }
      if (he && he->linked_regs && (regs & he->linked_regs)) regs |= he->linked_regs;
      return Bt::Ok;
    default:
      return Bt::Ok;
  }
}

// Sets the marks of `want` in checkpoint `cp` and drops from `want` what needs no
// further walking (not a scalar there, or already precise).
void mark_in(Checkpoint& cp, PreciseSet& want) {
  for (int f = 0; f < kMaxCallFrames; ++f) {
    if (!want.regs[f] && !want.slots[f]) continue;
    if (static_cast<size_t>(f) >= cp.st.frames.size()) {
      want.regs[f] = 0;
      want.slots[f] = 0;
      continue;
    }
    Frame& fr = cp.st.frames[static_cast<size_t>(f)];
    for (uint16_t m = want.regs[f]; m; m &= static_cast<uint16_t>(m - 1)) {
      int r = std::countr_zero(m);
      uint16_t bit = static_cast<uint16_t>(1u << r);
      if (r >= kNumRegs || !fr.regs[r].is_scalar() || (fr.precise_regs & bit)) want.regs[f] &= static_cast<uint16_t>(~bit);
      else fr.precise_regs |= bit;
    }
    for (uint64_t m = want.slots[f]; m; m &= m - 1) {
      int spi = std::countr_zero(m);
      uint64_t bit = uint64_t{1} << spi;
      const StackSlot* slot = fr.find_slot(spi);
      if (!slot || !slot->is_spill() || !slot->spilled.is_scalar() || (fr.precise_slots & bit)) want.slots[f] &= ~bit;
      else fr.precise_slots |= bit;
    }
  }
}

// The kernel's fallback when a value cannot be followed: every scalar of every
// checkpoint up the path becomes precise.
void mark_all_precise(Checkpoint* cp) {
  for (; cp; cp = cp->parent.get()) {
    for (Frame& fr : cp->st.frames) {
      for (int r = 0; r < kNumRegs; ++r)
        if (fr.regs[r].is_scalar()) fr.precise_regs |= static_cast<uint16_t>(1u << r);
      for (size_t spi = 0; spi < fr.stack.size() && spi < 64; ++spi)
        if (fr.stack[spi].is_spill() && fr.stack[spi].spilled.is_scalar()) fr.precise_slots |= uint64_t{1} << spi;
    }
  }
}

// Walks one segment backwards from `last` (skipping it when `skip_last`) to its first
// instruction.  False when the walk gave up (everything was marked precise).
bool walk_segment(const VerifierContext& ctx, const History& hist, int64_t last, int64_t next, bool skip_last,
                  Checkpoint* parent, PreciseSet& want) {
  size_t h = hist.entries.size();
  int64_t i = last;
  for (;;) {
    const HistEntry* he = (h > 0 && hist.entries[h - 1].idx == i) ? &hist.entries[h - 1] : nullptr;
    if (!skip_last) {
      if (backtrack(ctx, i, next, he, want) == Bt::GiveUp) {
        mark_all_precise(parent);
        return false;
      }
    }
    skip_last = false;
    if (want.empty()) return true;
    if (i == hist.first && (h == 0 || (h == 1 && hist.entries[0].idx == i))) return true;
    next = i;
    if (he) {
      i = he->prev;
      --h;
    } else {
      i = i - 1;
    }
    if (i < 0 || i >= ctx.insn_count()) return true;  // the path's start
  }
}

}  // namespace

void mark_precise(const VerifierContext& ctx, const History& hist, int64_t pc, Checkpoint* parent, PreciseSet want) {
  if (!ctx.rules.privileged) return;  // unprivileged: every scalar counts as precise anyway
  if (want.empty()) return;
  if (!walk_segment(ctx, hist, pc, -1, true, parent, want)) return;
  for (Checkpoint* cp = parent; cp && !want.empty(); cp = cp->parent.get()) {
    mark_in(*cp, want);
    if (want.empty()) return;
    if (!cp->parent) return;  // the path's first checkpoint: nothing before it to mark
    if (!walk_segment(ctx, cp->hist, cp->last_insn, cp->insn, false, cp->parent.get(), want)) return;
  }
}

PreciseSet precise_set_of(const AbstractState& old) {
  PreciseSet s;
  for (size_t f = 0; f < old.frames.size() && f < static_cast<size_t>(kMaxCallFrames); ++f) {
    const Frame& fr = old.frames[f];
    for (int r = 0; r < kNumRegs; ++r)
      if (reg_precise(fr, r) && fr.regs[r].is_scalar()) s.regs[f] |= static_cast<uint16_t>(1u << r);
    s.slots[f] = fr.precise_slots;
  }
  s.frame = static_cast<int>(old.frames.size()) - 1;
  return s;
}

namespace {

// The stack range [lo, hi) (byte offsets from the frame pointer, negative) as slot bits.
uint64_t slots_of_range(int64_t lo, int64_t hi) {
  if (hi > 0) hi = 0;
  if (lo < -kMaxBpfStack) lo = -kMaxBpfStack;
  if (lo >= hi) return 0;
  int lo_spi = static_cast<int>((-hi) / kRegSize);       // slot of byte hi - 1
  int hi_spi = static_cast<int>((-lo - 1) / kRegSize);   // slot of byte lo
  return slot_range_mask(lo_spi, hi_spi);
}

// The stack range a stack pointer plus [0, size) may touch.
uint64_t slots_at(const RegState& ptr, int32_t off, int64_t size) {
  int64_t lo = static_cast<int64_t>(ptr.off) + off + (ptr.var.is_const() ? static_cast<int64_t>(ptr.var.const_value()) : ptr.var.smin);
  int64_t hi = static_cast<int64_t>(ptr.off) + off + (ptr.var.is_const() ? static_cast<int64_t>(ptr.var.const_value()) : ptr.var.smax) + size;
  return slots_of_range(lo, hi);
}

}  // namespace

StackEffect stack_effect(const AbstractState& st, const isa::Insn& in) {
  StackEffect e;
  int base;
  if (in.kind == Kind::Load) base = in.src;
  else if (in.kind == Kind::Store || in.kind == Kind::StoreReg || in.kind == Kind::Atomic) base = in.dst;
  else return e;
  if (base < 0 || base >= kNumRegs) return e;
  const RegState& ptr = st.reg(base);
  if (ptr.type != RegType::Stack || ptr.frameno >= kMaxCallFrames) return e;
  e.frame = ptr.frameno;
  const uint64_t touched = slots_at(ptr, in.off, in.size);
  if (ptr.var.is_const()) {
    const int64_t addr = static_cast<int64_t>(ptr.off) + in.off + static_cast<int64_t>(ptr.var.const_value());
    if (addr >= -kMaxBpfStack && addr < 0) {
      e.fixed_spi = static_cast<int>((-addr - 1) / kRegSize);
      if (in.kind != Kind::Load && in.kind != Kind::Atomic && in.size == kRegSize && addr % kRegSize == 0)
        e.written = touched;
    }
  }
  if (in.kind == Kind::Load || in.kind == Kind::Atomic) e.read = touched;
  if (in.kind == Kind::Atomic) e.fixed_spi = -1;  // not followed by backtracking
  return e;
}

void helper_stack_reads(const VerifierContext& ctx, const AbstractState& st, const isa::Insn& in,
                        std::array<uint64_t, kMaxCallFrames>& out) {
  const isa::HelperProto* h = isa::find_helper(in.imm);
  if (!h) return;
  const RegState& map = st.reg(1);
  const isa::MapDef* md = map.map_idx >= 0 && static_cast<size_t>(map.map_idx) < ctx.prog.maps.size()
                              ? &ctx.prog.maps[static_cast<size_t>(map.map_idx)]
                              : nullptr;
  for (int a = 0; a < 5; ++a) {
    const RegState& r = st.reg(a + 1);
    if (r.type != RegType::Stack || r.frameno >= kMaxCallFrames) continue;
    int64_t size;
    switch (h->args[a].type) {
      case isa::ArgType::UninitMem:
      case isa::ArgType::UninitMapValue:
      case isa::ArgType::Long:
      case isa::ArgType::Int:
        continue;  // written by the helper, never read
      case isa::ArgType::MapKey:
        size = md ? md->key_size : -static_cast<int64_t>(r.off);
        break;
      case isa::ArgType::MapValue:
        size = md ? md->value_size : -static_cast<int64_t>(r.off);
        break;
      case isa::ArgType::Mem:
        size = a + 1 < 5 && st.reg(a + 2).is_scalar() ? static_cast<int64_t>(std::min<uint64_t>(st.reg(a + 2).var.umax, kMaxBpfStack))
                         : kMaxBpfStack;
        break;
      default:
        size = kMaxBpfStack;  // whatever it points at, up to the frame's top
        break;
    }
    out[r.frameno] |= slots_at(r, 0, size);
  }
}

PreciseSet precise_uses(const VerifierContext& ctx, const AbstractState& st, const isa::Insn& in) {
  PreciseSet p;
  p.frame = static_cast<int>(st.frames.size()) - 1;
  uint16_t& regs = p.regs[static_cast<size_t>(p.frame)];
  auto want = [&](int r) {
    if (r >= 0 && r < kNumRegs && st.reg(r).is_scalar()) regs |= static_cast<uint16_t>(1u << r);
  };
  switch (in.kind) {
    case Kind::Alu:
      if (in.use_src && in.alu != isa::AluOp::Mov) {
        const RegState& d = st.reg(in.dst);
        const RegState& s = st.reg(in.src);
        if (d.is_ptr() && s.is_scalar()) want(in.src);
        else if (d.is_scalar() && s.is_ptr()) want(in.dst);
      }
      break;
    case Kind::StoreReg: {
      // A zero that cannot become a spill (misaligned or variable offset) is kept as
      // zero bytes, which the backtracking cannot follow: the kernel marks it here.
      const RegState& ptr = st.reg(in.dst);
      const RegState& v = st.reg(in.src);
      if (ptr.type != RegType::Stack || !v.is_null_const()) break;
      bool aligned = ptr.var.is_const() &&
                     (static_cast<int64_t>(ptr.off) + in.off + static_cast<int64_t>(ptr.var.const_value())) % kRegSize == 0;
      if (!aligned) want(in.src);
      break;
    }
    case Kind::Call: {
      if (in.call != isa::CallKind::Helper) break;
      const isa::HelperProto* h = isa::find_helper(in.imm);
      if (!h) break;
      for (int a = 0; a < 5; ++a) {
        switch (h->args[a].type) {
          case isa::ArgType::ConstSize:
          case isa::ArgType::ConstSizeOrZero:
          case isa::ArgType::ConstAllocSizeOrZero:
            want(a + 1);
            break;
          case isa::ArgType::MapKey: {
            // A constant key of an array map lets the lookup skip its null check.
            const RegState& map = st.reg(1);
            const RegState& key = st.reg(a + 1);
            if (map.map_idx < 0 || static_cast<size_t>(map.map_idx) >= ctx.prog.maps.size()) break;
            const isa::MapDef& md = ctx.prog.maps[static_cast<size_t>(map.map_idx)];
            if ((md.type != isa::MapType::Array && md.type != isa::MapType::PercpuArray) || md.inner_map >= 0) break;
            if (key.type != RegType::Stack || !key.var.is_const() || key.frameno >= st.frames.size()) break;
            int64_t addr = static_cast<int64_t>(key.off) + static_cast<int64_t>(key.var.const_value());
            if (addr >= 0 || addr < -kMaxBpfStack) break;
            int slot = static_cast<int>(-addr - 1);
            const StackSlot* s = st.frames[key.frameno].find_slot(slot / kRegSize);
            if (!s) break;
            int zero = 0, spilled = 0;
            for (int i = slot % kRegSize; i >= 0 && s->kind[i] == SlotKind::Zero; --i) ++zero;
            if (zero >= static_cast<int>(md.key_size)) break;  // zero bytes are compared exactly
            if (!s->is_spill() || !s->spilled.is_scalar() || !s->spilled.var.is_const()) break;
            for (int i = slot % kRegSize; i >= 0 && s->kind[i] == SlotKind::Spill; --i) ++spilled;
            if (spilled != static_cast<int>(md.key_size)) break;
            p.slots[key.frameno] |= uint64_t{1} << (slot / kRegSize);
            break;
          }
          default:
            break;
        }
      }
      if (in.imm == 12 && st.reg(3).is_const()) want(3);  // bpf_tail_call's index
      break;
    }
    default:
      break;
  }
  return p;
}

uint16_t linked_regs_of(const AbstractState& st, const isa::Insn& in) {
  uint16_t mask = 0;
  auto collect = [&](int r) {
    const RegState& reg = st.reg(r);
    if (!reg.is_scalar() || reg.id == 0) return;
    for (int o = 0; o < kNumRegs; ++o)
      if (st.reg(o).is_scalar() && st.reg(o).id == reg.id) mask |= static_cast<uint16_t>(1u << o);
  };
  collect(in.dst);
  if (in.use_src) collect(in.src);
  return std::popcount(mask) > 1 ? mask : 0;
}

void mark_stack_read(Checkpoint* parent, const AbstractState& cur, int frame, uint64_t mask,
                     const std::array<uint64_t, kMaxCallFrames>& path_written) {
  if (frame < 0 || frame >= kMaxCallFrames || static_cast<size_t>(frame) >= cur.frames.size()) return;
  mask &= ~path_written[frame];
  const int64_t callsite = cur.frames[static_cast<size_t>(frame)].callsite;
  for (Checkpoint* cp = parent; cp && mask; cp = cp->parent.get()) {
    if (static_cast<size_t>(frame) >= cp->st.frames.size() || cp->st.frames[static_cast<size_t>(frame)].callsite != callsite)
      return;  // the frame did not exist yet at that checkpoint
    uint64_t fresh = mask & ~cp->read[frame];
    cp->read[frame] |= mask;
    // A checkpoint already marked had its ancestors marked too.
    mask = fresh & ~cp->written[frame];
  }
}

}  // namespace bpfvet::verifier
