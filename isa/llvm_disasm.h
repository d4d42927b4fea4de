// LLVM's view of BPF bytecode, as a reference for our decoder and printer.
//
// How it works: LlvmDisassembler sets up LLVM 14's MC layer from the shared libLLVM
// (target "bpfel", subtarget features "+alu32" so 32-bit sub-registers print as wN,
// as `llvm-objdump -d --mattr=+alu32` does), then walks a byte buffer asking the BPF
// MCDisassembler for one instruction at a time and printing it with the BPF
// MCInstPrinter.  Tests compare this with our decode() + print_insn().
//
// LLVM 14 predates several parts of the ISA and decodes some encodings loosely
// (it ignores `off` on ALU, so sdiv prints as div and movsx as mov; it ignores
// src_reg on calls and imm on atomics).  llvm14_support() says, for one of our
// decoded instructions, whether LLVM 14's text for it can be trusted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "isa/insn.h"
#include "isa/result.h"

namespace bpfvet::isa {

/// One instruction as LLVM decoded it.
struct LlvmInsn {
  size_t offset = 0;   // byte offset in the buffer
  size_t size = 0;     // 8, or 16 for lddw
  bool valid = false;  // false: LLVM rejected the encoding (text is empty, size 8)
  std::string text;    // LLVM's printed text, trimmed, tabs turned to spaces
};

/// An LLVM 14 MC disassembler for little-endian BPF.  Not thread-safe; create one per thread.
class LlvmDisassembler {
 public:
  /// Fails when the BPF target is missing from libLLVM.
  static Result<std::unique_ptr<LlvmDisassembler>> create(bool alu32 = true);
  ~LlvmDisassembler();
  LlvmDisassembler(const LlvmDisassembler&) = delete;
  LlvmDisassembler& operator=(const LlvmDisassembler&) = delete;

  /// Every instruction of `bytes`, in order; an undecodable slot yields one invalid
  /// 8-byte entry and decoding resumes after it.  A trailing partial slot is invalid.
  std::vector<LlvmInsn> disassemble(std::span<const uint8_t> bytes) const;

 private:
  struct Impl;
  explicit LlvmDisassembler(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Convenience: one-shot disassembly with a fresh LlvmDisassembler.
Result<std::vector<LlvmInsn>> llvm_disassemble(std::span<const uint8_t> bytes, bool alu32 = true);

/// How well LLVM 14 knows an instruction of ours.
enum class Llvm14Support {
  None,        // LLVM 14 rejects or misdecodes it (mod, v4 forms, JSET, ST, kfunc/local calls, ...)
  DisasmOnly,  // decodes and prints it faithfully, but llvm-mc cannot parse that text
               // (fetch atomics, xchg, cmpxchg, ld_pseudo)
  Full,        // llvm-mc assembles our printed text to the same bytes, and disassembles back
};

/// LLVM 14's support for `insn` (found by experiment with llvm-mc-14; checked by isa_llvm_test).
Llvm14Support llvm14_support(const Insn& insn);

}  // namespace bpfvet::isa
