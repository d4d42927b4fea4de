// LLVM's AArch64 disassembler, the reference for our hand-written A64 encodings.
//
// How it works: the AArch64 analogue of isa/llvm_disasm.h.  A64Disassembler sets up
// the MC layer of the shared libLLVM for "aarch64" with the LSE extension enabled (so
// LDADDAL, CASAL and SWPAL print by name), then decodes one 4-byte word at a time
// and prints it with the AArch64 MCInstPrinter.  The JIT tests compare every emitted
// form with it, and `bpfvet jit --arch arm64` uses it for the listing.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "isa/result.h"

namespace bpfvet::jit::a64 {

class A64Disassembler {
 public:
  /// Fails when libLLVM lacks the AArch64 target.  `absolute_branches`: branch
  /// targets print as addresses (0x3c) rather than displacements (#16).
  static Result<std::unique_ptr<A64Disassembler>> create(bool absolute_branches = false);
  ~A64Disassembler();
  A64Disassembler(const A64Disassembler&) = delete;
  A64Disassembler& operator=(const A64Disassembler&) = delete;

  /// LLVM's text for one instruction word at address `pc` (branch targets print
  /// relative, as "#8", unless created with absolute_branches), tabs turned to spaces; "<invalid 0x...>" when undecodable.
  std::string text(uint32_t word, uint64_t pc = 0) const;
  /// Text of every word of `code`.
  std::vector<std::string> disassemble(std::span<const uint32_t> code) const;

 private:
  struct Impl;
  explicit A64Disassembler(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bpfvet::jit::a64
