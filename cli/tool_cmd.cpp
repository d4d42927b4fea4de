// disasm, asm, cfg, jit: the structural tools around the verifier.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/output_json.h"
#include "cli/output_text.h"
#include "isa/assembler.h"
#include "isa/printer.h"
#include "jit/arm64/arm64_engine.h"
#include "jit/x86_64/x86_64_engine.h"
#include "jit/x86_64/x86_disasm.h"
#include "verifier/cfg_graph.h"
#include "verifier/verifier.h"

namespace bpfvet::cli {
namespace {

bool same_line(const isa::SourceLine* a, const isa::SourceLine* b) {
  return a && b && a->line == b->line && a->file == b->file;
}

// disasm: a `;` header per program, then `IDX: (OPCODE) TEXT` lines; a function's
// first instruction gets a `; function NAME` comment and a change of source line a
// `; file:line: text` comment, so the whole listing re-assembles.
void print_disasm(std::ostream& os, const isa::Program& prog) {
  os << "; ";
  if (!prog.section.empty()) os << "section " << prog.section << ", ";
  os << "program " << prog.name << ", " << prog.insns.size() << " insns\n";
  const isa::SourceLine* last = nullptr;
  for (size_t i = 0; i < prog.insns.size(); ++i) {
    const auto& in = prog.insns[i];
    if (in.kind == isa::Kind::LdImm64Hi) continue;
    if (i > 0)
      for (const auto& f : prog.functions)
        if (f.start == i) os << "; function " << f.name << "\n";
    if (const auto* src = prog.line_of(i); src && src->line > 0 && !same_line(src, last)) {
      os << "; " << source_line_text(*src) << "\n";
      last = src;
    }
    os << isa::disasm_line(in, static_cast<int64_t>(i)) << "\n";
  }
}

struct AsmCmd {
  std::string input;
  std::string output;
};

void run_asm(const AsmCmd& c) {
  const std::string text = read_text_file(c.input);
  auto raw = isa::assemble(text, c.input);
  if (!raw) throw InputError(raw.message());
  const auto bytes = isa::bytes_from_raw(*raw);
  std::ofstream out(c.output, std::ios::binary | std::ios::trunc);
  if (!out) throw InputError(c.output + ": cannot open for writing");
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw InputError(c.output + ": write failed");
}

struct CfgCmd {
  InputOptions in;
  std::string format = "dot";
};

void run_cfg(const CfgCmd& c) {
  const auto obj = load_input(c.in);
  nlohmann::ordered_json programs = nlohmann::ordered_json::array();
  for (const auto& prog : obj.programs) {
    auto g = verifier::build_cfg(prog);
    if (!g) throw InputError(prog.file + ": " + prog.name + ": " + g.message());
    if (c.format == "json")
      programs.push_back(cfg_json(prog, *g));
    else
      print_cfg_dot(std::cout, prog, *g);
  }
  if (c.format == "json")
    std::cout << nlohmann::ordered_json{{"tool", "bpfvet"},
                                        {"version", BPFVET_VERSION},
                                        {"programs", programs}}
                     .dump(2)
              << "\n";
}

struct JitCmd {
  InputOptions in;
  std::string arch;
};

// The native listing, like `bpftool prog dump jited linum`: per BPF instruction its
// source line (on change), its text, then the machine code LLVM MC decodes from the
// bytes the JIT emitted for it.  A program the verifier rejects is listed as the
// checked code --no-verify would run.
void run_jit(const JitCmd& c) {
  const auto obj = load_input(c.in);
  if (c.arch == "arm64") {
    for (size_t p = 0; p < obj.programs.size(); ++p) {
      const auto& prog = obj.programs[p];
      const bool verified = verifier::verify_for_execution(prog, verifier::VerifyOptions{}).ok();
      auto text = jit::arm64::listing(prog, !verified);
      if (!text) throw InputError(prog.name + ": " + text.message());
      std::cout << (p > 0 ? "\n" : "") << *text;
    }
    return;
  }
  if (c.arch != "x86_64") throw InputError("the " + c.arch + " JIT is not available in this build");
  auto dis = jit::x86::X86Disassembler::create(false, true);
  if (!dis) throw InputError(dis.message());
  bool first = true;
  for (const auto& prog : obj.programs) {
    const bool verified = verifier::verify_for_execution(prog, verifier::VerifyOptions{}).ok();
    auto code = jit::x86::compile_for_listing(prog, !verified);
    if (!code) throw InputError(prog.name + ": " + code.message());
    if (!first) std::cout << "\n";
    first = false;
    std::cout << "; ";
    if (!prog.section.empty()) std::cout << "section " << prog.section << ", ";
    std::cout << "program " << prog.name << ", " << prog.insns.size() << " insns -> " << code->code.size()
              << " bytes of x86_64"
              << (verified ? "" : " (not verified: checked code, as --no-verify runs it)") << "\n";
    const isa::SourceLine* last = nullptr;
    auto dump = [&](size_t from, size_t to) {
      const std::span<const uint8_t> bytes(code->code.data() + from, to - from);
      for (const auto& x : (*dis)->disassemble(bytes, from)) {
        char head[16];
        std::snprintf(head, sizeof head, "  %5zx:  ", from + x.offset);
        std::string hex;
        for (size_t k = 0; k < x.size; ++k) {
          char b[4];
          std::snprintf(b, sizeof b, "%02x ", code->code[from + x.offset + k]);
          hex += b;
        }
        if (hex.size() < 33) hex.resize(33, ' ');
        std::cout << head << hex << (x.valid ? x.text : "(bad)") << "\n";
      }
    };
    for (size_t i = 0; i < prog.insns.size(); ++i) {
      const auto& in = prog.insns[i];
      if (in.kind == isa::Kind::LdImm64Hi) continue;
      for (const auto& f : prog.functions)
        if (f.start == i && i > 0) std::cout << "; function " << f.name << "\n";
      if (const auto* src = prog.line_of(i); src && src->line > 0 && !same_line(src, last)) {
        std::cout << "; " << source_line_text(*src) << "\n";
        last = src;
      }
      std::cout << isa::disasm_line(in, static_cast<int64_t>(i)) << "\n";
      size_t end = code->insn_offset[i + 1];
      if (i + 1 < prog.insns.size() && prog.insns[i + 1].kind == isa::Kind::LdImm64Hi)
        end = code->insn_offset[i + 2];
      dump(code->insn_offset[i], end);
    }
    std::cout << "; out of line: end-of-program trap, unwind" << (verified ? "" : ", access check") << "\n";
    dump(code->insn_offset.back(), code->code.size());
  }
}

}  // namespace

void add_tool_commands(CLI::App& app, int& status) {
  auto disasm = std::make_shared<InputOptions>();
  auto* d = app.add_subcommand("disasm", "Print the instructions as the kernel's verifier log does");
  add_input_options(*d, *disasm);
  d->callback([disasm, &status] {
    const auto obj = load_input(*disasm);
    bool first = true;
    for (const auto& prog : obj.programs) {
      if (!first) std::cout << "\n";
      first = false;
      print_disasm(std::cout, prog);
    }
    status = 0;
  });

  auto as = std::make_shared<AsmCmd>();
  auto* a = app.add_subcommand("asm", "Assemble text into raw bytecode (8-byte little-endian instructions)");
  a->add_option("input", as->input, "Assembly file (.s/.asm)")->required();
  a->add_option("-o,--output", as->output, "Output file for the raw bytecode")->required();
  a->callback([as, &status] {
    run_asm(*as);
    status = 0;
  });

  auto cfg = std::make_shared<CfgCmd>();
  auto* g = app.add_subcommand("cfg", "Control-flow graph: basic blocks, edges, functions");
  add_input_options(*g, cfg->in);
  g->add_option("--format", cfg->format, "Output: dot (Graphviz) or json")
      ->check(CLI::IsMember({"dot", "json"}));
  g->callback([cfg, &status] {
    run_cfg(*cfg);
    status = 0;
  });

  auto jit = std::make_shared<JitCmd>();
  auto* j = app.add_subcommand("jit", "Native code listing of the JIT for one architecture");
  add_input_options(*j, jit->in);
  j->add_option("--arch", jit->arch, "Target: x86_64 or arm64")
      ->required()
      ->check(CLI::IsMember({"x86_64", "arm64"}));
  j->callback([jit, &status] {
    run_jit(*jit);
    status = 0;
  });
}

}  // namespace bpfvet::cli
