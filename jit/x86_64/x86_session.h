// One x86_64 JIT session (private to jit/x86_64): compiled modules, the entry stub and
// the runtime trampolines the generated code calls.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jit/exec_memory.h"
#include "jit/runtime.h"
#include "jit/x86_64/x86_lower.h"

namespace bpfvet::jit::x86 {

class Session {
 public:
  /// Builds the entry stub.  `checked`: compile everything with access checks (the entry
  /// program is unverified); otherwise only tail-call targets the verifier rejects.
  static Result<std::unique_ptr<Session>> create(Runtime& rt, bool checked);

  /// Compiles `prog` once (entry or tail-call target); returns its module id.
  Result<uint32_t> compile(const isa::Program& prog);
  /// One run of module 0 from the runtime's current state; returns r0.
  Result<uint64_t> run();
  /// Compile time of module 0, microseconds.
  double compile_us() const { return modules_.empty() ? 0 : modules_[0].compile_us; }

  // Called from the trampolines.
  uint64_t helper(JitState* st, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5);
  uint64_t tail_call(JitState* st, uint64_t map, uint64_t index);
  uint64_t check(JitState* st, uint64_t addr, uint32_t desc);
  uint64_t legacy(JitState* st, int64_t off, uint32_t size);
  uint64_t callback(uint64_t fn, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4);

 private:
  struct Module {
    const isa::Program* program;
    std::unique_ptr<ExecMemory> code;
    std::vector<uint32_t> insn_offset;
    double compile_us = 0;
  };
  Session(Runtime& rt, bool checked) : rt_(rt), checked_(checked) {}
  /// Records the first error of the run, prefixed "insn N: ".
  void fail_at(uint32_t pc, const std::string& what);
  /// Turns a stop of the generated code (fault_kind) into the error message.
  void describe_fault();
  uint64_t enter(uint64_t target);

  Runtime& rt_;
  bool checked_;
  JitState st_;
  std::unique_ptr<ExecMemory> stub_;
  uint64_t stub_entry_ = 0;
  std::vector<Module> modules_;
  std::map<const isa::Program*, uint32_t> by_program_;
  std::vector<uint64_t> target_code_;  // per tail-call target slot: its code, once compiled
  std::vector<uint32_t> target_module_;
  static constexpr uint32_t kNoModule = UINT32_MAX;
  uint32_t entry_ = kNoModule;  // module of the runtime's entry program, once compiled
  std::string error_;
};

}  // namespace bpfvet::jit::x86
