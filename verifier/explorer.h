// Explorer: the kernel's do_check loop.  Walks every path depth-first from the entry
// state, one instruction at a time; a conditional jump with both outcomes possible
// pushes the jump target's state on a work stack.  At prune points the current state
// is compared with the states already explored there: one that includes it ends the
// path ("N: safe"); one still being explored (a loop head on the current path) that
// equals it exactly is an infinite loop.  bpf-to-bpf calls push a frame.
#pragma once

#include <string>
#include <vector>

#include "verifier/context.h"
#include "verifier/reject.h"

namespace bpfvet::verifier {

struct ExploreResult {
  Check error;                    // first rejection, insn set
  Stats stats;
  std::string log;                // kernel-format log lines (log_level >= 1)
  std::vector<InsnFacts> facts;   // per slot
};

/// Explores the program whose CFG was already checked (ctx.subprogs/info filled).
ExploreResult explore(const VerifierContext& ctx);

}  // namespace bpfvet::verifier
