// Control-flow checks done before exploration, as the kernel's check_subprogs and
// check_cfg: subprograms from call targets, every jump inside its function and not into
// the middle of an lddw, each function ending in exit or goto, no unreachable
// instruction, no back-edge on kernels without bounded loops.  Also marks prune points
// and computes the registers live before every instruction (for pruning).
#pragma once

#include "verifier/context.h"
#include "verifier/reject.h"

namespace bpfvet::verifier {

/// Fills ctx.subprogs and ctx.info; the first structural problem is returned with the
/// kernel's wording and instruction index.
Check check_cfg(VerifierContext& ctx);

/// Control-flow successors of the instruction at pc (within its function; a local call
/// continues at pc + 1).
std::vector<int64_t> successors(const VerifierContext& ctx, int64_t pc);

}  // namespace bpfvet::verifier
