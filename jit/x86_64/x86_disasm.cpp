// LLVM 14 MC disassembly of x86-64 bytes (see x86_disasm.h).
#include "jit/x86_64/x86_disasm.h"

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
void LLVMInitializeX86TargetInfo();
void LLVMInitializeX86TargetMC();
void LLVMInitializeX86Disassembler();
}

namespace bpfvet::jit::x86 {

struct X86Disassembler::Impl : isa::McLayer {};

X86Disassembler::X86Disassembler(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
X86Disassembler::~X86Disassembler() = default;

Result<std::unique_ptr<X86Disassembler>> X86Disassembler::create(bool intel, bool absolute_branches) {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86Disassembler();
  });
  auto impl = std::make_unique<Impl>();
  if (auto st = isa::build_mc_layer(*impl, "x86_64-unknown-linux-gnu", "X86", "x86-64", "", intel ? 1 : 0); !st)
    return st.error();
  impl->printer->setPrintBranchImmAsAddress(absolute_branches);
  return std::unique_ptr<X86Disassembler>(new X86Disassembler(std::move(impl)));
}

std::vector<X86Insn> X86Disassembler::disassemble(std::span<const uint8_t> bytes, uint64_t address) const {
  std::vector<X86Insn> out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    X86Insn one;
    one.offset = pos;
    llvm::MCInst inst;
    uint64_t size = 0;
    const llvm::ArrayRef<uint8_t> rest(bytes.data() + pos, bytes.size() - pos);
    const auto status = impl_->disasm->getInstruction(inst, size, rest, address + pos, llvm::nulls());
    if (status == llvm::MCDisassembler::Success && size > 0 && size <= rest.size()) {
      std::string text;
      llvm::raw_string_ostream os(text);
      // x86 branch displacements count from the end of the instruction: LLVM's printer
      // adds the immediate to the address it is given, so give it the next one.
      impl_->printer->printInst(&inst, address + pos + size, "", *impl_->subtarget, os);
      os.flush();
      one.valid = true;
      one.size = size;
      one.text = isa::tidy_mc_text(text, /*collapse_spaces=*/true);
    } else {
      one.size = 1;
    }
    pos += one.size;
    out.push_back(std::move(one));
  }
  return out;
}

}  // namespace bpfvet::jit::x86
