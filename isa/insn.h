// eBPF instructions: the raw 8-byte encoding and one decoded, validated form.
//
// How it works: a program is a vector of RawInsn slots exactly as the kernel sees
// it.  decode() turns every slot into an Insn whose `kind` and operation fields are
// resolved from the opcode table (opcodes.def), validating every reserved field on
// the way; a 64-bit immediate load occupies two slots, the second decoded as
// Kind::LdImm64Hi so that instruction indices and jump offsets stay the kernel's.
// encode() is the exact inverse: encode(decode(x)) == x for every valid x.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "isa/result.h"

namespace bpfvet::isa {

/// One 8-byte instruction slot, little-endian, as stored in an object file.
struct RawInsn {
  uint8_t code = 0;
  uint8_t regs = 0;  // dst in bits 0..3, src in bits 4..7
  int16_t off = 0;
  int32_t imm = 0;

  uint8_t dst() const { return regs & 0x0f; }
  uint8_t src() const { return regs >> 4; }
  static RawInsn make(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    return RawInsn{code, static_cast<uint8_t>((dst & 0xf) | (src << 4)), off, imm};
  }
  friend bool operator==(const RawInsn&, const RawInsn&) = default;
};
static_assert(sizeof(RawInsn) == 8, "an eBPF instruction is 8 bytes");

/// Instruction class: opcode bits 0..2.
enum class Class : uint8_t { Ld = 0, Ldx = 1, St = 2, Stx = 3, Alu = 4, Jmp = 5, Jmp32 = 6, Alu64 = 7 };

/// What an instruction does, independent of its operand widths.
enum class Kind : uint8_t {
  Invalid,
  Alu,        // dst op= src/imm, 32 or 64 bit (incl. neg, mov, movsx, end/bswap)
  Jmp,        // goto, gotol, conditional jumps, may_goto
  Call,       // helper (pseudo 0), bpf-to-bpf (1), kfunc (2)
  Exit,
  LdImm64,    // first slot of a 64-bit immediate load
  LdImm64Hi,  // second slot of it; never executed
  Load,       // dst = *(size *)(src + off), zero- or sign-extending
  Store,      // *(size *)(dst + off) = imm
  StoreReg,   // *(size *)(dst + off) = src
  Atomic,     // STX | ATOMIC
  LdAbs,      // legacy packet load: r0 = *(size *)skb[imm]
  LdInd,      // legacy packet load: r0 = *(size *)skb[src + imm]
};

enum class AluOp : uint8_t {
#define BPFVET_ALU_OP(Name, op, off, symbol) Name,
#include "isa/opcodes.def"
};
enum class JmpOp : uint8_t {
#define BPFVET_JMP_OP(Name, op, symbol) Name,
#include "isa/opcodes.def"
};
enum class AtomicOp : uint8_t {
#define BPFVET_ATOMIC_OP(Name, imm, text) Name,
#include "isa/opcodes.def"
};
enum class Pseudo : uint8_t {
#define BPFVET_PSEUDO_LDIMM64(Name, src, text) Name,
#include "isa/opcodes.def"
};
enum class CallKind : uint8_t { Helper = 0, Local = 1, Kfunc = 2 };
/// Byte order conversion of BPF_END: to little endian, to big endian, or unconditional swap.
enum class Endian : uint8_t { None, Le, Be, Swap };

/// A decoded instruction.  Only the fields meaningful for `kind` are set; raw fields
/// (dst, src, off, imm) always mirror the encoding.
struct Insn {
  Kind kind = Kind::Invalid;
  uint8_t opcode = 0;
  uint8_t dst = 0;
  uint8_t src = 0;
  int16_t off = 0;
  int32_t imm = 0;

  bool is64 = false;    // ALU64 / JMP (vs ALU / JMP32); for atomics: DW
  bool use_src = false; // BPF_X: the second operand is register `src`
  uint8_t size = 0;     // memory access width in bytes (1, 2, 4, 8); End: 16/32/64 bits
  bool sign_extend = false;  // ldsx (MEMSX) loads
  AluOp alu = AluOp::Add;
  JmpOp jmp = JmpOp::Ja;
  AtomicOp atomic = AtomicOp::Add;
  Endian endian = Endian::None;
  CallKind call = CallKind::Helper;
  Pseudo pseudo = Pseudo::Imm;
  uint64_t imm64 = 0;   // LdImm64: imm of slot 1 | imm of slot 2 << 32

  /// Jump or local-call target index for the instruction at `pc`.
  /// Jmp: pc + 1 + off (gotol: pc + 1 + imm); Call Local: pc + 1 + imm.
  int64_t target(int64_t pc) const;
  /// True when control may continue at pc + 1 (not goto/gotol/exit).
  bool falls_through() const;
  /// True for Load/Store/StoreReg/Atomic.
  bool is_memory() const;
  /// The second operand value as a signed 64-bit immediate (sign-extended imm).
  int64_t simm() const { return imm; }
};

/// Opcode byte helpers shared by encoder, decoder, printer and parser.
uint8_t alu_op_bits(AluOp op);
int16_t alu_op_off(AluOp op);  // 1 for sdiv/smod, 0 otherwise (movsx: the width)
const char* alu_op_symbol(AluOp op);
const char* alu_op_name(AluOp op);
uint8_t jmp_op_bits(JmpOp op);
const char* jmp_op_symbol(JmpOp op);
const char* jmp_op_name(JmpOp op);
int32_t atomic_op_imm(AtomicOp op);
const char* atomic_op_text(AtomicOp op);
const char* atomic_op_name(AtomicOp op);
bool atomic_op_fetches(AtomicOp op);  // writes the old value back to a register
uint8_t size_bits(uint8_t bytes);     // BPF_B/H/W/DW from 1/2/4/8
const char* size_ctype(uint8_t bytes, bool sign = false);  // "u32", "s8", ...
const char* pseudo_text(Pseudo p);
const char* kind_name(Kind k);

/// Decodes and validates one slot.  `next` is the following slot (needed for lddw),
/// null at the end of the program.  The error names the problem precisely.
Result<Insn> decode_one(const RawInsn& raw, const RawInsn* next);

/// Decodes a whole program: one Insn per slot, LdImm64Hi for the second half of lddw.
/// Error messages start with "insn N: ".
Result<std::vector<Insn>> decode(std::span<const RawInsn> raw);

/// Encodes one decoded instruction; LdImm64 yields two slots, everything else one.
/// LdImm64Hi yields none (its slot comes from the LdImm64 before it).
std::vector<RawInsn> encode(const Insn& insn);
std::vector<RawInsn> encode(std::span<const Insn> insns);

/// Reads a little-endian byte buffer as instruction slots.  Fails on a size that is
/// not a multiple of 8 or zero.
Result<std::vector<RawInsn>> raw_from_bytes(std::span<const uint8_t> bytes);
std::vector<uint8_t> bytes_from_raw(std::span<const RawInsn> raw);

/// Constructors for tests and the assembler (they produce valid instructions).
namespace make {
Insn alu(AluOp op, bool is64, uint8_t dst, uint8_t src);          // register form
Insn alu_imm(AluOp op, bool is64, uint8_t dst, int32_t imm);      // immediate form
Insn mov_sx(bool is64, uint8_t dst, uint8_t src, uint8_t bits);   // dst = (s8/16/32)src
Insn endian(Endian e, uint8_t dst, uint8_t bits);                 // le/be/bswap 16/32/64
Insn jmp(JmpOp op, bool is64, uint8_t dst, uint8_t src, int16_t off);
Insn jmp_imm(JmpOp op, bool is64, uint8_t dst, int32_t imm, int16_t off);
Insn ja(int16_t off);
Insn gotol(int32_t off);
Insn may_goto(int16_t off);
Insn call(int32_t helper_id);
Insn call_local(int32_t rel);
Insn call_kfunc(int32_t btf_id, int16_t btf_fd_idx = 0);
Insn exit();
Insn ld_imm64(uint8_t dst, uint64_t value, Pseudo pseudo = Pseudo::Imm);
/// Map value form: imm (slot 1) = map fd/idx, imm (slot 2) = offset.
Insn ld_map_value(uint8_t dst, Pseudo pseudo, int32_t map, int32_t offset);
Insn load(uint8_t size, bool sign_extend, uint8_t dst, uint8_t src, int16_t off);
Insn store_imm(uint8_t size, uint8_t dst, int16_t off, int32_t imm);
Insn store_reg(uint8_t size, uint8_t dst, uint8_t src, int16_t off);
Insn atomic(AtomicOp op, uint8_t size, uint8_t dst, uint8_t src, int16_t off);
Insn ld_abs(uint8_t size, int32_t imm);
Insn ld_ind(uint8_t size, uint8_t src, int32_t imm);
}  // namespace make

}  // namespace bpfvet::isa
