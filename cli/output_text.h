// Text output of verify, explain and lint, and Graphviz output of cfg.
//
// verify/lint print one line per program, `file:section:name: accepted (N insns,
// processed M, T us)` or `file:section:name: rejected at insn I (CODE): message`,
// followed for a rejection by indented lines: the source line, the kernel's wording,
// the explanation and the hint.  explain prints the same head, then the path of
// instructions (with their source lines as `;` comments) that leads to the error.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/report.h"
#include "verifier/cfg_graph.h"

namespace bpfvet::cli {

/// `file.c:33: text`: the source file's base name, the line, the text without its
/// indentation (as the kernel's log shows line info).
std::string source_line_text(const isa::SourceLine& s);

/// The verdict line and, for a rejection, its detail lines (and the log, if any).
void print_report_text(std::ostream& os, const ProgramReport& r);
/// explain's long form: verdict, path with source lines, notes, explanation, hint.
void print_explain_text(std::ostream& os, const ProgramReport& r);

/// `bpfvet cfg --format dot`: one digraph per program, a cluster per function, a
/// record node per block listing its instructions, edges styled by kind.
void print_cfg_dot(std::ostream& os, const isa::Program& prog, const verifier::CfgGraph& g);

}  // namespace bpfvet::cli
