// Printer: one decoded instruction to text, in the syntax `assemble()` reads back.
//
// How it works: print_insn() switches on Insn::kind and spells the instruction the
// way the kernel's verifier log (kernel/bpf/disasm.c) and LLVM's BPF assembler do.
// Where the two differ, the LLVM 14 spelling wins, so that every instruction LLVM 14
// knows re-assembles with llvm-mc to the same bytes; every printed line also
// re-assembles with our own assembler (tests/isa_asm_test.cpp checks both over every
// opcode form).  The choices, with the spellings for forms LLVM 14 lacks:
//
//   ALU            r1 += r2   w1 += w2   r1 += -8 (imm in signed decimal)
//                  r1 = r2    w1 = 5     r1 = -r1   w1 = -w1
//   v4 ALU         r1 s/= r2  r1 s%= 5   r1 = (s8)r2  w1 = (s16)w2  r1 = (s32)r2
//   byte order     r1 = le16 r1   r1 = be32 r1   r1 = bswap64 r1 (ALU64 END)
//   jumps          goto +3    goto -1    if r1 > r2 goto +3   if w1 s< 5 goto -2
//                  if r1 & r2 goto +3 (JSET; LLVM >= 18)
//                  gotol +5   may_goto +3
//   calls          call 1 (helper)   call pc+5 (bpf-to-bpf, kernel spelling)
//                  call kfunc(123)   call kfunc(123, 2) (kfunc BTF id, module fd index)
//   exit           exit
//   lddw           r1 = 0x1234 ll (value in unsigned hex, all 64 bits)
//                  r1 = map_fd(3) ll      r1 = map_value(3, 16) ll
//                  r1 = btf_id(5) ll      r1 = func(pc+4) ll
//                  r1 = map_idx(0) ll     r1 = map_idx_value(0, 16) ll
//   loads          r0 = *(u32 *)(r1 +4)   r0 = *(s8 *)(r10 -8) (ldsx)
//   stores         *(u64 *)(r10 -8) = r1  *(u32 *)(r10 -8) = 5
//   atomics        lock *(u64 *)(r1 +0) += r2     lock *(u32 *)(r1 +0) |= w2
//                  r2 = atomic_fetch_add((u64 *)(r1 +0), r2)
//                  w2 = atomic_fetch_xor((u32 *)(r1 +0), w2)
//                  r2 = xchg_64(r1 +8, r2)        w2 = xchg32_32(r1 +8, w2)
//                  r0 = cmpxchg_64(r1 +8, r0, r2) w0 = cmpxchg32_32(r1 +8, w0, w2)
//                  r0 = load_acquire((u64 *)(r1 +0))  w0 = load_acquire((u8 *)(r1 +0))
//                  store_release((u64 *)(r1 +0), r2)  store_release((u16 *)(r1 +0), w2)
//   legacy packet  r0 = *(u8 *)skb[4]   r0 = *(u16 *)skb[r1]   r0 = *(u32 *)skb[r1 + 4]
//
// Memory offsets print as the kernel does, `(r10 -8)` / `(r1 +0)`, which LLVM also
// accepts.  The second slot of a lddw (Kind::LdImm64Hi) prints as an empty string:
// like the kernel's log, a listing skips it (the next index printed is pc + 2).
#pragma once

#include <cstdint>
#include <string>

#include "isa/insn.h"

namespace bpfvet::isa {

/// The text of one instruction at index `pc` (no index, no opcode, no newline).
/// Empty for Kind::LdImm64Hi; "invalid" for Kind::Invalid.
std::string print_insn(const Insn& insn, int64_t pc);

/// The verifier-log line `IDX: (OPCODE) TEXT`, e.g. `12: (61) r2 = *(u32 *)(r1 +0)`,
/// opcode as two lowercase hex digits.  Empty for Kind::LdImm64Hi.
std::string disasm_line(const Insn& insn, int64_t pc);

}  // namespace bpfvet::isa
