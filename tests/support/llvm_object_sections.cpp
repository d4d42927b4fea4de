// llvm_exec_sections() (llvm_object_sections.h); compiled as C++17, see the header.
#include "tests/support/llvm_object_sections.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Error.h"

namespace bpfvet::testsupport {

bool llvm_exec_sections(const std::string& path, std::vector<LlvmExecSection>& out, std::string& error) {
  out.clear();
  auto file = llvm::object::ObjectFile::createObjectFile(path);
  if (!file) {
    error = llvm::toString(file.takeError());
    return false;
  }
  const auto arch = file->getBinary()->getArch();
  if (arch != llvm::Triple::bpfel && arch != llvm::Triple::bpfeb) return true;  // e.g. a host .o of a tool
  for (const llvm::object::SectionRef& sec : file->getBinary()->sections()) {
    const llvm::object::ELFSectionRef elf(sec);
    if (!(elf.getFlags() & llvm::ELF::SHF_EXECINSTR) || sec.getSize() == 0) continue;
    auto name = sec.getName();
    auto contents = sec.getContents();
    if (!name || !contents) {
      if (!name) llvm::consumeError(name.takeError());
      if (!contents) llvm::consumeError(contents.takeError());
      continue;
    }
    out.push_back(LlvmExecSection{name->str(), std::vector<uint8_t>(contents->bytes_begin(), contents->bytes_end())});
  }
  return true;
}

}  // namespace bpfvet::testsupport
