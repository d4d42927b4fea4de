// Helper lookup and the per-program-type helper whitelists.
//
// The whitelists follow the structure of the kernel's func_proto callbacks: each
// program type checks its own list first and falls back to a shared one
// (bpf_base_func_proto for everyone, the tracing set for kprobe/tracepoint/
// perf_event/raw_tracepoint, the socket set for networking types).  Where the
// kernel's answer depends on the attach type, the common attach type of the
// CLI's program type is assumed (cgroup_skb: ingress/egress; cgroup_sock:
// sock_create; cgroup_sock_addr: connect4/6; lsm: non-sleepable BPF_LSM_MAC).
#include "isa/helpers.h"

#include <initializer_list>

#include "isa/helper_ids.h"

namespace bpfvet::isa {
namespace {

// Who is asking: with or without CAP_BPF/CAP_PERFMON, and for which release.
struct Who {
  bool bpf_capable;  // CAP_BPF: the second tier of the base set
  bool perfmon;      // CAP_PERFMON: the third tier, and the socket casts
  KernelVersion version;

  bool at_least(uint8_t major, uint8_t minor) const { return version >= KernelVersion{major, minor}; }
};

Who who(Caps caps, KernelVersion version) {
  return Who{caps != Caps::None, caps == Caps::Full, version};
}

bool in(int32_t id, std::initializer_list<int32_t> ids) {
  for (int32_t x : ids)
    if (x == id) return true;
  return false;
}

// The lists are kept bin-packed, like the kernel's switch statements read.
// clang-format off
// bpf_base_func_proto: three tiers (anyone, CAP_BPF, CAP_PERFMON).  Its history
// (each helper reaches the base set in the release named, or with the helper
// itself when later): 5.8 added the CAP_PERFMON tier with get_current_task and the
// probe_read_{user,kernel}[_str] helpers; 5.16 get_current_task_btf; 6.1 the
// current-cgroup ids; 6.10 opened get_current_pid_tgid to every program type; 6.12
// moved a batch of task and cgroup helpers that used to be tracing-only into it.
bool base_allowed(int32_t id, Who w) {
  using namespace fn;
  const bool v610 = w.version >= KernelVersion{6, 10};
  const bool v612 = w.version >= KernelVersion{6, 12};
  if (in(id, {map_lookup_elem, map_update_elem, map_delete_elem, map_push_elem, map_pop_elem,
              map_peek_elem, map_lookup_percpu_elem, get_prandom_u32, get_smp_processor_id,
              get_numa_node_id, tail_call, ktime_get_ns, ktime_get_boot_ns, ktime_get_tai_ns,
              ringbuf_output, ringbuf_reserve, ringbuf_submit, ringbuf_discard, ringbuf_query,
              strncmp, strtol, strtoul}))
    return true;
  if (in(id, {get_current_pid_tgid, get_ns_current_pid_tgid})) return v610;
  if (id == get_current_uid_gid) return v612;
  if (!w.bpf_capable) return false;
  if (in(id, {spin_lock, spin_unlock, jiffies64, per_cpu_ptr, this_cpu_ptr, timer_init,
              timer_set_callback, timer_start, timer_cancel, kptr_xchg, for_each_map_elem, loop,
              user_ringbuf_drain, ringbuf_reserve_dynptr, ringbuf_submit_dynptr,
              ringbuf_discard_dynptr, dynptr_from_mem, dynptr_read, dynptr_write, dynptr_data,
              cgrp_storage_get, cgrp_storage_delete}))
    return true;
  if (in(id, {get_current_cgroup_id, get_current_ancestor_cgroup_id})) return w.at_least(6, 1);
  if (in(id, {current_task_under_cgroup, get_cgroup_classid, task_storage_get, task_storage_delete}))
    return v612;
  if (!w.perfmon) return false;
  if (in(id, {trace_printk, snprintf_btf, snprintf, task_pt_regs, trace_vprintk})) return true;
  if (in(id, {get_current_task, probe_read_user, probe_read_kernel, probe_read_user_str,
              probe_read_kernel_str}))
    return w.at_least(5, 8);
  if (id == get_current_task_btf) return w.at_least(5, 16);
  return v612 && in(id, {get_current_comm, copy_from_user, copy_from_user_task,
                         perf_event_read_value, perf_event_read, send_signal, send_signal_thread,
                         get_task_stack, get_branch_snapshot, find_vma});
}

// bpf_sk_base_func_proto: the socket casts need CAP_PERFMON.
bool sk_base_allowed(int32_t id, Who w) {
  using namespace fn;
  if (in(id, {skc_to_tcp6_sock, skc_to_tcp_sock, skc_to_tcp_timewait_sock,
              skc_to_tcp_request_sock, skc_to_udp6_sock, skc_to_unix_sock, skc_to_mptcp_sock}))
    return w.perfmon;
  if (id == ktime_get_coarse_ns) return true;
  return base_allowed(id, w);
}

// bpf_tracing_func_proto, shared by kprobe, tracepoint, perf_event and raw_tp.
// bpf_get_func_ip is left out here: the verifier rejects it outside kprobes and
// trampoline programs even though this list offers it.
bool tracing_allowed(int32_t id, Who w) {
  using namespace fn;
  if (in(id, {map_lookup_elem, map_update_elem, map_delete_elem, map_push_elem, map_pop_elem,
              map_peek_elem, map_lookup_percpu_elem, ktime_get_ns, ktime_get_boot_ns, tail_call,
              get_current_pid_tgid, get_current_task, get_current_task_btf, task_pt_regs,
              get_current_uid_gid, get_current_comm, trace_printk, get_smp_processor_id,
              get_numa_node_id, perf_event_read, current_task_under_cgroup, get_prandom_u32,
              probe_write_user, probe_read_user, probe_read_kernel, probe_read_user_str,
              probe_read_kernel_str, probe_read, probe_read_str, get_current_cgroup_id,
              get_current_ancestor_cgroup_id, cgrp_storage_get, cgrp_storage_delete, send_signal,
              send_signal_thread, perf_event_read_value, get_ns_current_pid_tgid, ringbuf_output,
              ringbuf_reserve, ringbuf_submit, ringbuf_discard, ringbuf_query, jiffies64,
              get_task_stack, copy_from_user, copy_from_user_task, snprintf_btf, per_cpu_ptr,
              this_cpu_ptr, task_storage_get, task_storage_delete, for_each_map_elem, snprintf,
              get_branch_snapshot, find_vma, trace_vprintk}))
    return true;
  return base_allowed(id, Who{true, true, w.version});
}

bool kprobe_allowed(int32_t id, Who w) {
  using namespace fn;
  return in(id, {perf_event_output, get_stackid, get_stack, override_return, get_func_ip,
                 get_attach_cookie}) ||
         tracing_allowed(id, w);
}

bool tracepoint_allowed(int32_t id, Who w) {
  using namespace fn;
  return in(id, {perf_event_output, get_stackid, get_stack, get_attach_cookie}) || tracing_allowed(id, w);
}

bool perf_event_allowed(int32_t id, Who w) {
  using namespace fn;
  return in(id, {perf_event_output, get_stackid, get_stack, perf_prog_read_value,
                 read_branch_records, get_attach_cookie}) ||
         tracing_allowed(id, w);
}

bool raw_tracepoint_allowed(int32_t id, Who w) {
  using namespace fn;
  // bpf_get_attach_cookie came to raw tracepoints with their BPF cookies (6.10).
  return in(id, {perf_event_output, get_stackid, get_stack}) ||
         (id == get_attach_cookie && w.version >= KernelVersion{6, 10}) || tracing_allowed(id, w);
}

// tracing_prog_func_proto (BTF-typed programs), as LSM programs reach it; the
// bpf_seq_* helpers are for iterators only.  Socket storage came to tracing and
// LSM programs in 5.11.
bool btf_tracing_allowed(int32_t id, Who w) {
  using namespace fn;
  if (in(id, {sk_storage_get, sk_storage_delete}) && !w.at_least(5, 11)) return false;
  return in(id, {skb_output, xdp_output, skc_to_tcp6_sock, skc_to_tcp_sock,
                 skc_to_tcp_timewait_sock, skc_to_tcp_request_sock, skc_to_udp6_sock,
                 skc_to_unix_sock, skc_to_mptcp_sock, sk_storage_get, sk_storage_delete,
                 sock_from_file, get_socket_cookie, xdp_get_buff_len, d_path, get_func_arg,
                 get_func_ret, get_func_arg_cnt, get_attach_cookie}) ||
         raw_tracepoint_allowed(id, w);
}

// bpf_lsm_func_proto for a non-sleepable BPF_LSM_MAC program: the IMA hashes need
// a sleepable (lsm.s/) program, setsockopt/getsockopt an lsm_cgroup one.
bool lsm_allowed(int32_t id, Who w) {
  using namespace fn;
  if (in(id, {sk_storage_get, sk_storage_delete}) && !w.at_least(5, 11)) return false;
  return in(id, {inode_storage_get, inode_storage_delete, sk_storage_get, sk_storage_delete,
                 spin_lock, spin_unlock, bprm_opts_set, get_attach_cookie}) ||
         btf_tracing_allowed(id, w);
}

// cgroup_common_func_proto + cgroup_current_func_proto; `retval` says whether the
// attach type may use bpf_get_retval/bpf_set_retval (not skb ingress/egress,
// sock_ops, recvmsg, getpeername/getsockname).
bool cgroup_common_allowed(int32_t id, bool retval) {
  using namespace fn;
  if (id == get_local_storage) return true;
  if (id == get_retval || id == set_retval) return retval;
  return in(id, {get_current_uid_gid, get_current_comm, get_cgroup_classid,
                 current_task_under_cgroup});
}

bool socket_filter_allowed(int32_t id, Who w) {
  using namespace fn;
  return in(id, {skb_load_bytes, skb_load_bytes_relative, get_socket_cookie, get_socket_uid,
                 get_netns_cookie, perf_event_output}) ||
         sk_base_allowed(id, w);
}

bool cgroup_skb_allowed(int32_t id, Who w) {
  using namespace fn;
  return cgroup_common_allowed(id, false) ||
         in(id, {get_local_storage, sk_fullsock, sk_storage_get, sk_storage_delete,
                 perf_event_output, skb_cgroup_id, skb_ancestor_cgroup_id, sk_cgroup_id,
                 sk_ancestor_cgroup_id, sk_lookup_tcp, sk_lookup_udp, sk_release, skc_lookup_tcp,
                 tcp_sock, get_listener_sock, skb_ecn_set_ce}) ||
         socket_filter_allowed(id, w);
}

bool tc_allowed(int32_t id, Who w) {
  using namespace fn;
  return in(id, {skb_store_bytes, skb_load_bytes, skb_load_bytes_relative, skb_pull_data,
                 csum_diff, csum_update, csum_level, l3_csum_replace, l4_csum_replace,
                 clone_redirect, get_cgroup_classid, skb_vlan_push, skb_vlan_pop,
                 skb_change_proto, skb_change_type, skb_adjust_room, skb_change_tail,
                 skb_change_head, skb_get_tunnel_key, skb_set_tunnel_key, skb_get_tunnel_opt,
                 skb_set_tunnel_opt, redirect, redirect_neigh, redirect_peer, get_route_realm,
                 get_hash_recalc, set_hash_invalid, set_hash, perf_event_output, get_netns_cookie,
                 get_smp_processor_id, skb_under_cgroup, get_socket_cookie, get_socket_uid,
                 fib_lookup, check_mtu, sk_fullsock, sk_storage_get, sk_storage_delete,
                 skb_get_xfrm_state, skb_cgroup_classid, skb_cgroup_id, skb_ancestor_cgroup_id,
                 sk_lookup_tcp, sk_lookup_udp, sk_release, tcp_sock, get_listener_sock,
                 skc_lookup_tcp, tcp_check_syncookie, skb_ecn_set_ce, tcp_gen_syncookie,
                 sk_assign, skb_set_tstamp, tcp_raw_gen_syncookie_ipv4, tcp_raw_gen_syncookie_ipv6,
                 tcp_raw_check_syncookie_ipv4, tcp_raw_check_syncookie_ipv6}) ||
         sk_base_allowed(id, w);
}

bool xdp_allowed(int32_t id, Who w) {
  using namespace fn;
  return in(id, {perf_event_output, get_smp_processor_id, csum_diff, xdp_adjust_head,
                 xdp_adjust_meta, redirect, redirect_map, xdp_adjust_tail, xdp_get_buff_len,
                 xdp_load_bytes, xdp_store_bytes, fib_lookup, check_mtu, sk_lookup_udp,
                 sk_lookup_tcp, sk_release, skc_lookup_tcp, tcp_check_syncookie,
                 tcp_gen_syncookie, tcp_raw_gen_syncookie_ipv4, tcp_raw_gen_syncookie_ipv6,
                 tcp_raw_check_syncookie_ipv4, tcp_raw_check_syncookie_ipv6}) ||
         sk_base_allowed(id, w);
}

// sock_filter_func_proto (BPF_PROG_TYPE_CGROUP_SOCK): falls back to the plain base set.
bool cgroup_sock_allowed(int32_t id, Who w) {
  using namespace fn;
  return cgroup_common_allowed(id, true) ||
         in(id, {get_socket_cookie, get_netns_cookie, perf_event_output, sk_storage_get,
                 ktime_get_coarse_ns}) ||
         base_allowed(id, w);
}

bool cgroup_sock_addr_allowed(int32_t id, Who w) {
  using namespace fn;
  return cgroup_common_allowed(id, true) ||
         in(id, {bind, get_socket_cookie, get_netns_cookie, perf_event_output, sk_lookup_tcp,
                 sk_lookup_udp, sk_release, skc_lookup_tcp, sk_storage_get, sk_storage_delete,
                 setsockopt, getsockopt}) ||
         sk_base_allowed(id, w);
}

bool sock_ops_allowed(int32_t id, Who w) {
  using namespace fn;
  return id == get_local_storage ||
         in(id, {setsockopt, getsockopt, sock_ops_cb_flags_set, sock_map_update, sock_hash_update,
                 get_socket_cookie, perf_event_output, sk_storage_get, sk_storage_delete,
                 get_netns_cookie, load_hdr_opt, store_hdr_opt, reserve_hdr_opt, tcp_sock}) ||
         sk_base_allowed(id, w);
}

bool sk_skb_allowed(int32_t id, Who w) {
  using namespace fn;
  return in(id, {skb_store_bytes, skb_load_bytes, skb_pull_data, skb_change_tail,
                 skb_change_head, skb_adjust_room, get_socket_cookie, get_socket_uid,
                 sk_redirect_map, sk_redirect_hash, perf_event_output, sk_lookup_tcp,
                 sk_lookup_udp, sk_release, skc_lookup_tcp}) ||
         sk_base_allowed(id, w);
}

bool sk_msg_allowed(int32_t id, Who w) {
  using namespace fn;
  return in(id, {msg_redirect_map, msg_redirect_hash, msg_apply_bytes, msg_cork_bytes,
                 msg_pull_data, msg_push_data, msg_pop_data, perf_event_output,
                 get_current_uid_gid, get_current_pid_tgid, sk_storage_get, sk_storage_delete,
                 get_netns_cookie, get_current_cgroup_id, get_current_ancestor_cgroup_id,
                 get_cgroup_classid}) ||
         sk_base_allowed(id, w);
}

bool flow_dissector_allowed(int32_t id, Who w) {
  return id == fn::skb_load_bytes || sk_base_allowed(id, w);
}

// clang-format on

}  // namespace

int HelperProto::nargs() const {
  int n = 0;
  while (n < 5 && args[n].type != ArgType::None) ++n;
  return n;
}

std::string_view HelperProto::short_name() const {
  std::string_view s = name;
  if (s.substr(0, 4) == "bpf_") s.remove_prefix(4);
  return s;
}

bool HelperArg::is_pointer() const {
  switch (type) {
    case ArgType::None:
    case ArgType::Anything:
    case ArgType::ConstSize:
    case ArgType::ConstSizeOrZero:
    case ArgType::ConstAllocSizeOrZero:
      return false;
    default:
      return true;
  }
}

int32_t max_helper_id() { return static_cast<int32_t>(all_helpers().size()); }

const HelperProto* find_helper(int32_t id) {
  auto all = all_helpers();
  if (id < 1 || id > static_cast<int32_t>(all.size())) return nullptr;
  return &all[static_cast<size_t>(id - 1)];
}

const HelperProto* find_helper(std::string_view name) {
  if (name.substr(0, 4) == "bpf_") name.remove_prefix(4);
  for (const HelperProto& h : all_helpers())
    if (h.short_name() == name) return &h;
  return nullptr;
}

namespace {

bool allowed_for(ProgType type, int32_t id, Who w) {
  switch (type) {
    case ProgType::Unspec:
      return false;
    case ProgType::Raw:
      return base_allowed(id, w);
    case ProgType::SocketFilter:
      return socket_filter_allowed(id, w);
    case ProgType::Kprobe:
    case ProgType::Kretprobe:
    case ProgType::Uprobe:
      return kprobe_allowed(id, w);
    case ProgType::Tracepoint:
      return tracepoint_allowed(id, w);
    case ProgType::RawTracepoint:
      return raw_tracepoint_allowed(id, w);
    case ProgType::PerfEvent:
      return perf_event_allowed(id, w);
    case ProgType::Xdp:
      return xdp_allowed(id, w);
    case ProgType::SchedCls:
    case ProgType::SchedAct:
      return tc_allowed(id, w);
    case ProgType::CgroupSkb:
      return cgroup_skb_allowed(id, w);
    case ProgType::CgroupSock:
      return cgroup_sock_allowed(id, w);
    case ProgType::Lsm:
      return lsm_allowed(id, w);
    case ProgType::SockOps:
      return sock_ops_allowed(id, w);
    case ProgType::CgroupSockAddr:
      return cgroup_sock_addr_allowed(id, w);
    case ProgType::SkSkb:
      return sk_skb_allowed(id, w);
    case ProgType::SkMsg:
      return sk_msg_allowed(id, w);
    case ProgType::FlowDissector:
      return flow_dissector_allowed(id, w);
  }
  return false;
}

}  // namespace

bool helper_allowed(ProgType type, int32_t id, bool privileged) {
  return find_helper(id) && allowed_for(type, id, who(privileged ? Caps::Full : Caps::None, kLatestKernel));
}

bool helper_allowed(ProgType type, int32_t id, const KernelProfile& kernel, bool privileged) {
  return helper_allowed(type, id, kernel, privileged ? Caps::Full : Caps::None);
}

bool helper_allowed(ProgType type, int32_t id, const KernelProfile& kernel, Caps caps) {
  const HelperProto* h = find_helper(id);
  return h && helper_available(kernel, *h) && allowed_for(type, id, who(caps, kernel.version));
}

std::optional<KernelVersion> helper_allowed_since(ProgType type, int32_t id, Caps caps) {
  const HelperProto* h = find_helper(id);
  if (!h) return std::nullopt;
  // Whitelists only change at releases, so walking the releases from the helper's own
  // first one finds the first that allows it.
  for (KernelVersion v = h->since; v <= kLatestKernel;) {
    if (allowed_for(type, id, who(caps, v))) return v;
    if (v.major == 3 || (v.major == 4 && v.minor == 20) || (v.major == 5 && v.minor == 19))
      v = KernelVersion{static_cast<uint8_t>(v.major + 1), 0};
    else
      ++v.minor;
  }
  return std::nullopt;
}

bool helper_accepts_packet(const HelperProto& h, int mem_arg) {
  if (!h.pkt_access || mem_arg < 0 || mem_arg >= 5) return false;
  switch (h.args[mem_arg].type) {
    case ArgType::Mem:
    case ArgType::UninitMem:
    case ArgType::MapKey:
    case ArgType::MapValue:
    case ArgType::UninitMapValue:
      return true;
    default:
      return false;
  }
}

const char* arg_type_name(ArgType t) {
  switch (t) {
    case ArgType::None:
      return "none";
    case ArgType::Anything:
      return "anything";
    case ArgType::ConstMapPtr:
      return "const_map_ptr";
    case ArgType::MapKey:
      return "map_key";
    case ArgType::MapValue:
      return "map_value";
    case ArgType::UninitMapValue:
      return "uninit_map_value";
    case ArgType::Mem:
      return "mem";
    case ArgType::UninitMem:
      return "uninit_mem";
    case ArgType::ConstSize:
      return "const_size";
    case ArgType::ConstSizeOrZero:
      return "const_size_or_zero";
    case ArgType::Ctx:
      return "ctx";
    case ArgType::SocketCommon:
      return "sock_common";
    case ArgType::Socket:
      return "socket";
    case ArgType::BtfIdSocketCommon:
      return "btf_id_sock_common";
    case ArgType::Func:
      return "func";
    case ArgType::StackOrNull:
      return "stack_or_null";
    case ArgType::ConstStr:
      return "const_str";
    case ArgType::AllocMem:
      return "alloc_mem";
    case ArgType::ConstAllocSizeOrZero:
      return "const_alloc_size_or_zero";
    case ArgType::Long:
      return "long";
    case ArgType::Int:
      return "int";
    case ArgType::SpinLock:
      return "spin_lock";
    case ArgType::Timer:
      return "timer";
    case ArgType::BtfId:
      return "btf_id";
    case ArgType::PerCpuBtfId:
      return "percpu_btf_id";
    case ArgType::Kptr:
      return "kptr";
    case ArgType::DynptrPtr:
      return "dynptr";
    case ArgType::Arena:
      return "arena";
  }
  return "?";
}

const char* ret_type_name(RetType t) {
  switch (t) {
    case RetType::Integer:
      return "integer";
    case RetType::Void:
      return "void";
    case RetType::MapValueOrNull:
      return "map_value_or_null";
    case RetType::MapValue:
      return "map_value";
    case RetType::SocketOrNull:
      return "socket_or_null";
    case RetType::TcpSockOrNull:
      return "tcp_sock_or_null";
    case RetType::SockCommonOrNull:
      return "sock_common_or_null";
    case RetType::AllocMemOrNull:
      return "alloc_mem_or_null";
    case RetType::MemOrBtfIdOrNull:
      return "mem_or_btf_id_or_null";
    case RetType::MemOrBtfId:
      return "mem_or_btf_id";
    case RetType::BtfIdOrNull:
      return "btf_id_or_null";
    case RetType::PtrToBtfId:
      return "ptr_to_btf_id";
    case RetType::DynptrMemOrNull:
      return "dynptr_mem_or_null";
  }
  return "?";
}

}  // namespace bpfvet::isa
