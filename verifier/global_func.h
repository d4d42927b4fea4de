// Global (non-static) functions: the kernel verifies each one on its own, with its
// arguments typed by BTF (a pointer to the context struct is the context, any other
// pointer is memory of the pointee's size that may be NULL, everything else a scalar),
// and a call to one only checks the arguments against those types and returns an
// unknown scalar.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "verifier/transfer.h"

namespace bpfvet::verifier {

struct GlobalArg {
  enum class Kind : uint8_t { Scalar, Ctx, Mem } kind = Kind::Scalar;
  uint32_t size = 0;  // Mem: bytes the function may access
};

struct GlobalFunc {
  uint32_t start = 0;
  std::string name;
  std::vector<GlobalArg> args;
};

/// The BTF signature of the function starting at `start` when it is global and the
/// program carries BTF for it; nullopt otherwise (then it is verified as a static one).
std::optional<GlobalFunc> global_func_at(const isa::Program& prog, uint32_t start);

/// The arguments of a call to `f` (kernel: btf_check_subprog_call).
Check check_global_call(Step& s, const GlobalFunc& f);

/// The state a global function is verified from: r1..r5 typed by its signature.
AbstractState global_func_entry(const GlobalFunc& f, RunIds& ids);

}  // namespace bpfvet::verifier
