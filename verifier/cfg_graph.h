// CfgGraph: the control-flow structure of a Program, for `bpfvet cfg` and for tests.
//
// How it works: one linear pass finds the function boundaries (the Program's own
// functions plus every bpf-to-bpf call target and every `ld_imm64 ... func` callback
// address), then the block leaders: each function's start, every jump target and every
// instruction after a jump, a local call or an exit.  A basic block is a maximal run
// of slots between two leaders; the second slot of an lddw always stays with its first.
// Edges carry their kind: `fallthrough` (straight-line or a conditional jump's
// not-taken side, and the return point after a local call), `jump` (goto/gotol),
// `taken` (a conditional jump's or may_goto's target), `call` (a bpf-to-bpf call into
// the callee's entry block) and `exit` (to the function's virtual exit node).
// This is pure structure: no abstract interpretation, so unreachable blocks and loops
// are drawn as they are.  Targets outside the program or into the middle of an lddw
// are an Error, because no graph can show them (the verifier reports them as
// JUMP_OUT_OF_RANGE).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "isa/program.h"
#include "isa/result.h"

namespace bpfvet::verifier {

/// How control moves along an edge.
enum class EdgeKind : uint8_t { Fallthrough, Jump, Taken, Call, Exit };

/// "fallthrough", "jump", "taken", "call", "exit".
const char* edge_kind_name(EdgeKind kind);

/// A maximal straight-line run of slots [first, end) inside one function.
struct BasicBlock {
  uint32_t id = 0;
  uint32_t first = 0;     // first slot
  uint32_t end = 0;       // one past the last slot (an lddw's second slot included)
  uint32_t function = 0;  // index into CfgGraph::functions
  uint32_t last() const { return end - 1; }
};

/// An edge between blocks; `to` is empty for kind Exit (the function's exit node).
struct CfgEdge {
  uint32_t from = 0;
  std::optional<uint32_t> to;
  EdgeKind kind = EdgeKind::Fallthrough;
  friend bool operator==(const CfgEdge&, const CfgEdge&) = default;
};

/// A function: its slot range, name and blocks in address order.
struct CfgFunction {
  std::string name;
  uint32_t start = 0;
  uint32_t end = 0;
  uint32_t entry_block = 0;
  std::vector<uint32_t> blocks;
};

struct CfgGraph {
  std::vector<BasicBlock> blocks;      // in address order; blocks[i].id == i
  std::vector<CfgEdge> edges;          // grouped by `from`, in address order
  std::vector<CfgFunction> functions;  // in address order; functions[0] is the entry

  /// Index of the block containing slot `idx`, or nullopt past the end.
  std::optional<uint32_t> block_of(uint32_t idx) const;
};

/// Builds the graph of `prog` (prog.insns must be its decoded slots).  Fails on an
/// empty program or a jump/call target outside the program or inside an lddw.
Result<CfgGraph> build_cfg(const isa::Program& prog);

}  // namespace bpfvet::verifier
