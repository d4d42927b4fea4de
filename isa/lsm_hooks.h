// LSM hooks: what the kernel's BPF LSM knows about each hook a `lsm/NAME` program
// attaches to, taken from the hook list of Linux 6.18 (include/linux/lsm_hook_defs.h).
//
// A BPF LSM program's context is the hook's arguments as u64 slots, followed (for a
// hook returning int) by the value the previous program returned; its own return value
// must suit the hook: 0 or a negative errno for int hooks, 0 or 1 for the few hooks
// returning a boolean, anything for void hooks (nothing reads it).  The table is sorted
// by name; an unknown hook gets std::nullopt and the caller falls back to the generic
// int-hook rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace bpfvet::isa {

/// What a hook returns, which decides the range a BPF LSM program may return.
enum class LsmRet : uint8_t { Int, Bool, Void };

struct LsmHook {
  const char* name;  // without the "bpf_lsm_" prefix: "bprm_check_security"
  LsmRet ret;
  uint8_t nargs;     // arguments of the hook (the context slots before `ret`)
};

/// The hook named `name`, or nullopt when the table does not know it.
std::optional<LsmHook> find_lsm_hook(std::string_view name);

/// The hook a section names: "lsm/NAME", "lsm.s/NAME", "lsm_cgroup/NAME" give NAME;
/// empty for any other section.
std::string_view lsm_hook_of_section(std::string_view section);

/// The range an LSM program attached to `hook` must return (a 32-bit signed value), or
/// nullopt when any value is allowed (void hooks).  `cgroup`: an lsm_cgroup program,
/// which returns 0 or 1 (only 1 for void hooks).
std::optional<std::pair<int32_t, int32_t>> lsm_return_range(const LsmHook& hook, bool cgroup);

/// True when the hook table is sorted by name (find_lsm_hook relies on it; for tests).
bool lsm_hooks_sorted();

}  // namespace bpfvet::isa
