// The "x86_64" engine: verified programs compiled to x86-64 code and run natively.
//
// How it works: a session (one Runtime, as the interpreter uses) compiles the entry
// program with compile_program() (x86_lower.h) into W^X executable memory, plus a small
// entry stub that saves the callee-saved registers, loads r1-r5 and r10 from the
// JitState and calls the code.  Helper calls, tail calls (whose targets are compiled
// on first use), callbacks (bpf_loop & co. re-enter through the stub one frame down),
// legacy packet loads and the unverified mode's access checks go through small C++
// trampolines that the generated code calls with the System V ABI.  Results are
// collected from the Runtime exactly as the interpreter's, so engines compare equal.
#pragma once

#include <memory>

#include "jit/engine.h"
#include "jit/x86_64/x86_lower.h"

namespace bpfvet::jit {

/// The "x86_64" engine (available on x86-64 hosts only).
std::unique_ptr<Engine> make_x86_64_engine();

namespace x86 {

/// Machine code for `prog` as the engine would run it (verified mode unless
/// `checked`), for listings: map addresses come from a scratch runtime built for the
/// program when possible, else they read as 0.
Result<CompiledProgram> compile_for_listing(const isa::Program& prog, bool checked);

}  // namespace x86
}  // namespace bpfvet::jit
