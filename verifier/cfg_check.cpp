#include "verifier/cfg_check.h"

#include <algorithm>
#include <set>

#include "isa/helpers.h"

namespace bpfvet::verifier {

using isa::Insn;
using isa::Kind;

int VerifierContext::subprog_at(uint32_t start) const {
  for (size_t i = 0; i < subprogs.size(); ++i)
    if (subprogs[i].start == start) return static_cast<int>(i);
  return -1;
}

namespace {

bool is_local_call(const Insn& in) { return in.kind == Kind::Call && in.call == isa::CallKind::Local; }
bool is_func_addr(const Insn& in) { return in.kind == Kind::LdImm64 && in.pseudo == isa::Pseudo::Func; }

// check_subprogs: function boundaries from call targets, jumps stay inside their function.
Check find_subprogs(VerifierContext& ctx) {
  const int64_t n = ctx.insn_count();
  std::set<int64_t> starts{0};
  for (int64_t pc = 0; pc < n; ++pc) {
    const Insn& in = ctx.insn(pc);
    if (!is_local_call(in) && !is_func_addr(in)) continue;
    int64_t target = is_local_call(in) ? in.target(pc) : pc + 1 + in.imm;
    if (target < 0 || target >= n) {
      Reject r = reject(ErrorCode::JumpOutOfRange, "call to invalid destination");
      r.insn = pc;
      return r;
    }
    starts.insert(target);
  }
  ctx.subprogs.clear();
  for (auto it = starts.begin(); it != starts.end(); ++it) {
    auto next = std::next(it);
    ctx.subprogs.push_back(Subprog{static_cast<uint32_t>(*it), static_cast<uint32_t>(next == starts.end() ? n : *next)});
  }
  ctx.info.assign(static_cast<size_t>(n), InsnInfo{});
  for (size_t s = 0; s < ctx.subprogs.size(); ++s) {
    const Subprog& sp = ctx.subprogs[s];
    for (int64_t pc = sp.start; pc < sp.end; ++pc) {
      ctx.info[pc].subprog = static_cast<int32_t>(s);
      const Insn& in = ctx.insn(pc);
      if (in.kind == Kind::Jmp) {
        int64_t target = in.target(pc);
        if (target < sp.start || target >= sp.end) {
          Reject r = reject(ErrorCode::JumpOutOfRange, "jump out of range from insn %lld to %lld",
                            static_cast<long long>(pc), static_cast<long long>(target));
          r.insn = pc;
          return r;
        }
      }
      if (pc == sp.end - 1) {
        bool ok = in.kind == Kind::Exit || (in.kind == Kind::Jmp && in.jmp == isa::JmpOp::Ja);
        if (!ok) {
          Reject r = reject(ErrorCode::FallOffEnd, "last insn is not an exit or jmp");
          r.insn = pc;
          return r;
        }
      }
    }
  }
  return std::nullopt;
}

enum : uint8_t { kUnvisited = 0, kDiscovered = 1, kExplored = 2 };

}  // namespace

std::vector<int64_t> successors(const VerifierContext& ctx, int64_t pc) {
  const Insn& in = ctx.insn(pc);
  switch (in.kind) {
    case Kind::Exit: return {};
    case Kind::LdImm64: return {pc + 2};
    case Kind::Jmp:
      if (in.jmp == isa::JmpOp::Ja) return {in.target(pc)};
      return {pc + 1, in.target(pc)};
    default: return {pc + 1};
  }
}

namespace {

// The kernel's iterative DFS (check_cfg): fallthrough edges first, then branch edges.
Check walk_cfg(VerifierContext& ctx) {
  const int64_t n = ctx.insn_count();
  std::vector<uint8_t> state(static_cast<size_t>(n), kUnvisited);
  std::vector<std::pair<int64_t, size_t>> stack;  // insn, next edge to try
  auto mark_prune = [&](int64_t pc) {
    if (pc >= 0 && pc < n) ctx.info[pc].prune_point = ctx.info[pc].jmp_point = true;
  };
  // Local calls push their target as an extra edge after the fallthrough.
  auto edges_of = [&](int64_t pc) {
    std::vector<int64_t> e = successors(ctx, pc);
    const Insn& in = ctx.insn(pc);
    if (is_local_call(in)) e.push_back(in.target(pc));
    if (is_func_addr(in)) e.push_back(pc + 1 + in.imm);  // a callback is reachable from its address
    return e;
  };
  for (int64_t pc = 0; pc < n; ++pc) {
    const Insn& in = ctx.insn(pc);
    if (in.kind == Kind::Jmp) {
      if (in.jmp != isa::JmpOp::Ja) mark_prune(pc);
      mark_prune(in.target(pc));
    } else if (in.kind == Kind::Call) {
      mark_prune(pc + 1);
      if (iterates_callback(ctx, in)) mark_prune(pc);  // each walk of the callback returns here
      if (is_local_call(in)) {  // the call itself and the callee's entry (visit_func_call_insn)
        mark_prune(pc);
        mark_prune(in.target(pc));
      }
    } else if (is_func_addr(in)) {
      mark_prune(pc + 1 + in.imm);
    }
  }
  state[0] = kDiscovered;
  stack.emplace_back(0, 0);
  while (!stack.empty()) {
    auto& [t, next] = stack.back();
    std::vector<int64_t> edges = edges_of(t);
    if (next >= edges.size()) {
      state[t] = kExplored;
      stack.pop_back();
      continue;
    }
    int64_t w = edges[next++];
    int64_t from = t;
    if (w < 0 || w >= n) {
      Reject r = reject(ErrorCode::JumpOutOfRange, "jump out of range from insn %lld to %lld",
                        static_cast<long long>(from), static_cast<long long>(w));
      r.insn = from;
      return r;
    }
    if (state[w] == kUnvisited) {
      state[w] = kDiscovered;
      stack.emplace_back(w, 0);
    } else if (state[w] == kDiscovered) {
      if (!ctx.rules.bounded_loops) {
        Reject r = reject(ErrorCode::BackEdge, "back-edge from insn %lld to %lld", static_cast<long long>(from),
                          static_cast<long long>(w));
        r.insn = from;
        return r;
      }
    }
  }
  for (int64_t i = 0; i < n; ++i) {
    if (state[i] != kExplored) {
      Reject r = reject(ErrorCode::UnreachableInsn, "unreachable insn %lld", static_cast<long long>(i));
      r.insn = i;
      return r;
    }
    if (ctx.insn(i).kind == Kind::LdImm64) {
      if (i + 1 < n && state[i + 1] != kUnvisited) {
        Reject r = reject(ErrorCode::JumpOutOfRange, "jump into the middle of ldimm64 insn %lld", static_cast<long long>(i));
        r.insn = i;
        return r;
      }
      ++i;
    }
  }
  return std::nullopt;
}

// Registers read and written by one instruction, for the liveness analysis.
struct UseDef {
  uint16_t use = 0, def = 0;
};

UseDef use_def(const Insn& in) {
  UseDef u;
  auto bit = [](int r) { return static_cast<uint16_t>(1u << r); };
  switch (in.kind) {
    case Kind::Alu:
      if (in.alu != isa::AluOp::Mov && in.alu != isa::AluOp::MovSx) u.use |= bit(in.dst);
      if (in.use_src && in.alu != isa::AluOp::Neg && in.alu != isa::AluOp::End) u.use |= bit(in.src);
      u.def |= bit(in.dst);
      break;
    case Kind::Jmp:
      if (in.jmp != isa::JmpOp::Ja && in.jmp != isa::JmpOp::MayGoto) {
        u.use |= bit(in.dst);
        if (in.use_src) u.use |= bit(in.src);
      }
      break;
    case Kind::Call:
      u.def = 0x3f;
      u.use = 0x3e;
      if (in.call == isa::CallKind::Helper) {
        // A helper reads only its declared arguments.
        const isa::HelperProto* h = isa::find_helper(in.imm);
        u.use = h ? static_cast<uint16_t>(((1u << h->nargs()) - 1) << 1) : 0;
      }
      break;
    case Kind::Exit: u.use = bit(0); break;
    case Kind::LdImm64: u.def = bit(in.dst); break;
    case Kind::Load: u.use = bit(in.src); u.def = bit(in.dst); break;
    case Kind::Store: u.use = bit(in.dst); break;
    case Kind::StoreReg: u.use = bit(in.dst) | bit(in.src); break;
    case Kind::Atomic:
      u.use = bit(in.dst) | bit(in.src);
      if (in.atomic == isa::AtomicOp::CmpXchg) { u.use |= bit(0); u.def |= bit(0); }
      else if (isa::atomic_op_fetches(in.atomic)) u.def |= bit(in.src);
      break;
    case Kind::LdAbs: u.use = bit(6); u.def = 0x3f; break;
    case Kind::LdInd: u.use = bit(6) | bit(in.src); u.def = 0x3f; break;
    default: break;
  }
  return u;
}

// The kernel's check_abnormal_return: without BTF func info a subprogram may not use
// LD_ABS/LD_IND or bpf_tail_call (both can leave the function other than by its exit).
Check check_subprogs_without_btf(const VerifierContext& ctx) {
  if (!ctx.prog.func_info.empty() || !ctx.prog.line_info.empty()) return std::nullopt;
  constexpr int32_t kTailCall = 12;
  for (size_t s = 1; s < ctx.subprogs.size(); ++s) {
    bool ld_abs = false, tail_call = false;
    for (int64_t pc = ctx.subprogs[s].start; pc < ctx.subprogs[s].end; ++pc) {
      const Insn& in = ctx.insn(pc);
      ld_abs = ld_abs || in.kind == Kind::LdAbs || in.kind == Kind::LdInd;
      tail_call = tail_call || (in.kind == Kind::Call && in.call == isa::CallKind::Helper && in.imm == kTailCall);
    }
    if (ld_abs) return reject(ErrorCode::InvalidInsn, "LD_ABS is not allowed in subprogs without BTF");
    if (tail_call) return reject(ErrorCode::TailCallMix, "tail_call is not allowed in subprogs without BTF");
  }
  return std::nullopt;
}

// The kernel's check_map_prog_compatibility, run on every map reference before the
// walk: a map whose value holds a bpf_spin_lock is not for socket filters or tracing.
Check check_map_prog_compatibility(const VerifierContext& ctx) {
  const isa::ProgType t = ctx.prog.type;
  const bool tracing = t == isa::ProgType::Kprobe || t == isa::ProgType::Kretprobe || t == isa::ProgType::Uprobe ||
                       t == isa::ProgType::Tracepoint || t == isa::ProgType::PerfEvent ||
                       t == isa::ProgType::RawTracepoint;
  for (int64_t pc = 0; pc < ctx.insn_count(); ++pc) {
    const Insn& in = ctx.insn(pc);
    const bool map_ref = in.pseudo == isa::Pseudo::MapFd || in.pseudo == isa::Pseudo::MapValue ||
                         in.pseudo == isa::Pseudo::MapIdx || in.pseudo == isa::Pseudo::MapIdxValue;
    if (in.kind != Kind::LdImm64 || !map_ref) continue;
    if (in.imm < 0 || static_cast<size_t>(in.imm) >= ctx.prog.maps.size()) continue;
    if (ctx.prog.maps[static_cast<size_t>(in.imm)].spin_lock_off < 0) continue;
    if (t == isa::ProgType::SocketFilter)
      return reject(ErrorCode::NotSupportedByKernel, "socket filter progs cannot use bpf_spin_lock yet");
    if (tracing) return reject(ErrorCode::NotSupportedByKernel, "tracing progs cannot use bpf_spin_lock yet");
  }
  return std::nullopt;
}

void compute_liveness(VerifierContext& ctx) {
  const int64_t n = ctx.insn_count();
  std::vector<uint16_t> live_in(static_cast<size_t>(n), 0);
  bool changed = true;
  while (changed) {
    changed = false;
    for (int64_t pc = n - 1; pc >= 0; --pc) {
      const Insn& in = ctx.insn(pc);
      if (in.kind == Kind::LdImm64Hi) continue;
      uint16_t out = 0;
      for (int64_t s : successors(ctx, pc))
        if (s >= 0 && s < n) out |= live_in[s];
      UseDef ud = use_def(in);
      uint16_t in_set = static_cast<uint16_t>(ud.use | (out & ~ud.def) | (1u << 10));
      if (in_set != live_in[pc]) {
        live_in[pc] = in_set;
        changed = true;
      }
    }
  }
  for (int64_t pc = 0; pc < n; ++pc) ctx.info[pc].live_regs = live_in[pc];
}

}  // namespace

Check check_cfg(VerifierContext& ctx) {
  if (ctx.insn_count() == 0) return reject(ErrorCode::InvalidInsn, "last insn is not an exit or jmp");
  if (auto r = find_subprogs(ctx)) return r;
  if (auto r = check_subprogs_without_btf(ctx)) return r;
  if (auto r = check_map_prog_compatibility(ctx)) return r;
  if (auto r = walk_cfg(ctx)) return r;
  compute_liveness(ctx);
  return std::nullopt;
}

}  // namespace bpfvet::verifier
