// ProgramReport helpers (report.h).
#include "cli/report.h"

namespace bpfvet::cli {

ProgramReport make_report(const isa::Program& prog, verifier::VerifyResult result) {
  ProgramReport r;
  r.file = prog.file;
  r.section = prog.section;
  r.name = prog.name;
  r.type = isa::prog_type_name(prog.type);
  r.insns = prog.insns.size();
  r.result = std::move(result);
  return r;
}

std::string report_label(const ProgramReport& r) {
  std::string label = r.file + ":" + r.section + ":" + r.name;
  if (!r.kernel.empty()) label += " [kernel " + r.kernel + "]";
  return label;
}

int reports_status(const std::vector<ProgramReport>& reports) {
  for (const auto& r : reports)
    if (!r.result.accepted) return 1;
  return 0;
}

}  // namespace bpfvet::cli
