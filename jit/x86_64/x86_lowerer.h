// The lowering pass's private state (jit/x86_64/x86_lower*.cpp only).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "jit/code_buffer.h"
#include "jit/x86_64/x86_encoder.h"
#include "jit/x86_64/x86_lower.h"

namespace bpfvet::jit::x86 {

/// eBPF register n -> x86-64 register (r0..r10).
inline constexpr Reg kRegMap[11] = {Reg::Rax, Reg::Rdi, Reg::Rsi, Reg::Rdx, Reg::Rcx, Reg::R8,
                                    Reg::Rbx, Reg::R13, Reg::R14, Reg::R15, Reg::Rbp};
inline constexpr Reg kState = Reg::R12;
/// bpf_tail_call's helper id: lowered as a jump, not a helper call.
inline constexpr int32_t kTailCallHelper = 12;

/// Memory operand [r12 + offsetof(JitState, field)].
#define JIT_STATE(field) (::bpfvet::jit::x86::Mem{::bpfvet::jit::x86::kState, static_cast<int32_t>(offsetof(::bpfvet::jit::x86::JitState, field))})

class Lowerer {
 public:
  /// `sizes_from`: the slot offsets of an earlier lowering of the same program with
  /// every forward jump rel32; forward jumps that fit rel8 there become rel8 (code
  /// only shrinks between the passes, so they still fit).
  Lowerer(const isa::Program& prog, const LowerEnv& env, const std::vector<uint32_t>* sizes_from = nullptr);
  /// Forward jumps the lowering emitted as rel32 that a second pass could shorten.
  size_t shortenable() const { return shortenable_; }
  Result<CompiledProgram> run();

 private:
  Reg reg(uint8_t r) const { return kRegMap[r]; }
  Status check_targets(int64_t pc, const isa::Insn& in);

  // x86_lower.cpp
  /// Marks the slots reached by a jump, a bpf-to-bpf call or a callback.
  void mark_targets();
  /// Lowers slots pc and pc + 1 as one LEA when they are a register copy and an add
  /// into it (and nothing jumps to the add); false when the pattern does not apply.
  bool fuse_lea(int64_t pc);
  Status lower_alu(const isa::Insn& in);
  void lower_divmod(const isa::Insn& in);
  void lower_udiv_const(const isa::Insn& in, uint64_t d);
  void lower_shift(const isa::Insn& in);
  void lower_end(const isa::Insn& in);
  void lower_jmp(int64_t pc, const isa::Insn& in);
  /// True when the forward jump ending slot pc to slot t is known to fit rel8.
  bool short_forward(int64_t pc, int64_t t);
  /// Before binding slot pc: NOP padding that starts a small loop at a 64-byte line
  /// when, at its first-pass size, it would otherwise straddle two lines.
  void align_loop_head(int64_t pc);

  // x86_lower_fold.cpp
  /// Per-slot registers live on entry (bit n = rn), for the verified program.
  void compute_liveness();
  /// Starts an address fold at the `rX = rB; rX += rC|imm` pair at pc when every use
  /// of rX until it dies can address [rB + rC + imm] itself; false when not.
  bool try_fold(int64_t pc);
  /// The folded operand [rB + rC + imm + off] when rn is the folded register here.
  std::optional<Mem> folded(uint8_t r, int64_t off) const;

  // x86_lower_mem.cpp
  /// The memory operand of an access; in checked mode emits the region check first.
  Mem access(uint8_t base, int16_t off, uint32_t size, bool write, bool atomic);
  void lower_load(const isa::Insn& in);
  void lower_store(const isa::Insn& in);
  void lower_atomic(const isa::Insn& in);
  void lower_helper_call(const isa::Insn& in);
  void lower_tail_call();
  void lower_local_call(int64_t pc, const isa::Insn& in);
  void lower_legacy(const isa::Insn& in);
  Status lower_ld_imm64(int64_t pc, const isa::Insn& in);
  /// Stops the run with `kind` at the current instruction.
  void fail_here(FaultKind kind);
  void emit_tail();

  const isa::Program& prog_;
  const LowerEnv& env_;
  CodeBuffer buf_;
  Encoder e_;
  std::vector<Label> labels_;
  Label unwind_, check_thunk_, fail_stub_;
  std::vector<bool> is_target_;  // per slot: reached by a jump, call or callback
  const std::vector<uint32_t>* first_pass_ = nullptr;
  std::vector<uint32_t> loop_size_;   // second pass: per slot, first-pass bytes of the small loop it heads (0: none)
  std::vector<uint32_t> heads_upto_;  // second pass: [k] = loop heads among slots < k (each may add padding)
  size_t shortenable_ = 0;
  bool may_goto_ = false;
  std::vector<uint16_t> live_in_;  // computed on the first fold candidate
  struct Fold {
    uint8_t reg = 0xff;  // the BPF register never computed, or none
    int64_t end = 0;     // first slot past its folded uses
    Mem mem{Reg::Rax};   // [rB + rC + imm]
  } fold_;
  int64_t pc_ = 0;
};

}  // namespace bpfvet::jit::x86
