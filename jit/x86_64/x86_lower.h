// x86-64 lowering: eBPF instructions to machine code, one function per instruction class.
//
// How it works: compile_program() walks a decoded Program once, binding a CodeBuffer
// label at every slot so jumps and bpf-to-bpf calls are plain rel8/rel32 branches, and
// lowers each instruction with the Encoder under a fixed register map like Linux's
// (r0=rax, r1=rdi, r2=rsi, r3=rdx, r4=rcx, r5=r8, r6=rbx, r7=r13, r8=r14, r9=r15,
// r10=rbp).  r12 holds the JitState pointer for the whole run; r9, r10 and r11 are
// scratch.  Because r1-r5 already sit in the System V argument registers, a helper
// call only adds the JitState as sixth argument and calls a runtime trampoline.
//
// Frames: each BPF function is native code ending in `ret`; a bpf-to-bpf call pushes
// r6-r9 and the caller's may_goto budget, moves r10 down 512 bytes in the runtime's
// stack region, and `call`s the target, so the native stack stays 16-byte aligned at
// every helper call.  The run starts in a stub (x86_64_engine.cpp) that saves the
// callee-saved registers and records the native stack pointer in the JitState;
// anything that must stop the run (a fault, a failed helper, a legacy packet load out
// of bounds) jumps to the stub's unwind code, which restores that stack pointer.
//
// Unverified programs (checked = true): every load, store and atomic computes its
// address into r11 and calls a shared thunk that looks it up in the runtime's region
// table; backward jumps count down a budget; call depth is bounded.  Verified programs
// get none of that: the verifier proved it.  32-bit operations zero-extend for free on
// x86-64, so no explicit zero-extension is ever emitted; constants stay immediates;
// compare-and-branch is one cmp/test plus one jcc; division by a power-of-two constant
// becomes a shift or a mask, by another constant a multiply-high; a register copy
// followed by an add into it is one LEA.  Address folding (verified code): when such an
// `rX = rB; rX += rC|imm` is used, until rX dies (per a liveness analysis), only as
// the base of loads and stores and as the source of `rY = rX; rY += imm`, rX is never
// computed: those uses address [rB + rC + imm] directly.  Jump shortening: when the first lowering has
// forward rel32 jumps, a second lowering makes rel8 every one whose distance in the
// first fits (code only shrinks in between, so it still fits).  Loop alignment: a loop
// of at most 64 bytes (from a backward jump's target to the jump) that would straddle
// two 64-byte lines starts, in the second lowering, at the next line after multi-byte
// NOPs (the jump bound above allows for that padding); a first lowering with such a
// loop triggers the second one even without jumps to shorten.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "isa/program.h"
#include "isa/result.h"

namespace bpfvet::jit::x86 {

/// Per-run state shared by generated code and the runtime glue (offsets are used
/// by the generated code: keep it standard-layout).
struct JitState {
  uint64_t entry_rsp = 0;   // native stack pointer to unwind to
  uint64_t unwind = 0;      // address of the stub's unwind code
  uint64_t loops = 0;       // may_goto iterations left in the current frame
  uint64_t min_fp = 0;      // lowest frame pointer a bpf-to-bpf call may create
  uint64_t lowest_fp = 0;   // lowest frame pointer used so far
  uint64_t budget = 0;      // backward jumps left (unverified runs)
  uint64_t cur_fp = 0;      // r10 at the latest helper call
  uint32_t failed = 0;      // kFailError / kFailLegacy when unwinding
  uint32_t fault_kind = 0;  // FaultKind when generated code stopped the run itself
  uint32_t fault_pc = 0;    // slot of the failing instruction or helper call
  int32_t helper_id = 0;    // helper being called
  uint32_t module = 0;      // module (program) running, for messages
  uint32_t tail_calls = 0;
  uint64_t args[5] = {};    // r1-r5 on entry
  uint64_t fp = 0;          // r10 on entry
  void* session = nullptr;  // the engine's session
};

inline constexpr uint32_t kFailError = 1;
inline constexpr uint32_t kFailLegacy = 2;  // a legacy packet load ended the program with r0 = 0
inline constexpr uint64_t kFuncTag = 0xbf00000000000000ull;  // callback values: tag | module << 32 | pc
inline constexpr uint64_t kMayGotoLoops = 8 * 1024 * 1024;

/// Why generated code stopped a run on its own.
enum class FaultKind : uint32_t { None, FellOff, CallDepth, Budget };

/// Bits of the access descriptor passed to the memory check: size | write | atomic | pc.
inline constexpr uint32_t kAccessWrite = 0x10;
inline constexpr uint32_t kAccessAtomic = 0x20;
inline constexpr uint32_t kAccessPcShift = 8;

/// What generated code needs from its surroundings.
struct LowerEnv {
  bool checked = false;       // unverified: check every access, bound loops and depth
  uint32_t module = 0;        // id used in callback values
  /// Value of a 64-bit immediate load other than a callback (constants, maps).
  std::function<Result<uint64_t>(const isa::Insn&)> ld_imm64;
  // Absolute addresses of the runtime entry points (see x86_64_engine.cpp):
  uint64_t helper_fn = 0;   // uint64_t (r1, r2, r3, r4, r5, JitState*)
  uint64_t tail_fn = 0;     // uint64_t (JitState*, map, index): target code or 0
  uint64_t check_fn = 0;    // uint64_t (JitState*, addr, descriptor): 0 stops the run
  uint64_t legacy_fn = 0;   // uint64_t (JitState*, offset, size)
};

/// Machine code of one program.
struct CompiledProgram {
  std::vector<uint8_t> code;
  std::vector<uint32_t> insn_offset;  // per slot: where its code starts; back() = end of the body
  double compile_us = 0;
};

/// Lowers every instruction of `prog`.  Error "insn N: ..." for what cannot be
/// compiled (kfunc calls, jumps outside the program, an unresolvable map).
Result<CompiledProgram> compile_program(const isa::Program& prog, const LowerEnv& env);

}  // namespace bpfvet::jit::x86
