// Assembler: eBPF assembly text to instruction slots.
//
// How it works: each line is lexed (asm_lexer.h) and parsed on its own by a flat,
// non-recursive recogniser that builds the instruction with the `make::`
// constructors of insn.h, so the opcode table is the only source of encodings.
// References to labels are recorded as fix-ups and patched in a second pass once
// every label's slot index is known; a jump's offset is target - (pc + 1).
//
// Accepted syntax is the union of the kernel verifier log's and LLVM's (and what
// printer.h prints, so a `bpfvet disasm` listing pastes back in):
//   * an optional leading `IDX:` and `(OPCODE)`; when the opcode is given it must match
//     the instruction's (and `(18) r1 = 0x5` is a 64-bit load, as the kernel prints it);
//   * labels `name:` (also before an instruction on the same line), targets of
//     `goto name`, `if ... goto name`, `gotol name`, `may_goto name`, `call name`
//     (bpf-to-bpf) and `r1 = func(name) ll`;
//   * jump targets `+3`, `-2`, `pc+3`; memory operands `(r1 +4)`, `(r1 + 4)`, `(r1)`;
//   * immediates in decimal or hex, negative with `-`; 32-bit fields take
//     -2^31 .. 2^32-1 (hex bit patterns as the kernel prints them), offsets -2^15 .. 2^15-1;
//   * LLVM's atomics (`lock *(u32 *)(r1 + 0) += w2`, `r2 = atomic_fetch_or((u64 *)(r1 + 0), r2)`,
//     `xchg_64`, `cmpxchg32_32`, ...) and the kernel's (`atomic64_fetch_add`, `atomic64_xchg`,
//     `atomic_cmpxchg`, ...), `ld_pseudo r1, 1, 3`, and
//     `call bpf_map_lookup_elem#1` (a known name must match the number);
//   * `call NAME` calls the label NAME when the program defines one, else the helper
//     NAME (`call bpf_map_lookup_elem` or `call map_lookup_elem`, from helpers.h);
//   * comments after `;`, `//` or a word-initial `#`, and a verifier log's state dump
//     that follows an instruction on its line (`if r1 > 0x5 goto pc+3 13: R0=...`);
//     blank lines; the directives
//     .text .globl .global .p2align .align .type .size .file .loc are ignored.
// Every error is one line `FILE:LINE: message` naming the offending token or value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "isa/insn.h"
#include "isa/result.h"

namespace bpfvet::isa {

/// Assembled text with where each slot came from.
struct Assembly {
  std::vector<RawInsn> insns;
  std::vector<uint32_t> lines;  // 1-based source line of each slot (both slots of a lddw)
  std::vector<std::pair<std::string, size_t>> labels;  // label -> slot index, in source order
  std::vector<size_t> call_targets;  // slot indices that a bpf-to-bpf call or func() names, sorted, unique
};

/// The most instruction slots a program may have: the kernel's BPF_PROG_LOAD refuses
/// a longer one (E2BIG) even for a privileged loader, so the assembler stops there.
inline constexpr size_t kMaxAssemblySlots = 1000000;

/// Assembles `text`; errors read `filename:line: message`.  Input with no
/// instruction at all, or with more than kMaxAssemblySlots slots, is an error.
Result<Assembly> assemble_listing(std::string_view text, const std::string& filename = "<input>");

/// Assembles `text` to instruction slots (see assemble_listing).
Result<std::vector<RawInsn>> assemble(std::string_view text, const std::string& filename = "<input>");

}  // namespace bpfvet::isa
