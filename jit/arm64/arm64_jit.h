// The ARM64 JIT: eBPF programs translated to A64 machine code, as Linux's arm64 JIT does.
//
// How it works: compile() walks the decoded program once and emits, per BPF slot, a
// short A64 sequence into a CodeBuffer (labels per slot, imm19/imm26 fixups for
// jumps).  Registers follow the kernel's mapping: r0 = x7, r1-r5 = x0-x4 (the AAPCS64
// argument registers, so helper arguments need no moves), r6-r9 = x19-x22
// (callee-saved), r10 = x25 (the BPF frame pointer); x9-x12 are scratch, x27 holds
// the may_goto budget of the current frame.  Every function (the entry and each
// bpf-to-bpf callee) gets the same prologue: save x29/x30, x19-x22, x25/x27 on the
// native stack, then x25 -= 512 (the caller's frame pointer minus one 512-byte BPF
// frame, as the runtime lays frames out), then the may_goto budget; exit restores and
// returns.  A tail call lands after the prologue of its target, reusing the frame.
//
// Calls into the host runtime go to fixed trampoline addresses below the code: a BL
// to kTrampolineBase + 4 * id is helper `id` (arguments already in x0-x4, result
// in x0); services (tail call lookup, legacy packet loads, the unverified mode's
// access checks, fatal conditions) sit at kTrampolineBase + kServiceOffset.  Whoever
// runs the code (the unicorn emulator, arm64_emulator.h) intercepts those addresses.
//
// Kernel semantics that A64 gives for free or nearly: UDIV/SDIV return 0 for a zero
// divisor and INT_MIN / -1 = INT_MIN without trapping; modulo is a division plus
// MSUB, which keeps the dividend for a zero divisor and gives 0 for -1; W-register
// writes zero the upper 32 bits; register shift amounts are taken modulo the width.
// Atomics use LSE (LDADDAL, LDCLRAL, SWPAL, CASAL...) or, with `lse = false`, an
// LDAXR/STLXR loop followed by DMB ISH.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "isa/insn.h"
#include "isa/program.h"
#include "isa/result.h"
#include "jit/arm64/a64_encoder.h"

namespace bpfvet::jit::arm64 {

inline constexpr uint64_t kTrampolineBase = 0x10'0000'0000ull;
inline constexpr uint32_t kTrampolineSize = 0x10000;
inline constexpr uint32_t kMaxHelperId = 0x2000;    // helper slots: base + 4 * id
inline constexpr uint32_t kServiceOffset = 0x8000;  // service slots: base + 0x8000 + 4 * code
inline constexpr uint64_t kCodeBase = kTrampolineBase + kTrampolineSize;
inline constexpr uint64_t kCodeSize = 64ull << 20;  // all programs of a session; BL reaches it all
inline constexpr uint32_t kMayGotoBudget = 8 * 1024 * 1024;

/// Services the generated code calls (trampoline slot numbers).
enum class Service : uint32_t {
  Stop = 0,       // return address of the outermost frame: the run is over
  FellOff = 1,    // execution ran past the last instruction
  TailCall = 2,   // x1 = prog array, x2 = index; answers x10 = target address or 0
  CallDepth = 3,  // a bpf-to-bpf call would exceed the frame limit (unverified mode)
  LdAbs = 4,      // + log2(size): x10 = packet offset; answers x7 (or ends the run)
  Helper = 7,     // x10 = a helper id outside the trampoline table, x0-x4 its arguments; answers x0
  Check = 16,     // + log2(size) + 4 * write + 8 * atomic: x10 = address to check
};
inline constexpr uint64_t service_address(uint32_t code) {
  return kTrampolineBase + kServiceOffset + 4ull * code;
}
inline constexpr uint64_t helper_address(uint32_t id) { return kTrampolineBase + 4ull * id; }

struct Options {
  uint64_t base = kCodeBase;       // address the code will run at
  bool checked = false;            // unverified mode: check every access and the call depth
  bool lse = true;                 // LSE atomics, else LDAXR/STLXR loops
  uint64_t min_frame_pointer = 0;  // checked mode: lowest valid callee frame pointer
};

/// A compiled program.
struct Compiled {
  uint64_t base = 0;
  std::vector<uint32_t> code;              // A64 words
  std::vector<uint32_t> slot_offset;       // byte offset of each BPF slot's code; one extra: the end
  uint32_t body = 0;                       // byte offset where tail calls into this program land
  std::vector<uint32_t> function_entries;  // byte offsets of every function's prologue
  /// The BPF slot whose code contains address `addr`, or -1.
  int64_t slot_at(uint64_t addr) const;
};

/// Value of a 64-bit immediate load other than Pseudo::Func (constants, map handles,
/// map value addresses): the runtime's answer.
using ImmResolver = std::function<Result<uint64_t>(const isa::Insn&)>;

/// Translates `prog`.  Error for what the JIT cannot run (kfunc calls, a 64-bit
/// immediate the resolver rejects, branches out of range).
Result<Compiled> compile(const isa::Program& prog, const Options& opt, const ImmResolver& resolve);

/// The scratch and mapped registers, for tests and listings.
inline constexpr a64::Reg kBpfReg[11] = {7, 0, 1, 2, 3, 4, 19, 20, 21, 22, 25};

}  // namespace bpfvet::jit::arm64
