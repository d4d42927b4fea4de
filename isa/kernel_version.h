// Kernel versions and what each one's verifier allows.
//
// How it works: a KernelVersion is a (major, minor) pair, ordered.  Every helper
// (helpers.h) and every map type (maps.h) records the first version that has it; a
// KernelProfile is the set of verifier facts of one release (instruction limit,
// bounded loops, ISA level, ...), built by parse_kernel_version() from the CLI's
// --kernel value.  The named releases (4.14, 5.4, 5.10, 5.15, 6.1, 6.6, latest)
// are the anchors; any other x.y from 4.0 on is accepted and gets the features of
// the releases up to it (a feature exists in x.y when x.y >= the version that
// introduced it), so profiles need no per-release table beyond the feature list.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "isa/program.h"
#include "isa/result.h"

namespace bpfvet::isa {

struct HelperProto;

/// A kernel release, e.g. {5, 8}.  {0, 0} means "unknown / not applicable".
struct KernelVersion {
  uint8_t major = 0;
  uint8_t minor = 0;
  friend constexpr auto operator<=>(const KernelVersion&, const KernelVersion&) = default;
  friend constexpr bool operator==(const KernelVersion&, const KernelVersion&) = default;
  /// "5.8".
  std::string str() const;
};

/// What the loader may do: the kernel derives its verifier switches from the
/// loader's capabilities (env->bpf_capable from CAP_BPF; allow_ptr_leaks,
/// allow_uninit_stack, bypass_spec_v1/v4 from CAP_PERFMON; networking program
/// types need CAP_NET_ADMIN, tracing ones CAP_PERFMON).
enum class Caps : uint8_t {
  None,     // no capability (kernel.unprivileged_bpf_disabled=0): socket_filter and cgroup_skb,
            // 4096 insns, no loops, base helpers only, no pointer leaks, Spectre v1/v4 rules
  BpfOnly,  // CAP_BPF alone: bpf_capable (1M insns, bounded loops, the CAP_BPF helpers, any
            // type that needs neither CAP_NET_ADMIN nor CAP_PERFMON), but still no pointer
            // leaks, the Spectre rules and no uninitialised stack reads
  Full,     // CAP_SYS_ADMIN, or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN: everything
};

/// "none", "bpf", "full".
const char* caps_name(Caps c);
/// Parses caps_name() values; nullopt otherwise.
std::optional<Caps> parse_caps(std::string_view name);

/// The version bpfvet models as "latest" (the newest kernel the tables describe).
inline constexpr KernelVersion kLatestKernel{6, 18};

/// The verifier-relevant facts of one kernel release.
struct KernelProfile {
  std::string name;                     // "5.10", or "latest"
  KernelVersion version;                // numeric version; kLatestKernel for "latest"
  uint32_t max_insns = 1000000;         // privileged complexity/size limit: 4096 before 5.2
  uint32_t max_insns_unpriv = 4096;     // unprivileged programs keep the old limit
  bool bounded_loops = true;            // 5.3: back-edges allowed if the loop is bounded
  int isa_version = 4;                  // cpu=v1..v4: v2 (4.14), v3 alu32+jmp32 (5.1), v4 (6.6)
  bool jmp32 = true;                    // 5.1: BPF_JMP32 class
  bool atomics_fetch = true;            // 5.12: atomic fetch-add/and/or/xor, xchg, cmpxchg
  bool ringbuf = true;                  // 5.8: BPF_MAP_TYPE_RINGBUF and bpf_ringbuf_* helpers
  bool bpf_to_bpf_calls = true;         // 4.16: BPF_PSEUDO_CALL subprograms
  bool global_funcs = true;             // 5.6: global functions verified separately
  bool tail_call_in_subprog = true;     // 5.10 (x86-64): tail calls mixed with bpf-to-bpf calls
  bool kfuncs = true;                   // 5.13: BPF_PSEUDO_KFUNC_CALL
  bool spin_lock = true;                // 5.1
  bool timers = true;                   // 5.15
  bool dynptr = true;                   // 5.19: bpf_dynptr helpers
  bool may_goto = true;                 // 6.9: BPF_JCOND may_goto
  bool gotol = true;                    // 6.6: BPF_JA with 32-bit imm (cpu v4)
  bool sdiv_smod = true;                // 6.6 (cpu v4)
  bool movsx_ldsx = true;               // 6.6 (cpu v4): sign-extending moves and loads
  bool bswap = true;                    // 6.6 (cpu v4): unconditional byte swap
  bool stack_ptr_arith_unpriv = false;  // unprivileged pointer arithmetic is always limited
  uint32_t max_stack = 512;             // per-program stack (all releases)
  uint32_t max_call_depth = 8;          // bpf-to-bpf call frames (4.16+)
  uint32_t max_tail_calls = 33;         // MAX_TAIL_CALL_CNT: 32 before 5.17 (counted differently), 33 after
  uint32_t max_states_per_insn = 64;    // BPF_COMPLEXITY_LIMIT_STATES
  uint32_t complexity_limit = 1000000;  // BPF_COMPLEXITY_LIMIT_INSNS (processed insns); 131072 in 4.14..5.1
};

/// Parses --kernel: "4.14", "5.4", "6.1", "latest", or any "x.y" (optionally
/// "x.y.z", the patch level ignored) from 4.0 up to the latest.  Earlier or
/// malformed values are an Error ("unknown kernel version '3.2'").
Result<KernelProfile> parse_kernel_version(std::string_view text);
/// The profile of a numeric version (no validation beyond the range clamp).
KernelProfile kernel_profile(KernelVersion v);
/// The latest profile (what bpfvet verifies against by default).
KernelProfile latest_kernel_profile();
/// The named releases parse_kernel_version documents, for help texts and tests.
std::string_view known_kernel_versions();  // "4.14, 5.4, 5.10, 5.15, 6.1, 6.6, latest"

/// Whether the helper exists in that release.
bool helper_available(const KernelProfile& k, const HelperProto& h);
/// Whether the map type exists in that release.
bool map_type_available(const KernelProfile& k, MapType t);
/// The first release with the program type (socket_filter 3.19, xdp 4.8, lsm 5.7, ...);
/// Raw (not a kernel type) and Unspec give {0, 0}.
KernelVersion prog_type_since(ProgType t);
/// Whether the program type exists in that release.
bool prog_type_available(const KernelProfile& k, ProgType t);
/// "BPF_PROG_TYPE_LSM is available since Linux 5.7", for diagnostics.
std::string kernel_version_of_prog_type(ProgType t);
/// Whether BPF_PROG_LOAD of that type passes the kernel's capability checks
/// (bpf_prog_load: CAP_BPF for anything but socket_filter/cgroup_skb, then
/// CAP_NET_ADMIN for networking types and CAP_PERFMON for tracing types).
bool prog_type_loadable(ProgType t, Caps caps);
/// "bpf_ringbuf_output is available since Linux 5.8", for diagnostics.
std::string kernel_version_of_helper(const HelperProto& h);
/// "BPF_MAP_TYPE_RINGBUF is available since Linux 5.8", for diagnostics.
std::string kernel_version_of_map_type(MapType t);

}  // namespace bpfvet::isa
