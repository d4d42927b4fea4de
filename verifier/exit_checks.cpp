#include "verifier/exit_checks.h"

#include <algorithm>
#include <cinttypes>
#include <functional>

#include "isa/context.h"
#include "isa/lsm_hooks.h"

namespace bpfvet::verifier {

namespace {

// verbose_invalid_scalar: "<where> the register R0 has smin=.. smax=.. should have been in [lo, hi]".
Reject invalid_scalar(const char* where, const Scalar& v, int64_t lo, int64_t hi, bool ret32) {
  const int64_t smin = ret32 ? v.s32_min : v.smin;
  const int64_t smax = ret32 ? v.s32_max : v.smax;
  std::string msg = std::string(where) + " the register R0 has";
  bool unknown = true;
  if (smin > (ret32 ? INT32_MIN : INT64_MIN)) {
    msg += strprintf(" smin=%" PRId64, smin);
    unknown = false;
  }
  if (smax < (ret32 ? INT32_MAX : INT64_MAX)) {
    msg += strprintf(" smax=%" PRId64, smax);
    unknown = false;
  }
  if (unknown) msg += " unknown scalar value";
  msg += strprintf(" should have been in [%" PRId64 ", %" PRId64 "]", lo, hi);
  Reject r;
  r.code = ErrorCode::InvalidReturnValue;
  r.kernel_message = msg;
  r.reg = 0;
  return r;
}

// The program type's return range, narrowed or widened where the kernel's
// check_return_code() looks at the expected attach type (cgroup_sock_addr).
std::pair<int64_t, int64_t> ret_bounds(const VerifierContext& ctx) {
  const auto& info = isa::prog_type_info(ctx.prog.type);
  std::pair<int64_t, int64_t> b{info.ret_min, info.ret_max};
  if (ctx.prog.type != isa::ProgType::CgroupSockAddr) return b;
  using A = isa::AttachType;
  switch (isa::attach_type_from_section(ctx.prog.section)) {
    case A::RecvMsg4: case A::RecvMsg6: case A::RecvMsgUnix: case A::GetPeerName4: case A::GetPeerName6:
    case A::GetPeerNameUnix: case A::GetSockName4: case A::GetSockName6: case A::GetSockNameUnix:
      return {1, 1};
    case A::Bind4: case A::Bind6:  // 5.12: bit 1 lifts the privileged-port check
      if (ctx.rules.profile.version >= isa::KernelVersion{5, 12}) return {0, 3};
      return b;
    default:
      return b;
  }
}

}  // namespace

Check check_main_exit(Step& s) {
  if (s.st.active_lock)
    return reject(ErrorCode::UnreleasedReference,
                  "BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region");
  if (s.st.active_rcu)
    return reject(ErrorCode::UnreleasedReference,
                  "BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region");
  if (!s.st.refs.empty()) {
    const Reference& ref = s.st.refs.front();
    return reject(ErrorCode::UnreleasedReference, "Unreleased reference id=%u alloc_insn=%lld", ref.id,
                  static_cast<long long>(ref.insn));
  }
  if (auto r = check_reg_read(s, 0)) return r;
  const RegState& r0 = s.st.reg(0);
  if (r0.is_ptr() && !s.ctx.rules.allow_ptr_leaks)
    return reject(ErrorCode::PointerLeak, "R0 leaks addr as return value");
  const std::optional<RetRange> range = exit_ret_range(s.ctx);
  if (!range) return std::nullopt;
  if (!r0.is_scalar())
    return reject(ErrorCode::InvalidReturnValue, "At program exit the register R0 is not a known value (%s)",
                  r0.type_string().c_str());
  const int64_t lo = range->ret32 ? r0.var.s32_min : r0.var.smin;
  const int64_t hi = range->ret32 ? r0.var.s32_max : r0.var.smax;
  if (range->lo <= lo && hi <= range->hi) return std::nullopt;
  return invalid_scalar("At program exit", r0.var, range->lo, range->hi, range->ret32);
}

std::optional<RetRange> exit_ret_range(const VerifierContext& ctx) {
  const auto& info = isa::prog_type_info(ctx.prog.type);
  if (!info.ret_checked) return std::nullopt;
  if (ctx.prog.type == isa::ProgType::Lsm) {
    // The hook decides: 0 or -errno (int), 0 or 1 (bool), anything (void); an
    // lsm_cgroup program returns 0 or 1 (1 for void hooks).  A hook bpfvet does not
    // know gets the int-hook range below (the explorer logs a note).
    if (const auto hook = isa::find_lsm_hook(isa::lsm_hook_of_section(ctx.prog.section))) {
      const bool cgroup = isa::section_base_name(ctx.prog.section).starts_with("lsm_cgroup/");
      const auto range = isa::lsm_return_range(*hook, cgroup);
      if (!range) return std::nullopt;
      return RetRange{range->first, range->second, !cgroup};
    }
  }
  // LSM hooks return int: the kernel checks the low 32 bits as a signed value.
  const auto [ret_min, ret_max] = ret_bounds(ctx);
  return RetRange{ret_min, ret_max, ctx.prog.type == isa::ProgType::Lsm};
}


Check check_callback_exit(Step& s) {
  if (auto r = check_reg_read(s, 0)) return r;
  const RegState& r0 = s.st.reg(0);
  if (!r0.is_scalar())
    return reject(ErrorCode::InvalidReturnValue, "At callback return the register R0 is not a known value (%s)",
                  r0.type_string().c_str());
  // bpf_timer callbacks must return 0; the iterating helpers accept 0 (continue) or 1 (stop).
  const int64_t hi = s.st.cur().callback_of == 170 ? 0 : 1;
  if (r0.var.smin >= 0 && r0.var.smax <= hi) return std::nullopt;
  return invalid_scalar("At callback return", r0.var, 0, hi, false);
}

Check check_combined_stack(const VerifierContext& ctx, const std::vector<uint32_t>& depth) {
  // Call graph between subprograms from the local call instructions.
  std::vector<std::vector<std::pair<int, int64_t>>> callees(ctx.subprogs.size());
  for (int64_t pc = 0; pc < ctx.insn_count(); ++pc) {
    const isa::Insn& in = ctx.insn(pc);
    if (in.kind != isa::Kind::Call || in.call != isa::CallKind::Local) continue;
    int from = ctx.info[static_cast<size_t>(pc)].subprog;
    int to = ctx.info[static_cast<size_t>(in.target(pc))].subprog;
    if (from >= 0 && to >= 0) callees[from].emplace_back(to, pc);
  }
  // With the JIT enabled (the default) each frame is rounded up to 16 bytes.
  auto frame_size = [&](int sp) { return (depth[sp] + 15) / 16 * 16; };
  std::vector<bool> has_tail_call(ctx.subprogs.size(), false);
  for (int64_t pc = 0; pc < ctx.insn_count(); ++pc) {
    const isa::Insn& in = ctx.insn(pc);
    if (in.kind == isa::Kind::Call && in.call == isa::CallKind::Helper && in.imm == 12) {
      int sp = ctx.info[static_cast<size_t>(pc)].subprog;
      if (sp >= 0) has_tail_call[sp] = true;
    }
  }
  // 6.13+: tracing programs without tail calls run each frame of 64 bytes or more on
  // a private stack of its own (x86-64 JIT), which the combined limit does not count.
  const isa::ProgType t = ctx.prog.type;
  const bool tracing = t == isa::ProgType::Kprobe || t == isa::ProgType::Kretprobe || t == isa::ProgType::Uprobe ||
                       t == isa::ProgType::Tracepoint || t == isa::ProgType::PerfEvent ||
                       t == isa::ProgType::RawTracepoint;
  const bool private_stacks = tracing && ctx.rules.profile.version >= isa::KernelVersion{6, 13} &&
                              std::find(has_tail_call.begin(), has_tail_call.end(), true) == has_tail_call.end();
  constexpr uint32_t kPrivateStackMin = 64;
  std::optional<Reject> err;
  std::vector<bool> on_chain(ctx.subprogs.size(), false);
  std::function<void(int, uint32_t, int)> walk = [&](int sp, uint32_t total, int frames) {
    if (err || on_chain[sp]) return;
    // Tail calls from a subprogram multiply its callers' stack: the kernel caps them.
    if (sp != 0 && has_tail_call[sp] && total >= 256) {
      err = reject(ErrorCode::TailCallMix, "tail_calls are not allowed when call stack of previous frames is %u bytes. Too large", total);
      return;
    }
    if (!private_stacks || frame_size(sp) < kPrivateStackMin) total += frame_size(sp);
    if (total > static_cast<uint32_t>(kMaxBpfStack)) {
      err = reject(ErrorCode::StackTooLarge, "combined stack size of %d calls is %u. Too large", frames, total);
      return;
    }
    on_chain[sp] = true;
    for (auto [to, pc] : callees[sp]) walk(to, total, frames + 1);
    on_chain[sp] = false;
  };
  if (!ctx.subprogs.empty()) walk(0, 0, 1);
  return err;
}

}  // namespace bpfvet::verifier
