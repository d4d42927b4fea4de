// Internal to the ARM64 JIT: the state of one compile() (arm64_jit.cpp, arm64_jit_mem.cpp).
#pragma once

#include <string>
#include <vector>

#include "jit/arm64/arm64_jit.h"
#include "jit/code_buffer.h"

namespace bpfvet::jit::arm64 {

/// Programs of more slots than this may have conditional jumps beyond B.cond's +-1 MiB
/// (a slot lowers to at most ~20 words); they branch over an unconditional B instead.
inline constexpr size_t kNearBranchSlots = 12000;

class Lowerer {
 public:
  Lowerer(const isa::Program& prog, const Options& opt, const ImmResolver& resolve)
      : prog_(prog), opt_(opt), resolve_(resolve) {}
  /// Translates the whole program.
  Result<Compiled> run();

 private:
  struct AbsFixup {
    size_t at;
    a64::Reg reg;
    Label label;
  };
  void emit(uint32_t word);
  /// rd = v with the fewest MOVZ/MOVN + MOVK.
  void mov_imm(bool sf, a64::Reg rd, uint64_t v);
  /// rd = rn + v (64-bit), through `tmp` when v does not fit an immediate.
  void add_const(a64::Reg rd, a64::Reg rn, int64_t v, a64::Reg tmp);
  void call_abs(uint64_t target);
  void branch(Label l);
  void branch_cond(a64::Cond c, Label l);
  void fail(std::string msg);
  void prologue();
  void epilogue();
  void loop_budget();
  void alu(const isa::Insn& in);
  void jump(const isa::Insn& in);
  void call(const isa::Insn& in);
  void ld_imm64(const isa::Insn& in);
  // arm64_jit_mem.cpp
  /// Base register and offset for an access of `size` at reg + off; in checked mode
  /// the address is computed into x10 and checked first.
  std::pair<a64::Reg, int32_t> address(a64::Reg base, int32_t off, uint8_t size, bool write, bool atomic);
  void access(bool load, uint8_t size, bool sign, a64::Reg rt, a64::Reg base, int32_t off);
  void load(const isa::Insn& in);
  void store(const isa::Insn& in);
  void atomic(const isa::Insn& in);
  void atomic_llsc(const isa::Insn& in, a64::Reg addr);
  void legacy_load(const isa::Insn& in);

  const isa::Program& prog_;
  const Options& opt_;
  const ImmResolver& resolve_;
  CodeBuffer buf_;
  std::vector<Label> labels_;   // per slot
  std::vector<Label> entries_;  // per slot that starts a function: its prologue
  std::vector<AbsFixup> abs_fixups_;
  int64_t pc_ = 0;
  bool far_ = false;  // the program may be too large for B.cond / CBZ to reach every slot
  std::string error_;
};

}  // namespace bpfvet::jit::arm64
