// JSON renderers (output_json.h).
#include "cli/output_json.h"

#include "isa/printer.h"

namespace bpfvet::cli {

using json = nlohmann::ordered_json;

json source_json(const std::optional<isa::SourceLine>& src) {
  if (!src) return nullptr;
  return json{{"file", src->file}, {"line", src->line}, {"text", src->text}};
}

json error_json(const std::optional<verifier::Diagnostic>& d) {
  if (!d) return nullptr;
  return json{{"insn", d->insn},
              {"code", verifier::error_code_id(d->code)},
              {"message", d->message},
              {"kernel_message", d->kernel_message},
              {"source", source_json(d->source)},
              {"explanation", d->explanation},
              {"hint", d->hint}};
}

json stats_json(const verifier::Stats& s) {
  return json{{"processed_insns", s.processed_insns}, {"total_states", s.total_states},
              {"peak_states", s.peak_states},         {"max_states_per_insn", s.max_states_per_insn},
              {"stack_depth", s.stack_depth},         {"time_us", s.time_us}};
}

json program_json(const ProgramReport& r, bool with_path) {
  json p{{"file", r.file},
         {"section", r.section},
         {"name", r.name},
         {"type", r.type},
         {"insns", r.insns},
         {"verdict", r.result.accepted ? "accepted" : "rejected"},
         {"error", error_json(r.result.error)},
         {"stats", stats_json(r.result.stats)}};
  if (!r.kernel.empty()) p["kernel"] = r.kernel;
  if (r.result.error && !r.result.error->notes.empty()) p["notes"] = r.result.error->notes;
  if (!r.result.log.empty()) p["log"] = r.result.log;
  if (with_path) {
    json path = json::array();
    for (const auto& step : r.path)
      path.push_back({{"insn", step.insn}, {"text", step.text}, {"source", source_json(step.source)}});
    p["path"] = std::move(path);
  }
  return p;
}

json reports_json(const std::vector<ProgramReport>& reports, bool with_path) {
  json programs = json::array();
  for (const auto& r : reports) programs.push_back(program_json(r, with_path));
  return json{{"tool", "bpfvet"}, {"version", BPFVET_VERSION}, {"programs", std::move(programs)}};
}

}  // namespace bpfvet::cli

namespace bpfvet::cli {

nlohmann::ordered_json cfg_json(const isa::Program& prog, const verifier::CfgGraph& g) {
  using json = nlohmann::ordered_json;
  json functions = json::array();
  for (const auto& f : g.functions)
    functions.push_back({{"name", f.name},
                         {"start", f.start},
                         {"end", f.end},
                         {"entry_block", f.entry_block},
                         {"blocks", f.blocks}});
  json blocks = json::array();
  for (const auto& b : g.blocks) {
    json insns = json::array();
    for (uint32_t i = b.first; i < b.end; ++i) {
      if (prog.insns[i].kind == isa::Kind::LdImm64Hi) continue;
      json in{{"idx", i}, {"text", isa::print_insn(prog.insns[i], i)}};
      if (const auto* src = prog.line_of(i)) in["source"] = source_json(*src);
      insns.push_back(std::move(in));
    }
    blocks.push_back({{"id", b.id},
                      {"function", b.function},
                      {"start", b.first},
                      {"end", b.end},
                      {"insns", std::move(insns)}});
  }
  json edges = json::array();
  for (const auto& e : g.edges)
    edges.push_back({{"from", e.from},
                     {"to", e.to ? json(*e.to) : json(nullptr)},
                     {"kind", verifier::edge_kind_name(e.kind)}});
  return {{"file", prog.file},           {"section", prog.section},
          {"name", prog.name},           {"type", isa::prog_type_name(prog.type)},
          {"insns", prog.insns.size()},  {"functions", std::move(functions)},
          {"blocks", std::move(blocks)}, {"edges", std::move(edges)}};
}

}  // namespace bpfvet::cli
