// Reject: the outcome of a failed safety check, before it becomes a Diagnostic.
//
// Checks return `Check` (nullopt: the check passed).  The kernel often logs more than
// one line for a rejection (the first names the problem, later ones add detail); the
// first line is what diagnostics report as kernel_message, the rest become notes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "verifier/verifier.h"

namespace bpfvet::verifier {

struct Reject {
  ErrorCode code = ErrorCode::VerifierBug;
  std::string kernel_message;          // the kernel's first log line for this rejection
  std::vector<std::string> details;    // further kernel log lines
  int64_t insn = -1;                   // set by the explorer when unset
  int reg = -1;                        // register involved, when one is (for explanations)
  std::string why;                     // the concrete facts, in plain words (optional)
};

/// nullopt when the check passed.
using Check = std::optional<Reject>;

/// A rejection with one kernel log line (printf-style formatting).
Reject reject(ErrorCode code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

/// printf into a std::string.
std::string strprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace bpfvet::verifier
