#include "verifier/abstract_state.h"

#include <algorithm>
#include <unordered_map>

namespace bpfvet::verifier {

int StackSlot::spill_size() const {
  int n = 0;
  for (int i = kRegSize - 1; i >= 0 && kind[i] == SlotKind::Spill; --i) ++n;
  return n;
}

bool StackSlot::is_invalid() const {
  for (auto k : kind)
    if (k != SlotKind::Invalid) return false;
  return true;
}

void for_each_reg(AbstractState& st, const std::function<void(RegState&)>& fn) {
  for (Frame& f : st.frames) {
    for (RegState& r : f.regs) fn(r);
    for (StackSlot& slot : f.stack)
      if (slot.is_spill()) fn(slot.spilled);
  }
}

StackSlot& Frame::slot(int spi) {
  if (static_cast<size_t>(spi) >= stack.size()) stack.resize(spi + 1);
  return stack[spi];
}

const StackSlot* Frame::find_slot(int spi) const {
  return static_cast<size_t>(spi) < stack.size() ? &stack[spi] : nullptr;
}

AbstractState entry_state(bool ctx_arg) {
  AbstractState s;
  s.frames.emplace_back();
  if (ctx_arg) s.frames[0].regs[1] = RegState::pointer(RegType::Ctx);
  s.frames[0].regs[10] = RegState::stack_ptr(0, 0);
  return s;
}

namespace {

bool slot_is_precise(const Frame& f, int spi) { return spi < 64 && ((f.precise_slots >> spi) & 1u); }

// Consistent renaming of ids between the old and the current state (the kernel's check_ids):
// two registers sharing an id in one state must share one in the other.
class IdMap {
 public:
  bool check(uint32_t old_id, uint32_t cur_id) {
    if (old_id == 0 && cur_id == 0) return true;
    if (old_id == 0 || cur_id == 0) return old_id == 0;
    auto [it, fresh] = old_to_cur_.emplace(old_id, cur_id);
    if (!fresh && it->second != cur_id) return false;
    auto [it2, fresh2] = cur_to_old_.emplace(cur_id, old_id);
    return fresh2 || it2->second == old_id;
  }
  // The kernel's check_scalar_ids: a scalar without id is unique, so it gets a fresh
  // one that nothing else can share.
  bool check_scalar(uint32_t old_id, uint32_t cur_id) {
    if (old_id == 0) old_id = --tmp_;
    if (cur_id == 0) cur_id = --tmp_;
    return check(old_id, cur_id);
  }

 private:
  std::unordered_map<uint32_t, uint32_t> old_to_cur_, cur_to_old_;
  uint32_t tmp_ = 0;  // counts down from the top: never a real id
};

bool range_within(const Scalar& old, const Scalar& cur) { return old.includes(cur); }

bool regsafe(const RegState& old, bool old_precise, const RegState& cur, IdMap& ids, bool exact,
             const PruneHints& hints) {
  if (exact) return old == cur || (old.type == RegType::NotInit && cur.type == RegType::NotInit);
  if (old.type == RegType::NotInit) return true;
  if (cur.type == RegType::NotInit) return false;
  if (old.type != cur.type || old.maybe_null != cur.maybe_null || old.read_only != cur.read_only ||
      old.ringbuf != cur.ringbuf)
    return false;
  switch (old.type) {
    case RegType::Scalar:
      if (hints.use_precision && !old_precise) return true;
      if (!ids.check_scalar(old.id, cur.id)) return false;
      return range_within(old.var, cur.var);
    case RegType::Packet:
    case RegType::PacketMeta:
      if (old.range > cur.range && !(old.range < 0 && cur.range == old.range)) {
        if (old.range >= 0 || cur.range != old.range) return false;
      }
      if (old.off != cur.off) return false;
      if (!ids.check(old.id, cur.id)) return false;
      return range_within(old.var, cur.var);
    case RegType::Stack:
      if (old.frameno != cur.frameno) return false;
      [[fallthrough]];
    default:
      if (old.off != cur.off || old.map_idx != cur.map_idx || old.mem_size != cur.mem_size ||
          old.subprog != cur.subprog)
        return false;
      if (!ids.check(old.id, cur.id) || !ids.check(old.ref_obj_id, cur.ref_obj_id)) return false;
      return range_within(old.var, cur.var);
  }
}

// The scalar an 8-byte slot holds when read whole: a 64-bit spilled scalar, or an
// unknown scalar when every byte is misc (the kernel's scalar_reg_for_stack).
const RegState* scalar_of_slot(const StackSlot& s, bool allow_uninit, const RegState& unbound) {
  if (s.spill_size() == kRegSize && s.spilled.is_scalar()) return &s.spilled;
  for (SlotKind k : s.kind)
    if (!(k == SlotKind::Misc || (k == SlotKind::Invalid && allow_uninit))) return nullptr;
  return &unbound;
}

bool stacksafe(const Frame& old, const Frame& cur, IdMap& ids, bool exact, const PruneHints& hints) {
  static const StackSlot kEmpty{};
  static const RegState kUnbound = RegState::unknown_scalar();
  const uint64_t read = hints.read_slots ? hints.read_slots[old.frameno] : ~uint64_t{0};
  for (size_t spi = 0; spi < old.stack.size(); ++spi) {
    const StackSlot& o = old.stack[spi];
    const StackSlot* c = cur.find_slot(static_cast<int>(spi));
    const StackSlot& cs = c ? *c : kEmpty;
    if (exact) {
      if (!(o.kind == cs.kind)) return false;
      if ((o.is_spill() || o.is_dynptr()) && !(o.spilled == cs.spilled)) return false;
      continue;
    }
    if (spi < 64 && !((read >> spi) & 1u)) continue;  // never read before written from here
    if (o.is_dynptr()) {
      // The same kind of dynptr, its ids mapping consistently (the kernel's STACK_DYNPTR case).
      if (!cs.is_dynptr() || o.spilled.dynptr != cs.spilled.dynptr ||
          o.spilled.dynptr_first != cs.spilled.dynptr_first || !ids.check(o.spilled.id, cs.spilled.id) ||
          !ids.check(o.spilled.ref_obj_id, cs.spilled.ref_obj_id))
        return false;
      continue;
    }
    for (int i = 0; i < kRegSize; ++i) {
      SlotKind ok = o.kind[i], ck = cs.kind[i];
      if (ok == SlotKind::Invalid) continue;
      // A privileged loader may read uninitialized stack: misc stands for anything.
      if (ok == SlotKind::Misc && hints.allow_uninit_stack) continue;
      const RegState* old_scalar = scalar_of_slot(o, hints.allow_uninit_stack, kUnbound);
      const RegState* cur_scalar = scalar_of_slot(cs, hints.allow_uninit_stack, kUnbound);
      if (old_scalar && cur_scalar) {
        bool precise = old_scalar != &kUnbound ? slot_is_precise(old, static_cast<int>(spi)) : !hints.use_precision;
        if (!regsafe(*old_scalar, precise, *cur_scalar, ids, false, hints)) return false;
        break;  // the whole slot is decided
      }
      if (ok == SlotKind::Misc && ck == SlotKind::Zero) continue;
      if (ok != ck) return false;
      if (i == kRegSize - 1 && ok == SlotKind::Spill &&
          !regsafe(o.spilled, slot_is_precise(old, static_cast<int>(spi)), cs.spilled, ids, false, hints))
        return false;
    }
  }
  return true;
}

}  // namespace

namespace {

// The kernel's regs_exact: the same value, ids renamed consistently.
bool regs_exact(const RegState& old, const RegState& cur, IdMap& ids) {
  RegState a = old, b = cur;
  a.id = b.id = 0;
  a.ref_obj_id = b.ref_obj_id = 0;
  if (!(a == b)) return false;
  if ((old.id == 0) != (cur.id == 0) || (old.ref_obj_id == 0) != (cur.ref_obj_id == 0)) return false;
  return ids.check(old.id, cur.id) && ids.check(old.ref_obj_id, cur.ref_obj_id);
}

void maybe_widen(const RegState& old, bool old_precise, RegState& cur, IdMap& ids) {
  if (old.type != RegType::Scalar || cur.type != RegType::Scalar || old_precise) return;
  if (!regs_exact(old, cur, ids)) cur = RegState::unknown_scalar();
}

}  // namespace

void widen_imprecise_scalars(const AbstractState& old, AbstractState& cur) {
  IdMap ids;
  for (size_t f = old.frames.size(); f-- > 0;) {
    if (f >= cur.frames.size()) continue;
    const Frame& of = old.frames[f];
    Frame& cf = cur.frames[f];
    for (int r = 0; r < kNumRegs; ++r) maybe_widen(of.regs[r], (of.precise_regs >> r) & 1u, cf.regs[r], ids);
    const size_t slots = std::min(of.stack.size(), cf.stack.size());
    for (size_t spi = 0; spi < slots; ++spi)
      if (of.stack[spi].is_spill() && cf.stack[spi].is_spill())
        maybe_widen(of.stack[spi].spilled, slot_is_precise(of, static_cast<int>(spi)), cf.stack[spi].spilled, ids);
  }
}

bool state_includes(const AbstractState& old, const AbstractState& cur, uint16_t live_regs, bool exact,
                    const PruneHints& hints) {
  if (old.frames.size() != cur.frames.size()) return false;
  if (old.refs.size() != cur.refs.size() || old.active_lock != cur.active_lock) return false;
  if (old.active_rcu != cur.active_rcu) return false;
  IdMap ids;
  for (size_t i = 0; i < old.refs.size(); ++i)
    if (!ids.check(old.refs[i].id, cur.refs[i].id)) return false;
  for (size_t f = 0; f < old.frames.size(); ++f) {
    const Frame& of = old.frames[f];
    const Frame& cf = cur.frames[f];
    if (of.callsite != cf.callsite || of.callback_depth > cf.callback_depth) return false;
    bool top = f + 1 == old.frames.size();
    for (int r = 0; r < kNumRegs; ++r) {
      // Caller frames only keep r6-r9 (and r10) across the call.
      if (top && !exact && !(live_regs & (1u << r))) continue;
      if (!top && r < 6) continue;
      if (!regsafe(of.regs[r], (of.precise_regs >> r) & 1u, cf.regs[r], ids, exact, hints)) return false;
    }
    if (!stacksafe(of, cf, ids, exact, hints)) return false;
  }
  return true;
}

namespace {

char slot_char(SlotKind k) {
  switch (k) {
    case SlotKind::Invalid: return '?';
    case SlotKind::Spill: return 'r';
    case SlotKind::Misc: return 'm';
    case SlotKind::Zero: return '0';
    case SlotKind::Dynptr: return 'd';
  }
  return '?';
}

}  // namespace

std::string format_slot(const Frame& f, int spi, const std::vector<isa::MapDef>& maps) {
  const StackSlot* slot = f.find_slot(spi);
  if (!slot || slot->is_invalid()) return "";
  std::string out = "fp-" + std::to_string((spi + 1) * kRegSize) + "=";
  if (slot->is_dynptr()) {
    // Printed once, at its first slot: "fp-16=dynptr_ringbuf(id=1,ref_id=2)".
    if (!slot->spilled.dynptr_first) return "";
    const RegState& d = slot->spilled;
    out += std::string("dynptr_") + dynptr_kind_name(d.dynptr) + "(";
    if (d.id) out += "id=" + std::to_string(d.id);
    if (d.ref_obj_id) out += std::string(d.id ? "," : "") + "ref_id=" + std::to_string(d.ref_obj_id);
    return out + ")";
  }
  if (slot->is_spill()) {
    for (int i = 0; i < kRegSize; ++i)
      if (slot->kind[i] != SlotKind::Spill) out += slot_char(slot->kind[i]);
    return out + slot->spilled.to_string(maps, f.frameno);
  }
  for (int i = 0; i < kRegSize; ++i) out += slot_char(slot->kind[i]);
  return out;
}

std::string format_state(const AbstractState& s, const std::vector<isa::MapDef>& maps) {
  std::string out;
  const Frame& f = s.cur();
  if (s.frames.size() > 1) out += "frame" + std::to_string(f.frameno) + ": ";
  bool first = true;
  auto sep = [&] {
    if (!first) out += ' ';
    first = false;
  };
  for (int r = 0; r < kNumRegs; ++r) {
    const RegState& reg = f.regs[r];
    if (reg.type == RegType::NotInit) continue;
    sep();
    out += "R" + std::to_string(r) + "=" + reg.to_string(maps, f.frameno);
  }
  for (size_t spi = 0; spi < f.stack.size(); ++spi) {
    std::string slot = format_slot(f, static_cast<int>(spi), maps);
    if (slot.empty()) continue;
    sep();
    out += slot;
  }
  if (!s.refs.empty()) {
    sep();
    out += "refs=";
    for (size_t i = 0; i < s.refs.size(); ++i) out += (i ? "," : "") + std::to_string(s.refs[i].id);
  }
  return out;
}

}  // namespace bpfvet::verifier
