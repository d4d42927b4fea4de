// BPF -> A64 translation (see arm64_jit.h): functions, ALU, jumps, calls.  Memory
// accesses and atomics are in arm64_jit_mem.cpp.
#include "jit/arm64/arm64_jit.h"

#include <algorithm>
#include <set>

#include "jit/arm64/arm64_lowerer.h"

namespace bpfvet::jit::arm64 {

using namespace a64;

int64_t Compiled::slot_at(uint64_t addr) const {
  if (addr < base || slot_offset.empty()) return -1;
  const uint64_t off = addr - base;
  if (off >= slot_offset.back()) return -1;
  auto it = std::upper_bound(slot_offset.begin(), slot_offset.end(), static_cast<uint32_t>(off));
  if (it == slot_offset.begin()) return -1;
  return (it - slot_offset.begin()) - 1;
}

void Lowerer::emit(uint32_t word) { buf_.emit32(word); }

void Lowerer::mov_imm(bool sf, Reg rd, uint64_t v) {
  if (!sf) v &= 0xffffffffull;
  const int n = sf ? 4 : 2;
  uint16_t h[4];
  int zeros = 0, ones = 0;
  for (int i = 0; i < n; ++i) {
    h[i] = static_cast<uint16_t>(v >> (16 * i));
    zeros += h[i] == 0;
    ones += h[i] == 0xffff;
  }
  if (ones > zeros) {
    int first = 0;
    while (first < n && h[first] == 0xffff) ++first;
    if (first == n) first = 0;
    emit(movn(sf, rd, static_cast<uint16_t>(~h[first]), static_cast<uint8_t>(first)));
    for (int i = first + 1; i < n; ++i)
      if (h[i] != 0xffff) emit(movk(sf, rd, h[i], static_cast<uint8_t>(i)));
  } else {
    int first = 0;
    while (first < n && h[first] == 0) ++first;
    if (first == n) first = 0;
    emit(movz(sf, rd, h[first], static_cast<uint8_t>(first)));
    for (int i = first + 1; i < n; ++i)
      if (h[i] != 0) emit(movk(sf, rd, h[i], static_cast<uint8_t>(i)));
  }
}

void Lowerer::add_const(Reg rd, Reg rn, int64_t v, Reg tmp) {
  if (v >= 0 && v < 4096) {
    emit(add_imm(true, rd, rn, static_cast<uint32_t>(v)));
  } else if (v < 0 && v > -4096) {
    emit(sub_imm(true, rd, rn, static_cast<uint32_t>(-v)));
  } else {
    mov_imm(true, tmp, static_cast<uint64_t>(v));
    emit(add_reg(true, rd, rn, tmp));
  }
}

void Lowerer::call_abs(uint64_t target) {
  const int64_t off = static_cast<int64_t>(target) - static_cast<int64_t>(opt_.base + buf_.size());
  if (!fits_imm26(off)) {
    fail("trampoline out of BL range");
    return;
  }
  emit(bl(off));
}

void Lowerer::branch(Label l) {
  const size_t at = buf_.size();
  emit(b(0));
  buf_.add_fixup(l, FixupKind::Arm26, at, at);
}

void Lowerer::branch_cond(Cond c, Label l) {
  if (far_) {
    // B.cond reaches +-1 MiB: in a large program, skip over a B (+-128 MiB) instead.
    emit(b_cond(static_cast<Cond>(static_cast<uint8_t>(c) ^ 1), 8));
    branch(l);
    return;
  }
  const size_t at = buf_.size();
  emit(b_cond(c, 0));
  buf_.add_fixup(l, FixupKind::Arm19, at, at);
}

void Lowerer::fail(std::string msg) {
  if (error_.empty()) error_ = "insn " + std::to_string(pc_) + ": " + std::move(msg);
}

void Lowerer::prologue() {
  emit(stp_pre(kFp, kLr, kSp, -64));
  emit(mov_sp(kFp, kSp));
  emit(stp_off(19, 20, kSp, 16));
  emit(stp_off(21, 22, kSp, 32));
  emit(stp_off(25, 27, kSp, 48));
  emit(sub_imm(true, 25, 25, 512));
}

void Lowerer::epilogue() {
  emit(ldp_off(25, 27, kSp, 48));
  emit(ldp_off(21, 22, kSp, 32));
  emit(ldp_off(19, 20, kSp, 16));
  emit(ldp_post(kFp, kLr, kSp, 64));
  emit(ret());
}

void Lowerer::loop_budget() { mov_imm(true, 27, kMayGotoBudget); }

// ---- ALU ----

void Lowerer::alu(const isa::Insn& in) {
  using isa::AluOp;
  const bool sf = in.is64;
  const Reg d = kBpfReg[in.dst];
  const Reg s = kBpfReg[in.src];
  const int64_t imm = sf ? int64_t(in.imm) : int64_t(uint32_t(in.imm));
  // The second operand as a register: src, or the immediate materialised in `tmp`.
  auto operand = [&](Reg tmp) -> Reg {
    if (in.use_src) return s;
    mov_imm(sf, tmp, static_cast<uint64_t>(imm));
    return tmp;
  };
  switch (in.alu) {
    case AluOp::Add:
    case AluOp::Sub: {
      const bool add = in.alu == AluOp::Add;
      if (in.use_src) {
        emit(add ? add_reg(sf, d, d, s) : sub_reg(sf, d, d, s));
        return;
      }
      int64_t v = sf ? int64_t(in.imm) : int64_t(in.imm);  // signed view; 32-bit wraps alike
      if (!add) v = -v;
      if (v >= 0 && v < 4096)
        emit(add_imm(sf, d, d, static_cast<uint32_t>(v)));
      else if (v < 0 && v > -4096)
        emit(sub_imm(sf, d, d, static_cast<uint32_t>(-v)));
      else {
        mov_imm(sf, 10, static_cast<uint64_t>(imm));
        emit(add ? add_reg(sf, d, d, 10) : sub_reg(sf, d, d, 10));
      }
      return;
    }
    case AluOp::Mul:
      emit(mul(sf, d, d, operand(10)));
      return;
    case AluOp::Div:
      emit(udiv(sf, d, d, operand(11)));
      return;
    case AluOp::SDiv:
      emit(sdiv(sf, d, d, operand(11)));
      return;
    case AluOp::Mod:
    case AluOp::SMod: {
      const Reg m = operand(11);
      emit(in.alu == AluOp::Mod ? udiv(sf, 10, d, m) : sdiv(sf, 10, d, m));
      emit(msub(sf, d, 10, m, d));
      return;
    }
    case AluOp::Or:
    case AluOp::And:
    case AluOp::Xor: {
      uint32_t field = 0;
      if (!in.use_src && logical_imm(sf, static_cast<uint64_t>(imm), &field)) {
        emit(in.alu == AluOp::Or    ? orr_imm(sf, d, d, field)
             : in.alu == AluOp::And ? and_imm(sf, d, d, field)
                                    : eor_imm(sf, d, d, field));
        return;
      }
      const Reg m = operand(10);
      emit(in.alu == AluOp::Or    ? orr_reg(sf, d, d, m)
           : in.alu == AluOp::And ? and_reg(sf, d, d, m)
                                  : eor_reg(sf, d, d, m));
      return;
    }
    case AluOp::Lsh:
    case AluOp::Rsh:
    case AluOp::Arsh: {
      if (in.use_src) {
        emit(in.alu == AluOp::Lsh   ? lslv(sf, d, d, s)
             : in.alu == AluOp::Rsh ? lsrv(sf, d, d, s)
                                    : asrv(sf, d, d, s));
        return;
      }
      const uint8_t sh = static_cast<uint8_t>(in.imm & (sf ? 63 : 31));
      emit(in.alu == AluOp::Lsh   ? lsl_imm(sf, d, d, sh)
           : in.alu == AluOp::Rsh ? lsr_imm(sf, d, d, sh)
                                  : asr_imm(sf, d, d, sh));
      return;
    }
    case AluOp::Neg:
      emit(neg(sf, d, d));
      return;
    case AluOp::Mov:
      if (!in.use_src)
        mov_imm(sf, d, static_cast<uint64_t>(imm));
      else if (sf && d == s)
        return;
      else
        emit(mov_reg(sf, d, s));
      return;
    case AluOp::MovSx:
      if (in.off == 8)
        emit(sxtb(sf, d, s));
      else if (in.off == 16)
        emit(sxth(sf, d, s));
      else
        emit(sxtw(d, s));
      return;
    case AluOp::End: {
      const int bits = in.imm;
      if (in.endian == isa::Endian::Le) {
        if (bits == 16)
          emit(uxth(d, d));
        else if (bits == 32)
          emit(mov_reg(false, d, d));
        return;
      }
      if (bits == 16) {
        emit(rev16(false, d, d));
        emit(uxth(d, d));
      } else {
        emit(rev(bits == 64, d, d));
      }
      return;
    }
  }
  fail("unsupported ALU operation");
}

// ---- Jumps ----

void Lowerer::jump(const isa::Insn& in) {
  using isa::JmpOp;
  const int64_t target = in.target(pc_);
  if (target < 0 || target >= static_cast<int64_t>(labels_.size())) {
    fail("jump out of the program");
    return;
  }
  const Label l = labels_[static_cast<size_t>(target)];
  if (in.jmp == JmpOp::Ja) {
    branch(l);
    return;
  }
  if (in.jmp == JmpOp::MayGoto) {
    if (far_) {
      emit(cbnz(true, 27, 8));
      branch(l);
    } else {
      const size_t at = buf_.size();
      emit(cbz(true, 27, 0));
      buf_.add_fixup(l, FixupKind::Arm19, at, at);
    }
    emit(sub_imm(true, 27, 27, 1));
    return;
  }
  const bool sf = in.is64;
  const Reg d = kBpfReg[in.dst];
  if (in.jmp == JmpOp::Jset) {
    uint32_t field = 0;
    if (in.use_src) {
      emit(tst_reg(sf, d, kBpfReg[in.src]));
    } else if (logical_imm(sf, static_cast<uint64_t>(int64_t(in.imm)), &field)) {
      emit(tst_imm(sf, d, field));
    } else {
      mov_imm(sf, 10, static_cast<uint64_t>(int64_t(in.imm)));
      emit(tst_reg(sf, d, 10));
    }
    branch_cond(Cond::Ne, l);
    return;
  }
  if (in.use_src) {
    emit(cmp_reg(sf, d, kBpfReg[in.src]));
  } else if (in.imm >= 0 && in.imm < 4096) {
    emit(cmp_imm(sf, d, static_cast<uint32_t>(in.imm)));
  } else if (in.imm < 0 && in.imm > -4096) {
    emit(cmn_imm(sf, d, static_cast<uint32_t>(-in.imm)));
  } else {
    mov_imm(sf, 10, static_cast<uint64_t>(int64_t(in.imm)));
    emit(cmp_reg(sf, d, 10));
  }
  Cond c = Cond::Eq;
  switch (in.jmp) {
    case JmpOp::Jeq:
      c = Cond::Eq;
      break;
    case JmpOp::Jne:
      c = Cond::Ne;
      break;
    case JmpOp::Jgt:
      c = Cond::Hi;
      break;
    case JmpOp::Jge:
      c = Cond::Hs;
      break;
    case JmpOp::Jlt:
      c = Cond::Lo;
      break;
    case JmpOp::Jle:
      c = Cond::Ls;
      break;
    case JmpOp::Jsgt:
      c = Cond::Gt;
      break;
    case JmpOp::Jsge:
      c = Cond::Ge;
      break;
    case JmpOp::Jslt:
      c = Cond::Lt;
      break;
    case JmpOp::Jsle:
      c = Cond::Le;
      break;
    default:
      fail("unsupported jump");
      return;
  }
  branch_cond(c, l);
}

// ---- Calls ----

void Lowerer::call(const isa::Insn& in) {
  constexpr int32_t kTailCallHelper = 12;
  if (in.call == isa::CallKind::Kfunc) {
    fail("kfunc calls are not supported by the arm64 engine");
    return;
  }
  if (in.call == isa::CallKind::Local) {
    const int64_t target = in.target(pc_);
    if (target < 0 || target >= static_cast<int64_t>(labels_.size())) {
      fail("call out of the program");
      return;
    }
    if (opt_.checked) {
      emit(sub_imm(true, 10, 25, 512));
      mov_imm(true, 11, opt_.min_frame_pointer);
      emit(cmp_reg(true, 10, 11));
      emit(b_cond(Cond::Hs, 8));
      call_abs(service_address(uint32_t(Service::CallDepth)));
    }
    const size_t at = buf_.size();
    emit(a64::bl(0));
    buf_.add_fixup(entries_[static_cast<size_t>(target)], FixupKind::Arm26, at, at);
    return;
  }
  if (in.imm == kTailCallHelper) {
    call_abs(service_address(uint32_t(Service::TailCall)));
    emit(cbz(true, 10, 8));
    emit(br(10));
    return;
  }
  if (in.imm < 0 || static_cast<uint32_t>(in.imm) >= kMaxHelperId) {
    // Beyond the trampoline table (a poisoned CO-RE call in dead code, say): the
    // runtime judges the id when the call is reached, as the interpreter does.
    mov_imm(true, 10, static_cast<uint64_t>(static_cast<int64_t>(in.imm)));
    call_abs(service_address(uint32_t(Service::Helper)));
  } else {
    call_abs(helper_address(static_cast<uint32_t>(in.imm)));
  }
  emit(mov_reg(true, 7, 0));
}

void Lowerer::ld_imm64(const isa::Insn& in) {
  const Reg d = kBpfReg[in.dst];
  if (in.pseudo == isa::Pseudo::Func) {
    const int64_t target = pc_ + 1 + in.imm;
    if (target < 0 || target >= static_cast<int64_t>(labels_.size())) {
      fail("function address out of the program");
      return;
    }
    abs_fixups_.push_back({buf_.size(), d, entries_[static_cast<size_t>(target)]});
    for (int i = 0; i < 4; ++i) emit(nop());  // movz/movk x4, patched once labels are bound
    return;
  }
  auto v = resolve_(in);
  if (!v) {
    fail(v.message());
    return;
  }
  mov_imm(true, d, *v);
}

Result<Compiled> Lowerer::run() {
  const auto& insns = prog_.insns;
  const size_t n = insns.size();
  if (n == 0) return Error{"empty program"};
  labels_.resize(n);
  far_ = n > kNearBranchSlots;
  entries_.resize(n);
  std::set<size_t> starts;
  for (const auto& f : prog_.functions)
    if (f.start < n) starts.insert(f.start);
  starts.insert(0);
  for (size_t i = 0; i < n; ++i) {
    labels_[i] = buf_.new_label();
    const auto& in = insns[i];
    int64_t t = -1;
    if (in.kind == isa::Kind::Call && in.call == isa::CallKind::Local) t = in.target(static_cast<int64_t>(i));
    if (in.kind == isa::Kind::LdImm64 && in.pseudo == isa::Pseudo::Func)
      t = static_cast<int64_t>(i) + 1 + in.imm;
    if (t >= 0 && t < static_cast<int64_t>(n)) starts.insert(static_cast<size_t>(t));
  }
  for (size_t s : starts) entries_[s] = buf_.new_label();

  Compiled out;
  out.base = opt_.base;
  out.slot_offset.resize(n + 1);
  for (size_t i = 0; i < n && error_.empty(); ++i) {
    pc_ = static_cast<int64_t>(i);
    out.slot_offset[i] = static_cast<uint32_t>(buf_.size());
    if (starts.count(i)) {
      buf_.bind(entries_[i]);
      out.function_entries.push_back(static_cast<uint32_t>(buf_.size()));
      prologue();
      if (i == 0) out.body = static_cast<uint32_t>(buf_.size());
      loop_budget();
    }
    buf_.bind(labels_[i]);
    const auto& in = insns[i];
    switch (in.kind) {
      case isa::Kind::Alu:
        alu(in);
        break;
      case isa::Kind::Jmp:
        jump(in);
        break;
      case isa::Kind::Call:
        call(in);
        break;
      case isa::Kind::Exit:
        epilogue();
        break;
      case isa::Kind::LdImm64:
        ld_imm64(in);
        break;
      case isa::Kind::LdImm64Hi:
        break;
      case isa::Kind::Load:
        load(in);
        break;
      case isa::Kind::Store:
      case isa::Kind::StoreReg:
        store(in);
        break;
      case isa::Kind::Atomic:
        atomic(in);
        break;
      case isa::Kind::LdAbs:
      case isa::Kind::LdInd:
        legacy_load(in);
        break;
      case isa::Kind::Invalid:
        fail("invalid instruction");
        break;
    }
  }
  if (!error_.empty()) return Error{error_};
  out.slot_offset[n] = static_cast<uint32_t>(buf_.size());
  pc_ = static_cast<int64_t>(n);
  call_abs(service_address(uint32_t(Service::FellOff)));
  if (!error_.empty()) return Error{error_};
  if (auto st = buf_.resolve(); !st) return Error{"arm64 JIT: " + st.message()};
  for (const auto& f : abs_fixups_) {
    const uint64_t addr = opt_.base + buf_.offset_of(f.label);
    for (uint8_t k = 0; k < 4; ++k) {
      const uint16_t half = static_cast<uint16_t>(addr >> (16 * k));
      buf_.patch32(f.at + 4 * k, k == 0 ? movz(true, f.reg, half, 0) : movk(true, f.reg, half, k));
    }
  }
  const auto& bytes = buf_.bytes();
  out.code.resize(bytes.size() / 4);
  for (size_t i = 0; i < out.code.size(); ++i)
    out.code[i] = uint32_t(bytes[4 * i]) | uint32_t(bytes[4 * i + 1]) << 8 |
                  uint32_t(bytes[4 * i + 2]) << 16 | uint32_t(bytes[4 * i + 3]) << 24;
  return out;
}

Result<Compiled> compile(const isa::Program& prog, const Options& opt, const ImmResolver& resolve) {
  Lowerer l(prog, opt, resolve);
  return l.run();
}

}  // namespace bpfvet::jit::arm64
