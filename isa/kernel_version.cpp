// Kernel profiles: the verifier-relevant features of each release, from the
// version that introduced each one.
#include "isa/kernel_version.h"

#include <charconv>

#include "isa/helpers.h"
#include "isa/maps.h"

namespace bpfvet::isa {
namespace {

// The last minor release of each major series bpfvet knows; parsing rejects x.y
// past it (5.20 never existed, 4.21 neither).
constexpr uint8_t kLastMinor4 = 20;
constexpr uint8_t kLastMinor5 = 19;

bool parse_uint8(std::string_view s, uint8_t& out) {
  if (s.empty() || s.size() > 3) return false;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 255) return false;
  out = static_cast<uint8_t>(v);
  return true;
}

bool release_exists(KernelVersion v) {
  switch (v.major) {
    case 4:
      return v.minor <= kLastMinor4;
    case 5:
      return v.minor <= kLastMinor5;
    case 6:
      return v.minor <= kLatestKernel.minor;
    default:
      return false;
  }
}

}  // namespace

std::string KernelVersion::str() const { return std::to_string(major) + "." + std::to_string(minor); }

KernelProfile kernel_profile(KernelVersion v) {
  auto at_least = [&](uint8_t maj, uint8_t min) { return v >= KernelVersion{maj, min}; };
  KernelProfile k;
  k.name = v.str();
  k.version = v;
  // 5.2 raised the instruction limit of privileged programs to one million and made
  // the processed-instruction budget the same number.
  k.max_insns = at_least(5, 2) ? 1000000 : 4096;
  k.complexity_limit = at_least(5, 2) ? 1000000 : 131072;
  k.max_insns_unpriv = 4096;
  k.bounded_loops = at_least(5, 3);
  k.isa_version = at_least(6, 6) ? 4 : at_least(5, 1) ? 3 : at_least(4, 14) ? 2 : 1;
  k.jmp32 = at_least(5, 1);
  k.atomics_fetch = at_least(5, 12);
  k.ringbuf = at_least(5, 8);
  k.bpf_to_bpf_calls = at_least(4, 16);
  k.global_funcs = at_least(5, 6);
  k.tail_call_in_subprog = at_least(5, 10);
  k.kfuncs = at_least(5, 13);
  k.spin_lock = at_least(5, 1);
  k.timers = at_least(5, 15);
  k.dynptr = at_least(5, 19);
  k.may_goto = at_least(6, 9);
  k.gotol = at_least(6, 6);
  k.sdiv_smod = at_least(6, 6);
  k.movsx_ldsx = at_least(6, 6);
  k.bswap = at_least(6, 6);
  k.max_stack = 512;
  k.max_call_depth = 8;
  k.max_tail_calls = at_least(5, 17) ? 33 : 32;
  k.max_states_per_insn = 64;
  return k;
}

KernelProfile latest_kernel_profile() {
  KernelProfile k = kernel_profile(kLatestKernel);
  k.name = "latest";
  return k;
}

std::string_view known_kernel_versions() { return "4.14, 5.4, 5.10, 5.15, 6.1, 6.6, latest"; }

Result<KernelProfile> parse_kernel_version(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  auto unknown = [&] {
    return Error{"unknown kernel version " + quoted + " (expected x.y from 4.0 to " + kLatestKernel.str() +
                 ", e.g. " + std::string(known_kernel_versions()) + ")"};
  };
  if (text == "latest") return latest_kernel_profile();
  std::string_view s = text;
  if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
  // x.y or x.y.z; anything after the patch level (e.g. "-generic") is not accepted:
  // it says nothing the verifier would care about and is more likely a typo.
  KernelVersion v;
  size_t dot = s.find('.');
  if (dot == std::string_view::npos) return unknown();
  if (!parse_uint8(s.substr(0, dot), v.major)) return unknown();
  std::string_view rest = s.substr(dot + 1);
  size_t dot2 = rest.find('.');
  if (!parse_uint8(rest.substr(0, dot2), v.minor)) return unknown();
  if (dot2 != std::string_view::npos) {
    uint8_t patch = 0;
    if (!parse_uint8(rest.substr(dot2 + 1), patch)) return unknown();
  }
  if (!release_exists(v)) return unknown();
  KernelProfile k = kernel_profile(v);
  return k;
}

bool helper_available(const KernelProfile& k, const HelperProto& h) { return k.version >= h.since; }

bool map_type_available(const KernelProfile& k, MapType t) {
  const MapTypeInfo& m = map_type_info(t);
  return t != MapType::Unspec && m.type == t && k.version >= m.since;
}

std::string kernel_version_of_helper(const HelperProto& h) {
  return std::string(h.name) + " is available since Linux " + h.since.str();
}

const char* caps_name(Caps c) {
  switch (c) {
    case Caps::None:
      return "none";
    case Caps::BpfOnly:
      return "bpf";
    case Caps::Full:
      return "full";
  }
  return "full";
}

std::optional<Caps> parse_caps(std::string_view name) {
  for (Caps c : {Caps::None, Caps::BpfOnly, Caps::Full})
    if (name == caps_name(c)) return c;
  return std::nullopt;
}

KernelVersion prog_type_since(ProgType t) {
  switch (t) {
    case ProgType::Unspec:
    case ProgType::Raw:
      return {};
    case ProgType::SocketFilter:
      return {3, 19};
    case ProgType::Kprobe:
    case ProgType::Kretprobe:
    case ProgType::SchedCls:
      return {4, 1};
    case ProgType::SchedAct:
      return {4, 1};
    case ProgType::Uprobe:  // BPF on uprobes: 4.3
      return {4, 3};
    case ProgType::Tracepoint:
      return {4, 7};
    case ProgType::Xdp:
      return {4, 8};
    case ProgType::PerfEvent:
      return {4, 9};
    case ProgType::CgroupSkb:
    case ProgType::CgroupSock:
      return {4, 10};
    case ProgType::SockOps:
      return {4, 13};
    case ProgType::SkSkb:
      return {4, 14};
    case ProgType::SkMsg:
    case ProgType::RawTracepoint:
    case ProgType::CgroupSockAddr:
      return {4, 17};
    case ProgType::FlowDissector:
      return {4, 20};
    case ProgType::Lsm:
      return {5, 7};
  }
  return {};
}

bool prog_type_available(const KernelProfile& k, ProgType t) { return k.version >= prog_type_since(t); }

std::string kernel_version_of_prog_type(ProgType t) {
  std::string name = prog_type_name(t);
  for (char& c : name) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  if (t == ProgType::Kretprobe || t == ProgType::Uprobe) name = "KPROBE";
  return "BPF_PROG_TYPE_" + name + " is available since Linux " + prog_type_since(t).str();
}

bool prog_type_loadable(ProgType t, Caps caps) {
  if (caps == Caps::Full) return true;
  if (t == ProgType::SocketFilter || t == ProgType::CgroupSkb) return true;
  if (caps == Caps::None) return false;
  // CAP_BPF alone: every type that is neither a networking one (is_net_admin_prog_type)
  // nor a tracing one (is_perfmon_prog_type).
  switch (t) {
    case ProgType::SchedCls:
    case ProgType::SchedAct:
    case ProgType::Xdp:
    case ProgType::SkSkb:
    case ProgType::SkMsg:
    case ProgType::FlowDissector:
    case ProgType::CgroupSock:
    case ProgType::CgroupSockAddr:
    case ProgType::SockOps:
    case ProgType::Kprobe:
    case ProgType::Kretprobe:
    case ProgType::Uprobe:
    case ProgType::Tracepoint:
    case ProgType::PerfEvent:
    case ProgType::RawTracepoint:
    case ProgType::Lsm:
      return false;
    default:
      return true;
  }
}

std::string kernel_version_of_map_type(MapType t) {
  const MapTypeInfo& m = map_type_info(t);
  return std::string(m.name) + " is available since Linux " + m.since.str();
}

}  // namespace bpfvet::isa
