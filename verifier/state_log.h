// StateLog: the verifier log in the kernel's format (log_level 1 and 2).
//
//   0: R1=ctx() R10=fp0                      state when a path starts
//   0: (61) r2 = *(u32 *)(r1 +0)          ; R1=ctx() R2=pkt(r=0)
//   from 4 to 7: R1=ctx() ...                a pushed branch resumes
//   8: safe                                  pruned
//   processed 10 insns (limit 1000000) max_states_per_insn 0 total_states 1 ...
//
// Level 1 keeps only the final statistics when the program is accepted (as the
// kernel does); level 2 keeps everything.
#pragma once

#include <string>
#include <vector>

#include "verifier/abstract_state.h"
#include "verifier/context.h"
#include "verifier/reject.h"

namespace bpfvet::verifier {

class StateLog {
 public:
  StateLog(const VerifierContext& ctx, int level) : ctx_(ctx), level_(level) {}

  /// Level 2 preamble: "func#N @START" per function and the registers live before
  /// every instruction, as the kernel prints them before exploring.
  void preamble();
  /// "PC: <state>" at the start of a path.
  void state_at(int64_t pc, const AbstractState& st);
  /// "PC: (OP) TEXT ; <registers the instruction touched>" after executing it.
  void insn(int64_t pc, const isa::Insn& in, const AbstractState& after);
  /// "PC: (OP) TEXT" alone, for the instruction that failed.
  void insn_text(int64_t pc, const isa::Insn& in);
  /// "from A to B: <state>" when a pushed branch resumes.
  void branch_from(int64_t from, int64_t to, const AbstractState& st);
  /// "B: safe" or "from A to B: safe" for a pruned path.
  void safe(int64_t from, int64_t to, bool after_branch);
  /// The rejection's kernel lines.
  void error(const Reject& r);
  /// The closing statistics lines.
  void stats(const Stats& s, const std::vector<uint32_t>& depths);
  /// The finished log (level 1: statistics only when accepted).
  std::string take();
  /// A remark of bpfvet's own (not a kernel line), kept at every level >= 1.
  void note(const std::string& s) {
    if (on()) notes_ += "bpfvet: " + s + "\n";
  }
  /// A line the kernel itself prints at this point (log level 2 messages such as
  /// "frame0 bpf_loop iteration limit reached").
  void message(const std::string& s);

 private:
  bool on() const { return level_ >= 1; }
  void line(const std::string& s) {
    flush(true);
    body_ += s + "\n";
  }
  // The last instruction line waits for the next step: the kernel prints its register
  // state only when the next instruction is not pruned.
  void flush(bool with_state);

  const VerifierContext& ctx_;
  int level_;
  bool failed_ = false;
  std::string body_;
  std::string tail_;
  std::string notes_;
  std::string pending_, pending_state_;
};

}  // namespace bpfvet::verifier
