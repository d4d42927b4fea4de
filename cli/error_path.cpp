// Reconstructs the failing path from the verifier log (error_path.h).
#include "cli/error_path.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <sstream>

#include "isa/printer.h"
#include "verifier/cfg_graph.h"

namespace bpfvet::cli {
namespace {

// "12: (61) r2 = ..." -> 12.  Only instruction lines have "(xx)" after the index.
std::optional<uint32_t> insn_line(const std::string& line) {
  size_t i = 0;
  while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
  if (i == 0 || i > 9 || line.compare(i, 3, ": (") != 0 || line.size() < i + 6 || line[i + 5] != ')')
    return std::nullopt;
  if (!std::isxdigit(static_cast<unsigned char>(line[i + 3])) ||
      !std::isxdigit(static_cast<unsigned char>(line[i + 4])))
    return std::nullopt;
  return static_cast<uint32_t>(std::stoul(line.substr(0, i)));
}

// "from 5 to 9: ..." -> 5 (the branch instruction).
std::optional<uint32_t> from_line(const std::string& line) {
  unsigned from = 0, to = 0;
  char colon = 0;
  if (std::sscanf(line.c_str(), "from %u to %u%c", &from, &to, &colon) == 3 && colon == ':') return from;
  return std::nullopt;
}

struct Segment {
  std::optional<uint32_t> from;  // branch instruction this segment was pushed at
  std::vector<uint32_t> insns;
};

}  // namespace

std::vector<uint32_t> path_from_log(const std::string& log) {
  std::vector<Segment> segs(1);
  std::istringstream is(log);
  for (std::string line; std::getline(is, line);) {
    if (auto f = from_line(line)) {
      segs.push_back(Segment{f, {}});
    } else if (auto i = insn_line(line)) {
      segs.back().insns.push_back(*i);
    }
  }
  // Walk back from the last segment: each prefix is the latest earlier segment
  // that executed the branch instruction, cut just after it.
  std::vector<std::vector<uint32_t>> parts;
  size_t k = segs.size() - 1;
  parts.push_back(segs[k].insns);
  std::optional<uint32_t> from = segs[k].from;
  while (from && k > 0) {
    bool found = false;
    for (size_t j = k; j-- > 0;) {
      auto& ins = segs[j].insns;
      auto it = std::find(ins.rbegin(), ins.rend(), *from);
      if (it == ins.rend()) continue;
      parts.emplace_back(ins.begin(), it.base());
      from = segs[j].from;
      k = j;
      found = true;
      break;
    }
    if (!found) break;
  }
  std::vector<uint32_t> path;
  for (auto p = parts.rbegin(); p != parts.rend(); ++p) path.insert(path.end(), p->begin(), p->end());
  return path;
}

std::vector<PathStep> error_path(const isa::Program& prog, const std::string& log, int64_t error_insn) {
  std::vector<uint32_t> idx = path_from_log(log);
  const auto n = static_cast<int64_t>(prog.insns.size());
  if (error_insn >= 0 && error_insn < n) {
    if (!idx.empty() && idx.back() != error_insn) {
      // A log stops at the last instruction that passed; the failing one comes next.
      idx.push_back(static_cast<uint32_t>(error_insn));
    } else if (idx.empty()) {
      // No instruction lines in the log: use the error's basic block.
      uint32_t first = 0;
      if (auto g = verifier::build_cfg(prog)) {
        if (auto b = g->block_of(static_cast<uint32_t>(error_insn))) first = g->blocks[*b].first;
      }
      for (auto i = static_cast<uint32_t>(first); i <= error_insn; ++i) idx.push_back(i);
    }
  }
  if (idx.size() > kMaxPathSteps) idx.erase(idx.begin(), idx.end() - kMaxPathSteps);
  std::vector<PathStep> steps;
  for (uint32_t i : idx) {
    if (i >= prog.insns.size() || prog.insns[i].kind == isa::Kind::LdImm64Hi) continue;
    PathStep s;
    s.insn = i;
    s.text = isa::print_insn(prog.insns[i], i);
    if (const auto* src = prog.line_of(i)) s.source = *src;
    steps.push_back(std::move(s));
  }
  return steps;
}

}  // namespace bpfvet::cli
