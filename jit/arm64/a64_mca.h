// A64CostModel: cycle estimates for straight-line A64 code on a named core, from
// LLVM's machine code analyser (the library behind llvm-mca).
//
// How it works: the model decodes the words of one block with LLVM's AArch64
// disassembler (the MC objects of isa/mc_layer.h, built for the chosen CPU), lowers
// every MCInst to an mca::Instruction with the CPU's scheduling model, and simulates
// LLVM's default out-of-order pipeline (dispatch, register renaming, issue to the
// model's execution ports, retire) over the block repeated back to back.  The cost
// of one execution is the steady-state cycles per iteration: (cycles for 2k
// iterations - cycles for k iterations) / k, which removes the pipeline fill and
// drain that a single iteration would count and keeps the resource pressure and the
// dependencies carried from one iteration to the next.  The Arm64Session multiplies
// each executed block's cost by how often the run entered it and sums, giving an
// estimate of cycles per run.
//
// What the static model does not see: cache misses (every load hits L1), branch
// mispredictions, and the helpers themselves (they run on the host; only the BL to
// the trampoline and its RET are costed, as plain branches: MCA would give a call an
// arbitrary 100-cycle latency).  The figures are therefore a static
// estimate, comparable between programs and JIT versions, not a measurement.
//
// The default core is LLVM's "thunderx2t99" (Marvell ThunderX2, ARMv8.1, 4-wide
// out of order): it is the most widely deployed core whose LLVM 14 scheduling model
// also describes the LSE atomics the JIT emits (LLVM 14's cortex-a72 / neoverse-n1
// model, CortexA57Model, rejects LDADDAL and CASAL as unsupported).
//
// This header is C++17: a64_mca.cpp is compiled as C++17 because clang 14 cannot
// compile LLVM 14's MCA headers as C++20 against libstdc++ 12 (llvm-project#55780).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "isa/result.h"

namespace bpfvet::jit::a64 {

/// LLVM's name of the core the arm64 engine estimates cycles for.
inline constexpr const char* kDefaultMcaCpu = "thunderx2t99";

class A64CostModel {
 public:
  /// A model for LLVM CPU name `cpu` (with LSE enabled).  Error when libLLVM lacks
  /// the AArch64 target or the CPU has no instruction scheduling model.
  static Result<std::unique_ptr<A64CostModel>> create(const std::string& cpu = kDefaultMcaCpu);
  ~A64CostModel();
  A64CostModel(const A64CostModel&) = delete;
  A64CostModel& operator=(const A64CostModel&) = delete;

  /// The CPU name the model was built for.
  const std::string& cpu() const { return cpu_; }
  /// Steady-state cycles per execution of the straight-line code `block` (A64 words;
  /// > 0 for a non-empty block).  Error for an undecodable word or an instruction the CPU's
  /// scheduling model does not describe.  Results are cached by content.
  Result<double> block_cycles(const std::vector<uint32_t>& block);
  /// Total cycles LLVM's pipeline takes for `iterations` back-to-back copies of
  /// `block`, as `llvm-mca -iterations=N` reports them.
  Result<uint64_t> simulate(const std::vector<uint32_t>& block, uint32_t iterations);

 private:
  struct Impl;
  A64CostModel(std::unique_ptr<Impl> impl, std::string cpu);
  std::unique_ptr<Impl> impl_;
  std::string cpu_;
  std::map<std::vector<uint32_t>, double> cache_;
};

}  // namespace bpfvet::jit::a64
