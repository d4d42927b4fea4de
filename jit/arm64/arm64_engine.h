// The "arm64" engine: verified programs compiled by the ARM64 JIT and run on an
// emulated AArch64 CPU (unicorn), so it works on any host; on an AArch64 host verified
// code runs natively instead (a64_native.h; the result says emulated: false and has
// no instruction count or cycle estimate), unverified code stays emulated.
//
// How it works: an Arm64Session (arm64_emulator.h) builds the Runtime from the request
// and compiles the entry program with arm64::compile(); each run starts the emulator
// at the entry with r1/r2 in x0/x1 and the frame pointer in x25, and the result is
// collected from the Runtime exactly as the interpreter's, so engines compare equal.
// Like the interpreter, the unverified mode (--no-verify, or a session whose tail
// calls reach other programs) checks every access.  The run result is marked emulated
// and carries the cost of the first run: the A64 instructions it executed (exact and
// deterministic) and the cycles it would take on kDefaultMcaCpu, a static estimate
// from LLVM's MCA over the blocks the run entered (a64_mca.h).
#pragma once

#include <memory>
#include <string>

#include "isa/program.h"
#include "isa/result.h"
#include "jit/engine.h"

namespace bpfvet::jit {

/// The "arm64" engine (available on AArch64 hosts and wherever unicorn can emulate AArch64).
std::unique_ptr<Engine> make_arm64_engine();

namespace arm64 {

/// Listing of `prog` as the arm64 engine compiles it (verified mode unless `checked`):
/// every BPF instruction as the kernel's log prints it, then its A64 instructions with
/// address, word and LLVM's text.  Map addresses come from a scratch runtime built for
/// the program when possible, else they read as 0.
Result<std::string> listing(const isa::Program& prog, bool checked = false);

}  // namespace arm64
}  // namespace bpfvet::jit
