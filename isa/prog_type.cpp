// Program type names, kernel numbers and libbpf's section-name table (prog_type.h).
#include "isa/prog_type.h"

#include <array>

namespace bpfvet::isa {
namespace {

struct TypeInfo {
  ProgType type;
  const char* name;
  uint32_t kernel;  // enum bpf_prog_type
};

// Kernel numbers from include/uapi/linux/bpf.h.  Raw borrows socket filter's number:
// it is only ever loaded into the kernel for experiments, and callers flag that.
constexpr std::array<TypeInfo, 20> kTypes{{
    {ProgType::Unspec, "unspec", 0},
    {ProgType::SocketFilter, "socket_filter", 1},
    {ProgType::Kprobe, "kprobe", 2},
    {ProgType::Kretprobe, "kretprobe", 2},
    {ProgType::Uprobe, "uprobe", 2},
    {ProgType::Tracepoint, "tracepoint", 5},
    {ProgType::RawTracepoint, "raw_tracepoint", 17},
    {ProgType::PerfEvent, "perf_event", 7},
    {ProgType::Xdp, "xdp", 6},
    {ProgType::SchedCls, "sched_cls", 3},
    {ProgType::SchedAct, "sched_act", 4},
    {ProgType::CgroupSkb, "cgroup_skb", 8},
    {ProgType::CgroupSock, "cgroup_sock", 9},
    {ProgType::Lsm, "lsm", 29},
    {ProgType::SockOps, "sock_ops", 13},
    {ProgType::CgroupSockAddr, "cgroup_sock_addr", 18},
    {ProgType::SkSkb, "sk_skb", 14},
    {ProgType::SkMsg, "sk_msg", 16},
    {ProgType::FlowDissector, "flow_dissector", 22},
    {ProgType::Raw, "raw", 1},
}};

const TypeInfo* info(ProgType t) {
  for (const auto& i : kTypes)
    if (i.type == t) return &i;
  return nullptr;
}

// How a section-table entry matches, after libbpf's sec_def_matches():
//   Exact:  the whole section name ("xdp", "tc", "sockops");
//   Plus:   the name itself or the name followed by '/' ("kprobe" or "kprobe/do_sys_open"),
//           libbpf's SEC_DEF("kprobe+", ...);
//   Prefix: any name starting with it (entries that end in '/' or '_', like "cgroup_skb/").
enum class Match { Exact, Plus, Prefix };

struct SectionRule {
  const char* name;
  Match match;
  ProgType type;
};

// libbpf's section_defs[] restricted to the program types bpfvet models, in libbpf's order
// (the first match wins).  Types bpfvet does not model ("tp_btf/", "fentry/", "iter/",
// "struct_ops", "lwt_*", "cgroup/sysctl", "sk_lookup", ...) are deliberately absent, so such
// sections need --type: tp_btf/fentry programs are BPF_PROG_TYPE_TRACING, whose context
// is BTF-typed arguments, not the raw_tracepoint u64 array, and mapping them to
// RawTracepoint would verify them against the wrong context.
constexpr SectionRule kRules[] = {
    {"socket", Match::Exact, ProgType::SocketFilter},
    {"kprobe", Match::Plus, ProgType::Kprobe},
    {"uprobe", Match::Plus, ProgType::Uprobe},
    {"uprobe.s", Match::Plus, ProgType::Uprobe},
    {"kretprobe", Match::Plus, ProgType::Kretprobe},
    {"uretprobe", Match::Plus, ProgType::Uprobe},
    {"uretprobe.s", Match::Plus, ProgType::Uprobe},
    {"kprobe.multi", Match::Plus, ProgType::Kprobe},
    {"kretprobe.multi", Match::Plus, ProgType::Kretprobe},
    {"uprobe.multi", Match::Plus, ProgType::Uprobe},
    {"uretprobe.multi", Match::Plus, ProgType::Uprobe},
    {"ksyscall", Match::Plus, ProgType::Kprobe},
    {"kretsyscall", Match::Plus, ProgType::Kretprobe},
    {"usdt", Match::Plus, ProgType::Uprobe},
    {"tc/ingress", Match::Exact, ProgType::SchedCls},
    {"tc/egress", Match::Exact, ProgType::SchedCls},
    {"tcx/ingress", Match::Exact, ProgType::SchedCls},
    {"tcx/egress", Match::Exact, ProgType::SchedCls},
    {"tc", Match::Exact, ProgType::SchedCls},
    {"classifier", Match::Exact, ProgType::SchedCls},
    {"action", Match::Exact, ProgType::SchedAct},
    {"tracepoint", Match::Plus, ProgType::Tracepoint},
    {"tp", Match::Plus, ProgType::Tracepoint},
    {"raw_tracepoint", Match::Plus, ProgType::RawTracepoint},
    {"raw_tp", Match::Plus, ProgType::RawTracepoint},
    {"lsm", Match::Plus, ProgType::Lsm},
    {"lsm.s", Match::Plus, ProgType::Lsm},
    {"lsm_cgroup", Match::Plus, ProgType::Lsm},
    {"xdp.frags/devmap", Match::Exact, ProgType::Xdp},
    {"xdp/devmap", Match::Exact, ProgType::Xdp},
    {"xdp.frags/cpumap", Match::Exact, ProgType::Xdp},
    {"xdp/cpumap", Match::Exact, ProgType::Xdp},
    {"xdp.frags", Match::Exact, ProgType::Xdp},
    {"xdp", Match::Plus, ProgType::Xdp},
    {"perf_event", Match::Exact, ProgType::PerfEvent},
    {"cgroup_skb/ingress", Match::Exact, ProgType::CgroupSkb},
    {"cgroup_skb/egress", Match::Exact, ProgType::CgroupSkb},
    {"cgroup/skb", Match::Exact, ProgType::CgroupSkb},
    {"cgroup/sock_create", Match::Exact, ProgType::CgroupSock},
    {"cgroup/sock_release", Match::Exact, ProgType::CgroupSock},
    {"cgroup/sock", Match::Exact, ProgType::CgroupSock},
    {"cgroup/post_bind4", Match::Exact, ProgType::CgroupSock},
    {"cgroup/post_bind6", Match::Exact, ProgType::CgroupSock},
    {"cgroup/bind4", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/bind6", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/connect4", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/connect6", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/connect_unix", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/sendmsg4", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/sendmsg6", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/sendmsg_unix", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/recvmsg4", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/recvmsg6", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/recvmsg_unix", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/getpeername4", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/getpeername6", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/getpeername_unix", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/getsockname4", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/getsockname6", Match::Exact, ProgType::CgroupSockAddr},
    {"cgroup/getsockname_unix", Match::Exact, ProgType::CgroupSockAddr},
    {"sockops", Match::Exact, ProgType::SockOps},
    {"sk_skb/stream_parser", Match::Exact, ProgType::SkSkb},
    {"sk_skb/stream_verdict", Match::Exact, ProgType::SkSkb},
    {"sk_skb/verdict", Match::Exact, ProgType::SkSkb},
    {"sk_skb", Match::Exact, ProgType::SkSkb},
    {"sk_msg", Match::Exact, ProgType::SkMsg},
    {"flow_dissector", Match::Exact, ProgType::FlowDissector},
};

// libbpf before 1.0 matched most entries as plain prefixes ("socket1", "xdp_prog",
// "classifier/ingress", "kprobe/..."); samples/bpf and older trees still use such names.
// These apply only when the strict table above says nothing.
constexpr SectionRule kLegacyPrefixes[] = {
    {"socket", Match::Prefix, ProgType::SocketFilter},
    {"kretprobe/", Match::Prefix, ProgType::Kretprobe},
    {"kprobe/", Match::Prefix, ProgType::Kprobe},
    {"uretprobe/", Match::Prefix, ProgType::Uprobe},
    {"uprobe/", Match::Prefix, ProgType::Uprobe},
    {"classifier", Match::Prefix, ProgType::SchedCls},
    {"action", Match::Prefix, ProgType::SchedAct},
    {"tracepoint/", Match::Prefix, ProgType::Tracepoint},
    {"raw_tracepoint/", Match::Prefix, ProgType::RawTracepoint},
    {"xdp", Match::Prefix, ProgType::Xdp},
    {"perf_event", Match::Prefix, ProgType::PerfEvent},
    {"cgroup/skb", Match::Prefix, ProgType::CgroupSkb},
    {"cgroup/sock", Match::Prefix, ProgType::CgroupSock},
    {"sockops", Match::Prefix, ProgType::SockOps},
    {"sk_skb", Match::Prefix, ProgType::SkSkb},
    {"sk_msg", Match::Prefix, ProgType::SkMsg},
    {"flow_dissector", Match::Prefix, ProgType::FlowDissector},
};

bool matches(const SectionRule& r, std::string_view sec) {
  const std::string_view name = r.name;
  switch (r.match) {
    case Match::Exact:
      return sec == name;
    case Match::Plus:
      return sec == name || (sec.size() > name.size() && sec.substr(0, name.size()) == name &&
                             sec[name.size()] == '/');
    case Match::Prefix:
      return sec.substr(0, name.size()) == name;
  }
  return false;
}

}  // namespace

const char* prog_type_name(ProgType t) {
  const TypeInfo* i = info(t);
  return i ? i->name : "unspec";
}

std::optional<ProgType> parse_prog_type(std::string_view name) {
  if (name == "tc") return ProgType::SchedCls;
  for (const auto& i : kTypes)
    if (i.type != ProgType::Unspec && name == i.name) return i.type;
  return std::nullopt;
}

uint32_t kernel_prog_type(ProgType t) {
  const TypeInfo* i = info(t);
  return i ? i->kernel : 0;
}

std::string_view section_base_name(std::string_view section) {
  return !section.empty() && section.front() == '?' ? section.substr(1) : section;
}

std::optional<ProgType> prog_type_from_section(std::string_view section) {
  section = section_base_name(section);
  for (const auto& r : kRules)
    if (matches(r, section)) return r.type;
  for (const auto& r : kLegacyPrefixes)
    if (matches(r, section)) return r.type;
  return std::nullopt;
}

std::string prog_type_names() {
  std::string out;
  for (const auto& i : kTypes) {
    if (i.type == ProgType::Unspec) continue;
    if (!out.empty()) out += ", ";
    out += i.name;
  }
  return out;
}

namespace {

struct AttachInfo {
  AttachType type;
  const char* name;     // also the section suffix after "cgroup/"
  ProgType prog;
  uint32_t kernel;      // enum bpf_attach_type
};

// Kernel numbers from include/uapi/linux/bpf.h (the unix ones arrived in 6.7).
constexpr std::array<AttachInfo, 21> kAttach{{
    {AttachType::SockCreate, "sock_create", ProgType::CgroupSock, 2},
    {AttachType::SockRelease, "sock_release", ProgType::CgroupSock, 34},
    {AttachType::PostBind4, "post_bind4", ProgType::CgroupSock, 12},
    {AttachType::PostBind6, "post_bind6", ProgType::CgroupSock, 13},
    {AttachType::Bind4, "bind4", ProgType::CgroupSockAddr, 8},
    {AttachType::Bind6, "bind6", ProgType::CgroupSockAddr, 9},
    {AttachType::Connect4, "connect4", ProgType::CgroupSockAddr, 10},
    {AttachType::Connect6, "connect6", ProgType::CgroupSockAddr, 11},
    {AttachType::ConnectUnix, "connect_unix", ProgType::CgroupSockAddr, 49},
    {AttachType::SendMsg4, "sendmsg4", ProgType::CgroupSockAddr, 14},
    {AttachType::SendMsg6, "sendmsg6", ProgType::CgroupSockAddr, 15},
    {AttachType::SendMsgUnix, "sendmsg_unix", ProgType::CgroupSockAddr, 50},
    {AttachType::RecvMsg4, "recvmsg4", ProgType::CgroupSockAddr, 19},
    {AttachType::RecvMsg6, "recvmsg6", ProgType::CgroupSockAddr, 20},
    {AttachType::RecvMsgUnix, "recvmsg_unix", ProgType::CgroupSockAddr, 51},
    {AttachType::GetPeerName4, "getpeername4", ProgType::CgroupSockAddr, 29},
    {AttachType::GetPeerName6, "getpeername6", ProgType::CgroupSockAddr, 30},
    {AttachType::GetPeerNameUnix, "getpeername_unix", ProgType::CgroupSockAddr, 52},
    {AttachType::GetSockName4, "getsockname4", ProgType::CgroupSockAddr, 31},
    {AttachType::GetSockName6, "getsockname6", ProgType::CgroupSockAddr, 32},
    {AttachType::GetSockNameUnix, "getsockname_unix", ProgType::CgroupSockAddr, 53},
}};

const AttachInfo* attach_info(AttachType a) {
  for (const auto& i : kAttach)
    if (i.type == a) return &i;
  return nullptr;
}

}  // namespace

AttachType attach_type_from_section(std::string_view section) {
  // libbpf matches these entries exactly ("cgroup/connect4", not "cgroup/connect4/x");
  // "cgroup/sock" is its alias for sock_create.
  constexpr std::string_view kPrefix = "cgroup/";
  section = section_base_name(section);
  if (section.substr(0, kPrefix.size()) != kPrefix) return AttachType::Default;
  const std::string_view rest = section.substr(kPrefix.size());
  if (rest == "sock") return AttachType::SockCreate;
  for (const auto& i : kAttach)
    if (rest == i.name) return i.type;
  return AttachType::Default;
}

ProgType attach_prog_type(AttachType a) {
  const AttachInfo* i = attach_info(a);
  return i ? i->prog : ProgType::Unspec;
}

uint32_t kernel_attach_type(AttachType a) {
  const AttachInfo* i = attach_info(a);
  return i ? i->kernel : 0;
}

const char* attach_type_name(AttachType a) {
  const AttachInfo* i = attach_info(a);
  return i ? i->name : "default";
}

}  // namespace bpfvet::isa
