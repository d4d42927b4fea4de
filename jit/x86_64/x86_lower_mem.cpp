// x86-64 lowering of memory, atomics, calls, 64-bit immediates and legacy packet loads.
#include <cstddef>

#include "jit/x86_64/x86_lowerer.h"

namespace bpfvet::jit::x86 {

using isa::AtomicOp;
using isa::Insn;

namespace {

Width width_bytes(uint32_t size) {
  switch (size) {
    case 1: return Width::B8;
    case 2: return Width::W16;
    case 4: return Width::D32;
    default: return Width::Q64;
  }
}

// Registers a C function called from the middle of a BPF function must not lose:
// BPF r0-r5 live in caller-saved registers.
constexpr Reg kCallerSaved[] = {Reg::Rax, Reg::Rdi, Reg::Rsi, Reg::Rdx, Reg::Rcx, Reg::R8};

}  // namespace

void Lowerer::fail_here(FaultKind kind) {
  e_.store_imm(Width::D32, JIT_STATE(fault_pc), static_cast<int32_t>(pc_));
  e_.store_imm(Width::D32, JIT_STATE(fault_kind), static_cast<int32_t>(kind));
  e_.store_imm(Width::D32, JIT_STATE(failed), static_cast<int32_t>(kFailError));
  e_.jmp(unwind_);
}

Mem Lowerer::access(uint8_t base, int16_t off, uint32_t size, bool write, bool atomic) {
  if (!env_.checked) return folded(base, off).value_or(Mem{reg(base), off});
  e_.lea(Reg::R11, Mem{reg(base), off});
  const uint32_t desc = size | (write ? kAccessWrite : 0) | (atomic ? kAccessAtomic : 0) |
                        (static_cast<uint32_t>(pc_) << kAccessPcShift);
  e_.mov_ri32(Reg::R10, desc);
  e_.call(check_thunk_);
  return Mem{Reg::R11, 0};
}

void Lowerer::lower_load(const Insn& in) {
  const Mem m = access(in.src, in.off, in.size, false, false);
  if (in.sign_extend) e_.load_sx(width_bytes(in.size), reg(in.dst), m);
  else e_.load(width_bytes(in.size), reg(in.dst), m);
}

void Lowerer::lower_store(const Insn& in) {
  const Mem m = access(in.dst, in.off, in.size, true, false);
  if (in.kind == isa::Kind::Store) e_.store_imm(width_bytes(in.size), m, in.imm);
  else e_.store(width_bytes(in.size), m, reg(in.src));
}

void Lowerer::lower_atomic(const Insn& in) {
  const Width w = width_bytes(in.size);
  const Reg s = reg(in.src);
  if (in.atomic == AtomicOp::LoadAcquire) {  // x86-64 loads already have acquire semantics
    e_.load(w, reg(in.dst), access(in.src, in.off, in.size, false, false));
    return;
  }
  if (in.atomic == AtomicOp::StoreRelease) {  // and stores release semantics
    e_.store(w, access(in.dst, in.off, in.size, true, false), s);
    return;
  }
  const Mem m = access(in.dst, in.off, in.size, true, true);
  switch (in.atomic) {
    case AtomicOp::Add: e_.lock(); e_.alu_mr(AluKind::Add, w, m, s); return;
    case AtomicOp::Or: e_.lock(); e_.alu_mr(AluKind::Or, w, m, s); return;
    case AtomicOp::And: e_.lock(); e_.alu_mr(AluKind::And, w, m, s); return;
    case AtomicOp::Xor: e_.lock(); e_.alu_mr(AluKind::Xor, w, m, s); return;
    case AtomicOp::FetchAdd: e_.lock(); e_.xadd(w, m, s); return;  // 32-bit xadd zero-extends src
    case AtomicOp::Xchg: e_.xchg(w, m, s); return;
    case AtomicOp::CmpXchg:
      e_.lock();
      e_.cmpxchg(w, m, s);
      // A successful 32-bit cmpxchg leaves rax's upper half alone: r0 must be zero-extended.
      if (w == Width::D32) e_.mov_rr(Width::D32, Reg::Rax, Reg::Rax);
      return;
    default: break;
  }
  // fetch_or/and/xor: a cmpxchg loop, which needs rax; r9 = address, r10 = operand.
  const AluKind op = in.atomic == AtomicOp::FetchOr ? AluKind::Or : in.atomic == AtomicOp::FetchAnd ? AluKind::And
                                                                                                    : AluKind::Xor;
  e_.lea(Reg::R9, m);
  e_.mov_rr(Width::Q64, Reg::R10, s);
  e_.push(Reg::Rax);
  e_.load(w, Reg::Rax, Mem{Reg::R9, 0});
  Label loop = buf_.new_label();
  buf_.bind(loop);
  e_.mov_rr(Width::Q64, Reg::R11, Reg::Rax);
  e_.alu_rr(op, w, Reg::R11, Reg::R10);
  e_.lock();
  e_.cmpxchg(w, Mem{Reg::R9, 0}, Reg::R11);
  e_.jcc(Cond::NE, loop);
  e_.mov_rr(w, s, Reg::Rax);  // the old value, zero-extended when 32-bit
  if (s == Reg::Rax) e_.lea(Reg::Rsp, Mem{Reg::Rsp, 8});  // drop the saved r0: it is the result
  else e_.pop(Reg::Rax);
}

void Lowerer::lower_helper_call(const Insn& in) {
  e_.store_imm(Width::D32, JIT_STATE(helper_id), in.imm);
  e_.store_imm(Width::D32, JIT_STATE(fault_pc), static_cast<int32_t>(pc_));
  e_.store(Width::Q64, JIT_STATE(cur_fp), Reg::Rbp);
  e_.mov_rr(Width::Q64, Reg::R9, kState);  // sixth argument
  e_.movabs(Reg::Rax, env_.helper_fn);
  e_.call_r(Reg::Rax);
  e_.alu_mi(AluKind::Cmp, Width::D32, JIT_STATE(failed), 0);
  e_.jcc(Cond::NE, unwind_);
}

// bpf_tail_call(ctx, map, index): the runtime finds (and compiles) the target; on
// success jump to it with every register as it is, else fall through.
void Lowerer::lower_tail_call() {
  e_.store_imm(Width::D32, JIT_STATE(fault_pc), static_cast<int32_t>(pc_));
  for (Reg r : kCallerSaved) e_.push(r);  // six pushes: alignment is kept
  e_.mov_rr(Width::Q64, Reg::Rdi, kState);
  // rsi (map) and rdx (index) are already the second and third arguments.
  e_.movabs(Reg::Rax, env_.tail_fn);
  e_.call_r(Reg::Rax);
  e_.mov_rr(Width::Q64, Reg::R11, Reg::Rax);
  for (int i = 5; i >= 0; --i) e_.pop(kCallerSaved[i]);
  e_.alu_mi(AluKind::Cmp, Width::D32, JIT_STATE(failed), 0);
  e_.jcc(Cond::NE, unwind_);
  e_.test_rr(Width::Q64, Reg::R11, Reg::R11);
  Label none = buf_.new_label();
  e_.jcc(Cond::E, none, true);
  e_.jmp_r(Reg::R11);
  buf_.bind(none);
}

// bpf-to-bpf call: r6-r9 and the may_goto budget are saved on the native stack (five
// pushes plus the return address keep 16-byte alignment), r10 moves one 512-byte
// frame down the runtime's stack region.
void Lowerer::lower_local_call(int64_t pc, const Insn& in) {
  e_.lea(Reg::R11, Mem{Reg::Rbp, -512});
  e_.alu_mr(AluKind::Cmp, Width::Q64, JIT_STATE(min_fp), Reg::R11);
  Label deep_ok = buf_.new_label();
  e_.jcc(Cond::BE, deep_ok, true);
  fail_here(FaultKind::CallDepth);
  buf_.bind(deep_ok);
  e_.alu_mr(AluKind::Cmp, Width::Q64, JIT_STATE(lowest_fp), Reg::R11);
  Label not_lower = buf_.new_label();
  e_.jcc(Cond::BE, not_lower, true);
  e_.store(Width::Q64, JIT_STATE(lowest_fp), Reg::R11);
  buf_.bind(not_lower);
  for (Reg r : {Reg::Rbx, Reg::R13, Reg::R14, Reg::R15}) e_.push(r);
  if (may_goto_) {
    e_.push_m(JIT_STATE(loops));
    e_.store_imm(Width::Q64, JIT_STATE(loops), static_cast<int32_t>(kMayGotoLoops));
  } else {
    e_.push(kState);  // keeps the alignment; popped back unchanged
  }
  e_.mov_rr(Width::Q64, Reg::Rbp, Reg::R11);
  e_.call(labels_[in.target(pc)]);
  e_.lea(Reg::Rbp, Mem{Reg::Rbp, 512});
  if (may_goto_) e_.pop_m(JIT_STATE(loops));
  else e_.pop(kState);
  for (Reg r : {Reg::R15, Reg::R14, Reg::R13, Reg::Rbx}) e_.pop(r);
}

// LD_ABS / LD_IND: r0 = big-endian packet bytes at the offset, through the runtime;
// out of bounds ends the program with r0 = 0.  r1-r5 are kept (the interpreter's rule).
void Lowerer::lower_legacy(const Insn& in) {
  if (in.kind == isa::Kind::LdInd) {
    e_.mov_rr(Width::D32, Reg::R11, reg(in.src));
    e_.alu_ri(AluKind::Add, Width::D32, Reg::R11, in.imm);
    e_.movsx_rr(Width::D32, Width::Q64, Reg::R11, Reg::R11);
  } else {
    e_.mov_imm(Reg::R11, static_cast<uint64_t>(static_cast<int64_t>(in.imm)));
  }
  for (Reg r : kCallerSaved) e_.push(r);
  e_.mov_rr(Width::Q64, Reg::Rdi, kState);
  e_.mov_rr(Width::Q64, Reg::Rsi, Reg::R11);
  e_.mov_ri32(Reg::Rdx, in.size);
  e_.movabs(Reg::Rax, env_.legacy_fn);
  e_.call_r(Reg::Rax);
  e_.mov_rr(Width::Q64, Reg::R11, Reg::Rax);
  for (int i = 5; i >= 0; --i) e_.pop(kCallerSaved[i]);
  e_.mov_rr(Width::Q64, Reg::Rax, Reg::R11);
  e_.alu_mi(AluKind::Cmp, Width::D32, JIT_STATE(failed), 0);
  e_.jcc(Cond::NE, unwind_);
}

Status Lowerer::lower_ld_imm64(int64_t pc, const Insn& in) {
  uint64_t v;
  if (in.pseudo == isa::Pseudo::Func) {
    v = kFuncTag | (uint64_t(env_.module) << 32) | static_cast<uint32_t>(pc + 1 + in.imm);
  } else {
    if (!env_.ld_imm64) return Error{"no runtime to resolve this 64-bit immediate"};
    auto r = env_.ld_imm64(in);
    if (!r) return r.error();
    v = *r;
  }
  e_.mov_imm(reg(in.dst), v);
  return Ok{};
}

// Shared out-of-line code after the body: the unwind jump and the access-check thunk.
void Lowerer::emit_tail() {
  buf_.bind(unwind_);
  e_.jmp_m(JIT_STATE(unwind));
  buf_.bind(fail_stub_);
  buf_.bind(check_thunk_);
  if (!env_.checked) return;
  // Entered by `call` (rsp = 8 mod 16): seven pushes re-align for the C call.
  for (Reg r : kCallerSaved) e_.push(r);
  e_.push(Reg::R11);
  e_.mov_rr(Width::Q64, Reg::Rdi, kState);
  e_.mov_rr(Width::Q64, Reg::Rsi, Reg::R11);
  e_.mov_rr(Width::D32, Reg::Rdx, Reg::R10);
  e_.movabs(Reg::Rax, env_.check_fn);
  e_.call_r(Reg::Rax);
  e_.test_rr(Width::Q64, Reg::Rax, Reg::Rax);
  e_.jcc(Cond::E, unwind_);
  e_.pop(Reg::R11);
  for (int i = 5; i >= 0; --i) e_.pop(kCallerSaved[i]);
  e_.ret();
}

}  // namespace bpfvet::jit::x86
