// McLayer: LLVM 14's MC objects needed to disassemble and print one target's machine
// code (register info, asm info, subtarget, instruction info, context, disassembler,
// printer).  The BPF, x86-64 and AArch64 disassemblers all build theirs here; each
// initialises its own LLVM target (LLVMInitialize<T>TargetInfo/TargetMC/Disassembler)
// once before calling build_mc_layer.
#pragma once

#include <memory>
#include <string>

#include "isa/result.h"
#include "llvm/ADT/Triple.h"
#include "llvm/MC/MCAsmInfo.h"
#include "llvm/MC/MCContext.h"
#include "llvm/MC/MCDisassembler/MCDisassembler.h"
#include "llvm/MC/MCInstPrinter.h"
#include "llvm/MC/MCInstrInfo.h"
#include "llvm/MC/MCRegisterInfo.h"
#include "llvm/MC/MCSubtargetInfo.h"

namespace bpfvet::isa {

struct McLayer {
  llvm::Triple triple;
  std::unique_ptr<llvm::MCRegisterInfo> regs;
  std::unique_ptr<llvm::MCAsmInfo> asm_info;
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget;
  std::unique_ptr<llvm::MCInstrInfo> instrs;
  std::unique_ptr<llvm::MCContext> context;
  std::unique_ptr<llvm::MCDisassembler> disasm;
  std::unique_ptr<llvm::MCInstPrinter> printer;
};

/// Fills `mc` for `triple` with the given CPU and feature string; `dialect` -1 uses the
/// target's default assembler dialect.  Errors name `label` ("BPF", "X86", ...).
Status build_mc_layer(McLayer& mc, const std::string& triple, const std::string& label, const std::string& cpu,
                      const std::string& features, int dialect = -1);

/// An instruction printer's text made one clean line: tabs become spaces, leading and
/// trailing spaces go, and with `collapse_spaces` runs of spaces become one.
std::string tidy_mc_text(const std::string& text, bool collapse_spaces = false);

}  // namespace bpfvet::isa
