// The path of instructions that leads to a verifier error, for `bpfvet explain`.
//
// How it works: the kernel-format log (level 1) lists the instructions of every path
// the verifier walked; a path that starts at a pushed branch begins with a line
// `from X to Y: ...`.  The failing path is the last segment; its prefix is the earlier
// segment that went through X, up to X, and so on back to the entry; the failing
// instruction ends the path even where the log stops just before it.  When the log
// has no instruction lines, the path is the error's basic block up to the error.
// Long paths (loops) keep their last kMaxPathSteps steps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/report.h"
#include "isa/program.h"

namespace bpfvet::cli {

/// Steps kept at most (the ones closest to the error).
inline constexpr size_t kMaxPathSteps = 200;

/// Instruction indices of the failing path, parsed from a kernel-format log; empty
/// when the log lists no instructions.  Exposed for tests.
std::vector<uint32_t> path_from_log(const std::string& log);

/// The steps leading to `error_insn` of `prog`, each with its text and source line.
std::vector<PathStep> error_path(const isa::Program& prog, const std::string& log, int64_t error_insn);

}  // namespace bpfvet::cli
