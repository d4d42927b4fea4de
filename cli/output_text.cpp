// Text renderers (output_text.h).
#include "cli/output_text.h"

#include "isa/printer.h"

namespace bpfvet::cli {
namespace {

void print_log(std::ostream& os, const ProgramReport& r) {
  if (r.result.log.empty()) return;
  os << r.result.log;
  if (r.result.log.back() != '\n') os << '\n';
}

void print_head(std::ostream& os, const ProgramReport& r) {
  os << report_label(r) << ": ";
  if (r.result.accepted) {
    os << "accepted (" << r.insns << " insns, processed " << r.result.stats.processed_insns << ", "
       << r.result.stats.time_us << " us)\n";
    return;
  }
  if (!r.result.error) {
    os << "rejected\n";
    return;
  }
  const auto& d = *r.result.error;
  os << "rejected";
  if (d.insn >= 0) os << " at insn " << d.insn;
  os << " (" << verifier::error_code_id(d.code) << "): " << d.message << "\n";
}

}  // namespace

std::string source_line_text(const isa::SourceLine& s) {
  const auto slash = s.file.find_last_of('/');
  std::string out =
      (slash == std::string::npos ? s.file : s.file.substr(slash + 1)) + ":" + std::to_string(s.line);
  const auto start = s.text.find_first_not_of(" \t");
  if (start != std::string::npos)
    out += ": " + s.text.substr(start, s.text.find_last_not_of(" \t\r") + 1 - start);
  return out;
}

void print_report_text(std::ostream& os, const ProgramReport& r) {
  print_log(os, r);
  print_head(os, r);
  if (r.result.accepted || !r.result.error) return;
  const auto& d = *r.result.error;
  if (d.source) os << "  source: " << source_line_text(*d.source) << "\n";
  if (!d.kernel_message.empty() && d.kernel_message != d.message)
    os << "  kernel: " << d.kernel_message << "\n";
  if (!d.explanation.empty()) os << "  why: " << d.explanation << "\n";
  if (!d.hint.empty()) os << "  hint: " << d.hint << "\n";
}

void print_explain_text(std::ostream& os, const ProgramReport& r) {
  print_log(os, r);
  print_head(os, r);
  if (r.result.accepted || !r.result.error) return;
  const auto& d = *r.result.error;
  if (!d.kernel_message.empty()) os << "\nThe kernel's verifier would say:\n  " << d.kernel_message << "\n";
  if (!r.path.empty()) {
    os << "\nPath to the error:\n";
    const isa::SourceLine* last = nullptr;
    for (const auto& step : r.path) {
      const auto* src = step.source && step.source->line > 0 ? &*step.source : nullptr;
      if (src && !(last && last->line == src->line && last->file == src->file)) {
        os << "      ; " << source_line_text(*src) << "\n";
        last = src;
      }
      os << (static_cast<int64_t>(step.insn) == d.insn ? "  >>> " : "      ") << step.insn << ": "
         << step.text << "\n";
    }
  } else if (d.source) {
    os << "\nAt: " << source_line_text(*d.source) << "\n";
  }
  for (const auto& n : d.notes) os << "  note: " << n << "\n";
  if (!d.explanation.empty()) os << "\nWhy: " << d.explanation << "\n";
  if (!d.hint.empty()) os << "Hint: " << d.hint << "\n";
}

}  // namespace bpfvet::cli

namespace bpfvet::cli {
namespace {

// A string inside a Graphviz double-quoted ID; `\l` ends left-justified lines.
std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\l";
      continue;
    }
    out += c;
  }
  return out;
}

const char* dot_edge_style(verifier::EdgeKind k) {
  switch (k) {
    case verifier::EdgeKind::Fallthrough:
      return "color=black";
    case verifier::EdgeKind::Jump:
      return "color=blue";
    case verifier::EdgeKind::Taken:
      return "color=darkgreen";
    case verifier::EdgeKind::Call:
      return "color=purple, style=dashed";
    case verifier::EdgeKind::Exit:
      return "color=gray40";
  }
  return "";
}

}  // namespace

void print_cfg_dot(std::ostream& os, const isa::Program& prog, const verifier::CfgGraph& g) {
  const std::string title = prog.section.empty() ? prog.name : prog.section + "/" + prog.name;
  os << "digraph \"" << dot_escape(title) << "\" {\n"
     << "  label=\"" << dot_escape(prog.file + ": " + title) << "\";\n"
     << "  node [shape=box, fontname=\"monospace\"];\n";
  for (size_t f = 0; f < g.functions.size(); ++f) {
    const auto& fn = g.functions[f];
    os << "  subgraph cluster_" << f << " {\n"
       << "    label=\"" << dot_escape(fn.name) << " [" << fn.start << ", " << fn.end << ")\";\n";
    for (uint32_t id : fn.blocks) {
      const auto& b = g.blocks[id];
      std::string text;
      for (uint32_t i = b.first; i < b.end; ++i) {
        if (prog.insns[i].kind == isa::Kind::LdImm64Hi) continue;
        text += std::to_string(i) + ": " + isa::print_insn(prog.insns[i], i) + "\n";
      }
      os << "    b" << id << " [label=\"" << dot_escape(text) << "\"];\n";
    }
    os << "    exit_" << f << " [label=\"exit\", shape=oval];\n  }\n";
  }
  for (const auto& e : g.edges) {
    os << "  b" << e.from << " -> ";
    if (e.to)
      os << "b" << *e.to;
    else
      os << "exit_" << g.blocks[e.from].function;
    os << " [label=\"" << verifier::edge_kind_name(e.kind) << "\", " << dot_edge_style(e.kind) << "];\n";
  }
  os << "}\n";
}

}  // namespace bpfvet::cli
