#include "verifier/explorer.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <memory>

#include "isa/context.h"
#include "isa/helpers.h"
#include "isa/lsm_hooks.h"
#include "isa/printer.h"
#include "verifier/exit_checks.h"
#include "verifier/global_func.h"
#include "verifier/precision.h"
#include "verifier/state_log.h"
#include "verifier/transfer.h"

namespace bpfvet::verifier {

using isa::Insn;
using isa::Kind;

namespace {

constexpr size_t kMaxJmpSeq = 8192;       // BPF_COMPLEXITY_LIMIT_JMP_SEQ
constexpr uint64_t kMaxStatesPerInsn = 64;  // BPF_COMPLEXITY_LIMIT_STATES
constexpr int32_t kBpfLoop = 181;           // BPF_FUNC_loop

// True when helper `id` has a function-pointer argument (bpf_loop, for_each_map_elem...).
bool takes_callback(int32_t id) {
  const isa::HelperProto* h = isa::find_helper(id);
  if (!h) return false;
  for (int i = 0; i < 5; ++i)
    if (h->args[i].type == isa::ArgType::Func) return true;
  return false;
}

struct Path {
  AbstractState st;
  std::shared_ptr<Checkpoint> parent;
  int64_t pc = 0;
  int64_t prev_pc = -1;
  History hist;                                    // since `parent` (or the path's start)
  std::array<uint64_t, kMaxCallFrames> written{};  // stack slots fully written since `parent`
  // A path the CPU might take by mispredicting a decided branch (loaders without
  // CAP_PERFMON, see push_speculative); its errors only end it.
  bool speculative = false;
};

class Explorer {
 public:
  explicit Explorer(const VerifierContext& ctx)
      : ctx_(ctx), log_(ctx, ctx.opts.log_level), explored_(static_cast<size_t>(ctx.insn_count())) {
    result_.facts.assign(static_cast<size_t>(ctx.insn_count()), InsnFacts{});
  }

  ExploreResult run();
  // Walks every path from `start` until the work stack is empty or an error.
  void explore_from(Path start);

 private:
  // One step of the current path; false ends the path (exit, pruned, or error).
  bool step(Path& p);
  // is_state_visited: true when the path is pruned; sets error_ on an infinite loop.
  bool visit_prune_point(Path& p);
  PruneHints hints_for(const Checkpoint& cp) const {
    return PruneHints{cp.read.data(), ctx_.rules.privileged, ctx_.rules.allow_uninit_stack};
  }
  // The path is pruned by `cp`: what `cp`'s safety relied on (its read stack slots and
  // precise scalars) becomes what the path's checkpoints rely on.
  void propagate_marks(Path& p, const Checkpoint& cp);
  // History entry of the current instruction, pushed when it is not there yet.
  HistEntry& hist_entry(Path& p);
  // Stack reads and writes, history flags and precision needs of `in` before it runs.
  void before_insn(Path& p, const Insn& in, StackEffect& eff);
  // mark_precise for `regs` of the current frame as they are before the current insn.
  void need_precise(Path& p, uint16_t regs);
  void end_path(Path& p);
  void push_branch(const Path& from, AbstractState st, int64_t target);
  bool fail(Reject r, int64_t pc);
  // !bypass_spec_v1: the edge of a decided conditional jump is walked too, as a
  // speculative path with the compared registers forgotten (sanitize_speculative_path).
  bool push_speculative(const Path& p, const Insn& in, int64_t target);
  bool cur_speculative_ = false;  // the path step() is running is speculative
  bool exec_call_local(Path& p, const Insn& in);
  // A helper that calls back into the program: the callback's body is explored as its
  // own path from the state at the call.
  void push_callback(const Path& p, const Insn& in);
  // Iterated callbacks (6.7+, iterates_callback()): the call schedules one more walk of
  // the callback unless bpf_loop already scheduled nr_loops; `p` continues after the
  // call with its frame's count reset.
  void schedule_callback(const Path& before, Path& p, const Insn& in);
  // The checkpoint of the current walk at `insn` with the same call sites (the kernel's
  // find_prev_entry), or null.
  const Checkpoint* prev_entry(const Path& p, int64_t insn) const;
  bool exec_exit(Path& p);
  void track_stack_depth(const AbstractState& st);
  // True when the exit about to run checks r0 against a range (so needs it exact).
  bool exit_checks_r0(const Path& p) const;
  void record_facts(const Path& p, const Insn& in);

  const VerifierContext& ctx_;
  StateLog log_;
  RunIds ids_;
  ExploreResult result_;
  std::vector<std::vector<std::shared_ptr<Checkpoint>>> explored_;
  std::vector<Path> stack_;
  std::vector<uint32_t> subprog_depth_ = std::vector<uint32_t>(ctx_.subprogs.size(), 0);
  uint64_t jmps_processed_ = 0, prev_jmps_processed_ = 0, prev_insn_processed_ = 0;
  uint64_t cur_states_ = 0;
  uint64_t evicted_live_ = 0;  // evicted checkpoints whose paths still run
  bool print_state_ = true;
  std::vector<uint32_t> called_globals_;  // global functions to verify after the entry
  std::map<uint32_t, std::optional<GlobalFunc>> globals_;  // signature cache by start

  const std::optional<GlobalFunc>& global_at(uint32_t start) {
    auto it = globals_.find(start);
    if (it == globals_.end()) {
      std::optional<GlobalFunc> g;
      if (ctx_.rules.profile.global_funcs) g = global_func_at(ctx_.prog, start);
      it = globals_.emplace(start, std::move(g)).first;
    }
    return it->second;
  }
};

bool Explorer::fail(Reject r, int64_t pc) {
  // Since 6.17 an error on a speculative path puts a barrier before the instruction
  // (nospec) instead of rejecting; the pruning-time errors still reject.
  if (cur_speculative_ && ctx_.rules.profile.version >= isa::KernelVersion{6, 17} &&
      r.code != ErrorCode::InfiniteLoop && r.code != ErrorCode::ProgramTooLarge &&
      r.code != ErrorCode::JumpSequenceTooComplex && r.code != ErrorCode::VerifierBug) {
    ids_.nospec.insert(pc);
    return false;
  }
  if (r.insn < 0) r.insn = pc;
  result_.error = std::move(r);
  return false;
}

void Explorer::track_stack_depth(const AbstractState& st) {
  for (const Frame& f : st.frames) {
    int sp = ctx_.info[f.subprog_start].subprog;
    if (sp < 0) continue;
    // Only slots ever written or read count (reads allocate the slots they touch); the
    // kernel grows its allocation the same way.
    const auto depth = static_cast<uint32_t>(f.allocated_bytes());
    subprog_depth_[sp] = std::max(subprog_depth_[sp], depth);
  }
}

void Explorer::push_branch(const Path& from, AbstractState st, int64_t target) {
  Path np;
  np.st = std::move(st);
  np.parent = from.parent;
  np.pc = target;
  np.prev_pc = from.pc;
  np.hist = from.hist;
  np.written = from.written;
  np.speculative = from.speculative;
  if (np.parent) ++np.parent->branches;
  stack_.push_back(std::move(np));
}

bool Explorer::push_speculative(const Path& p, const Insn& in, int64_t target) {
  if (stack_.size() + 1 > kMaxJmpSeq)
    return fail(reject(ErrorCode::JumpSequenceTooComplex, "The sequence of %zu jumps is too complex.",
                       stack_.size() + 1),
                p.pc);
  AbstractState st = p.st;  // a decided jump leaves the state as it was
  st.reg(in.dst) = RegState::unknown_scalar();
  if (in.use_src) st.reg(in.src) = RegState::unknown_scalar();
  push_branch(p, std::move(st), target);
  stack_.back().speculative = true;
  return true;
}

HistEntry& Explorer::hist_entry(Path& p) {
  auto& e = p.hist.entries;
  if (e.empty() || e.back().idx != p.pc) {
    HistEntry h;
    h.idx = static_cast<int32_t>(p.pc);
    h.prev = static_cast<int32_t>(p.prev_pc);
    e.push_back(h);
  }
  return e.back();
}

void Explorer::need_precise(Path& p, uint16_t regs) {
  if (!regs) return;
  PreciseSet want;
  want.frame = static_cast<int>(p.st.frames.size()) - 1;
  want.regs[static_cast<size_t>(want.frame)] = regs;
  mark_precise(ctx_, p.hist, p.pc, p.parent.get(), want);
}

void Explorer::propagate_marks(Path& p, const Checkpoint& cp) {
  for (size_t f = 0; f < cp.st.frames.size() && f < static_cast<size_t>(kMaxCallFrames); ++f)
    if (cp.read[f]) mark_stack_read(p.parent.get(), p.st, static_cast<int>(f), cp.read[f], p.written);
  PreciseSet want = precise_set_of(cp.st);
  if (want.empty()) return;
  if (p.prev_pc >= 0 && p.prev_pc != p.pc - 1) hist_entry(p);
  mark_precise(ctx_, p.hist, p.pc, p.parent.get(), want);
}

void Explorer::before_insn(Path& p, const Insn& in, StackEffect& eff) {
  if (in.is_memory()) {
    eff = stack_effect(p.st, in);
    if (eff.frame >= 0) {
      if (eff.read) mark_stack_read(p.parent.get(), p.st, eff.frame, eff.read, p.written);
      if (eff.fixed_spi >= 0) {
        HistEntry& h = hist_entry(p);
        h.stack_frame = static_cast<int8_t>(eff.frame);
        h.spi = static_cast<uint8_t>(eff.fixed_spi);
      }
    }
  } else if (in.kind == Kind::Call && in.call == isa::CallKind::Helper) {
    std::array<uint64_t, kMaxCallFrames> reads{};
    helper_stack_reads(ctx_, p.st, in, reads);
    for (int f = 0; f < kMaxCallFrames; ++f)
      if (reads[f]) mark_stack_read(p.parent.get(), p.st, f, reads[f], p.written);
  } else if (in.kind == Kind::Jmp && in.jmp != isa::JmpOp::Ja && in.jmp != isa::JmpOp::MayGoto) {
    if (uint16_t linked = linked_regs_of(p.st, in)) hist_entry(p).linked_regs = linked;
  }
  if (!ctx_.rules.privileged) return;
  PreciseSet want = precise_uses(ctx_, p.st, in);
  if (!want.empty()) mark_precise(ctx_, p.hist, p.pc, p.parent.get(), want);
}

void Explorer::end_path(Path& p) {
  for (auto cp = p.parent; cp; cp = cp->parent) {
    if (--cp->branches > 0) break;
    if (cp->evicted) {
      cp->evicted = false;
      --evicted_live_;
    }
  }
  p.parent.reset();
}

bool Explorer::visit_prune_point(Path& p) {
  // The kernel keeps explored states in a table indexed by (insn ^ callsite) % insns;
  // max_states_per_insn counts every state of the bucket, whatever its instruction.
  const uint32_t bucket = (static_cast<uint32_t>(p.pc) ^ static_cast<uint32_t>(p.st.cur().callsite)) %
                          static_cast<uint32_t>(ctx_.insn_count());
  auto& list = explored_[bucket];
  const uint16_t live = ctx_.info[static_cast<size_t>(p.pc)].live_regs;
  // A call that iterates its callback always gets a checkpoint (the walks are compared
  // with it) and is tested for convergence instead of an infinite loop.
  const bool callback_call = iterates_callback(ctx_, ctx_.insn(p.pc));
  bool add_new_state = callback_call;
  if (jmps_processed_ - prev_jmps_processed_ >= 2 && result_.stats.processed_insns - prev_insn_processed_ >= 8)
    add_new_state = true;
  uint64_t n = 0;
  // Evicted states leave the list after the walk over it.  At a callback call the
  // newest states come first, as in the kernel's list: the walk back from the last
  // callback walks then meets its own iteration's checkpoint before missing (and
  // evicting) the older ones.
  std::vector<bool> drop(list.size(), false);
  auto compact = [&] {
    size_t k = 0;
    std::erase_if(list, [&](const std::shared_ptr<Checkpoint>&) { return drop[k++]; });
  };
  for (size_t step = 0; step < drop.size(); ++step) {
    const size_t i = callback_call ? drop.size() - 1 - step : step;
    Checkpoint& cp = *list[i];
    ++n;
    if (cp.insn != p.pc) continue;
    if (cp.speculative && !p.speculative) continue;  // a speculative state proves nothing for a real path
    if (cp.branches > 0 && callback_call) {
      // Another walk of the callback came back: when it brings nothing new (scalars
      // compared by range, precise or not: the kernel's RANGE_WITHIN), the walks have
      // converged.
      PruneHints within = hints_for(cp);
      within.use_precision = false;
      if (state_includes(cp.st, p.st, live, false, within)) {
        ++cp.hit_cnt;
        propagate_marks(p, cp);
        compact();
        return true;
      }
    } else if (cp.branches > 0) {
      // Still being explored: the current path loops back through it.
      if (cp.st == p.st) {
        Reject r = reject(ErrorCode::InfiniteLoop, "infinite loop detected at insn %lld", static_cast<long long>(p.pc));
        fail(std::move(r), p.pc);
        compact();
        return true;
      }
      if (ctx_.info[static_cast<size_t>(p.pc)].jmp_point && jmps_processed_ - prev_jmps_processed_ < 20 &&
          result_.stats.processed_insns - prev_insn_processed_ < 100)
        add_new_state = false;
    } else if (state_includes(cp.st, p.st, live, false, hints_for(cp))) {
      ++cp.hit_cnt;
      propagate_marks(p, cp);
      compact();
      return true;
    }
    // Only count misses when a new state will be added, so that loop iterations do not
    // evict every earlier state; a state that keeps missing is dropped (kernel heuristic).
    if (add_new_state) ++cp.miss_cnt;
    // Checkpoints of a converging callback walk are kept much longer (64, not 3).
    const uint32_t keep = callback_call && cp.branches > 0 ? 64 : 3;
    if (cp.miss_cnt > cp.hit_cnt * keep + keep) {
      // A state with paths still running stays allocated (and counted in peak_states)
      // until they end.
      if (cp.branches > 0) {
        cp.evicted = true;
        ++evicted_live_;
      }
      drop[i] = true;
      if (cur_states_) --cur_states_;
    }
  }
  compact();
  result_.stats.max_states_per_insn = std::max(result_.stats.max_states_per_insn, n);
  if (!ctx_.rules.privileged && n > kMaxStatesPerInsn) return false;  // unprivileged only
  if (!add_new_state) return false;
  auto cp = std::make_shared<Checkpoint>();
  cp->st = p.st;
  cp->speculative = p.speculative;
  cp->parent = p.parent;
  cp->insn = p.pc;
  cp->last_insn = p.prev_pc;
  cp->hist = std::move(p.hist);
  cp->written = p.written;
  cp->branches = 1;
  p.parent = cp;
  p.hist = History{};
  p.hist.first = p.pc;
  p.written = {};
  list.push_back(std::move(cp));
  prev_jmps_processed_ = jmps_processed_;
  prev_insn_processed_ = result_.stats.processed_insns;
  ++result_.stats.total_states;
  ++cur_states_;
  result_.stats.peak_states = std::max(result_.stats.peak_states, cur_states_ + evicted_live_);
  return false;
}

void Explorer::record_facts(const Path& p, const Insn& in) {
  InsnFacts& f = result_.facts[static_cast<size_t>(p.pc)];
  bool first = !f.reachable;
  f.reachable = true;
  bool writes_dst = in.kind == Kind::Alu || in.kind == Kind::Load || in.kind == Kind::LdImm64;
  if (!writes_dst) return;
  const RegState& d = p.st.reg(in.dst);
  std::optional<uint64_t> v;
  if (d.is_const()) v = d.var.const_value();
  if (first) f.dst_const = v;
  else if (f.dst_const != v) f.dst_const.reset();
}

bool Explorer::exec_call_local(Path& p, const Insn& in) {
  if (p.st.frames.size() >= static_cast<size_t>(kMaxCallFrames))
    return fail(reject(ErrorCode::CallDepth, "the call stack of %zu frames is too deep", p.st.frames.size() + 1), p.pc);
  int64_t target = in.target(p.pc);
  if (auto g = global_at(static_cast<uint32_t>(target))) {
    Step s{ctx_, p.st, ids_, p.pc};
    if (auto r = check_global_call(s, *g)) return fail(std::move(*r), p.pc);
    for (int r = 1; r <= 5; ++r) p.st.reg(r) = RegState::not_init();
    p.st.reg(0) = RegState::unknown_scalar();
    if (std::find(called_globals_.begin(), called_globals_.end(), g->start) == called_globals_.end())
      called_globals_.push_back(g->start);
    p.prev_pc = p.pc;
    p.pc = p.pc + 1;
    return true;
  }
  Frame callee;
  callee.frameno = static_cast<uint8_t>(p.st.frames.size());
  callee.callsite = p.pc;
  callee.subprog_start = static_cast<uint32_t>(target);
  for (int r = 1; r <= 5; ++r) callee.regs[r] = p.st.reg(r);
  callee.regs[10] = RegState::stack_ptr(callee.frameno, 0);
  for (int r = 0; r <= 5; ++r) p.st.reg(r) = RegState::not_init();
  p.st.frames.push_back(std::move(callee));
  p.prev_pc = p.pc;
  p.pc = target;
  return true;
}

void Explorer::push_callback(const Path& p, const Insn& in) {
  const isa::HelperProto* h = isa::find_helper(in.imm);
  if (!h) return;
  int func_arg = -1;
  for (int i = 0; i < 5; ++i)
    if (h->args[i].type == isa::ArgType::Func) func_arg = i + 1;
  if (func_arg < 0) return;
  const RegState& fn = p.st.reg(func_arg);
  if (fn.type != RegType::Func || fn.subprog < 0 || fn.subprog >= ctx_.insn_count()) return;
  if (p.st.frames.size() >= static_cast<size_t>(kMaxCallFrames)) return;
  AbstractState st = p.st;
  const Frame& caller = p.st.cur();
  const bool iterated = iterates_callback(ctx_, in);
  if (iterated) {
    ++st.cur().callback_depth;
    ++st.callback_unroll_depth;
  }
  Frame cb;
  cb.frameno = static_cast<uint8_t>(st.frames.size());
  cb.callsite = p.pc;
  cb.subprog_start = static_cast<uint32_t>(fn.subprog);
  cb.callback_of = in.imm;
  for (int r = 1; r <= 5; ++r) cb.regs[r] = RegState::unknown_scalar();
  const std::string name = h->name;
  if (name == "bpf_loop" && iterated) {
    // set_loop_callback_state: the index is any scalar, r3-r5 are not arguments.
    cb.regs[2] = caller.regs[3];
    for (int r = 3; r <= 5; ++r) cb.regs[r] = RegState::not_init();
  } else if (name == "bpf_loop") {
    cb.regs[1] = RegState::scalar(Scalar::urange(0, 1u << 23));
    cb.regs[2] = caller.regs[3];
  } else if (name == "bpf_for_each_map_elem" || name == "bpf_user_ringbuf_drain") {
    cb.regs[1] = caller.regs[1];
    if (name == "bpf_for_each_map_elem") {
      RegState key = RegState::pointer(RegType::MapKey);
      key.map_idx = caller.regs[1].map_idx;
      RegState value = RegState::pointer(RegType::MapValue);
      value.map_idx = caller.regs[1].map_idx;
      cb.regs[2] = key;
      cb.regs[3] = value;
      cb.regs[4] = caller.regs[3];
    } else {
      cb.regs[2] = caller.regs[3];
    }
  } else if (name == "bpf_find_vma") {
    cb.regs[3] = caller.regs[4];
  }
  cb.regs[10] = RegState::stack_ptr(cb.frameno, 0);
  st.frames.push_back(std::move(cb));
  Path np;
  np.st = std::move(st);
  np.parent = p.parent;
  np.pc = fn.subprog;
  np.prev_pc = p.pc;
  np.hist = p.hist;
  np.written = p.written;
  if (np.parent) ++np.parent->branches;
  stack_.push_back(std::move(np));
}

void Explorer::schedule_callback(const Path& before, Path& p, const Insn& in) {
  p.st.cur().callback_depth = 0;
  const uint32_t scheduled = before.st.cur().callback_depth;
  if (in.imm == kBpfLoop && scheduled >= before.st.reg(1).var.umax) {
    if (ctx_.opts.log_level >= 2)
      log_.message("frame" + std::to_string(p.st.frames.size() - 1) + " bpf_loop iteration limit reached");
    return;
  }
  push_callback(before, in);
}

const Checkpoint* Explorer::prev_entry(const Path& p, int64_t insn) const {
  for (const Checkpoint* cp = p.parent.get(); cp; cp = cp->parent.get()) {
    if (cp->insn != insn || cp->evicted || cp->st.frames.size() != p.st.frames.size()) continue;
    bool same = true;
    for (size_t f = 0; f < cp->st.frames.size() && same; ++f) same = cp->st.frames[f].callsite == p.st.frames[f].callsite;
    if (same) return cp;
  }
  return nullptr;
}

bool Explorer::exit_checks_r0(const Path& p) const {
  if (!p.st.reg(0).is_scalar()) return false;
  if (p.st.cur().callback_of >= 0) return true;
  if (p.st.frames.size() > 1 || p.st.cur().subprog_start != 0) return false;
  return exit_ret_range(ctx_).has_value();
}

bool Explorer::exec_exit(Path& p) {
  if (p.st.cur().callback_of >= 0) {
    Step s{ctx_, p.st, ids_, p.pc};
    if (auto r = check_callback_exit(s)) return fail(std::move(*r), p.pc);
    const int64_t callsite = p.st.cur().callsite;
    if (!iterates_callback(ctx_, ctx_.insn(callsite)))
      return false;  // the caller's path continues separately after the helper call
    // Back to the call, which may call the callback again; imprecise scalars that
    // changed since the previous walk began are widened so that the walks converge.
    p.st.frames.pop_back();
    if (const Checkpoint* prev = prev_entry(p, callsite)) widen_imprecise_scalars(prev->st, p.st);
    p.prev_pc = p.pc;
    p.pc = callsite;
    print_state_ = true;
    return true;
  }
  if (p.st.frames.size() > 1) {
    const RegState r0 = p.st.reg(0);
    if (r0.type == RegType::Stack)
      return fail(reject(ErrorCode::InvalidMemAccess, "cannot return stack pointer to the caller"), p.pc);
    int64_t callsite = p.st.cur().callsite;
    p.st.frames.pop_back();
    p.st.reg(0) = r0;
    p.prev_pc = p.pc;
    p.pc = callsite + 1;
    print_state_ = true;
    return true;
  }
  Step s{ctx_, p.st, ids_, p.pc};
  if (p.st.cur().subprog_start != 0) {
    // A global function returns a scalar; its range is the caller's business.
    if (auto r = check_reg_read(s, 0)) return fail(std::move(*r), p.pc);
    if (!p.st.reg(0).is_scalar())
      return fail(reject(ErrorCode::InvalidReturnValue, "At subprogram exit the register R0 is not a scalar value (%s)",
                         p.st.reg(0).type_string().c_str()),
                  p.pc);
    return false;
  }
  if (auto r = check_main_exit(s)) return fail(std::move(*r), p.pc);
  return false;
}

bool Explorer::step(Path& p) {
  cur_speculative_ = p.speculative;
  if (p.speculative && ids_.nospec.count(p.pc)) return false;  // the barrier ends it
  if (++result_.stats.processed_insns > ctx_.rules.complexity_limit) {
    return fail(reject(ErrorCode::ProgramTooLarge, "BPF program is too large. Processed %llu insn",
                       static_cast<unsigned long long>(result_.stats.processed_insns)),
                p.prev_pc >= 0 ? p.prev_pc : p.pc);
  }
  if (ctx_.info[static_cast<size_t>(p.pc)].prune_point) {
    if (visit_prune_point(p)) {
      if (result_.error) return false;
      log_.safe(p.prev_pc, p.pc, print_state_);
      return false;
    }
  }
  if (print_state_) {
    log_.state_at(p.pc, p.st);
    print_state_ = false;
  }
  const Insn& in = ctx_.insn(p.pc);
  if (p.prev_pc >= 0 && p.prev_pc != p.pc - 1) hist_entry(p);
  StackEffect eff;
  before_insn(p, in, eff);
  Step s{ctx_, p.st, ids_, p.pc};
  Check err;
  int64_t next = p.pc + 1;
  switch (in.kind) {
    case Kind::Alu: err = exec_alu(s, in); break;
    case Kind::Load: err = exec_load(s, in); break;
    case Kind::Store:
    case Kind::StoreReg: err = exec_store(s, in); break;
    case Kind::Atomic: err = exec_atomic(s, in); break;
    case Kind::LdAbs:
    case Kind::LdInd: err = exec_ld_abs(s, in); break;
    case Kind::LdImm64:
      err = exec_ld_imm64(s, in);
      next = p.pc + 2;
      break;
    case Kind::Call:
      ++jmps_processed_;
      if (in.call == isa::CallKind::Local) {
        log_.insn(p.pc, in, p.st);
        record_facts(p, in);
        track_stack_depth(p.st);
        return exec_call_local(p, in);
      }
      if (in.call == isa::CallKind::Kfunc) {
        err = ctx_.rules.profile.kfuncs
                  ? exec_kfunc_call(s, in)
                  : reject(ErrorCode::NotSupportedByKernel, "calling kernel function is not supported without BTF");
        break;
      }
      {
        // Only helpers taking a callback need the state from before the call (a copy
        // of the whole state, so skipped for every other helper).
        std::optional<Path> before;
        const bool iterated = iterates_callback(ctx_, in);
        if (iterated && in.imm == kBpfLoop) {
          // The walks end when nr_loops is reached (r1), and the inlining check reads
          // whether flags (r4) is zero: both values are relied on.
          need_precise(p, static_cast<uint16_t>((1u << 1) | (p.st.reg(4).is_null_const() ? 1u << 4 : 0u)));
        }
        if (takes_callback(in.imm)) before = p;
        err = exec_helper_call(s, in);
        if (!err && before) {
          if (iterated) schedule_callback(*before, p, in);
          else push_callback(*before, in);
        }
        // A tail call in a subprogram may leave the function: the path where it does
        // returns to the caller at once (r0 unknown); the failed call goes on later.
        constexpr int32_t kTailCall = 12;
        if (!err && in.imm == kTailCall && p.st.frames.size() > 1 &&
            ctx_.rules.profile.version >= isa::KernelVersion{6, 14}) {
          log_.insn(p.pc, in, p.st);
          record_facts(p, in);
          track_stack_depth(p.st);
          push_branch(p, p.st, p.pc + 1);
          p.st.reg(0) = RegState::unknown_scalar();  // what the tail-called program returned
          return exec_exit(p);
        }
      }
      break;
    case Kind::Exit:
      ++jmps_processed_;
      if (exit_checks_r0(p)) need_precise(p, 1u);
      log_.insn(p.pc, in, p.st);
      record_facts(p, in);
      track_stack_depth(p.st);
      return exec_exit(p);
    case Kind::Jmp:
      ++jmps_processed_;
      if (in.jmp == isa::JmpOp::Ja) {
        next = in.target(p.pc);
        break;
      }
      if (in.jmp == isa::JmpOp::MayGoto) {
        // may_goto: the loop may end on any iteration; both edges are possible.
        push_branch(p, p.st, in.target(p.pc));
        break;
      }
      {
        BranchResult br;
        const bool dst_scalar = p.st.reg(in.dst).is_scalar();
        const bool src_scalar = in.use_src && p.st.reg(in.src).is_scalar();
        err = exec_cond_jmp(s, in, br);
        if (err) break;  // logged below
        // A decided branch relied on the exact values compared.
        if (br.taken_is_current || !br.taken || !br.fallthrough_feasible)
          need_precise(p, static_cast<uint16_t>((dst_scalar ? 1u << in.dst : 0u) | (src_scalar ? 1u << in.src : 0u)));
        log_.insn(p.pc, in, p.st);
        record_facts(p, in);
        // (5.13 added these paths; before 6.17 an error on one rejected the program.)
        if (br.decided && !ctx_.rules.bypass_spec_v1 && ctx_.rules.profile.version >= isa::KernelVersion{5, 13} &&
            !push_speculative(p, in, br.taken_is_current ? p.pc + 1 : in.target(p.pc)))
          return false;
        if (br.taken_is_current) {  // always taken: the state goes on unchanged
          p.prev_pc = p.pc;
          p.pc = in.target(p.pc);
          return true;
        }
        if (br.taken && br.fallthrough_feasible) {
          if (stack_.size() + 1 > kMaxJmpSeq)
            return fail(reject(ErrorCode::JumpSequenceTooComplex, "The sequence of %zu jumps is too complex.",
                               stack_.size() + 1),
                        p.pc);
          push_branch(p, std::move(*br.taken), in.target(p.pc));
        } else if (br.taken) {
          p.st = std::move(*br.taken);
          p.prev_pc = p.pc;
          p.pc = in.target(p.pc);
          return true;
        } else if (!br.fallthrough_feasible) {
          return false;  // neither edge possible: the path was dead already
        }
        p.prev_pc = p.pc;
        p.pc = p.pc + 1;
        return true;
      }
    default:
      err = reject(ErrorCode::InvalidInsn, "invalid insn code %02x", in.opcode);
      break;
  }
  if (err) {
    log_.insn_text(p.pc, in);
    return fail(std::move(*err), p.pc);
  }
  if (eff.frame >= 0) p.written[static_cast<size_t>(eff.frame)] |= eff.written;
  log_.insn(p.pc, in, p.st);
  record_facts(p, in);
  track_stack_depth(p.st);
  if (p.speculative && ids_.nospec_result.count(p.pc)) return false;  // barrier after the store
  p.prev_pc = p.pc;
  p.pc = next;
  return true;
}

void Explorer::explore_from(Path start) {
  stack_.push_back(std::move(start));
  while (!stack_.empty() && !result_.error) {
    Path cur = std::move(stack_.back());
    stack_.pop_back();
    if (cur.prev_pc >= 0) {
      log_.branch_from(cur.prev_pc, cur.pc, cur.st);
      print_state_ = false;
    }
    while (step(cur)) {
    }
    if (result_.error) break;
    end_path(cur);
    print_state_ = true;
  }
}

ExploreResult Explorer::run() {
  auto t0 = std::chrono::steady_clock::now();
  log_.preamble();
  if (ctx_.prog.type == isa::ProgType::Lsm) {
    const std::string hook(isa::lsm_hook_of_section(ctx_.prog.section));
    if (!isa::find_lsm_hook(hook))
      log_.note("LSM hook '" + hook + "' is not in bpfvet's hook table: the int-hook rules are assumed");
  }
  const auto& info = isa::prog_type_info(ctx_.prog.type);
  Path p;
  p.st = entry_state(ctx_.prog.type != isa::ProgType::Raw);
  p.st.frames[0].subprog_start = 0;
  if (ctx_.prog.type == isa::ProgType::Raw) {
    // A plain function of memory: r1 = buffer, r2 = its length.
    RegState mem = RegState::pointer(RegType::Mem);
    mem.mem_size = kRawMemSize;
    p.st.reg(1) = mem;
    p.st.reg(2) = RegState::scalar(Scalar::urange(0, kRawMemSize));
  }
  (void)info;
  explore_from(std::move(p));
  // Global functions called by the entry are verified next, each on its own.
  for (size_t i = 0; i < called_globals_.size() && !result_.error; ++i) {
    auto g = global_at(called_globals_[i]);
    if (!g) continue;
    Path gp;
    gp.st = global_func_entry(*g, ids_);
    gp.pc = g->start;
    gp.hist.first = g->start;
    print_state_ = true;
    explore_from(std::move(gp));
  }
  if (result_.error) log_.error(*result_.error);
  result_.stats.stack_depth = subprog_depth_.empty() ? 0 : subprog_depth_[0];
  if (!result_.error) {
    if (auto r = check_combined_stack(ctx_, subprog_depth_)) result_.error = std::move(r);
  }
  result_.stats.time_us = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
  log_.stats(result_.stats, subprog_depth_);
  result_.log = log_.take();
  return std::move(result_);
}

}  // namespace

ExploreResult explore(const VerifierContext& ctx) {
  Explorer e(ctx);
  return e.run();
}

}  // namespace bpfvet::verifier
