// x86-64 lowering: register liveness and address folding (see x86_lower.h).
#include <algorithm>

#include "jit/x86_64/x86_lowerer.h"

namespace bpfvet::jit::x86 {

using isa::AluOp;
using isa::Insn;
using isa::JmpOp;
using isa::Kind;

namespace {

constexpr uint16_t kAllRegs = 0x7ff;  // r0-r10
constexpr uint16_t kArgRegs = 0x3e;   // r1-r5
constexpr int64_t kFoldWindow = 16;   // slots a folded address may be used over

uint16_t bit(uint8_t r) { return r <= 10 ? static_cast<uint16_t>(1u << r) : 0; }

bool is_jump(const Insn& in) { return in.kind == Kind::Jmp; }

// Registers an instruction reads and writes, as far as a verified program can observe:
// after a helper or bpf-to-bpf call r1-r5 are unreadable, so the call kills them.
// Unclear cases read everything and write nothing, which only keeps more alive.
void use_def(const Insn& in, uint16_t& use, uint16_t& def) {
  const uint16_t src = in.use_src ? bit(in.src) : 0;
  use = kAllRegs;
  def = 0;
  switch (in.kind) {
    case Kind::Alu:
      def = bit(in.dst);
      use = (in.alu == AluOp::Mov || in.alu == AluOp::MovSx) ? src : static_cast<uint16_t>(bit(in.dst) | src);
      break;
    case Kind::Load: use = bit(in.src), def = bit(in.dst); break;
    case Kind::Store: use = bit(in.dst); break;
    case Kind::StoreReg: use = bit(in.dst) | bit(in.src); break;
    case Kind::Jmp: use = (in.jmp == JmpOp::Ja || in.jmp == JmpOp::MayGoto) ? 0 : static_cast<uint16_t>(bit(in.dst) | src); break;
    case Kind::Exit: use = bit(0); break;
    case Kind::LdImm64: use = 0, def = bit(in.dst); break;
    case Kind::LdImm64Hi: use = 0; break;
    case Kind::Call:
      if (in.call == isa::CallKind::Helper && in.imm == kTailCallHelper) break;  // the target sees everything
      use = kArgRegs, def = bit(0) | kArgRegs;
      break;
    default: break;
  }
}

}  // namespace

// Backward dataflow to a fixpoint: live_in = use | (live_out & ~def), live_out = the
// union over successors.  One sweep from the end settles straight-line code; each
// further sweep carries liveness once more around the loops.
void Lowerer::compute_liveness() {
  const auto& insns = prog_.insns;
  const int64_t n = static_cast<int64_t>(insns.size());
  std::vector<uint16_t> use(insns.size()), def(insns.size());
  for (int64_t pc = 0; pc < n; ++pc) use_def(insns[pc], use[pc], def[pc]);
  live_in_.assign(insns.size() + 1, 0);
  auto in_of = [&](int64_t t) -> uint16_t { return t >= 0 && t < n ? live_in_[t] : kAllRegs; };
  for (bool changed = true; changed;) {
    changed = false;
    for (int64_t pc = n - 1; pc >= 0; --pc) {
      const Insn& in = insns[pc];
      uint16_t out = 0;
      if (in.kind == Kind::Exit) out = 0;
      else if (is_jump(in) && in.jmp == JmpOp::Ja) out = in_of(in.target(pc));
      else if (is_jump(in)) out = in_of(pc + 1) | in_of(in.target(pc));
      else out = in_of(pc + 1);
      const uint16_t live = use[pc] | (out & ~def[pc]);
      if (live != live_in_[pc]) live_in_[pc] = live, changed = true;
    }
  }
}

// `rX = rB; rX += rC|imm` at pc whose every use until rX dies is the base of a load or
// store, or the source of another `rY = rX; rY += imm` pair: rX is never computed, those
// uses address [rB + rC + disp] directly.  Scans at most kFoldWindow slots through
// straight code and conditional jumps (rX must be dead at their targets), stopping at
// a jump target, any other instruction kind, or a write to rB/rC; rX must be dead where
// the scan stops.  Returns false (and folds nothing) otherwise.
bool Lowerer::try_fold(int64_t pc) {
  if (env_.checked || pc < fold_.end) return false;
  const auto& insns = prog_.insns;
  const int64_t n = static_cast<int64_t>(insns.size());
  const Insn& mov = insns[pc];
  const Insn& add = insns[pc + 1];
  const uint8_t x = mov.dst;
  if (x == 10 || (add.use_src && add.src == x)) return false;
  if (live_in_.empty()) compute_liveness();
  const uint16_t xb = bit(x), inputs = static_cast<uint16_t>(bit(mov.src) | (add.use_src ? bit(add.src) : 0));
  const int64_t disp = add.use_src ? 0 : add.imm;
  auto dead_at = [&](int64_t i) { return i >= n || (live_in_[i] & xb) == 0; };
  int uses = 0;
  int64_t i = pc + 2, end = -1;
  for (; i < n && i < pc + 2 + kFoldWindow; ++i) {
    if (is_target_[i]) break;
    const Insn& in = insns[i];
    uint16_t use, def;
    use_def(in, use, def);
    if (in.kind == Kind::Load && in.src == x) {
      if (!fits_i32(disp + in.off)) return false;
      ++uses;
    } else if ((in.kind == Kind::Store || in.kind == Kind::StoreReg) && in.dst == x) {
      if ((in.kind == Kind::StoreReg && in.src == x) || !fits_i32(disp + in.off)) return false;
      ++uses;
    } else if (in.kind == Kind::Alu && in.alu == AluOp::Mov && in.is64 && in.use_src && in.src == x && in.dst != x &&
               in.dst <= 10 && i + 1 < n && !is_target_[i + 1] && insns[i + 1].kind == Kind::Alu &&
               insns[i + 1].alu == AluOp::Add && insns[i + 1].is64 && !insns[i + 1].use_src &&
               insns[i + 1].dst == in.dst) {
      if (!fits_i32(disp + insns[i + 1].imm)) return false;
      ++uses;
      ++i;  // the pair is one use; its add writes only rY
    } else if (in.kind == Kind::Alu || in.kind == Kind::Load || in.kind == Kind::Store ||
               in.kind == Kind::StoreReg || (is_jump(in) && in.jmp != JmpOp::Ja)) {
      if (use & xb) return false;  // rX needed as a value
      if (is_jump(in) && !dead_at(in.target(i))) return false;
    } else {
      break;  // calls, exits, atomics, 64-bit immediates...: rX must be dead here
    }
    if (def & xb) {  // rX overwritten: its life ends here
      end = i + 1;
      break;
    }
    if (def & inputs) {  // rB/rC change: rX must not be needed past this slot
      if (!dead_at(i + 1)) return false;
      end = i + 1;
      break;
    }
  }
  if (end < 0) {
    if (!dead_at(i)) return false;
    end = i;
  }
  if (uses == 0) return false;
  fold_.reg = x;
  fold_.end = end;
  fold_.mem = Mem{reg(mov.src), static_cast<int32_t>(disp), std::nullopt};
  if (add.use_src) fold_.mem.index = reg(add.src);
  return true;
}

std::optional<Mem> Lowerer::folded(uint8_t r, int64_t off) const {
  if (r != fold_.reg || pc_ >= fold_.end) return std::nullopt;
  Mem m = fold_.mem;
  m.disp = static_cast<int32_t>(m.disp + off);  // try_fold checked it fits
  return m;
}

}  // namespace bpfvet::jit::x86
