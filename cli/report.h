// ProgramReport: one verified program as verify, explain and lint print it.
//
// The commands load and verify; the three renderers (output_text.h, output_json.h,
// output_sarif.h) only format a list of reports, so every format shows the same facts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "isa/program.h"
#include "verifier/verifier.h"

namespace bpfvet::cli {

/// One step of the path to an error: an instruction and where it came from.
struct PathStep {
  uint32_t insn = 0;
  std::string text;  // disassembly, as `bpfvet disasm` prints it (without the index)
  std::optional<isa::SourceLine> source;
};

/// A program and its verdict.
struct ProgramReport {
  std::string file;
  std::string section;
  std::string name;
  std::string type;  // CLI name of the program type
  size_t insns = 0;
  verifier::VerifyResult result;
  std::vector<PathStep> path;  // explain only: instructions leading to the error
  std::string kernel;          // lint over several --kernel values: the version this verdict is for
};

/// Fills the identifying fields of a report from its program.
ProgramReport make_report(const isa::Program& prog, verifier::VerifyResult result);

/// The program-relative label `file:section:name` used by text output.
std::string report_label(const ProgramReport& r);

/// Exit status for a set of reports: 0 all accepted, 1 any rejected.
int reports_status(const std::vector<ProgramReport>& reports);

}  // namespace bpfvet::cli
