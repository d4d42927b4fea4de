#include "verifier/context.h"

#include <string_view>

#include "isa/helpers.h"

namespace bpfvet::verifier {

Result<KernelRules> kernel_rules(const std::string& kernel, isa::Caps caps) {
  auto profile = isa::parse_kernel_version(kernel.empty() ? "latest" : kernel);
  if (!profile) return profile.error();
  KernelRules r;
  r.profile = *profile;
  r.caps = caps;
  const isa::KernelVersion v = profile->version;
  const bool bpf_capable = caps != isa::Caps::None;
  const bool perfmon = caps == isa::Caps::Full;
  r.privileged = bpf_capable;
  r.bounded_loops = profile->bounded_loops && bpf_capable;
  // Reads of never-written stack became legal for privileged loaders in 6.5.
  r.allow_uninit_stack = perfmon && v >= isa::KernelVersion{6, 5};
  r.allow_ptr_leaks = perfmon;
  r.bypass_spec_v1 = perfmon;
  r.bypass_spec_v4 = perfmon;
  r.max_insns = bpf_capable ? profile->max_insns : profile->max_insns_unpriv;
  r.complexity_limit = profile->complexity_limit;
  r.has_jmp32 = profile->jmp32;
  r.has_isa_v4 = profile->sdiv_smod;
  r.iterated_callbacks = v >= isa::KernelVersion{6, 7};
  return r;
}

bool iterates_callback(const VerifierContext& ctx, const isa::Insn& in) {
  if (!ctx.rules.iterated_callbacks || in.kind != isa::Kind::Call || in.call != isa::CallKind::Helper) return false;
  const isa::HelperProto* h = isa::find_helper(in.imm);
  if (h == nullptr) return false;
  const std::string_view name = h->name;
  return name == "bpf_loop" || name == "bpf_for_each_map_elem" || name == "bpf_find_vma" ||
         name == "bpf_user_ringbuf_drain";
}

}  // namespace bpfvet::verifier
