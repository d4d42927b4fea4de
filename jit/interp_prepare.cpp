// Translation of decoded instructions into interpreter Ops.
#include "jit/interp.h"
#include "jit/interp_ops.h"

namespace bpfvet::jit {

using isa::AluOp;
using isa::AtomicOp;
using isa::Insn;
using isa::JmpOp;
using isa::Kind;

namespace {

constexpr uint64_t kFuncTag = 0xbf00000000000000ull;  // callback values: tag | code id << 32 | pc
constexpr int32_t kTailCallHelper = 12;

uint16_t hv(H h) { return static_cast<uint16_t>(h); }

// ALU handlers come in groups of four: 64X, 64K, 32X, 32K.
Result<uint16_t> alu_handler(const Insn& in) {
  H base;
  switch (in.alu) {
    case AluOp::Add: base = H::ADD64X; break;
    case AluOp::Sub: base = H::SUB64X; break;
    case AluOp::Mul: base = H::MUL64X; break;
    case AluOp::Div: base = H::DIV64X; break;
    case AluOp::SDiv: base = H::SDIV64X; break;
    case AluOp::Or: base = H::OR64X; break;
    case AluOp::And: base = H::AND64X; break;
    case AluOp::Lsh: base = H::LSH64X; break;
    case AluOp::Rsh: base = H::RSH64X; break;
    case AluOp::Mod: base = H::MOD64X; break;
    case AluOp::SMod: base = H::SMOD64X; break;
    case AluOp::Xor: base = H::XOR64X; break;
    case AluOp::Mov: base = H::MOV64X; break;
    case AluOp::Arsh: base = H::ARSH64X; break;
    case AluOp::Neg: return hv(in.is64 ? H::NEG64 : H::NEG32);
    case AluOp::MovSx:
      if (in.is64) return hv(in.size == 8 ? H::MOVSX64_8 : in.size == 16 ? H::MOVSX64_16 : H::MOVSX64_32);
      return hv(in.size == 8 ? H::MOVSX32_8 : H::MOVSX32_16);
    case AluOp::End: {
      const bool swap = in.endian == isa::Endian::Be || in.endian == isa::Endian::Swap;  // little-endian host
      if (in.size == 16) return hv(swap ? H::BE16 : H::LE16);
      if (in.size == 32) return hv(swap ? H::BE32 : H::LE32);
      return hv(swap ? H::BE64 : H::LE64);
    }
    default: return Error{"unknown ALU operation"};
  }
  return static_cast<uint16_t>(hv(base) + (in.is64 ? 0 : 2) + (in.use_src ? 0 : 1));
}

Result<uint16_t> jmp_handler(const Insn& in) {
  H base;
  switch (in.jmp) {
    case JmpOp::Ja: return hv(H::JA);
    case JmpOp::MayGoto: return hv(H::MAY_GOTO);
    case JmpOp::Jeq: base = H::JEQ64X; break;
    case JmpOp::Jne: base = H::JNE64X; break;
    case JmpOp::Jgt: base = H::JGT64X; break;
    case JmpOp::Jge: base = H::JGE64X; break;
    case JmpOp::Jlt: base = H::JLT64X; break;
    case JmpOp::Jle: base = H::JLE64X; break;
    case JmpOp::Jsgt: base = H::JSGT64X; break;
    case JmpOp::Jsge: base = H::JSGE64X; break;
    case JmpOp::Jslt: base = H::JSLT64X; break;
    case JmpOp::Jsle: base = H::JSLE64X; break;
    case JmpOp::Jset: base = H::JSET64X; break;
    default: return Error{"unknown jump operation"};
  }
  return static_cast<uint16_t>(hv(base) + (in.is64 ? 0 : 2) + (in.use_src ? 0 : 1));
}

uint16_t size_handler(H b, H h, H w, H dw, uint8_t size) {
  switch (size) {
    case 1: return hv(b);
    case 2: return hv(h);
    case 4: return hv(w);
    default: return hv(dw);
  }
}

Result<uint16_t> atomic_handler(const Insn& in) {
  if (in.atomic == AtomicOp::LoadAcquire) return size_handler(H::LDACQ_B, H::LDACQ_H, H::LDACQ_W, H::LDACQ_DW, in.size);
  if (in.atomic == AtomicOp::StoreRelease) return size_handler(H::STREL_B, H::STREL_H, H::STREL_W, H::STREL_DW, in.size);
  H w;
  switch (in.atomic) {
    case AtomicOp::Add: w = H::AADD_W; break;
    case AtomicOp::Or: w = H::AOR_W; break;
    case AtomicOp::And: w = H::AAND_W; break;
    case AtomicOp::Xor: w = H::AXOR_W; break;
    case AtomicOp::FetchAdd: w = H::AFADD_W; break;
    case AtomicOp::FetchOr: w = H::AFOR_W; break;
    case AtomicOp::FetchAnd: w = H::AFAND_W; break;
    case AtomicOp::FetchXor: w = H::AFXOR_W; break;
    case AtomicOp::Xchg: w = H::AXCHG_W; break;
    case AtomicOp::CmpXchg: w = H::ACMPXCHG_W; break;
    default: return Error{"unknown atomic operation"};
  }
  const uint16_t dw_offset = hv(H::AADD_DW) - hv(H::AADD_W);
  return static_cast<uint16_t>(hv(w) + (in.size == 8 ? dw_offset : 0));
}

}  // namespace

uint64_t callback_tag(uint32_t code_id, uint32_t pc) { return kFuncTag | (uint64_t(code_id) << 32) | pc; }

Result<const Code*> Interpreter::prepare(const isa::Program& prog) {
  if (auto it = by_program_.find(&prog); it != by_program_.end()) return it->second;
  auto code = std::make_unique<Code>();
  code->program = &prog;
  code->id = static_cast<uint32_t>(codes_.size());
  const auto& insns = prog.insns;
  const int64_t n = static_cast<int64_t>(insns.size());
  if (n == 0) return Error{"program '" + prog.name + "' has no instructions"};
  code->ops.resize(insns.size() + 1);
  auto at = [&](int64_t pc, const std::string& what) { return Error{"insn " + std::to_string(pc) + ": " + what}; };
  auto target_ok = [&](int64_t t) { return t >= 0 && t < n && insns[t].kind != Kind::LdImm64Hi; };
  for (int64_t pc = 0; pc < n; ++pc) {
    const Insn& in = insns[pc];
    Op& op = code->ops[pc];
    op.dst = in.dst;
    op.src = in.src;
    op.off = in.off;
    op.imm = in.imm;
    switch (in.kind) {
      case Kind::Alu: {
        auto h = alu_handler(in);
        if (!h) return at(pc, h.message());
        op.h = *h;
        break;
      }
      case Kind::Jmp: {
        auto h = jmp_handler(in);
        if (!h) return at(pc, h.message());
        op.h = *h;
        const int64_t t = in.target(pc);
        if (!target_ok(t)) return at(pc, "jump to " + std::to_string(t) + " is outside the program or into an lddw");
        op.off = static_cast<int32_t>(t - pc - 1);
        break;
      }
      case Kind::Call:
        if (in.call == isa::CallKind::Kfunc) return at(pc, "kfunc calls are not supported by the interpreter");
        if (in.call == isa::CallKind::Local) {
          const int64_t t = in.target(pc);
          if (!target_ok(t)) return at(pc, "call to " + std::to_string(t) + " is outside the program");
          op.h = hv(H::CALL_LOCAL);
          op.off = static_cast<int32_t>(t - pc - 1);
        } else {
          op.h = hv(in.imm == kTailCallHelper ? H::TAIL_CALL : H::CALL_HELPER);
        }
        break;
      case Kind::Exit: op.h = hv(H::EXIT); break;
      case Kind::LdImm64: {
        op.h = hv(H::LDDW);
        if (in.pseudo == isa::Pseudo::Func) {
          const int64_t t = pc + 1 + in.imm;
          if (!target_ok(t)) return at(pc, "callback at " + std::to_string(t) + " is outside the program");
          op.imm = static_cast<int64_t>(callback_tag(code->id, static_cast<uint32_t>(t)));
        } else {
          auto v = rt_.ld_imm64(in);
          if (!v) return at(pc, v.message());
          op.imm = static_cast<int64_t>(*v);
        }
        break;
      }
      case Kind::LdImm64Hi: op.h = hv(H::FELL_OFF); break;  // never reached: targets are checked
      case Kind::Load:
        op.h = in.sign_extend ? size_handler(H::LDSX_B, H::LDSX_H, H::LDSX_W, H::LDSX_W, in.size)
                              : size_handler(H::LDX_B, H::LDX_H, H::LDX_W, H::LDX_DW, in.size);
        break;
      case Kind::Store:
        op.h = size_handler(H::ST_B, H::ST_H, H::ST_W, H::ST_DW, in.size);
        break;
      case Kind::StoreReg:
        op.h = size_handler(H::STX_B, H::STX_H, H::STX_W, H::STX_DW, in.size);
        break;
      case Kind::Atomic: {
        auto h = atomic_handler(in);
        if (!h) return at(pc, h.message());
        op.h = *h;
        break;
      }
      case Kind::LdAbs: op.h = size_handler(H::LDABS_B, H::LDABS_H, H::LDABS_W, H::LDABS_W, in.size); break;
      case Kind::LdInd: op.h = size_handler(H::LDIND_B, H::LDIND_H, H::LDIND_W, H::LDIND_W, in.size); break;
      default: return at(pc, "invalid instruction");
    }
  }
  code->ops[n].h = hv(H::FELL_OFF);
  const Code* raw = code.get();
  codes_.push_back(std::move(code));
  by_program_[&prog] = raw;
  return raw;
}

}  // namespace bpfvet::jit
