// Whether a program calls a kfunc: the mock runtime runs none (the interpreter and
// JITs refuse such programs), so the engine corpus tests verify them only.
#pragma once

#include "isa/program.h"

namespace bpfvet {

/// True when any instruction of `p` is a BPF_PSEUDO_KFUNC_CALL.
inline bool calls_kfunc(const isa::Program& p) {
  for (const auto& in : p.insns)
    if (in.kind == isa::Kind::Call && in.call == isa::CallKind::Kfunc) return true;
  return false;
}

}  // namespace bpfvet
