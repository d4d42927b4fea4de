#include "verifier/verifier.h"

#include <chrono>

#include "isa/context.h"
#include "isa/maps.h"

#include "verifier/cfg_check.h"
#include "verifier/explain.h"
#include "verifier/explorer.h"

namespace bpfvet::verifier {

namespace {

// Checks that need no exploration: program size and instruction set of the kernel.
// The kernel resolves every map-value lddw before the walk (resolve_pseudo_ldimm64), so a
// direct value address that cannot be given fails even in dead code: only arrays of a
// single element have one, at an offset inside the value.
Check check_direct_value(const VerifierContext& ctx, const isa::Insn& in, int64_t pc) {
  if (in.kind != isa::Kind::LdImm64 || (in.pseudo != isa::Pseudo::MapValue && in.pseudo != isa::Pseudo::MapIdxValue))
    return std::nullopt;
  if (in.imm < 0 || static_cast<size_t>(in.imm) >= ctx.prog.maps.size()) return std::nullopt;  // the walk says why
  const isa::MapDef& m = ctx.prog.maps[static_cast<size_t>(in.imm)];
  const uint64_t off = in.imm64 >> 32;
  Reject r;
  if (m.type != isa::MapType::Array)
    r = reject(ErrorCode::InvalidInsn, "no direct value access support for this map type");
  else if (m.max_entries != 1 || off >= isa::map_value_size(m))
    r = reject(ErrorCode::MapValueOutOfBounds, "invalid access to map value pointer, value_size=%u off=%llu",
               isa::map_value_size(m), static_cast<unsigned long long>(off));
  else
    return std::nullopt;
  r.insn = pc;
  return r;
}

Check check_program_limits(const VerifierContext& ctx) {
  const int64_t n = ctx.insn_count();
  if (n == 0) return reject(ErrorCode::InvalidInsn, "BPF program is empty");
  const isa::KernelProfile& k = ctx.rules.profile;
  if (ctx.prog.type != isa::ProgType::Raw && !isa::prog_type_available(k, ctx.prog.type)) {
    Reject r = reject(ErrorCode::NotSupportedByKernel, "program type %s is not supported by Linux %s",
                      isa::prog_type_name(ctx.prog.type), k.version.str().c_str());
    r.details.push_back(isa::kernel_version_of_prog_type(ctx.prog.type));
    r.details.push_back("the kernel refuses BPF_PROG_LOAD with EINVAL before verification");
    return r;
  }
  // The kernel creates the maps before the load: a map type the release lacks fails
  // there (BPF_MAP_CREATE, EINVAL), so the program never reaches the verifier.
  for (const isa::MapDef& m : ctx.prog.maps) {
    if (isa::map_type_info(m.type).type != m.type || isa::map_type_available(k, m.type)) continue;
    Reject r = reject(ErrorCode::NotSupportedByKernel, "map '%s' of type %s cannot be created on Linux %s",
                      m.name.c_str(), isa::map_type_info(m.type).name, k.version.str().c_str());
    r.details.push_back(isa::kernel_version_of_map_type(m.type));
    r.why = isa::kernel_version_of_map_type(m.type) + "; the chosen kernel is " + k.name + ".";
    return r;
  }
  if (!isa::prog_type_loadable(ctx.prog.type, ctx.rules.caps)) {
    Reject r = reject(ErrorCode::UnprivilegedNotAllowed, "%s may not load %s programs",
                      ctx.rules.caps == isa::Caps::None ? "unprivileged users" : "a loader with only CAP_BPF",
                      isa::prog_type_name(ctx.prog.type));
    r.details.push_back("the kernel refuses BPF_PROG_LOAD with EPERM before verification");
    return r;
  }
  if (static_cast<uint64_t>(n) > ctx.rules.max_insns)
    return reject(ErrorCode::TooManyInsns, "BPF program has %lld instructions, the limit is %u",
                  static_cast<long long>(n), ctx.rules.max_insns);
  for (int64_t pc = 0; pc < n; ++pc) {
    const isa::Insn& in = ctx.insn(pc);
    auto unsupported = [&](const char* what) {
      Reject r = reject(ErrorCode::NotSupportedByKernel, "unknown opcode %02x", in.opcode);
      r.insn = pc;
      r.details.push_back(std::string(what) + " needs a newer kernel than " + k.name);
      return r;
    };
    if (in.kind == isa::Kind::Jmp && !in.is64 && !k.jmp32) return unsupported("BPF_JMP32");
    if (in.kind == isa::Kind::Jmp && in.jmp == isa::JmpOp::MayGoto && !k.may_goto) return unsupported("may_goto");
    if (in.kind == isa::Kind::Jmp && in.jmp == isa::JmpOp::Ja && !in.is64 && !k.gotol) return unsupported("gotol");
    if (in.kind == isa::Kind::Alu && (in.alu == isa::AluOp::SDiv || in.alu == isa::AluOp::SMod) && !k.sdiv_smod)
      return unsupported("sdiv/smod");
    if (in.kind == isa::Kind::Alu && in.alu == isa::AluOp::MovSx && !k.movsx_ldsx) return unsupported("movsx");
    if (in.kind == isa::Kind::Load && in.sign_extend && !k.movsx_ldsx) return unsupported("ldsx");
    if (in.kind == isa::Kind::Alu && in.alu == isa::AluOp::End && in.is64 && !k.bswap) return unsupported("bswap");
    if (in.kind == isa::Kind::Atomic && in.atomic != isa::AtomicOp::Add && !k.atomics_fetch)
      return unsupported("atomic fetch operations");
    if (in.kind == isa::Kind::Call && in.call == isa::CallKind::Local && !k.bpf_to_bpf_calls)
      return unsupported("bpf-to-bpf calls");
    if (auto r = check_direct_value(ctx, in, pc)) return r;
  }
  return std::nullopt;
}

VerifyResult finish(const VerifierContext& ctx, const Reject& r, Stats stats, std::string log) {
  VerifyResult res;
  res.accepted = false;
  res.error = make_diagnostic(ctx, r);
  res.stats = stats;
  res.log = std::move(log);
  return res;
}

struct Outcome {
  VerifyResult result;
  std::vector<InsnFacts> facts;
};

Outcome run(const isa::Program& prog, const VerifyOptions& opts) {
  Outcome out;
  auto t0 = std::chrono::steady_clock::now();
  auto rules = kernel_rules(opts.kernel, effective_caps(opts));
  if (!rules) {
    out.result.error = Diagnostic{ErrorCode::NotSupportedByKernel, -1, rules.message(), rules.message(), "", "", {}, {}};
    return out;
  }
  VerifierContext ctx{prog, opts, *rules, {}, {}};
  if (opts.insn_limit) ctx.rules.complexity_limit = opts.insn_limit;
  auto elapsed = [&] {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
  };
  auto static_fail = [&](Reject r) {
    if (r.insn < 0) r.insn = 0;
    Stats st;
    st.time_us = elapsed();
    std::string log;
    if (opts.log_level >= 1) {
      log = r.kernel_message + "\n";
      for (const auto& d : r.details) log += d + "\n";
      log += "processed 0 insns (limit " + std::to_string(ctx.rules.complexity_limit) +
             ") max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n";
    }
    out.result = finish(ctx, r, st, std::move(log));
  };
  if (auto r = check_program_limits(ctx)) {
    static_fail(std::move(*r));
    return out;
  }
  if (auto r = check_cfg(ctx)) {
    static_fail(std::move(*r));
    return out;
  }
  ExploreResult ex = explore(ctx);
  ex.stats.time_us = elapsed();
  if (ex.error) {
    out.result = finish(ctx, *ex.error, ex.stats, std::move(ex.log));
    return out;
  }
  out.result.accepted = true;
  out.result.stats = ex.stats;
  out.result.log = std::move(ex.log);
  out.facts = std::move(ex.facts);
  return out;
}

}  // namespace

isa::Caps effective_caps(const VerifyOptions& opts) { return opts.unpriv ? isa::Caps::None : opts.caps; }

VerifyResult verify(const isa::Program& prog, const VerifyOptions& opts) { return run(prog, opts).result; }

Result<VerifiedProgram> verify_for_execution(const isa::Program& prog, const VerifyOptions& opts) {
  Outcome o = run(prog, opts);
  if (!o.result.accepted) {
    const Diagnostic& d = *o.result.error;
    return Error{"insn " + std::to_string(d.insn) + ": " + d.kernel_message};
  }
  for (size_t i = 0; i < o.facts.size() && i < prog.insns.size(); ++i) {
    const isa::Insn& in = prog.insns[i];
    // 32-bit ALU results are always zero-extended by the ISA; bpfvet keeps the flag
    // conservative (true) so backends never skip the extension.
    o.facts[i].needs_zext = in.kind == isa::Kind::Alu && !in.is64;
  }
  return VerifiedProgram(prog, std::move(o.facts), o.result.stats);
}

}  // namespace bpfvet::verifier
