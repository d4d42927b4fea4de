// Decoding, validation and encoding of eBPF instructions, driven by opcodes.def.
#include "isa/insn.h"

#include <cstring>
#include <sstream>

namespace bpfvet::isa {
namespace {

constexpr uint8_t kClassMask = 0x07;
constexpr uint8_t kSourceX = 0x08;
constexpr uint8_t kOpMask = 0xf0;
constexpr uint8_t kSizeMask = 0x18;
constexpr uint8_t kModeMask = 0xe0;
constexpr uint8_t kModeImm = 0x00, kModeAbs = 0x20, kModeInd = 0x40, kModeMem = 0x60,
                  kModeMemSx = 0x80, kModeAtomic = 0xc0;
constexpr uint8_t kOpCall = 0x80, kOpExit = 0x90;
constexpr int kMaxReg = 10;

struct AluRow { AluOp op; uint8_t bits; int16_t off; const char* symbol; const char* name; };
constexpr AluRow kAluRows[] = {
#define BPFVET_ALU_OP(Name, op, off, symbol) {AluOp::Name, op, off, symbol, #Name},
#include "isa/opcodes.def"
};
struct JmpRow { JmpOp op; uint8_t bits; const char* symbol; const char* name; };
constexpr JmpRow kJmpRows[] = {
#define BPFVET_JMP_OP(Name, op, symbol) {JmpOp::Name, op, symbol, #Name},
#include "isa/opcodes.def"
};
struct SizeRow { uint8_t bits; uint8_t bytes; const char* ctype; };
constexpr SizeRow kSizeRows[] = {
#define BPFVET_SIZE(Name, bits, bytes, ctype) {bits, bytes, ctype},
#include "isa/opcodes.def"
};
struct AtomicRow { AtomicOp op; int32_t imm; const char* text; const char* name; };
constexpr AtomicRow kAtomicRows[] = {
#define BPFVET_ATOMIC_OP(Name, imm, text) {AtomicOp::Name, imm, text, #Name},
#include "isa/opcodes.def"
};
struct PseudoRow { Pseudo p; uint8_t src; const char* text; };
constexpr PseudoRow kPseudoRows[] = {
#define BPFVET_PSEUDO_LDIMM64(Name, src, text) {Pseudo::Name, src, text},
#include "isa/opcodes.def"
};

std::string hex(unsigned v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

Error bad(const RawInsn& raw, const std::string& what) {
  return Error{"opcode " + hex(raw.code) + ": " + what};
}

uint8_t bytes_of_size_bits(uint8_t bits) {
  for (const auto& r : kSizeRows)
    if (r.bits == bits) return r.bytes;
  return 0;
}

Status check_reg(const RawInsn& raw, uint8_t reg, const char* which) {
  if (reg > kMaxReg)
    return bad(raw, std::string("invalid ") + which + " register r" + std::to_string(reg) +
                        " (registers are r0-r10)");
  return Ok{};
}

Status expect_zero(const RawInsn& raw, long value, const char* field) {
  if (value != 0)
    return bad(raw, std::string("reserved field ") + field + " must be 0, is " +
                        std::to_string(value));
  return Ok{};
}

#define TRY(expr)                              \
  do {                                         \
    auto _st = (expr);                         \
    if (!_st) return _st.error();              \
  } while (0)

Result<Insn> decode_alu(const RawInsn& raw, Insn in) {
  const uint8_t op = raw.code & kOpMask;
  in.kind = Kind::Alu;
  in.is64 = (raw.code & kClassMask) == static_cast<uint8_t>(Class::Alu64);
  in.use_src = raw.code & kSourceX;
  TRY(check_reg(raw, raw.dst(), "destination"));
  if (op == 0xe0 || op == 0xf0) return bad(raw, "unknown ALU operation");
  if (op == 0xd0) {  // BPF_END
    in.alu = AluOp::End;
    if (in.is64 && in.use_src) return bad(raw, "BPF_END in ALU64 must use source K (bswap)");
    in.endian = in.is64 ? Endian::Swap : (in.use_src ? Endian::Be : Endian::Le);
    in.use_src = false;
    TRY(expect_zero(raw, raw.src(), "src_reg"));
    TRY(expect_zero(raw, raw.off, "off"));
    if (raw.imm != 16 && raw.imm != 32 && raw.imm != 64)
      return bad(raw, "byte swap width must be 16, 32 or 64, is " + std::to_string(raw.imm));
    in.size = static_cast<uint8_t>(raw.imm);
    return in;
  }
  if (op == 0x80) {  // BPF_NEG
    in.alu = AluOp::Neg;
    if (in.use_src) return bad(raw, "BPF_NEG must use source K");
    TRY(expect_zero(raw, raw.src(), "src_reg"));
    TRY(expect_zero(raw, raw.off, "off"));
    TRY(expect_zero(raw, raw.imm, "imm"));
    return in;
  }
  if (in.use_src) {
    TRY(check_reg(raw, raw.src(), "source"));
    TRY(expect_zero(raw, raw.imm, "imm"));
  } else {
    TRY(expect_zero(raw, raw.src(), "src_reg"));
  }
  if (op == 0xb0 && raw.off != 0) {  // movsx
    if (!in.use_src) return bad(raw, "sign-extending move must use a source register");
    const bool ok = raw.off == 8 || raw.off == 16 || (in.is64 && raw.off == 32);
    if (!ok) return bad(raw, "sign-extending move width must be 8, 16" +
                                 std::string(in.is64 ? " or 32" : "") + ", is " +
                                 std::to_string(raw.off));
    in.alu = AluOp::MovSx;
    in.size = static_cast<uint8_t>(raw.off);
    return in;
  }
  for (const auto& r : kAluRows) {
    if (r.bits == op && r.off == raw.off && r.op != AluOp::MovSx) {
      in.alu = r.op;
      return in;
    }
  }
  if (op == 0x30 || op == 0x90) return bad(raw, "off must be 0 or 1 for div/mod, is " + std::to_string(raw.off));
  return bad(raw, "reserved field off must be 0, is " + std::to_string(raw.off));
}

Result<Insn> decode_jmp(const RawInsn& raw, Insn in) {
  const uint8_t op = raw.code & kOpMask;
  const bool jmp64 = (raw.code & kClassMask) == static_cast<uint8_t>(Class::Jmp);
  in.is64 = jmp64;
  in.use_src = raw.code & kSourceX;
  if (op == kOpCall) {
    if (!jmp64) return bad(raw, "call is not valid in JMP32");
    in.kind = Kind::Call;
    if (in.use_src) return bad(raw, "call must use source K");
    TRY(expect_zero(raw, raw.dst(), "dst_reg"));
    if (raw.src() > 2) return bad(raw, "unknown call kind src_reg=" + std::to_string(raw.src()));
    in.call = static_cast<CallKind>(raw.src());
    if (in.call != CallKind::Kfunc) TRY(expect_zero(raw, raw.off, "off"));
    return in;
  }
  if (op == kOpExit) {
    if (!jmp64) return bad(raw, "exit is not valid in JMP32");
    in.kind = Kind::Exit;
    if (in.use_src) return bad(raw, "exit must use source K");
    TRY(expect_zero(raw, raw.dst(), "dst_reg"));
    TRY(expect_zero(raw, raw.src(), "src_reg"));
    TRY(expect_zero(raw, raw.off, "off"));
    TRY(expect_zero(raw, raw.imm, "imm"));
    return in;
  }
  if (op == 0xf0) return bad(raw, "unknown jump operation");
  in.kind = Kind::Jmp;
  for (const auto& r : kJmpRows)
    if (r.bits == op) in.jmp = r.op;
  if (op == 0x00) {  // ja / gotol
    if (in.use_src) return bad(raw, "goto must use source K");
    TRY(expect_zero(raw, raw.dst(), "dst_reg"));
    TRY(expect_zero(raw, raw.src(), "src_reg"));
    if (jmp64) TRY(expect_zero(raw, raw.imm, "imm"));
    else TRY(expect_zero(raw, raw.off, "off"));
    return in;
  }
  if (op == 0xe0) {  // BPF_JCOND
    if (!jmp64) return bad(raw, "may_goto is not valid in JMP32");
    if (in.use_src) return bad(raw, "may_goto must use source K");
    if (raw.src() != 0) return bad(raw, "unknown BPF_JCOND condition src_reg=" + std::to_string(raw.src()));
    TRY(expect_zero(raw, raw.dst(), "dst_reg"));
    TRY(expect_zero(raw, raw.imm, "imm"));
    return in;
  }
  TRY(check_reg(raw, raw.dst(), "destination"));
  if (in.use_src) {
    TRY(check_reg(raw, raw.src(), "source"));
    TRY(expect_zero(raw, raw.imm, "imm"));
  } else {
    TRY(expect_zero(raw, raw.src(), "src_reg"));
  }
  return in;
}

Result<Insn> decode_mem(const RawInsn& raw, const RawInsn* next, Insn in) {
  const auto cls = static_cast<Class>(raw.code & kClassMask);
  const uint8_t mode = raw.code & kModeMask;
  in.size = bytes_of_size_bits(raw.code & kSizeMask);
  switch (cls) {
    case Class::Ld:
      if (mode == kModeImm) {
        if (in.size != 8) return bad(raw, "64-bit immediate load must use size DW");
        in.kind = Kind::LdImm64;
        TRY(check_reg(raw, raw.dst(), "destination"));
        TRY(expect_zero(raw, raw.off, "off"));
        if (raw.src() > 6) return bad(raw, "unknown lddw pseudo source src_reg=" + std::to_string(raw.src()));
        in.pseudo = static_cast<Pseudo>(raw.src());
        if (next == nullptr) return bad(raw, "64-bit immediate load is truncated (second slot missing)");
        if (next->code != 0 || next->regs != 0 || next->off != 0)
          return bad(raw, "second slot of a 64-bit immediate load must have opcode, registers and offset 0");
        if ((in.pseudo == Pseudo::MapFd || in.pseudo == Pseudo::MapIdx || in.pseudo == Pseudo::BtfId ||
             in.pseudo == Pseudo::Func) && next->imm != 0)
          return bad(raw, std::string("second slot imm must be 0 for pseudo source ") + pseudo_text(in.pseudo));
        in.imm64 = static_cast<uint32_t>(raw.imm) | (static_cast<uint64_t>(static_cast<uint32_t>(next->imm)) << 32);
        return in;
      }
      if (mode == kModeAbs || mode == kModeInd) {
        in.kind = mode == kModeAbs ? Kind::LdAbs : Kind::LdInd;
        if (in.size == 8) return bad(raw, "legacy packet load must use size B, H or W");
        TRY(expect_zero(raw, raw.dst(), "dst_reg"));
        TRY(expect_zero(raw, raw.off, "off"));
        if (mode == kModeAbs) TRY(expect_zero(raw, raw.src(), "src_reg"));
        else TRY(check_reg(raw, raw.src(), "source"));
        return in;
      }
      return bad(raw, "unknown mode for class LD");
    case Class::Ldx:
      if (mode != kModeMem && mode != kModeMemSx) return bad(raw, "unknown mode for class LDX");
      if (mode == kModeMemSx && in.size == 8) return bad(raw, "sign-extending load must use size B, H or W");
      in.kind = Kind::Load;
      in.sign_extend = mode == kModeMemSx;
      TRY(check_reg(raw, raw.dst(), "destination"));
      TRY(check_reg(raw, raw.src(), "source"));
      TRY(expect_zero(raw, raw.imm, "imm"));
      return in;
    case Class::St:
      if (mode != kModeMem) return bad(raw, "unknown mode for class ST");
      in.kind = Kind::Store;
      TRY(check_reg(raw, raw.dst(), "destination"));
      TRY(expect_zero(raw, raw.src(), "src_reg"));
      return in;
    case Class::Stx:
      TRY(check_reg(raw, raw.dst(), "destination"));
      TRY(check_reg(raw, raw.src(), "source"));
      if (mode == kModeMem) {
        in.kind = Kind::StoreReg;
        TRY(expect_zero(raw, raw.imm, "imm"));
        return in;
      }
      if (mode == kModeAtomic) {
        in.kind = Kind::Atomic;
        in.is64 = in.size == 8;
        for (const auto& r : kAtomicRows) {
          if (r.imm != raw.imm) continue;
          in.atomic = r.op;
          const bool ordered = r.op == AtomicOp::LoadAcquire || r.op == AtomicOp::StoreRelease;
          if (!ordered && in.size != 4 && in.size != 8)
            return bad(raw, "atomic operation must use size W or DW");
          return in;
        }
        return bad(raw, "unknown atomic operation imm=" + hex(static_cast<uint32_t>(raw.imm)));
      }
      return bad(raw, "unknown mode for class STX");
    default:
      return bad(raw, "not a memory instruction");
  }
}

}  // namespace

int64_t Insn::target(int64_t pc) const {
  if (kind == Kind::Call) return pc + 1 + imm;
  if (kind == Kind::Jmp && jmp == JmpOp::Ja && !is64) return pc + 1 + imm;  // gotol
  return pc + 1 + off;
}

bool Insn::falls_through() const {
  if (kind == Kind::Exit) return false;
  if (kind == Kind::Jmp && jmp == JmpOp::Ja) return false;
  return true;
}

bool Insn::is_memory() const {
  return kind == Kind::Load || kind == Kind::Store || kind == Kind::StoreReg || kind == Kind::Atomic;
}

uint8_t alu_op_bits(AluOp op) { return kAluRows[static_cast<int>(op)].bits; }
int16_t alu_op_off(AluOp op) {
  const int16_t off = kAluRows[static_cast<int>(op)].off;
  return off < 0 ? 0 : off;
}
const char* alu_op_symbol(AluOp op) { return kAluRows[static_cast<int>(op)].symbol; }
const char* alu_op_name(AluOp op) { return kAluRows[static_cast<int>(op)].name; }
uint8_t jmp_op_bits(JmpOp op) { return kJmpRows[static_cast<int>(op)].bits; }
const char* jmp_op_symbol(JmpOp op) { return kJmpRows[static_cast<int>(op)].symbol; }
const char* jmp_op_name(JmpOp op) { return kJmpRows[static_cast<int>(op)].name; }
int32_t atomic_op_imm(AtomicOp op) { return kAtomicRows[static_cast<int>(op)].imm; }
const char* atomic_op_text(AtomicOp op) { return kAtomicRows[static_cast<int>(op)].text; }
const char* atomic_op_name(AtomicOp op) { return kAtomicRows[static_cast<int>(op)].name; }
bool atomic_op_fetches(AtomicOp op) {
  return (atomic_op_imm(op) & 0x01) != 0 || op == AtomicOp::LoadAcquire;
}
uint8_t size_bits(uint8_t bytes) {
  for (const auto& r : kSizeRows)
    if (r.bytes == bytes) return r.bits;
  return 0;
}
const char* size_ctype(uint8_t bytes, bool sign) {
  switch (bytes) {
    case 1: return sign ? "s8" : "u8";
    case 2: return sign ? "s16" : "u16";
    case 4: return sign ? "s32" : "u32";
    default: return sign ? "s64" : "u64";
  }
}
const char* pseudo_text(Pseudo p) { return kPseudoRows[static_cast<int>(p)].text; }
const char* kind_name(Kind k) {
  static constexpr const char* kNames[] = {"invalid", "alu", "jmp", "call", "exit", "ld_imm64", "ld_imm64_hi",
                                           "load", "store", "store_reg", "atomic", "ld_abs", "ld_ind"};
  return kNames[static_cast<int>(k)];
}

Result<Insn> decode_one(const RawInsn& raw, const RawInsn* next) {
  Insn in;
  in.opcode = raw.code;
  in.dst = raw.dst();
  in.src = raw.src();
  in.off = raw.off;
  in.imm = raw.imm;
  switch (static_cast<Class>(raw.code & kClassMask)) {
    case Class::Alu:
    case Class::Alu64:
      return decode_alu(raw, in);
    case Class::Jmp:
    case Class::Jmp32:
      return decode_jmp(raw, in);
    default:
      return decode_mem(raw, next, in);
  }
}

Result<std::vector<Insn>> decode(std::span<const RawInsn> raw) {
  std::vector<Insn> out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const RawInsn* next = i + 1 < raw.size() ? &raw[i + 1] : nullptr;
    auto r = decode_one(raw[i], next);
    if (!r) return Error{"insn " + std::to_string(i) + ": " + r.message()};
    out.push_back(*r);
    if (r->kind == Kind::LdImm64) {
      Insn hi;
      hi.kind = Kind::LdImm64Hi;
      hi.imm = raw[i + 1].imm;
      out.push_back(hi);
      ++i;
    }
  }
  return out;
}

std::vector<RawInsn> encode(const Insn& in) {
  auto raw = RawInsn::make(in.opcode, in.dst, in.src, in.off, in.imm);
  if (in.kind == Kind::LdImm64Hi) return {};
  if (in.kind == Kind::LdImm64) {
    raw.imm = static_cast<int32_t>(static_cast<uint32_t>(in.imm64));
    return {raw, RawInsn::make(0, 0, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(in.imm64 >> 32)))};
  }
  return {raw};
}

std::vector<RawInsn> encode(std::span<const Insn> insns) {
  std::vector<RawInsn> out;
  out.reserve(insns.size());
  for (const auto& in : insns)
    for (const auto& r : encode(in)) out.push_back(r);
  return out;
}

Result<std::vector<RawInsn>> raw_from_bytes(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return Error{"empty program (0 bytes)"};
  if (bytes.size() % sizeof(RawInsn) != 0)
    return Error{"size " + std::to_string(bytes.size()) + " bytes is not a multiple of 8 (one eBPF instruction)"};
  std::vector<RawInsn> out(bytes.size() / sizeof(RawInsn));
  std::memcpy(out.data(), bytes.data(), bytes.size());  // hosts are little-endian
  return out;
}

std::vector<uint8_t> bytes_from_raw(std::span<const RawInsn> raw) {
  std::vector<uint8_t> out(raw.size() * sizeof(RawInsn));
  if (!raw.empty()) std::memcpy(out.data(), raw.data(), out.size());
  return out;
}

namespace make {
namespace {
Insn finish(RawInsn raw, const RawInsn* next = nullptr) {
  auto r = decode_one(raw, next);
  return r ? *r : Insn{};
}
uint8_t alu_class(bool is64) { return static_cast<uint8_t>(is64 ? Class::Alu64 : Class::Alu); }
uint8_t jmp_class(bool is64) { return static_cast<uint8_t>(is64 ? Class::Jmp : Class::Jmp32); }
}  // namespace

Insn alu(AluOp op, bool is64, uint8_t dst, uint8_t src) {
  return finish(RawInsn::make(alu_class(is64) | alu_op_bits(op) | kSourceX, dst, src, alu_op_off(op), 0));
}
Insn alu_imm(AluOp op, bool is64, uint8_t dst, int32_t imm) {
  if (op == AluOp::Neg) imm = 0;
  return finish(RawInsn::make(alu_class(is64) | alu_op_bits(op), dst, 0, alu_op_off(op), imm));
}
Insn mov_sx(bool is64, uint8_t dst, uint8_t src, uint8_t bits) {
  return finish(RawInsn::make(alu_class(is64) | 0xb0 | kSourceX, dst, src, bits, 0));
}
Insn endian(Endian e, uint8_t dst, uint8_t bits) {
  const bool is64 = e == Endian::Swap;
  const uint8_t source = e == Endian::Be ? kSourceX : 0;
  return finish(RawInsn::make(alu_class(is64) | 0xd0 | source, dst, 0, 0, bits));
}
Insn jmp(JmpOp op, bool is64, uint8_t dst, uint8_t src, int16_t off) {
  return finish(RawInsn::make(jmp_class(is64) | jmp_op_bits(op) | kSourceX, dst, src, off, 0));
}
Insn jmp_imm(JmpOp op, bool is64, uint8_t dst, int32_t imm, int16_t off) {
  return finish(RawInsn::make(jmp_class(is64) | jmp_op_bits(op), dst, 0, off, imm));
}
Insn ja(int16_t off) { return finish(RawInsn::make(0x05, 0, 0, off, 0)); }
Insn gotol(int32_t off) { return finish(RawInsn::make(0x06, 0, 0, 0, off)); }
Insn may_goto(int16_t off) { return finish(RawInsn::make(0xe5, 0, 0, off, 0)); }
Insn call(int32_t helper_id) { return finish(RawInsn::make(0x85, 0, 0, 0, helper_id)); }
Insn call_local(int32_t rel) { return finish(RawInsn::make(0x85, 0, 1, 0, rel)); }
Insn call_kfunc(int32_t btf_id, int16_t btf_fd_idx) {
  return finish(RawInsn::make(0x85, 0, 2, btf_fd_idx, btf_id));
}
Insn exit() { return finish(RawInsn::make(0x95, 0, 0, 0, 0)); }
Insn ld_imm64(uint8_t dst, uint64_t value, Pseudo pseudo) {
  auto lo = RawInsn::make(0x18, dst, static_cast<uint8_t>(pseudo), 0, static_cast<int32_t>(static_cast<uint32_t>(value)));
  auto hi = RawInsn::make(0, 0, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(value >> 32)));
  return finish(lo, &hi);
}
Insn ld_map_value(uint8_t dst, Pseudo pseudo, int32_t map, int32_t offset) {
  return ld_imm64(dst, static_cast<uint32_t>(map) | (static_cast<uint64_t>(static_cast<uint32_t>(offset)) << 32), pseudo);
}
Insn load(uint8_t size, bool sign_extend, uint8_t dst, uint8_t src, int16_t off) {
  const uint8_t mode = sign_extend ? kModeMemSx : kModeMem;
  return finish(RawInsn::make(static_cast<uint8_t>(Class::Ldx) | mode | size_bits(size), dst, src, off, 0));
}
Insn store_imm(uint8_t size, uint8_t dst, int16_t off, int32_t imm) {
  return finish(RawInsn::make(static_cast<uint8_t>(Class::St) | kModeMem | size_bits(size), dst, 0, off, imm));
}
Insn store_reg(uint8_t size, uint8_t dst, uint8_t src, int16_t off) {
  return finish(RawInsn::make(static_cast<uint8_t>(Class::Stx) | kModeMem | size_bits(size), dst, src, off, 0));
}
Insn atomic(AtomicOp op, uint8_t size, uint8_t dst, uint8_t src, int16_t off) {
  return finish(RawInsn::make(static_cast<uint8_t>(Class::Stx) | kModeAtomic | size_bits(size), dst, src, off,
                              atomic_op_imm(op)));
}
Insn ld_abs(uint8_t size, int32_t imm) {
  return finish(RawInsn::make(static_cast<uint8_t>(Class::Ld) | kModeAbs | size_bits(size), 0, 0, 0, imm));
}
Insn ld_ind(uint8_t size, uint8_t src, int32_t imm) {
  return finish(RawInsn::make(static_cast<uint8_t>(Class::Ld) | kModeInd | size_bits(size), 0, src, 0, imm));
}
}  // namespace make

}  // namespace bpfvet::isa
