// Printing decoded instructions in the kernel-log / LLVM syntax (see printer.h).
#include "isa/printer.h"

#include <cstdio>

namespace bpfvet::isa {
namespace {

std::string reg(bool wide, unsigned r) { return (wide ? "r" : "w") + std::to_string(r); }

// "+4", "-8", "+0": the sign is always written, as the kernel does.
std::string signed_off(int64_t v) { return (v < 0 ? "" : "+") + std::to_string(v); }

std::string hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// "(r1 +4)": a memory operand's base and offset.
std::string mem_operand(unsigned base, int16_t off) {
  return "(r" + std::to_string(base) + " " + signed_off(off) + ")";
}

// "*(u32 *)(r1 +4)"
std::string deref(uint8_t size, bool sign, unsigned base, int16_t off) {
  return std::string("*(") + size_ctype(size, sign) + " *)" + mem_operand(base, off);
}

std::string print_alu(const Insn& in) {
  const std::string dst = reg(in.is64, in.dst);
  switch (in.alu) {
    case AluOp::Neg:
      return dst + " = -" + dst;
    case AluOp::MovSx:
      return dst + " = (s" + std::to_string(in.size) + ")" + reg(in.is64, in.src);
    case AluOp::End: {
      const char* name = in.endian == Endian::Le ? "le" : in.endian == Endian::Be ? "be" : "bswap";
      const std::string r = "r" + std::to_string(in.dst);  // LLVM spells byte swaps with r
      return r + " = " + name + std::to_string(in.size) + " " + r;
    }
    default:
      break;
  }
  const std::string operand = in.use_src ? reg(in.is64, in.src) : std::to_string(in.imm);
  return dst + " " + alu_op_symbol(in.alu) + " " + operand;
}

std::string print_jmp(const Insn& in) {
  if (in.jmp == JmpOp::Ja) {
    if (!in.is64) return "gotol " + signed_off(in.imm);
    return "goto " + signed_off(in.off);
  }
  if (in.jmp == JmpOp::MayGoto) return "may_goto " + signed_off(in.off);
  const std::string operand = in.use_src ? reg(in.is64, in.src) : std::to_string(in.imm);
  return "if " + reg(in.is64, in.dst) + " " + jmp_op_symbol(in.jmp) + " " + operand + " goto " +
         signed_off(in.off);
}

std::string print_call(const Insn& in) {
  switch (in.call) {
    case CallKind::Helper:
      return "call " + std::to_string(in.imm);
    case CallKind::Local:
      return "call pc" + signed_off(in.imm);
    case CallKind::Kfunc:
      if (in.off == 0) return "call kfunc(" + std::to_string(in.imm) + ")";
      return "call kfunc(" + std::to_string(in.imm) + ", " + std::to_string(in.off) + ")";
  }
  return "invalid";
}

std::string print_ld_imm64(const Insn& in) {
  const std::string dst = "r" + std::to_string(in.dst) + " = ";
  const auto lo = static_cast<int32_t>(static_cast<uint32_t>(in.imm64));
  const auto hi = static_cast<int32_t>(static_cast<uint32_t>(in.imm64 >> 32));
  switch (in.pseudo) {
    case Pseudo::Imm:
      return dst + hex64(in.imm64) + " ll";
    case Pseudo::Func:
      return dst + "func(pc" + signed_off(lo) + ") ll";
    case Pseudo::MapValue:
    case Pseudo::MapIdxValue:
      return dst + pseudo_text(in.pseudo) + "(" + std::to_string(lo) + ", " + std::to_string(hi) + ") ll";
    default:
      return dst + pseudo_text(in.pseudo) + "(" + std::to_string(lo) + ") ll";
  }
}

std::string print_atomic(const Insn& in) {
  const bool wide = in.size == 8;  // LLVM names 32-bit (and narrower) atomic operands wN
  const std::string src = reg(wide, in.src);
  const std::string ptr = std::string("(") + size_ctype(in.size) + " *)" + mem_operand(in.dst, in.off);
  // LLVM's xchg/cmpxchg take the address without parentheses: xchg_64(r1 +8, r2).
  const std::string addr = "r" + std::to_string(in.dst) + " " + signed_off(in.off);
  switch (in.atomic) {
    case AtomicOp::Add:
    case AtomicOp::Or:
    case AtomicOp::And:
    case AtomicOp::Xor:
      return "lock *" + ptr + " " + atomic_op_text(in.atomic) + " " + src;
    case AtomicOp::FetchAdd:
    case AtomicOp::FetchOr:
    case AtomicOp::FetchAnd:
    case AtomicOp::FetchXor:
      return src + " = " + atomic_op_text(in.atomic) + "(" + ptr + ", " + src + ")";
    case AtomicOp::Xchg:
      return src + (wide ? " = xchg_64(" : " = xchg32_32(") + addr + ", " + src + ")";
    case AtomicOp::CmpXchg: {
      const std::string r0 = reg(wide, 0);
      return r0 + (wide ? " = cmpxchg_64(" : " = cmpxchg32_32(") + addr + ", " + r0 + ", " + src + ")";
    }
    case AtomicOp::LoadAcquire:
      // dst = *(src + off): unlike every other atomic, the base is the source register.
      return reg(wide, in.dst) + " = load_acquire((" + size_ctype(in.size) + " *)" +
             mem_operand(in.src, in.off) + ")";
    case AtomicOp::StoreRelease:
      return "store_release(" + ptr + ", " + src + ")";
  }
  return "invalid";
}

}  // namespace

std::string print_insn(const Insn& in, int64_t pc) {
  (void)pc;  // offsets print relative, as both the kernel and LLVM do
  switch (in.kind) {
    case Kind::Invalid:
      return "invalid";
    case Kind::Alu:
      return print_alu(in);
    case Kind::Jmp:
      return print_jmp(in);
    case Kind::Call:
      return print_call(in);
    case Kind::Exit:
      return "exit";
    case Kind::LdImm64:
      return print_ld_imm64(in);
    case Kind::LdImm64Hi:
      return "";
    case Kind::Load:
      return "r" + std::to_string(in.dst) + " = " + deref(in.size, in.sign_extend, in.src, in.off);
    case Kind::Store:
      return deref(in.size, false, in.dst, in.off) + " = " + std::to_string(in.imm);
    case Kind::StoreReg:
      return deref(in.size, false, in.dst, in.off) + " = r" + std::to_string(in.src);
    case Kind::Atomic:
      return print_atomic(in);
    case Kind::LdAbs:
      return std::string("r0 = *(") + size_ctype(in.size) + " *)skb[" + std::to_string(in.imm) + "]";
    case Kind::LdInd: {
      std::string s = std::string("r0 = *(") + size_ctype(in.size) + " *)skb[r" + std::to_string(in.src);
      if (in.imm != 0)
        s += (in.imm < 0 ? " - " : " + ") + std::to_string(in.imm < 0 ? -int64_t{in.imm} : in.imm);
      return s + "]";
    }
  }
  return "invalid";
}

std::string disasm_line(const Insn& in, int64_t pc) {
  if (in.kind == Kind::LdImm64Hi) return "";
  char head[40];
  std::snprintf(head, sizeof head, "%lld: (%02x) ", static_cast<long long>(pc), in.opcode);
  return head + print_insn(in, pc);
}

}  // namespace bpfvet::isa
