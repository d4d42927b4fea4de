// The interpreter: the reference semantics of every eBPF instruction, as Linux runs it.
//
// How it works: prepare() translates a Program once into a compact array of 16-byte
// Ops (handler number, registers, offset, immediate), one per instruction slot so
// indices stay the kernel's; immediates are pre-extended, jump offsets kept relative,
// 64-bit immediate loads pre-resolved against the Runtime (map handles, map value
// addresses, callback tags), and every jump and call target checked once.  exec()
// dispatches with GCC's computed goto (labels as values), one indirect jump per
// instruction.  It is instantiated twice: unchecked for verified programs (the
// verifier proved the memory accesses safe, nothing is re-checked) and checked for
// --no-verify, where every load, store and atomic is looked up in the Runtime's
// region table, an instruction budget stops endless loops, and a fault stops the run
// with an error naming the instruction and the address: the host never crashes.
//
// Semantics follow the kernel exactly: division by zero yields 0, modulo by zero
// keeps the dividend (zero-extended in 32-bit), shift amounts are masked to 63/31,
// 32-bit results are zero-extended, signed division of INT_MIN by -1 yields INT_MIN
// and the remainder 0, legacy packet loads read big-endian and end the program with
// r0 = 0 when out of bounds, bpf-to-bpf calls get their own 512-byte frame with
// r6-r9 preserved, tail calls stop after 33, may_goto allows 8M iterations per frame.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jit/engine.h"
#include "jit/runtime.h"

namespace bpfvet::jit {

/// One pre-decoded instruction.
struct Op {
  uint16_t h = 0;     // handler (interp.cpp's INTERP_OPS order)
  uint8_t dst = 0;
  uint8_t src = 0;
  int32_t off = 0;    // memory offset, or jump/call distance from the next op
  int64_t imm = 0;    // sign-extended immediate, helper id, or lddw value
};
static_assert(sizeof(Op) == 16, "ops are 16 bytes");

/// A prepared program.
struct Code {
  const isa::Program* program = nullptr;
  uint32_t id = 0;
  std::vector<Op> ops;  // one per slot, plus a trailing "fell off the end" sentinel
};

class Interpreter {
 public:
  /// `checked`: check every memory access against the region table (--no-verify).
  Interpreter(Runtime& rt, bool checked);

  /// Translates a program (entry or tail-call target) against the runtime.
  Result<const Code*> prepare(const isa::Program& prog);
  /// One run of the entry program from the runtime's current state; returns r0.
  Result<uint64_t> run();
  /// Executed instructions so far (checked mode only; 0 otherwise).
  uint64_t executed() const { return executed_; }

 private:
  template <bool kChecked>
  uint64_t exec(const Code* code, uint32_t pc, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                uint32_t depth);
  uint64_t callback(uint64_t fn, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4);
  void fault(const Code* code, const Op* ip, uint64_t addr, uint32_t size, bool write);
  void error_at(const Code* code, const Op* ip, const std::string& what);

  Runtime& rt_;
  bool checked_;
  std::vector<std::unique_ptr<Code>> codes_;
  std::map<const isa::Program*, const Code*> by_program_;
  std::string error_;
  uint32_t depth_ = 0;        // call depth of the innermost running frame
  uint32_t tail_calls_ = 0;
  uint64_t budget_ = 0;
  uint64_t executed_ = 0;
};

/// The "interp" engine.
std::unique_ptr<Engine> make_interp_engine();

/// BPF instructions one run of `req`'s program executes from the initial state
/// (callbacks and tail-called programs included): a fresh Runtime and the checked
/// interpreter, which counts.  The same for every engine, since all execute the same
/// instructions; Error when that run fails.
Result<uint64_t> count_bpf_insns(const RunRequest& req);

}  // namespace bpfvet::jit
