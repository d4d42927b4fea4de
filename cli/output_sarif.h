// SARIF 2.1.0 output of verify and lint, for code-scanning dashboards.
//
// One run; the driver's rules are every stable error code (error_codes.def), so a
// rule index never changes between runs.  Each rejected program is one result at
// level "error": its location is the C source line from BTF line info when there is
// one (uri of the source file, startLine, snippet), otherwise the object file with
// the instruction's byte offset inside its section; a logical location names the
// program, and properties carry the instruction index, section and kernel message.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "cli/report.h"

namespace bpfvet::cli {

/// The SARIF log for a list of reports (accepted programs produce no result).
nlohmann::ordered_json reports_sarif(const std::vector<ProgramReport>& reports);

}  // namespace bpfvet::cli
