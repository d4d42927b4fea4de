// x86-64 instruction encoder: one function per encoding form, knowing nothing of eBPF.
//
// How it works: every instruction the backend emits is one of a few encoding forms of
// the Intel SDM (Vol. 2, ch. 2): an optional legacy prefix (66h operand size, F0h
// LOCK), an optional REX prefix (W = 64-bit operand, R/X/B = high registers), one to
// three opcode bytes, a ModRM byte (register-direct "mod=11" or a memory operand with
// SIB and disp8/disp32), and an immediate (ib/iw/id/io).  The private form helpers
// (op_rr, op_rm) build those bytes; the public functions below are thin, named uses of
// them, each citing its SDM form.  Branches to Labels go through the shared
// CodeBuffer's fixups: a backward branch in range gets the short rel8 form, a forward
// one rel32 unless the caller knows the distance is short.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>

#include "jit/code_buffer.h"

namespace bpfvet::jit::x86 {

/// General-purpose registers in encoding order.
enum class Reg : uint8_t { Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi, R8, R9, R10, R11, R12, R13, R14, R15 };
/// Condition codes (the tttn field of Jcc/SETcc/CMOVcc).
enum class Cond : uint8_t { O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G };
/// Operand width in bytes.
enum class Width : uint8_t { B8 = 1, W16 = 2, D32 = 4, Q64 = 8 };
/// The eight classic ALU operations (opcode 00h + 8*k, and /k of the 80h/81h/83h group).
enum class AluKind : uint8_t { Add = 0, Or = 1, Adc = 2, Sbb = 3, And = 4, Sub = 5, Xor = 6, Cmp = 7 };
/// The /k of the shift group C1h/D1h/D3h.
enum class ShiftKind : uint8_t { Rol = 0, Ror = 1, Shl = 4, Shr = 5, Sar = 7 };
/// The /k of the F7h group.
enum class UnaryKind : uint8_t { Test = 0, Not = 2, Neg = 3, Mul = 4, Imul = 5, Div = 6, Idiv = 7 };

/// A memory operand [base + disp], or [base + index + disp] (scale 1; index is never rsp).
struct Mem {
  Reg base;
  int32_t disp = 0;
  std::optional<Reg> index;
};

inline Width width_of(bool is64) { return is64 ? Width::Q64 : Width::D32; }

class Encoder {
 public:
  explicit Encoder(CodeBuffer& buf) : buf_(buf) {}
  CodeBuffer& buffer() { return buf_; }

  // --- ALU ---
  /// ALU r/m, r (01h+8k /r): dst op= src.  Width 32 or 64 (8/16 for memory forms below).
  void alu_rr(AluKind k, Width w, Reg dst, Reg src);
  /// ALU r/m, imm (83h /k ib when the immediate fits a byte, else 81h /k id).
  void alu_ri(AluKind k, Width w, Reg dst, int32_t imm);
  /// ALU m, r (01h+8k /r, 00h+8k for bytes): [m] op= src.
  void alu_mr(AluKind k, Width w, Mem m, Reg src);
  /// ALU m, imm (83h/81h /k; 80h /k ib for bytes).
  void alu_mi(AluKind k, Width w, Mem m, int32_t imm);
  /// TEST r/m, r (85h /r).
  void test_rr(Width w, Reg a, Reg b);
  /// TEST r/m, imm32 (F7h /0 id).
  void test_ri(Width w, Reg a, int32_t imm);
  /// IMUL r, r/m (0Fh AFh /r).
  void imul_rr(Width w, Reg dst, Reg src);
  /// IMUL r, r/m, imm (6Bh /r ib or 69h /r id).
  void imul_rri(Width w, Reg dst, Reg src, int32_t imm);
  /// F7h group on a register: NOT, NEG, MUL, IMUL, DIV, IDIV (one operand).
  void unary(UnaryKind k, Width w, Reg r);
  /// Shift by an immediate (C1h /k ib, D1h /k when by one); 16-bit forms take 66h.
  void shift_ri(ShiftKind k, Width w, Reg r, uint8_t count);
  /// Shift by CL (D3h /k).
  void shift_cl(ShiftKind k, Width w, Reg r);
  /// CQO (REX.W 99h) / CDQ (99h): sign-extend rax/eax into rdx/edx.
  void cqo() { emit({0x48, 0x99}); }
  void cdq() { emit({0x99}); }

  // --- moves ---
  /// MOV r/m, r (89h /r).
  void mov_rr(Width w, Reg dst, Reg src);
  /// MOV r32, imm32 (B8h+r id): zero-extends to 64 bits.
  void mov_ri32(Reg dst, uint32_t imm);
  /// MOV r/m64, imm32 (REX.W C7h /0 id): sign-extends.
  void mov_ri64_sx(Reg dst, int32_t imm);
  /// MOV r64, imm64 (REX.W B8h+r io).
  void movabs(Reg dst, uint64_t imm);
  /// The shortest of XOR r32,r32 / MOV r32,imm32 / MOV r64,simm32 / MOVABS for `v`.
  /// XOR clobbers the flags.
  void mov_imm(Reg dst, uint64_t v);
  /// MOVZX r32, r/m8|16 (0Fh B6h/B7h).
  void movzx_rr(Width from, Reg dst, Reg src);
  /// MOVSX r32|64, r/m8|16 (0Fh BEh/BFh), MOVSXD r64, r/m32 (REX.W 63h).
  void movsx_rr(Width from, Width to, Reg dst, Reg src);
  /// BSWAP r32|64 (0Fh C8h+r).
  void bswap(Width w, Reg r);
  /// LEA r64, m (REX.W 8Dh /r).
  void lea(Reg dst, Mem m);
  /// LEA r64, [base + index] (REX.W 8Dh /r, SIB scale 1); `index` is not rsp.  The
  /// memory forms above and below all take [base + index + disp] operands as well.
  void lea_bi(Reg dst, Reg base, Reg index);

  // --- memory ---
  /// Zero-extending load: MOVZX r32, m8|m16 (0Fh B6h/B7h), MOV r32, m32, MOV r64, m64 (8Bh).
  void load(Width w, Reg dst, Mem m);
  /// Sign-extending load to 64 bits: MOVSX r64, m8|m16 (REX.W 0Fh BEh/BFh), MOVSXD (REX.W 63h).
  void load_sx(Width w, Reg dst, Mem m);
  /// MOV m, r (88h /r for bytes, 66h 89h, 89h, REX.W 89h).
  void store(Width w, Mem m, Reg src);
  /// MOV m, imm (C6h /0 ib, 66h C7h /0 iw, C7h /0 id, REX.W C7h /0 id sign-extended).
  void store_imm(Width w, Mem m, int32_t imm);
  /// INC/DEC m (FFh /0, /1).
  void inc_m(Width w, Mem m);
  void dec_m(Width w, Mem m);

  // --- atomics ---
  /// LOCK prefix (F0h) for the next instruction.
  void lock() { emit({0xf0}); }
  /// XADD m, r (0Fh C1h /r): src <- old, [m] <- old + src.
  void xadd(Width w, Mem m, Reg src);
  /// CMPXCHG m, r (0Fh B1h /r): compares with rax/eax.
  void cmpxchg(Width w, Mem m, Reg src);
  /// XCHG m, r (87h /r): implicitly locked.
  void xchg(Width w, Mem m, Reg src);

  // --- stack and control flow ---
  void push(Reg r);          // 50h+r
  void pop(Reg r);           // 58h+r
  void push_m(Mem m);        // FFh /6
  void pop_m(Mem m);         // 8Fh /0
  void call_r(Reg r);        // FFh /2
  void jmp_r(Reg r);         // FFh /4
  void jmp_m(Mem m);         // FFh /4 with a memory operand
  void ret() { emit({0xc3}); }
  /// `n` bytes of padding as the recommended multi-byte NOPs (90h, 66h 90h, 0Fh 1Fh /0
  /// with growing memory operands; SDM Vol. 2B, NOP), at most 9 bytes each.
  void nop(size_t n);
  /// Jcc to a label: rel8 (70h+cc) when `l` is bound and near or `near_hint` says the
  /// forward distance is under 128 bytes, else rel32 (0Fh 80h+cc).
  void jcc(Cond c, Label l, bool near_hint = false);
  /// JMP to a label: rel8 (EBh) or rel32 (E9h), as jcc.
  void jmp(Label l, bool near_hint = false);
  /// CALL rel32 (E8h) to a label.
  void call(Label l);

  void emit(std::initializer_list<uint8_t> bytes) {
    for (uint8_t b : bytes) buf_.emit8(b);
  }

 private:
  // REX prefix when needed: W, reg field extension, base/rm extension; `byte_regs`
  // forces one for the 8-bit registers spl/bpl/sil/dil.
  void rex(bool w, uint8_t reg, uint8_t rm, bool force, uint8_t index = 0);
  // [legacy prefixes] [REX] opcode ModRM(mod=11, reg, rm).
  void op_rr(Width w, std::initializer_list<uint8_t> opcode, uint8_t reg, Reg rm, bool byte_regs = false);
  // [legacy prefixes] [REX] opcode ModRM [SIB] [disp8/disp32] for [base (+ index) + disp].
  void op_rm(Width w, std::initializer_list<uint8_t> opcode, uint8_t reg, Mem m, bool byte_regs = false);
  void branch(std::initializer_list<uint8_t> op8, std::initializer_list<uint8_t> op32, Label l, bool near_hint);

  CodeBuffer& buf_;
};

/// True when v fits a sign-extended 8-bit immediate.
inline bool fits_i8(int64_t v) { return v >= -128 && v <= 127; }
/// True when v fits a sign-extended 32-bit immediate.
inline bool fits_i32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

}  // namespace bpfvet::jit::x86
