// LLVM's own reading of an object file's executable sections, for tests that check our
// ELF loader and decoder against LLVM.  Implemented in llvm_object_sections.cpp, a unit
// of its own compiled as C++17: LLVM 14's llvm/Object headers reach llvm/Support/JSON.h,
// which clang 14 rejects in C++20 mode with libstdc++ 12 (llvm-project#55780), and the
// sanitizer/fuzz build uses clang.  So this header must stay C++17 too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bpfvet::testsupport {

/// One SHF_EXECINSTR section of non-zero size, as LLVM's object library reads it.
struct LlvmExecSection {
  std::string name;
  std::vector<uint8_t> bytes;
};

/// The executable sections of the BPF object at `path` (none for an object of another
/// architecture; sections LLVM cannot name or read are left out).  False, with `error`
/// set, if LLVM cannot open it as an object file.
bool llvm_exec_sections(const std::string& path, std::vector<LlvmExecSection>& out, std::string& error);

}  // namespace bpfvet::testsupport
