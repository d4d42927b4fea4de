// Program types: the names the CLI accepts, the kernel's BPF_PROG_TYPE_* numbers,
// and the mapping from ELF section names the way libbpf does it.
//
// kprobe, kretprobe and uprobe are one kernel type (BPF_PROG_TYPE_KPROBE) but differ
// in what the context means to a user, so bpfvet keeps them apart.  `Raw` is not a
// kernel type: a plain function of memory (r1 = buffer, r2 = length), as ISA
// conformance suites use it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bpfvet::isa {

enum class ProgType : uint8_t {
  Unspec,
  SocketFilter,
  Kprobe,
  Kretprobe,
  Uprobe,
  Tracepoint,
  RawTracepoint,
  PerfEvent,
  Xdp,
  SchedCls,
  SchedAct,
  CgroupSkb,
  CgroupSock,
  Lsm,
  SockOps,
  CgroupSockAddr,
  SkSkb,
  SkMsg,
  FlowDissector,
  Raw,
};

/// The CLI name ("xdp", "sched_cls", ...); "unspec" for Unspec.
const char* prog_type_name(ProgType t);
/// Parses a CLI name, incl. the alias "tc" for sched_cls.  nullopt when unknown.
std::optional<ProgType> parse_prog_type(std::string_view name);
/// The kernel's enum bpf_prog_type value (BPF_PROG_TYPE_XDP = 6, ...); Raw maps to
/// socket filter's number only for loading experiments and is flagged by callers.
uint32_t kernel_prog_type(ProgType t);
/// The section name without libbpf's leading '?' (SEC("?xdp"): a program not loaded
/// by default, otherwise an ordinary "xdp" program).  Every section-name rule below
/// applies to this base name.
std::string_view section_base_name(std::string_view section);
/// Program type from an ELF section name, following libbpf's section table
/// ("xdp", "tc", "classifier", "socket", "kprobe/", "tp/", "lsm/", ...).
/// nullopt when the section name says nothing.
std::optional<ProgType> prog_type_from_section(std::string_view section);
/// Comma-separated list of every CLI name, for error messages.
std::string prog_type_names();

/// The kernel's expected attach type, where it changes what a program may do with
/// its context (cgroup_sock, cgroup_sock_addr) or return.  libbpf derives it from
/// the section name; Default means "the section says nothing", and the context
/// tables then keep their default view (cgroup_sock = sock_create, cgroup_sock_addr
/// = connect with both address families).
enum class AttachType : uint8_t {
  Default,
  // cgroup_sock
  SockCreate,
  SockRelease,
  PostBind4,
  PostBind6,
  // cgroup_sock_addr
  Bind4,
  Bind6,
  Connect4,
  Connect6,
  ConnectUnix,
  SendMsg4,
  SendMsg6,
  SendMsgUnix,
  RecvMsg4,
  RecvMsg6,
  RecvMsgUnix,
  GetPeerName4,
  GetPeerName6,
  GetPeerNameUnix,
  GetSockName4,
  GetSockName6,
  GetSockNameUnix,
};

/// Attach type from an ELF section name, following libbpf's section table
/// ("cgroup/post_bind4" -> PostBind4, "cgroup/sock" -> SockCreate, ...).  Default
/// for sections without a modelled attach type (including every other program type).
AttachType attach_type_from_section(std::string_view section);
/// The program type an attach type belongs to (CgroupSock or CgroupSockAddr);
/// Unspec for Default.
ProgType attach_prog_type(AttachType a);
/// The kernel's enum bpf_attach_type value (BPF_CGROUP_INET4_POST_BIND = 12, ...);
/// 0 for Default.
uint32_t kernel_attach_type(AttachType a);
/// A short name ("post_bind4", "connect_unix"); "default" for Default.
const char* attach_type_name(AttachType a);

}  // namespace bpfvet::isa
