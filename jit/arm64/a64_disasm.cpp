// LLVM MC disassembly of A64 words (see a64_disasm.h).
#include "jit/arm64/a64_disasm.h"

#include <cstdio>
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
void LLVMInitializeAArch64TargetInfo();
void LLVMInitializeAArch64TargetMC();
void LLVMInitializeAArch64Disassembler();
}

namespace bpfvet::jit::a64 {

struct A64Disassembler::Impl : isa::McLayer {};

A64Disassembler::A64Disassembler(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
A64Disassembler::~A64Disassembler() = default;

Result<std::unique_ptr<A64Disassembler>> A64Disassembler::create(bool absolute_branches) {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64Disassembler();
  });
  auto impl = std::make_unique<Impl>();
  if (auto st = isa::build_mc_layer(*impl, "aarch64", "AArch64", "generic", "+lse,+rcpc", -1); !st)
    return st.error();
  impl->printer->setPrintBranchImmAsAddress(absolute_branches);
  return std::unique_ptr<A64Disassembler>(new A64Disassembler(std::move(impl)));
}

std::string A64Disassembler::text(uint32_t word, uint64_t pc) const {
  const uint8_t bytes[4] = {uint8_t(word), uint8_t(word >> 8), uint8_t(word >> 16), uint8_t(word >> 24)};
  llvm::MCInst inst;
  uint64_t size = 0;
  const auto status =
      impl_->disasm->getInstruction(inst, size, llvm::ArrayRef<uint8_t>(bytes, 4), pc, llvm::nulls());
  if (status != llvm::MCDisassembler::Success || size != 4) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "<invalid 0x%08x>", word);
    return buf;
  }
  std::string raw;
  llvm::raw_string_ostream os(raw);
  impl_->printer->printInst(&inst, pc, "", *impl_->subtarget, os);
  os.flush();
  return isa::tidy_mc_text(raw);
}

std::vector<std::string> A64Disassembler::disassemble(std::span<const uint32_t> code) const {
  std::vector<std::string> out;
  out.reserve(code.size());
  for (size_t i = 0; i < code.size(); ++i) out.push_back(text(code[i], i * 4));
  return out;
}

}  // namespace bpfvet::jit::a64
