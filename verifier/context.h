// VerifierContext: everything one verification run reads but never changes.
//
// The program, the options, the rules of the chosen kernel version and privilege, and
// per-instruction facts computed before exploration (which function an instruction
// belongs to, prune points, registers live before it).  Passed explicitly to every
// check and transfer function; there is no global state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "isa/kernel_version.h"
#include "isa/program.h"
#include "verifier/verifier.h"

namespace bpfvet::verifier {

/// What differs between kernel versions and privilege levels.  The switches are the
/// kernel's env fields of the same names, set from the loader's capabilities.
struct KernelRules {
  isa::KernelProfile profile;    // the release's feature set
  isa::Caps caps = isa::Caps::Full;
  bool privileged = true;        // env->bpf_capable (CAP_BPF): 1M insns, loops, precise spills
  bool bounded_loops = true;     // 5.3+: back-edges explored instead of rejected
  bool allow_uninit_stack = true;// 6.5+ CAP_PERFMON: reading unwritten stack gives unknown
  bool allow_ptr_leaks = true;   // CAP_PERFMON: pointers may be stored/compared/returned
  bool bypass_spec_v1 = true;    // CAP_PERFMON: no Spectre v1 pointer-arithmetic limits
  bool bypass_spec_v4 = true;    // CAP_PERFMON: no Spectre v4 store sanitation (no verdict change)
  uint32_t max_insns = 1000000;  // program size limit in slots
  uint64_t complexity_limit = 1000000;  // processed-instruction budget
  bool has_jmp32 = true;         // 5.1+
  bool has_isa_v4 = true;        // 6.6+: sdiv/smod, movsx, ldsx, bswap, gotol
  bool iterated_callbacks = true;// 6.7+: callbacks walked repeatedly from their call (see below)
};

/// Rules for `kernel` ("latest", "5.4", "6.1.0"...) and capabilities; an Error for a
/// version string parse_kernel_version() refuses.
Result<KernelRules> kernel_rules(const std::string& kernel, isa::Caps caps);

/// One function (subprogram) of the program: [start, end).
struct Subprog {
  uint32_t start = 0;
  uint32_t end = 0;
  uint32_t stack_depth = 0;  // deepest stack use seen during exploration (bytes)
};

/// Per-instruction facts known before exploration.
struct InsnInfo {
  int32_t subprog = -1;       // index in VerifierContext::subprogs
  bool prune_point = false;   // is_state_visited() runs here
  bool jmp_point = false;
  uint16_t live_regs = 0xffff;  // bit r: register r may be read before written from here
};

struct VerifierContext {
  const isa::Program& prog;
  const VerifyOptions& opts;
  KernelRules rules;
  std::vector<Subprog> subprogs;   // sorted by start; subprogs[0] is the entry
  std::vector<InsnInfo> info;      // one per slot

  const isa::Insn& insn(int64_t pc) const { return prog.insns[static_cast<size_t>(pc)]; }
  int64_t insn_count() const { return static_cast<int64_t>(prog.insns.size()); }
  /// Index of the subprogram starting at `start`, or -1.
  int subprog_at(uint32_t start) const;
};

/// True for a helper call whose callback the helper calls synchronously, any number of
/// times (bpf_loop, bpf_for_each_map_elem, bpf_find_vma, bpf_user_ringbuf_drain), under
/// rules where the verifier walks such callbacks repeatedly (Linux 6.7+): the call is a
/// prune point with a forced checkpoint, each walk of the callback returns to the call,
/// which schedules another until the states converge (bpf_loop: at most nr_loops).
bool iterates_callback(const VerifierContext& ctx, const isa::Insn& in);

}  // namespace bpfvet::verifier
