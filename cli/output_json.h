// JSON output of verify, explain, lint and cfg (the contract's shapes, nlohmann::ordered_json).
//
// verify/explain/lint print one object {"tool", "version", "programs": [...]}; each
// program carries exactly the contract's fields, plus the documented extensions
// "log" (when --log-level > 0), "notes" and, for explain, "path".
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "cli/report.h"
#include "verifier/cfg_graph.h"

namespace bpfvet::cli {

/// {"file": .., "line": .., "text": ..} or null.
nlohmann::ordered_json source_json(const std::optional<isa::SourceLine>& src);
/// The contract's "error" object, or null for an accepted program.
nlohmann::ordered_json error_json(const std::optional<verifier::Diagnostic>& d);
/// The contract's "stats" object.
nlohmann::ordered_json stats_json(const verifier::Stats& s);
/// One entry of "programs".
nlohmann::ordered_json program_json(const ProgramReport& r, bool with_path);
/// The whole document: {"tool": "bpfvet", "version": .., "programs": [..]}.
nlohmann::ordered_json reports_json(const std::vector<ProgramReport>& reports, bool with_path);

/// `bpfvet cfg --format json` for one program: {"file", "section", "name", "insns",
/// "functions": [{"name", "start", "end", "entry_block", "blocks"}],
/// "blocks": [{"id", "function", "start", "end", "insns": [{"idx", "text"}]}],
/// "edges": [{"from", "to" (null for exit), "kind"}]}.
nlohmann::ordered_json cfg_json(const isa::Program& prog, const verifier::CfgGraph& g);

}  // namespace bpfvet::cli
