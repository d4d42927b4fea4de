// LLVM 14 MC disassembly of BPF bytes (see llvm_disasm.h).
#include "isa/llvm_disasm.h"

#include <mutex>

#include "isa/mc_layer.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/Triple.h"
#include "llvm/MC/MCAsmInfo.h"
#include "llvm/MC/MCContext.h"
#include "llvm/MC/MCDisassembler/MCDisassembler.h"
#include "llvm/MC/MCInst.h"
#include "llvm/MC/MCInstPrinter.h"
#include "llvm/MC/MCInstrInfo.h"
#include "llvm/MC/MCRegisterInfo.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/MCTargetOptions.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/raw_ostream.h"

extern "C" {
void LLVMInitializeBPFTargetInfo();
void LLVMInitializeBPFTargetMC();
void LLVMInitializeBPFDisassembler();
}

namespace bpfvet::isa {

struct LlvmDisassembler::Impl : McLayer {};

LlvmDisassembler::LlvmDisassembler(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LlvmDisassembler::~LlvmDisassembler() = default;

Result<std::unique_ptr<LlvmDisassembler>> LlvmDisassembler::create(bool alu32) {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeBPFTargetInfo();
    LLVMInitializeBPFTargetMC();
    LLVMInitializeBPFDisassembler();
  });
  auto impl = std::make_unique<Impl>();
  if (auto st = build_mc_layer(*impl, "bpfel", "BPF", "generic", alu32 ? "+alu32" : "", -1); !st)
    return st.error();
  return std::unique_ptr<LlvmDisassembler>(new LlvmDisassembler(std::move(impl)));
}

std::vector<LlvmInsn> LlvmDisassembler::disassemble(std::span<const uint8_t> bytes) const {
  std::vector<LlvmInsn> out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    LlvmInsn one;
    one.offset = pos;
    llvm::MCInst inst;
    uint64_t size = 0;
    const llvm::ArrayRef<uint8_t> rest(bytes.data() + pos, bytes.size() - pos);
    const auto status = impl_->disasm->getInstruction(inst, size, rest, pos, llvm::nulls());
    if (status == llvm::MCDisassembler::Success && size > 0 && size <= rest.size()) {
      std::string text;
      llvm::raw_string_ostream os(text);
      impl_->printer->printInst(&inst, pos, "", *impl_->subtarget, os);
      os.flush();
      one.valid = true;
      one.size = size;
      one.text = tidy_mc_text(text);
    } else {
      one.size = rest.size() < 8 ? rest.size() : 8;
    }
    pos += one.size;
    out.push_back(std::move(one));
  }
  return out;
}

Result<std::vector<LlvmInsn>> llvm_disassemble(std::span<const uint8_t> bytes, bool alu32) {
  auto d = LlvmDisassembler::create(alu32);
  if (!d) return d.error();
  return (*d)->disassemble(bytes);
}

Llvm14Support llvm14_support(const Insn& in) {
  using S = Llvm14Support;
  switch (in.kind) {
    case Kind::Alu:
      // No BPF_MOD before LLVM 16; no signed division or movsx (ISA v4) before LLVM 18.
      if (in.alu == AluOp::Mod || in.alu == AluOp::SDiv || in.alu == AluOp::SMod || in.alu == AluOp::MovSx)
        return S::None;
      if (in.alu == AluOp::End && in.endian == Endian::Swap) return S::None;
      return S::Full;
    case Kind::Jmp:
      if (in.jmp == JmpOp::Ja) return in.is64 ? S::Full : S::None;  // gotol is v4
      if (in.jmp == JmpOp::MayGoto || in.jmp == JmpOp::Jset) return S::None;
      return S::Full;
    case Kind::Call:
      return in.call == CallKind::Helper ? S::Full : S::None;  // LLVM 14 ignores src_reg
    case Kind::Exit:
      return S::Full;
    case Kind::LdImm64:
      if (in.pseudo == Pseudo::Imm) return S::Full;
      // ld_pseudo prints only the first slot's imm.
      return (in.imm64 >> 32) == 0 ? S::DisasmOnly : S::None;
    case Kind::Load:
      return in.sign_extend ? S::None : S::Full;
    case Kind::StoreReg:
      return S::Full;
    case Kind::Atomic:
      switch (in.atomic) {
        case AtomicOp::Add:
        case AtomicOp::Or:
        case AtomicOp::And:
        case AtomicOp::Xor:
          return S::Full;
        case AtomicOp::LoadAcquire:
        case AtomicOp::StoreRelease:
          return S::None;
        default:
          return S::DisasmOnly;
      }
    case Kind::LdAbs:
      return S::Full;
    case Kind::LdInd:
      return in.imm == 0 ? S::Full : S::None;  // LLVM's skb[rN] has no offset
    case Kind::Store:                          // BPF_ST is not in LLVM 14's BPF target
    case Kind::LdImm64Hi:
    case Kind::Invalid:
      return S::None;
  }
  return S::None;
}

}  // namespace bpfvet::isa
