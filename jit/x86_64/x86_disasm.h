// LLVM's view of x86-64 machine code, for the encoder tests and the `jit` listing.
//
// How it works: X86Disassembler sets up LLVM 14's MC layer for "x86_64" from the
// shared libLLVM (LLVMInitializeX86TargetInfo/TargetMC/Disassembler) and walks a byte
// buffer one instruction at a time, printing each with the AT&T-syntax instruction
// printer (as objdump and `bpftool prog dump jited` do).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "isa/result.h"

namespace bpfvet::jit::x86 {

/// One decoded x86 instruction.
struct X86Insn {
  size_t offset = 0;
  size_t size = 0;
  bool valid = false;  // false: LLVM could not decode the byte at `offset` (size 1)
  std::string text;    // AT&T syntax, tabs turned to single spaces
};

/// An LLVM MC disassembler for x86-64.  Not thread-safe; create one per thread.
class X86Disassembler {
 public:
  /// Fails when libLLVM lacks the X86 target.  `intel`: Intel syntax instead of AT&T;
  /// `absolute_branches`: branch targets as addresses (0x1f) rather than displacements.
  static Result<std::unique_ptr<X86Disassembler>> create(bool intel = false, bool absolute_branches = false);
  ~X86Disassembler();
  X86Disassembler(const X86Disassembler&) = delete;
  X86Disassembler& operator=(const X86Disassembler&) = delete;

  /// Every instruction of `bytes`; `address` is the address of bytes[0] (for branch targets).
  std::vector<X86Insn> disassemble(std::span<const uint8_t> bytes, uint64_t address = 0) const;

 private:
  struct Impl;
  explicit X86Disassembler(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bpfvet::jit::x86
