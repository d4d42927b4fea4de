// Transfer functions: one instruction applied to one abstract state.
//
// Each function first runs the instruction's safety checks (register initialized,
// pointer operation allowed, memory access inside its region) and returns the first
// failure as a Reject worded as the kernel's log; only when every check passes does it
// update the state.  Branches and calls that create or end paths are handled by the
// explorer (explorer.h); these functions see one path at a time.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <utility>

#include "verifier/abstract_state.h"
#include "verifier/context.h"
#include "verifier/reject.h"

namespace bpfvet::verifier {

/// Mutable facts shared by every path of one run (the kernel's env->id_gen and the
/// per-instruction sanitation records).
struct RunIds {
  uint32_t next = 0;
  uint32_t fresh() { return ++next; }
  /// Per instruction, the Spectre v1 masking the kernel would apply to a pointer add/sub
  /// with a register operand (its insn_aux alu_state/alu_limit): every path through the
  /// instruction must need the same one (sanitize_ptr_alu's "different paths" rule).
  std::map<int64_t, std::pair<uint32_t, uint32_t>> alu_sanitation;
  /// Spectre barriers (insn_aux nospec / nospec_result): speculative paths stop before
  /// an instruction in `nospec` (one failed there) and after one in `nospec_result` (a
  /// store the kernel sanitises against Spectre v4).
  std::set<int64_t> nospec, nospec_result;
};

/// What a transfer function works on: the run's context, one path's state, the id
/// generator, and the index of the instruction being executed.
struct Step {
  const VerifierContext& ctx;
  AbstractState& st;
  RunIds& ids;
  int64_t pc;
};

/// "R%d !read_ok" unless register r holds something.
Check check_reg_read(const Step& s, int r);
/// "frame pointer is read only" for r10 as a destination.
Check check_reg_write(int r);

/// ALU and ALU64 instructions (kernel: check_alu_op).
Check exec_alu(Step& s, const isa::Insn& in);
/// lddw: constants, map pointers, map value addresses, function addresses.
Check exec_ld_imm64(Step& s, const isa::Insn& in);
/// Loads, stores and atomics (kernel: check_mem_access and friends).
Check exec_load(Step& s, const isa::Insn& in);
Check exec_store(Step& s, const isa::Insn& in);
Check exec_atomic(Step& s, const isa::Insn& in);
/// Legacy LD_ABS / LD_IND packet loads.
Check exec_ld_abs(Step& s, const isa::Insn& in);

/// Zero-extending (or sign-extending) truncation of a scalar to `size` bytes, as after a
/// narrow load (kernel: coerce_reg_to_size / coerce_reg_to_size_sx).
Scalar coerce_to_size(const Scalar& v, uint8_t size, bool sign_extend);

/// check_map_access's bounds for `size` bytes at off (plus the variable part) of the map
/// value pointer `reg` held in `regno`.
Check check_map_value_region(const Step& s, int regno, const RegState& reg, int64_t off, int size);

/// Memory access of `size` bytes at reg + off (off includes nothing of reg->off).
/// `write`: a store; `value_reg`: register loaded into or stored from (-1 for none).
/// Shared with helper-argument checks.
Check check_mem_access(Step& s, int regno, int32_t off, int size, bool write, int value_reg, bool sign_extend);

/// Helper argument access to [reg, reg + size) of stack memory: bytes must be
/// initialized unless `write_only`; marks them written when the helper writes.
Check check_stack_range(Step& s, int regno, int64_t size, bool write_only, bool zero_size_ok);

/// Outcome of a conditional jump on one path.
struct BranchResult {
  bool fallthrough_feasible = true;
  std::optional<AbstractState> taken;  // the state at the jump target, when feasible
  bool taken_is_current = false;       // always taken, state unchanged: `taken` left empty (no copy)
  bool decided = false;                // the outcome was known (is_branch_taken), state unchanged
};
/// Conditional jumps (kernel: check_cond_jmp_op): decides dead branches, refines both
/// sides, null checks, packet range checks.  `s.st` becomes the fallthrough state.
Check exec_cond_jmp(Step& s, const isa::Insn& in, BranchResult& out);

/// Helper calls (kernel: check_helper_call).
Check exec_helper_call(Step& s, const isa::Insn& in);
/// Kfunc calls (kernel: check_kfunc_call), kfunc_call.cpp.
Check exec_kfunc_call(Step& s, const isa::Insn& in);

/// The size argument in `regno` of a (memory in regno - 1, size) argument pair
/// (kernel: check_mem_size_reg), shared by helper and kfunc calls.
Check check_mem_size_arg(Step& s, int regno, bool zero_ok, bool write);
/// Releases reference `ref`: registers and dynptrs holding it become unusable.
void release_ref(AbstractState& st, uint32_t ref, bool allow_ptr_leaks);

}  // namespace bpfvet::verifier
