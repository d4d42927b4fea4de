// Building LLVM's MC disassembly objects for one target (see mc_layer.h).
#include "isa/mc_layer.h"

#include "llvm/MC/MCTargetOptions.h"
#include "llvm/MC/TargetRegistry.h"

namespace bpfvet::isa {

Status build_mc_layer(McLayer& mc, const std::string& triple, const std::string& label, const std::string& cpu,
                      const std::string& features, int dialect) {
  mc.triple = llvm::Triple(triple);
  std::string err;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (target == nullptr) return Error{"LLVM has no " + label + " target: " + err};
  mc.regs.reset(target->createMCRegInfo(triple));
  if (!mc.regs) return Error{"LLVM " + label + " target: no register info"};
  llvm::MCTargetOptions options;
  mc.asm_info.reset(target->createMCAsmInfo(*mc.regs, triple, options));
  mc.subtarget.reset(target->createMCSubtargetInfo(triple, cpu, features));
  mc.instrs.reset(target->createMCInstrInfo());
  if (!mc.asm_info || !mc.subtarget || !mc.instrs) return Error{"LLVM " + label + " target: incomplete MC layer"};
  mc.context = std::make_unique<llvm::MCContext>(mc.triple, mc.asm_info.get(), mc.regs.get(), mc.subtarget.get());
  mc.disasm.reset(target->createMCDisassembler(*mc.subtarget, *mc.context));
  const unsigned variant = dialect < 0 ? mc.asm_info->getAssemblerDialect() : static_cast<unsigned>(dialect);
  mc.printer.reset(target->createMCInstPrinter(mc.triple, variant, *mc.asm_info, *mc.instrs, *mc.regs));
  if (!mc.disasm || !mc.printer) return Error{"LLVM " + label + " target: no disassembler or printer"};
  return Ok{};
}

std::string tidy_mc_text(const std::string& text, bool collapse_spaces) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    const bool ws = c == '\t' || c == ' ';
    if (ws && space && collapse_spaces) continue;
    out += ws ? ' ' : c;
    space = ws;
  }
  const size_t b = out.find_first_not_of(' ');
  const size_t e = out.find_last_not_of(' ');
  return b == std::string::npos ? "" : out.substr(b, e - b + 1);
}

}  // namespace bpfvet::isa
