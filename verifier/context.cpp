#include "verifier/context.h"

namespace bpfvet::verifier {

Result<KernelRules> kernel_rules(const std::string& kernel, bool unpriv) {
  auto profile = isa::parse_kernel_version(kernel.empty() ? "latest" : kernel);
  if (!profile) return profile.error();
  KernelRules r;
  r.profile = *profile;
  const isa::KernelVersion v = profile->version;
  r.privileged = !unpriv;
  r.bounded_loops = profile->bounded_loops && !unpriv;
  // Reads of never-written stack became legal for privileged loaders in 6.5.
  r.allow_uninit_stack = !unpriv && v >= isa::KernelVersion{6, 5};
  r.allow_ptr_leaks = !unpriv;
  r.max_insns = unpriv ? profile->max_insns_unpriv : profile->max_insns;
  r.complexity_limit = profile->complexity_limit;
  r.has_jmp32 = profile->jmp32;
  r.has_isa_v4 = profile->sdiv_smod;
  return r;
}

}  // namespace bpfvet::verifier
