// Running ARM64 JIT code natively on an AArch64 host, with the same calling
// conventions as the unicorn emulator (arm64_emulator.h), so the generated code is
// byte-for-byte the one the emulator runs.
//
// How it works: create() reserves the trampoline page at kTrampolineBase and the code
// area at kCodeBase at those fixed addresses (MAP_FIXED_NOREPLACE), so the JIT's BLs to
// helper_address()/service_address() land in our page.  Every 4-byte slot of that page
// is a `B` to a veneer at the page's end (LDR x16 / BR x16) that jumps to a host
// assembly stub.  The stub saves x0-x30 into a NativeRegs on the native stack and calls
// the dispatcher, which recovers the slot the code wanted: either x30 itself points
// into the page (the program RET to the Stop slot that enter() put in x30), or x30 - 4
// holds the BL whose imm26 names the slot.  The handler sees the slot offset and the
// registers, may change them (x0 for a helper's result, x7, x10 for services), and
// answers continue or stop.  Continue restores every register (so, as in the
// emulator, only what the handler wrote changes) and returns to the code; stop
// unwinds to the innermost enter(), restoring the host's callee-saved registers and
// stack pointer (a longjmp written in assembly: no C++ frame is skipped, since the
// dispatcher has returned), and enter() returns the saved x7 (BPF r0).  Callbacks may
// call enter() again from inside a handler; each enter() has its own exit frame.
// Code is written with load(): the pages are made writable, written, made
// read+execute again and the instruction cache is flushed (W^X throughout).
//
// On other hosts everything compiles, and create()/native_available() answer
// "native ARM64 execution needs an ARM64 host"; the arm64 engine keeps using unicorn.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "isa/result.h"

namespace bpfvet::jit::arm64 {

/// Ok on an AArch64 host; otherwise an Error saying native execution needs one.
Status native_available();

/// The generated code's registers at a trampoline call: x[0..30] (x30 = return address).
struct NativeRegs {
  uint64_t x[32];  // x[31] is padding (keeps the save area 16-byte aligned)
};

/// Called for every entry into the trampoline page.  `slot_offset` is the entered
/// slot's offset from kTrampolineBase (helper id * 4, or kServiceOffset + 4 * code),
/// or ~0 when the caller could not be identified.  Answers true to return to the
/// code with `regs` (as modified), false to end the innermost enter().
using NativeHandler = bool (*)(void* user, uint64_t slot_offset, NativeRegs& regs);

class NativeA64 {
 public:
  /// Maps the trampoline page and the code area at their fixed addresses.  Error on a
  /// non-AArch64 host, or when the addresses are taken (only one live runner per process).
  static Result<std::unique_ptr<NativeA64>> create(NativeHandler handler, void* user);
  ~NativeA64();
  NativeA64(const NativeA64&) = delete;
  NativeA64& operator=(const NativeA64&) = delete;

  /// Writes `words` at kCodeBase + `offset` (W^X, instruction cache flushed).  Error
  /// when the range leaves the code area or mprotect fails.
  Status load(uint64_t offset, std::span<const uint32_t> words);
  /// Runs the code at `addr` with x0-x4 = `args`, x25 = `fp`, x30 = the Stop slot and
  /// the other mapped registers zero, on the caller's native stack, until the handler
  /// answers stop (the Stop slot included); returns x7 at that moment.
  uint64_t enter(uint64_t addr, const uint64_t args[5], uint64_t fp);

  /// Used by the assembly stub: dispatches one trampoline entry and answers the exit
  /// frame to unwind to, or 0 to continue.
  uint64_t dispatch(NativeRegs& regs);

 private:
  NativeA64(NativeHandler h, void* u) : handler_(h), user_(u) {}
  NativeHandler handler_;
  void* user_;
  uint8_t* area_ = nullptr;          // trampoline page + code area
  std::vector<uint64_t*> exits_;     // exit frames of the nested enter() calls
};

}  // namespace bpfvet::jit::arm64
