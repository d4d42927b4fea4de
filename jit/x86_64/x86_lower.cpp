// x86-64 lowering driver, ALU and jump instructions (see x86_lower.h).
#include "jit/x86_64/x86_lower.h"

#include <algorithm>
#include <chrono>

#include "jit/x86_64/x86_lowerer.h"

namespace bpfvet::jit::x86 {

using isa::AluOp;
using isa::Insn;
using isa::JmpOp;
using isa::Kind;

namespace {

Cond cond_of(JmpOp op) {
  switch (op) {
    case JmpOp::Jeq: return Cond::E;
    case JmpOp::Jne: return Cond::NE;
    case JmpOp::Jgt: return Cond::A;
    case JmpOp::Jge: return Cond::AE;
    case JmpOp::Jlt: return Cond::B;
    case JmpOp::Jle: return Cond::BE;
    case JmpOp::Jsgt: return Cond::G;
    case JmpOp::Jsge: return Cond::GE;
    case JmpOp::Jslt: return Cond::L;
    case JmpOp::Jsle: return Cond::LE;
    default: return Cond::NE;  // Jset: after TEST
  }
}

bool is_pow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

constexpr uint32_t kLine = 64;  // instruction-fetch line (and most op-cache windows)

// Small loops to keep within one 64-byte line: per slot, the bytes (in the layout
// `offsets`) from the slot to the end of the farthest backward jump to it, when that
// is at most a line; 0 for other slots.  Only the outermost of nested or overlapping
// candidates is kept, so no padding ever lands inside a chosen loop and its size in a
// later lowering stays within the one measured here.  Measured on AMD Zen 4: a 45-byte
// loop straddling two lines runs 28% slower than the same loop inside one.
std::vector<uint32_t> small_loops(const isa::Program& prog, const std::vector<uint32_t>& offsets) {
  const int64_t n = static_cast<int64_t>(prog.insns.size());
  std::vector<int64_t> last_back(prog.insns.size(), -1);  // farthest backward jump per head
  for (int64_t pc = 0; pc < n; ++pc) {
    const Insn& in = prog.insns[pc];
    if (in.kind != Kind::Jmp) continue;
    const int64_t t = in.target(pc);
    if (t >= 0 && t <= pc) last_back[t] = std::max(last_back[t], pc);
  }
  std::vector<uint32_t> size(prog.insns.size(), 0);
  int64_t covered = -1;  // slots up to here are inside a chosen loop
  for (int64_t t = 0; t < n; ++t) {
    if (last_back[t] < 0 || t <= covered) continue;
    const uint32_t bytes = offsets[last_back[t] + 1] - offsets[t];
    if (bytes == 0 || bytes > kLine) continue;
    size[t] = bytes;
    covered = last_back[t];
  }
  return size;
}

// True when some small loop of the layout straddles a line (a second lowering would
// align it).
bool loop_straddles(const std::vector<uint32_t>& size, const std::vector<uint32_t>& offsets) {
  for (size_t t = 0; t < size.size(); ++t)
    if (size[t] != 0 && offsets[t] % kLine + size[t] > kLine) return true;
  return false;
}

}  // namespace

Lowerer::Lowerer(const isa::Program& prog, const LowerEnv& env, const std::vector<uint32_t>* sizes_from)
    : prog_(prog), env_(env), e_(buf_), first_pass_(sizes_from) {
  if (first_pass_ == nullptr) return;
  loop_size_ = small_loops(prog_, *first_pass_);
  heads_upto_.assign(loop_size_.size() + 1, 0);
  for (size_t i = 0; i < loop_size_.size(); ++i) heads_upto_[i + 1] = heads_upto_[i] + (loop_size_[i] != 0);
}

void Lowerer::align_loop_head(int64_t pc) {
  if (loop_size_.empty() || loop_size_[pc] == 0) return;
  const uint32_t at = static_cast<uint32_t>(buf_.size()) % kLine;
  if (at + loop_size_[pc] > kLine) e_.nop(kLine - at);
}

bool Lowerer::short_forward(int64_t pc, int64_t t) {
  if (t <= pc) return false;  // backward: the encoder already knows the distance
  if (first_pass_ == nullptr) {
    // Was rel32 (6 bytes for jcc, 5 for jmp); 4 bytes shorter as rel8.
    ++shortenable_;
    return false;
  }
  // From the end of slot pc to slot t in the first pass, with room for the few bytes
  // that may follow the jump in its own slot (may_goto's decrement) and for the
  // padding of every loop head in between (slot t's own included: its label follows it).
  const uint32_t padding = (kLine - 1) * (heads_upto_[t + 1] - heads_upto_[pc + 1]);
  return (*first_pass_)[t] - (*first_pass_)[pc + 1] + padding <= 127 - 16;
}

Status Lowerer::check_targets(int64_t pc, const Insn& in) {
  const int64_t n = static_cast<int64_t>(prog_.insns.size());
  auto ok = [&](int64_t t) { return t >= 0 && t < n && prog_.insns[t].kind != Kind::LdImm64Hi; };
  if (in.kind == Kind::Jmp && !ok(in.target(pc)))
    return Error{"jump to " + std::to_string(in.target(pc)) + " is outside the program or into an lddw"};
  if (in.kind == Kind::Call && in.call == isa::CallKind::Local && !ok(in.target(pc)))
    return Error{"call to " + std::to_string(in.target(pc)) + " is outside the program"};
  if (in.kind == Kind::LdImm64 && in.pseudo == isa::Pseudo::Func && !ok(pc + 1 + in.imm))
    return Error{"callback at " + std::to_string(pc + 1 + in.imm) + " is outside the program"};
  if (in.dst > 10 || in.src > 10) return Error{"register number above r10"};
  return Ok{};
}

Result<CompiledProgram> Lowerer::run() {
  const auto t0 = std::chrono::steady_clock::now();
  const auto& insns = prog_.insns;
  const int64_t n = static_cast<int64_t>(insns.size());
  if (n == 0) return Error{"program '" + prog_.name + "' has no instructions"};
  CompiledProgram out;
  out.insn_offset.resize(insns.size() + 1);
  labels_.reserve(insns.size());
  for (int64_t i = 0; i < n; ++i) labels_.push_back(buf_.new_label());
  unwind_ = buf_.new_label();
  check_thunk_ = buf_.new_label();
  fail_stub_ = buf_.new_label();
  for (const auto& in : insns)
    if (in.kind == Kind::Jmp && in.jmp == JmpOp::MayGoto) may_goto_ = true;
  mark_targets();
  auto at = [&](int64_t pc, const std::string& what) { return Error{"insn " + std::to_string(pc) + ": " + what}; };
  for (int64_t pc = 0; pc < n; ++pc) {
    pc_ = pc;
    const Insn& in = insns[pc];
    out.insn_offset[pc] = static_cast<uint32_t>(buf_.size());  // a loop head's padding is listed with it
    align_loop_head(pc);
    buf_.bind(labels_[pc]);
    if (auto st = check_targets(pc, in); !st) return at(pc, st.message());
    if (fuse_lea(pc)) {  // two slots, one instruction: the second slot's code is empty
      ++pc;
      buf_.bind(labels_[pc]);
      out.insn_offset[pc] = static_cast<uint32_t>(buf_.size());
      continue;
    }
    switch (in.kind) {
      case Kind::Alu:
        if (auto st = lower_alu(in); !st) return at(pc, st.message());
        break;
      case Kind::Jmp: lower_jmp(pc, in); break;
      case Kind::Call:
        if (in.call == isa::CallKind::Kfunc) return at(pc, "kfunc calls are not supported by the x86_64 JIT");
        if (in.call == isa::CallKind::Local) lower_local_call(pc, in);
        else if (in.imm == kTailCallHelper) lower_tail_call();
        else lower_helper_call(in);
        break;
      case Kind::Exit: e_.ret(); break;
      case Kind::LdImm64:
        if (auto st = lower_ld_imm64(pc, in); !st) return at(pc, st.message());
        break;
      case Kind::LdImm64Hi: break;
      case Kind::Load: lower_load(in); break;
      case Kind::Store:
      case Kind::StoreReg: lower_store(in); break;
      case Kind::Atomic: lower_atomic(in); break;
      case Kind::LdAbs:
      case Kind::LdInd: lower_legacy(in); break;
      default: return at(pc, "invalid instruction");
    }
  }
  out.insn_offset[n] = static_cast<uint32_t>(buf_.size());
  pc_ = n;
  fail_here(FaultKind::FellOff);
  emit_tail();
  if (auto st = buf_.resolve(); !st) return Error{"x86_64 JIT: " + st.message()};
  out.code = buf_.bytes();
  out.compile_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

void Lowerer::mark_targets() {
  const int64_t n = static_cast<int64_t>(prog_.insns.size());
  is_target_.assign(prog_.insns.size(), false);
  auto mark = [&](int64_t t) {
    if (t >= 0 && t < n) is_target_[t] = true;
  };
  for (int64_t pc = 0; pc < n; ++pc) {
    const Insn& in = prog_.insns[pc];
    if (in.kind == Kind::Jmp || (in.kind == Kind::Call && in.call == isa::CallKind::Local)) mark(in.target(pc));
    if (in.kind == Kind::LdImm64 && in.pseudo == isa::Pseudo::Func) mark(pc + 1 + in.imm);
  }
}

// `rD = rS; rD += rT` or `rD = rS; rD += imm` (64-bit) is one three-operand LEA, unless
// something jumps to the add.  LEA leaves the flags alone, which BPF does not observe.
bool Lowerer::fuse_lea(int64_t pc) {
  const auto& insns = prog_.insns;
  if (pc + 1 >= static_cast<int64_t>(insns.size()) || is_target_[pc + 1]) return false;
  const Insn& mov = insns[pc];
  const Insn& add = insns[pc + 1];
  if (mov.kind != Kind::Alu || mov.alu != AluOp::Mov || !mov.is64 || !mov.use_src || mov.dst == mov.src ||
      mov.src > 10 || mov.dst > 10)
    return false;
  if (add.kind != Kind::Alu || add.alu != AluOp::Add || !add.is64 || add.dst != mov.dst || add.src > 10)
    return false;
  const Reg d = reg(mov.dst), s = reg(mov.src);
  if (!add.use_src) {
    if (auto m = folded(mov.src, add.imm)) {  // rS is a folded address: one LEA from its parts
      e_.lea(d, *m);
      return true;
    }
  }
  if (try_fold(pc)) return true;  // nothing to emit: rD's uses address its parts
  if (add.use_src) e_.lea_bi(d, s, add.src == mov.dst ? s : reg(add.src));  // rD += rD doubles rS
  else e_.lea(d, Mem{s, add.imm});
  return true;
}

Status Lowerer::lower_alu(const Insn& in) {
  const Width w = width_of(in.is64);
  const Reg d = reg(in.dst);
  const Reg s = reg(in.src);
  // The second operand as BPF sees it: imm sign-extended to 64 bits, or truncated to 32.
  const uint64_t k = in.is64 ? static_cast<uint64_t>(static_cast<int64_t>(in.imm)) : static_cast<uint32_t>(in.imm);
  auto binary = [&](AluKind op) {
    if (in.use_src) e_.alu_rr(op, w, d, s);
    else e_.alu_ri(op, w, d, in.imm);
  };
  switch (in.alu) {
    case AluOp::Mov:
      if (!in.use_src) e_.mov_imm(d, k);
      else if (d != s || !in.is64) e_.mov_rr(w, d, s);  // mov r32,r32 zero-extends
      break;
    case AluOp::Add: binary(AluKind::Add); break;
    case AluOp::Sub: binary(AluKind::Sub); break;
    case AluOp::Or: binary(AluKind::Or); break;
    case AluOp::And: binary(AluKind::And); break;
    case AluOp::Xor:
      if (in.use_src && in.dst == in.src) e_.alu_rr(AluKind::Xor, Width::D32, d, d);  // zero idiom
      else binary(AluKind::Xor);
      break;
    case AluOp::Mul:
      if (in.use_src) e_.imul_rr(w, d, s);
      else e_.imul_rri(w, d, d, in.imm);
      break;
    case AluOp::Div:
    case AluOp::Mod:
    case AluOp::SDiv:
    case AluOp::SMod: lower_divmod(in); break;
    case AluOp::Lsh:
    case AluOp::Rsh:
    case AluOp::Arsh: lower_shift(in); break;
    case AluOp::Neg: e_.unary(UnaryKind::Neg, w, d); break;
    case AluOp::MovSx: {
      const Width from = in.size == 8 ? Width::B8 : in.size == 16 ? Width::W16 : Width::D32;
      e_.movsx_rr(from, w, d, s);
      break;
    }
    case AluOp::End: lower_end(in); break;
    default: return Error{"unknown ALU operation"};
  }
  return Ok{};
}

// Division and modulo with the kernel's rules: x/0 = 0, x%0 = x, signed INT_MIN/-1 =
// INT_MIN (x86 would trap) and INT_MIN%-1 = 0; 32-bit forms zero-extend the result.
void Lowerer::lower_divmod(const Insn& in) {
  const Width w = width_of(in.is64);
  const Reg d = reg(in.dst);
  const bool is_div = in.alu == AluOp::Div || in.alu == AluOp::SDiv;
  const bool is_signed = in.alu == AluOp::SDiv || in.alu == AluOp::SMod;
  const uint64_t k = in.is64 ? static_cast<uint64_t>(static_cast<int64_t>(in.imm)) : static_cast<uint32_t>(in.imm);
  const uint64_t sk = in.is64 ? k : static_cast<uint64_t>(static_cast<int64_t>(in.imm));  // signed view
  if (!in.use_src) {
    // Constant divisors: the cases that need no division instruction.
    if (k == 0) {
      if (is_div) e_.alu_rr(AluKind::Xor, Width::D32, d, d);
      else if (!in.is64) e_.mov_rr(Width::D32, d, d);
      return;
    }
    if (!is_signed && is_pow2(k)) {
      const int sh = __builtin_ctzll(k);
      if (is_div) {
        if (sh == 0) {
          if (!in.is64) e_.mov_rr(Width::D32, d, d);
        } else {
          e_.shift_ri(ShiftKind::Shr, w, d, static_cast<uint8_t>(sh));
        }
      } else if (k - 1 <= INT32_MAX) {
        e_.alu_ri(AluKind::And, w, d, static_cast<int32_t>(k - 1));
      } else {
        e_.mov_imm(Reg::R11, k - 1);
        e_.alu_rr(AluKind::And, w, d, Reg::R11);
      }
      return;
    }
    if (!is_signed) {
      lower_udiv_const(in, k);
      return;
    }
    if (static_cast<int64_t>(sk) == -1) {
      if (is_div) e_.unary(UnaryKind::Neg, w, d);
      else e_.alu_rr(AluKind::Xor, Width::D32, d, d);
      return;
    }
    e_.mov_imm(Reg::R11, in.is64 ? k : static_cast<uint32_t>(in.imm));
  } else {
    e_.mov_rr(w, Reg::R11, reg(in.src));
  }
  Label zero = buf_.new_label(), done = buf_.new_label(), minus1 = buf_.new_label();
  if (in.use_src) {
    e_.test_rr(w, Reg::R11, Reg::R11);
    e_.jcc(Cond::E, zero);
    if (is_signed) {
      e_.alu_ri(AluKind::Cmp, w, Reg::R11, -1);
      e_.jcc(Cond::E, minus1);
    }
  }
  // rax and rdx are BPF r0 and r3: keep them in r9/r10 unless they are the destination.
  if (d != Reg::Rax) e_.mov_rr(Width::Q64, Reg::R9, Reg::Rax);
  if (d != Reg::Rdx) e_.mov_rr(Width::Q64, Reg::R10, Reg::Rdx);
  if (d != Reg::Rax) e_.mov_rr(w, Reg::Rax, d);
  if (is_signed) {
    if (in.is64) e_.cqo();
    else e_.cdq();
    e_.unary(UnaryKind::Idiv, w, Reg::R11);
  } else {
    e_.alu_rr(AluKind::Xor, Width::D32, Reg::Rdx, Reg::Rdx);
    e_.unary(UnaryKind::Div, w, Reg::R11);
  }
  const Reg result = is_div ? Reg::Rax : Reg::Rdx;
  if (d != result) e_.mov_rr(w, d, result);
  else if (!in.is64) e_.mov_rr(Width::D32, d, d);
  if (d != Reg::Rax) e_.mov_rr(Width::Q64, Reg::Rax, Reg::R9);
  if (d != Reg::Rdx) e_.mov_rr(Width::Q64, Reg::Rdx, Reg::R10);
  if (!in.use_src) return;
  e_.jmp(done);
  buf_.bind(zero);
  if (is_div) e_.alu_rr(AluKind::Xor, Width::D32, d, d);
  else if (!in.is64) e_.mov_rr(Width::D32, d, d);
  if (is_signed) {
    e_.jmp(done, true);
    buf_.bind(minus1);
    if (is_div) e_.unary(UnaryKind::Neg, w, d);
    else e_.alu_rr(AluKind::Xor, Width::D32, d, d);
  } else {
    buf_.bind(minus1);  // unused for unsigned operations
  }
  buf_.bind(done);
}

// Unsigned division by a constant d (not 0, not a power of two) without DIV: the
// round-down multiply-and-shift of Granlund & Montgomery (PLDI 1994, fig. 4.1), exact
// for every 64-bit dividend: with l = ceil(log2 d) and m = floor(2^64 (2^l - d) / d) + 1,
// t = mulhi(m, x), q = (t + ((x - t) >> 1)) >> (l - 1).  32-bit operations use the
// same sequence on the zero-extended operand.  Modulo is x - q * d.
void Lowerer::lower_udiv_const(const Insn& in, uint64_t d) {
  const Reg dst = reg(in.dst);
  const int l = 64 - __builtin_clzll(d - 1);
  using U128 = unsigned __int128;
  const uint64_t m = static_cast<uint64_t>(((U128(1) << 64) * ((U128(1) << l) - d)) / d + 1);
  const bool is_div = in.alu == AluOp::Div;
  e_.mov_rr(in.is64 ? Width::Q64 : Width::D32, Reg::R11, dst);  // x (zero-extended when 32-bit)
  if (dst != Reg::Rax) e_.mov_rr(Width::Q64, Reg::R9, Reg::Rax);
  if (dst != Reg::Rdx) e_.mov_rr(Width::Q64, Reg::R10, Reg::Rdx);
  e_.movabs(Reg::Rax, m);
  e_.unary(UnaryKind::Mul, Width::Q64, Reg::R11);  // rdx = t
  e_.mov_rr(Width::Q64, Reg::Rax, Reg::R11);
  e_.alu_rr(AluKind::Sub, Width::Q64, Reg::Rax, Reg::Rdx);
  e_.shift_ri(ShiftKind::Shr, Width::Q64, Reg::Rax, 1);
  e_.alu_rr(AluKind::Add, Width::Q64, Reg::Rax, Reg::Rdx);
  if (l > 1) e_.shift_ri(ShiftKind::Shr, Width::Q64, Reg::Rax, static_cast<uint8_t>(l - 1));
  if (is_div) {
    e_.mov_rr(Width::Q64, dst, Reg::Rax);
  } else {
    if (fits_i32(static_cast<int64_t>(d))) {
      e_.imul_rri(Width::Q64, Reg::Rax, Reg::Rax, static_cast<int32_t>(d));
    } else {
      e_.mov_imm(Reg::Rdx, d);
      e_.imul_rr(Width::Q64, Reg::Rax, Reg::Rdx);
    }
    e_.alu_rr(AluKind::Sub, Width::Q64, Reg::R11, Reg::Rax);
    e_.mov_rr(Width::Q64, dst, Reg::R11);
  }
  if (dst != Reg::Rax) e_.mov_rr(Width::Q64, Reg::Rax, Reg::R9);
  if (dst != Reg::Rdx) e_.mov_rr(Width::Q64, Reg::Rdx, Reg::R10);
}

// Shift counts are masked to 63/31 as the interpreter does; a register count must sit
// in CL, which is BPF r4.
void Lowerer::lower_shift(const Insn& in) {
  const Width w = width_of(in.is64);
  const Reg d = reg(in.dst);
  const ShiftKind kind =
      in.alu == AluOp::Lsh ? ShiftKind::Shl : in.alu == AluOp::Rsh ? ShiftKind::Shr : ShiftKind::Sar;
  if (!in.use_src) {
    const uint8_t count = static_cast<uint8_t>(in.imm & (in.is64 ? 63 : 31));
    if (count != 0) e_.shift_ri(kind, w, d, count);
    else if (!in.is64) e_.mov_rr(Width::D32, d, d);
    return;
  }
  const Reg s = reg(in.src);
  if (s == Reg::Rcx) {
    e_.shift_cl(kind, w, d);
    return;
  }
  e_.mov_rr(Width::Q64, Reg::R11, Reg::Rcx);
  e_.mov_rr(Width::D32, Reg::Rcx, s);
  if (d == Reg::Rcx) {
    e_.shift_cl(kind, w, Reg::R11);
    e_.mov_rr(Width::Q64, Reg::Rcx, Reg::R11);
  } else {
    e_.shift_cl(kind, w, d);
    e_.mov_rr(Width::Q64, Reg::Rcx, Reg::R11);
  }
}

void Lowerer::lower_end(const Insn& in) {
  const Reg d = reg(in.dst);
  const bool swap = in.endian == isa::Endian::Be || in.endian == isa::Endian::Swap;  // little-endian host
  switch (in.size) {
    case 16:
      if (swap) e_.shift_ri(ShiftKind::Rol, Width::W16, d, 8);
      e_.movzx_rr(Width::W16, d, d);
      break;
    case 32:
      if (swap) e_.bswap(Width::D32, d);
      else e_.mov_rr(Width::D32, d, d);
      break;
    default:
      if (swap) e_.bswap(Width::Q64, d);
      break;
  }
}

void Lowerer::lower_jmp(int64_t pc, const Insn& in) {
  const int64_t t = in.target(pc);
  const Label target = labels_[t];
  if (env_.checked && t <= pc) {
    // Unverified code: every backward branch spends budget, so endless loops stop.
    e_.alu_mi(AluKind::Sub, Width::Q64, JIT_STATE(budget), 1);
    Label ok = buf_.new_label();
    e_.jcc(Cond::AE, ok, true);
    fail_here(FaultKind::Budget);
    buf_.bind(ok);
  }
  if (in.jmp == JmpOp::Ja) {
    if (t != pc + 1) e_.jmp(target, short_forward(pc, t));
    return;
  }
  if (in.jmp == JmpOp::MayGoto) {
    e_.alu_mi(AluKind::Cmp, Width::Q64, JIT_STATE(loops), 0);
    e_.jcc(Cond::E, target, short_forward(pc, t));
    e_.dec_m(Width::Q64, JIT_STATE(loops));
    return;
  }
  const Width w = width_of(in.is64);
  const Reg d = reg(in.dst);
  if (in.jmp == JmpOp::Jset) {
    if (in.use_src) e_.test_rr(w, d, reg(in.src));
    else e_.test_ri(w, d, in.imm);
  } else if (in.use_src) {
    e_.alu_rr(AluKind::Cmp, w, d, reg(in.src));
  } else if (in.imm == 0) {
    e_.test_rr(w, d, d);  // same flags as cmp d, 0
  } else {
    e_.alu_ri(AluKind::Cmp, w, d, in.imm);
  }
  if (t != pc + 1) e_.jcc(cond_of(in.jmp), target, short_forward(pc, t));
}

Result<CompiledProgram> compile_program(const isa::Program& prog, const LowerEnv& env) {
  const auto t0 = std::chrono::steady_clock::now();
  Lowerer first(prog, env);
  auto out = first.run();
  if (out && (first.shortenable() > 0 || loop_straddles(small_loops(prog, out->insn_offset), out->insn_offset))) {
    // Jump shortening and loop alignment: lower again with the first pass's layout as
    // the size bound.
    Lowerer second(prog, env, &out->insn_offset);
    out = second.run();
  }
  if (out) out->compile_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace bpfvet::jit::x86
