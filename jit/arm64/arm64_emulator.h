// Running ARM64 JIT code on any host: the unicorn emulator as the CPU.
//
// How it works: an Arm64Session owns one Runtime (the same mock kernel the interpreter
// uses) and one emulated AArch64 CPU ("max" model, so LSE atomics exist) per level of
// callback nesting.  Guest memory needs no copying: every region of the runtime
// (stack, context, packet, maps...) already lives at a host address below 4 GiB, and
// is mapped into the emulator at that same address by pointer (uc_mem_map_ptr), so
// pointers in BPF registers mean the same thing on both sides and helpers see the
// program's writes directly.  New regions (a ring buffer record) are mapped after each
// helper call.  The code area (kCodeBase), the trampoline page (a RET per slot) and a
// native stack per CPU sit above 4 GiB.  A code hook on the trampoline page runs the
// helper or service the slot stands for with the emulated x0-x4 / x10, writes the
// result to x0 (or x7, x10), and lets the RET return.  Callbacks (bpf_loop & co.) run
// on the next CPU, one BPF frame below the caller's.  A block hook counts executed
// A64 instructions (a deterministic cost) and the entries of every block (for the
// cycle estimate of a64_mca.h), and stops endless loops; unmapped accesses become
// errors naming the BPF instruction, never host crashes.
//
// On an AArch64 host a session may instead run the same code natively (a64_native.h):
// the trampoline page and code area are mapped at the same fixed addresses, the
// trampoline handler is the same on_trampoline() (registers read and written through
// the Cpu, a stop unwinds the native run), regions need no mapping, and nothing counts
// instructions or blocks (no budget either: only verified code runs natively).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "jit/arm64/a64_mca.h"
#include "jit/arm64/a64_native.h"
#include "jit/arm64/arm64_jit.h"
#include "jit/engine.h"
#include "jit/runtime.h"

namespace bpfvet::jit::arm64 {

/// Ok when unicorn can emulate AArch64 here.
Status emulator_available();

class Arm64Session {
 public:
  /// Builds the runtime for `req` and compiles its entry program.  `checked`: the
  /// unverified mode (every access checked; also chosen for program types without a
  /// mock context); `lse`: LSE atomics or LL/SC loops; `native`: run on this host's
  /// CPU instead of unicorn (Error unless native_available(); one native session at a time).
  static Result<std::unique_ptr<Arm64Session>> create(const RunRequest& req, bool checked, bool lse = true,
                                                      bool native = false);
  ~Arm64Session();
  Arm64Session(const Arm64Session&) = delete;
  Arm64Session& operator=(const Arm64Session&) = delete;

  /// One run of the entry program from a fresh begin_run(); returns r0.
  Result<uint64_t> run();
  Runtime& runtime() { return *rt_; }
  /// True when the code runs natively (no instruction or block counts then).
  bool native() const { return native_ != nullptr; }
  /// A64 instructions executed by the last run (callbacks included).
  uint64_t executed() const { return executed_; }
  /// How often the last run entered each straight-line block of generated code, keyed
  /// by block_key(address, size in bytes); unicorn's translation blocks end at every
  /// branch, so each is a run of A64 code executed from start to end.
  const std::unordered_map<uint64_t, uint64_t>& block_counts() const { return blocks_; }
  static uint64_t block_key(uint64_t address, uint32_t size) { return ((address - kCodeBase) << 24) | size; }
  /// Estimated cycles of a run that entered the blocks `counts` times (a block_counts()
  /// snapshot): the sum over blocks of count * model.block_cycles(block's words).
  Result<double> estimate_cycles(const std::unordered_map<uint64_t, uint64_t>& counts,
                                 a64::A64CostModel& model) const;
  /// Time spent compiling the entry program, in microseconds.
  double compile_us() const { return compile_us_; }
  /// The entry program's code.
  const Compiled& entry() const { return *programs_.front()->code; }

 private:
  struct Cpu;
  struct Loaded {
    const isa::Program* program;
    std::unique_ptr<Compiled> code;
  };
  Arm64Session() = default;
  Result<const Loaded*> load(const isa::Program& prog);
  Result<Cpu*> cpu(uint32_t level);
  void sync_memory(Cpu& c);
  uint64_t enter(uint32_t level, uint64_t addr, const uint64_t args[5], uint64_t fp);
  uint64_t callback(uint64_t fn, uint64_t a, uint64_t b, uint64_t c, uint64_t d);
  void on_trampoline(Cpu& c, uint64_t address);
  void on_service(Cpu& c, uint32_t code);
  // Runs helper `id` with the emulated x0-x4, answers x0 (or stops the run on failure).
  void call_helper(Cpu& c, int32_t id);
  void fail_at(uint64_t code_addr, const std::string& what);
  std::string where(uint64_t code_addr) const;
  friend struct Hooks;

  static bool on_native(void* session, uint64_t slot_offset, NativeRegs& regs);

  std::unique_ptr<Runtime> rt_;
  std::unique_ptr<NativeA64> native_;  // set when running natively
  bool checked_ = false, lse_ = true;
  uint8_t* code_mem_ = nullptr;   // kCodeSize bytes, host side of the code area
  uint8_t* tramp_mem_ = nullptr;  // kTrampolineSize bytes of RET
  size_t code_used_ = 0;
  std::vector<std::unique_ptr<Loaded>> programs_;
  std::vector<std::unique_ptr<Cpu>> cpus_;
  std::string error_;
  bool early_exit_ = false;
  uint32_t tail_calls_ = 0;
  uint32_t level_ = 0;  // the innermost CPU running (callback nesting)
  uint64_t executed_ = 0;
  std::unordered_map<uint64_t, uint64_t> blocks_;  // block_key -> entries in the last run
  double compile_us_ = 0;
};

}  // namespace bpfvet::jit::arm64
