// verifier: decides whether the Linux kernel would accept a program, and why not.
//
// How it works: like the kernel's kernel/bpf/verifier.c, in two passes.  First the
// control-flow checks (check_cfg): every jump lands inside its function and not in the
// middle of an lddw, no instruction is unreachable, the program does not fall off its
// end, and on kernels before 5.3 there is no back-edge.  Then a path-sensitive
// abstract interpretation (do_check): starting from the entry state (r1 = context,
// r10 = frame pointer), every instruction is checked (safety assertions, separate from
// the transfer functions that move the state forward) and executed on an abstract
// state of typed registers (scalars with tnum and interval bounds, pointers with
// fixed and variable offsets) and a typed 512-byte stack per frame.  A conditional
// jump whose outcome is unknown pushes the other branch on a work stack, both sides
// refined; a branch proven impossible is not explored.  At prune points a state that
// is included in one already explored there (with liveness and precision marks, as
// the kernel does) is dropped.  The first failing check ends verification with a
// Diagnostic: a stable code, the kernel's log wording, and a plain explanation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "isa/kernel_version.h"
#include "isa/program.h"
#include "isa/result.h"

namespace bpfvet::verifier {

/// Stable reason codes of a rejection (see error_codes.def).
enum class ErrorCode : uint8_t {
#define ERROR_CODE(Name, id, meaning) Name,
#include "verifier/error_codes.def"
};

/// "PACKET_OUT_OF_BOUNDS": the stable upper-case identifier of a code.
const char* error_code_id(ErrorCode code);
/// One plain-words sentence describing the code.
const char* error_code_meaning(ErrorCode code);
/// Parses an identifier as written by error_code_id; nullopt when unknown.
std::optional<ErrorCode> parse_error_code(const std::string& id);

/// Why a program is rejected.
struct Diagnostic {
  ErrorCode code = ErrorCode::VerifierBug;
  int64_t insn = -1;            // instruction index (slot) the kernel reports
  std::string message;          // our words, one line
  std::string kernel_message;   // worded as the kernel's log line, searchable
  std::string explanation;      // plain words: why it is unsafe, in terms of the program
  std::string hint;             // how to fix it
  std::optional<isa::SourceLine> source;
  std::vector<std::string> notes;  // e.g. the path that leads there
};

/// Work done, as the kernel prints it at the end of its log.
struct Stats {
  uint64_t processed_insns = 0;
  uint64_t total_states = 0;
  uint64_t peak_states = 0;
  uint64_t max_states_per_insn = 0;
  uint32_t stack_depth = 0;  // of the entry function, bytes (rounded as the kernel does)
  uint64_t time_us = 0;
};

struct VerifyOptions {
  std::string kernel = "latest";  // "4.14", "5.4", "6.1", "latest", ...
  bool unpriv = false;            // verify as an unprivileged loader (same as caps = None)
  /// The loader's capabilities (see isa::Caps): Full = root; BpfOnly = CAP_BPF alone,
  /// e.g. a daemon that dropped CAP_SYS_ADMIN/CAP_PERFMON; None = unprivileged.
  /// `unpriv` = true overrides this with None.
  isa::Caps caps = isa::Caps::Full;
  int log_level = 0;              // 0: none; 1: insns and branch states; 2: states everywhere
  /// Processed-instruction budget (the kernel's BPF_COMPLEXITY_LIMIT_INSNS); 0 = kernel default.
  uint64_t insn_limit = 0;
};

struct VerifyResult {
  bool accepted = false;
  std::optional<Diagnostic> error;  // set when rejected
  Stats stats;
  std::string log;  // kernel-format log at log_level 1/2
};

/// The capabilities `opts` asks for: None when `unpriv`, else `caps`.
isa::Caps effective_caps(const VerifyOptions& opts);

/// Verifies `prog` under the kernel and privilege chosen by `opts`.  Never throws for
/// any input: a malformed program is rejected with a diagnostic, not a crash.
VerifyResult verify(const isa::Program& prog, const VerifyOptions& opts);

/// Facts the verifier proved about one instruction, for the interpreter and JITs.
struct InsnFacts {
  bool reachable = false;       // explored on at least one path
  bool needs_zext = true;       // a 32-bit ALU op whose upper half must be cleared
  std::optional<uint64_t> dst_const;  // after this insn, dst holds this value on every path
};

/// A program the verifier accepted: only verify_for_execution constructs it, so code
/// holding one knows it was verified (the JIT takes nothing else).
class VerifiedProgram {
 public:
  const isa::Program& program() const { return program_; }
  /// Per-slot facts; same length as program().insns.
  const std::vector<InsnFacts>& facts() const { return facts_; }
  const Stats& stats() const { return stats_; }
  /// Stack bytes the entry function uses (kernel rounding).
  uint32_t stack_depth() const { return stats_.stack_depth; }

 private:
  friend Result<VerifiedProgram> verify_for_execution(const isa::Program&, const VerifyOptions&);
  VerifiedProgram(isa::Program p, std::vector<InsnFacts> f, Stats s)
      : program_(std::move(p)), facts_(std::move(f)), stats_(s) {}
  isa::Program program_;
  std::vector<InsnFacts> facts_;
  Stats stats_;
};

/// Verifies and, on acceptance, wraps a copy of the program with its facts.  A rejection
/// is an Error whose message is "insn N: <kernel message>" of the diagnostic.
Result<VerifiedProgram> verify_for_execution(const isa::Program& prog, const VerifyOptions& opts);

}  // namespace bpfvet::verifier
