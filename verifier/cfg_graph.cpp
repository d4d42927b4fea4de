// Basic blocks, edges and functions of a Program (see cfg_graph.h).
#include "verifier/cfg_graph.h"

#include <algorithm>
#include <map>
#include <set>

namespace bpfvet::verifier {
namespace {

using isa::Insn;
using isa::Kind;

bool is_local_call(const Insn& in) { return in.kind == Kind::Call && in.call == isa::CallKind::Local; }
bool is_func_addr(const Insn& in) { return in.kind == Kind::LdImm64 && in.pseudo == isa::Pseudo::Func; }
bool is_jump(const Insn& in) { return in.kind == Kind::Jmp; }
bool is_unconditional(const Insn& in) { return in.kind == Kind::Jmp && in.jmp == isa::JmpOp::Ja; }

// A target must name the first slot of an instruction inside the program.
Status check_target(const isa::Program& prog, size_t pc, int64_t target, const char* what) {
  const auto n = static_cast<int64_t>(prog.insns.size());
  if (target < 0 || target >= n)
    return Error{"insn " + std::to_string(pc) + ": " + what + " target " + std::to_string(target) +
                 " is outside the program (0.." + std::to_string(n - 1) + ")"};
  if (prog.insns[static_cast<size_t>(target)].kind == Kind::LdImm64Hi)
    return Error{"insn " + std::to_string(pc) + ": " + what + " target " + std::to_string(target) +
                 " is the second half of an lddw"};
  return Ok{};
}

// Callback address of `ld_imm64 rX, func`: imm is relative to the lddw like a call.
int64_t func_addr_target(const Insn& in, size_t pc) { return static_cast<int64_t>(pc) + 1 + in.imm; }

}  // namespace

const char* edge_kind_name(EdgeKind kind) {
  switch (kind) {
    case EdgeKind::Fallthrough:
      return "fallthrough";
    case EdgeKind::Jump:
      return "jump";
    case EdgeKind::Taken:
      return "taken";
    case EdgeKind::Call:
      return "call";
    case EdgeKind::Exit:
      return "exit";
  }
  return "?";
}

std::optional<uint32_t> CfgGraph::block_of(uint32_t idx) const {
  auto it = std::upper_bound(blocks.begin(), blocks.end(), idx,
                             [](uint32_t v, const BasicBlock& b) { return v < b.first; });
  if (it == blocks.begin()) return std::nullopt;
  --it;
  if (idx >= it->end) return std::nullopt;
  return it->id;
}

Result<CfgGraph> build_cfg(const isa::Program& prog) {
  const size_t n = prog.insns.size();
  if (n == 0) return Error{"the program has no instructions"};
  if (prog.insns[0].kind == Kind::LdImm64Hi) return Error{"insn 0: the second half of an lddw"};

  // Function starts, with names where the Program knows them.
  std::map<uint32_t, std::string> fn_start;
  fn_start[0] = prog.functions.empty() ? prog.name : prog.functions[0].name;
  for (const auto& f : prog.functions)
    if (f.start < n && prog.insns[f.start].kind != Kind::LdImm64Hi) fn_start.try_emplace(f.start, f.name);
  std::set<uint32_t> leaders{0};
  for (size_t pc = 0; pc < n; ++pc) {
    const Insn& in = prog.insns[pc];
    if (is_local_call(in) || is_func_addr(in)) {
      const int64_t t = is_local_call(in) ? in.target(static_cast<int64_t>(pc)) : func_addr_target(in, pc);
      auto st = check_target(prog, pc, t, is_local_call(in) ? "call" : "callback");
      if (!st) return st.error();
      fn_start.try_emplace(static_cast<uint32_t>(t), "");
    }
    if (is_jump(in)) {
      const int64_t t = in.target(static_cast<int64_t>(pc));
      auto st = check_target(prog, pc, t, "jump");
      if (!st) return st.error();
      leaders.insert(static_cast<uint32_t>(t));
    }
    const bool ends_block = is_jump(in) || is_local_call(in) || in.kind == Kind::Exit;
    if (ends_block && pc + 1 < n) leaders.insert(static_cast<uint32_t>(pc + 1));
  }
  for (const auto& [start, name] : fn_start) leaders.insert(start);

  CfgGraph g;
  for (auto it = fn_start.begin(); it != fn_start.end(); ++it) {
    auto next = std::next(it);
    CfgFunction f;
    f.start = it->first;
    f.end = next == fn_start.end() ? static_cast<uint32_t>(n) : next->first;
    f.name = !it->second.empty() ? it->second : "subprog_" + std::to_string(f.start);
    g.functions.push_back(std::move(f));
  }

  // Blocks between consecutive leaders.
  for (auto it = leaders.begin(); it != leaders.end(); ++it) {
    auto next = std::next(it);
    BasicBlock b;
    b.id = static_cast<uint32_t>(g.blocks.size());
    b.first = *it;
    b.end = next == leaders.end() ? static_cast<uint32_t>(n) : *next;
    auto fit = std::upper_bound(g.functions.begin(), g.functions.end(), b.first,
                                [](uint32_t v, const CfgFunction& f) { return v < f.start; });
    b.function = static_cast<uint32_t>(std::distance(g.functions.begin(), fit) - 1);
    CfgFunction& f = g.functions[b.function];
    if (f.blocks.empty()) f.entry_block = b.id;
    f.blocks.push_back(b.id);
    g.blocks.push_back(b);
  }

  // Edges: the last real instruction of each block decides (an lddw's Hi slot is data).
  for (const BasicBlock& b : g.blocks) {
    uint32_t last = b.last();
    if (prog.insns[last].kind == Kind::LdImm64Hi && last > b.first) --last;
    const Insn& in = prog.insns[last];
    const auto block_at = [&](int64_t t) { return g.block_of(static_cast<uint32_t>(t)); };
    const bool has_next = b.end < n && g.blocks[b.id + 1].function == b.function;
    if (in.kind == Kind::Exit) {
      g.edges.push_back({b.id, std::nullopt, EdgeKind::Exit});
    } else if (is_jump(in)) {
      const auto target = block_at(in.target(last));
      if (is_unconditional(in)) {
        g.edges.push_back({b.id, target, EdgeKind::Jump});
      } else {
        if (has_next) g.edges.push_back({b.id, b.id + 1, EdgeKind::Fallthrough});
        g.edges.push_back({b.id, target, EdgeKind::Taken});
      }
    } else {
      if (is_local_call(in)) g.edges.push_back({b.id, block_at(in.target(last)), EdgeKind::Call});
      if (has_next) g.edges.push_back({b.id, b.id + 1, EdgeKind::Fallthrough});
    }
  }
  return g;
}

}  // namespace bpfvet::verifier
