// The helper prototype table: one entry per enum bpf_func_id value, 1..211.
//
// Written from the kernel's `struct bpf_func_proto` definitions (argument and
// return types, gpl_only, pkt_access, sleepability) and the release each helper
// first appeared in.  Where one helper id has several prototypes in the kernel
// (per program type variants such as bpf_get_socket_cookie), the entry holds the
// most common one and the comment says what differs.
#include <array>
#include <initializer_list>

#include "isa/helpers.h"

namespace bpfvet::isa {
namespace {

using A = ArgType;
using R = RetType;
using G = HelperGroup;

constexpr HelperArg arg(ArgType t, uint8_t flags = 0, uint16_t size = 0, const char* btf = nullptr) {
  return HelperArg{t, flags, size, btf};
}

constexpr HelperArg kAny = arg(A::Anything);
constexpr HelperArg kMap = arg(A::ConstMapPtr);
constexpr HelperArg kKey = arg(A::MapKey);
constexpr HelperArg kValue = arg(A::MapValue);
constexpr HelperArg kValueOrNull = arg(A::MapValue, kArgMaybeNull);
constexpr HelperArg kCtx = arg(A::Ctx);
constexpr HelperArg kIn = arg(A::Mem, kArgReadOnly);  // buffer the helper reads
constexpr HelperArg kInOrNull = arg(A::Mem, kArgReadOnly | kArgMaybeNull);
constexpr HelperArg kInOut = arg(A::Mem);      // read and written
constexpr HelperArg kOut = arg(A::UninitMem);  // buffer the helper fills
constexpr HelperArg kOutOrNull = arg(A::UninitMem, kArgMaybeNull);
constexpr HelperArg kSize = arg(A::ConstSize);
constexpr HelperArg kSizeZ = arg(A::ConstSizeOrZero);
constexpr HelperArg kSkc = arg(A::BtfIdSocketCommon);
constexpr HelperArg kSockCommon = arg(A::SocketCommon);
constexpr HelperArg kLong = arg(A::Long, kArgFixedSize | kArgAligned, 8);  // s64/u64 result
constexpr HelperArg kFunc = arg(A::Func);
constexpr HelperArg kCbCtx = arg(A::StackOrNull, kArgMaybeNull);
constexpr HelperArg kTimer = arg(A::Timer);
constexpr HelperArg kStr = arg(A::ConstStr);
constexpr HelperArg kDynptrRo = arg(A::DynptrPtr, kArgReadOnly);
constexpr HelperArg btf(const char* type, uint8_t flags = 0) { return arg(A::BtfId, flags, 0, type); }
constexpr HelperArg fixed_mem(uint16_t size, uint8_t flags = 0) {
  return arg(A::Mem, static_cast<uint8_t>(flags | kArgFixedSize), size);
}

enum Flag : unsigned { kGpl = 1, kPkt = 2, kSleep = 4, kAcquire = 8 };

constexpr KernelVersion V(uint8_t a, uint8_t b) { return KernelVersion{a, b}; }

constexpr HelperProto H(int32_t id, const char* name, KernelVersion since, HelperGroup group, RetType ret,
                        std::initializer_list<HelperArg> args, unsigned flags = 0) {
  HelperProto p;
  p.id = id;
  p.name = name;
  p.since = since;
  p.group = group;
  p.ret = ret;
  int8_t i = 0;
  for (const HelperArg& a : args) {
    p.args[i] = a;
    if (a.flags & kArgRelease) p.releases = i;
    ++i;
  }
  p.gpl_only = flags & kGpl;
  p.pkt_access = flags & kPkt;
  p.might_sleep = flags & kSleep;
  p.acquires = flags & kAcquire;
  return p;
}

// Return-value details that H() has no room for.
constexpr HelperProto ret_btf(HelperProto p, const char* type) {
  p.ret_btf = type;
  return p;
}
constexpr HelperProto ret_sized_by(HelperProto p, int8_t arg) {
  p.ret_size_arg = arg;
  return p;
}

constexpr std::array<HelperProto, 211> kHelpers = {{
    // 3.19: maps.
    H(1, "bpf_map_lookup_elem", V(3, 19), G::Base, R::MapValueOrNull, {kMap, kKey}, kPkt),
    H(2, "bpf_map_update_elem", V(3, 19), G::Base, R::Integer, {kMap, kKey, kValue, kAny}, kPkt),
    H(3, "bpf_map_delete_elem", V(3, 19), G::Base, R::Integer, {kMap, kKey}, kPkt),
    // 4.1
    H(4, "bpf_probe_read", V(4, 1), G::Tracing, R::Integer, {kOut, kSizeZ, kAny}, kGpl),
    H(5, "bpf_ktime_get_ns", V(4, 1), G::Base, R::Integer, {}),
    H(6, "bpf_trace_printk", V(4, 1), G::Base, R::Integer, {kIn, kSize}, kGpl),
    H(7, "bpf_get_prandom_u32", V(4, 1), G::Base, R::Integer, {}),
    H(8, "bpf_get_smp_processor_id", V(4, 1), G::Base, R::Integer, {}),
    H(9, "bpf_skb_store_bytes", V(4, 1), G::Net, R::Integer, {kCtx, kAny, kIn, kSize, kAny}),
    H(10, "bpf_l3_csum_replace", V(4, 1), G::Net, R::Integer, {kCtx, kAny, kAny, kAny, kAny}),
    H(11, "bpf_l4_csum_replace", V(4, 1), G::Net, R::Integer, {kCtx, kAny, kAny, kAny, kAny}),
    // 4.2
    H(12, "bpf_tail_call", V(4, 2), G::Base, R::Void, {kCtx, kMap, kAny}),
    H(13, "bpf_clone_redirect", V(4, 2), G::Net, R::Integer, {kCtx, kAny, kAny}),
    H(14, "bpf_get_current_pid_tgid", V(4, 2), G::Base, R::Integer, {}),
    H(15, "bpf_get_current_uid_gid", V(4, 2), G::Tracing, R::Integer, {}),
    H(16, "bpf_get_current_comm", V(4, 2), G::Tracing, R::Integer, {kOut, kSize}),
    // 4.3
    H(17, "bpf_get_cgroup_classid", V(4, 3), G::Net, R::Integer, {kCtx}),
    H(18, "bpf_skb_vlan_push", V(4, 3), G::Net, R::Integer, {kCtx, kAny, kAny}),
    H(19, "bpf_skb_vlan_pop", V(4, 3), G::Net, R::Integer, {kCtx}),
    H(20, "bpf_skb_get_tunnel_key", V(4, 3), G::Net, R::Integer, {kCtx, kOut, kSize, kAny}),
    H(21, "bpf_skb_set_tunnel_key", V(4, 3), G::Net, R::Integer, {kCtx, kIn, kSize, kAny}),
    H(22, "bpf_perf_event_read", V(4, 3), G::Tracing, R::Integer, {kMap, kAny}, kGpl),
    // 4.4
    H(23, "bpf_redirect", V(4, 4), G::Net, R::Integer, {kAny, kAny}),
    H(24, "bpf_get_route_realm", V(4, 4), G::Net, R::Integer, {kCtx}),
    H(25, "bpf_perf_event_output", V(4, 4), G::Special, R::Integer, {kCtx, kMap, kAny, kIn, kSizeZ}, kGpl),
    // 4.5
    H(26, "bpf_skb_load_bytes", V(4, 5), G::Net, R::Integer, {kCtx, kAny, kOut, kSize}),
    // 4.6
    H(27, "bpf_get_stackid", V(4, 6), G::Tracing, R::Integer, {kCtx, kMap, kAny}, kGpl),
    H(28, "bpf_csum_diff", V(4, 6), G::Net, R::Integer, {kInOrNull, kSizeZ, kInOrNull, kSizeZ, kAny}, kPkt),
    H(29, "bpf_skb_get_tunnel_opt", V(4, 6), G::Net, R::Integer, {kCtx, kOut, kSize}),
    H(30, "bpf_skb_set_tunnel_opt", V(4, 6), G::Net, R::Integer, {kCtx, kIn, kSize}),
    // 4.8
    H(31, "bpf_skb_change_proto", V(4, 8), G::Net, R::Integer, {kCtx, kAny, kAny}),
    H(32, "bpf_skb_change_type", V(4, 8), G::Net, R::Integer, {kCtx, kAny}),
    H(33, "bpf_skb_under_cgroup", V(4, 8), G::Net, R::Integer, {kCtx, kMap, kAny}),
    H(34, "bpf_get_hash_recalc", V(4, 8), G::Net, R::Integer, {kCtx}),
    H(35, "bpf_get_current_task", V(4, 8), G::Tracing, R::Integer, {}, kGpl),
    H(36, "bpf_probe_write_user", V(4, 8), G::Tracing, R::Integer, {kAny, kIn, kSize}, kGpl),
    // 4.9
    H(37, "bpf_current_task_under_cgroup", V(4, 9), G::Tracing, R::Integer, {kMap, kAny}),
    H(38, "bpf_skb_change_tail", V(4, 9), G::Net, R::Integer, {kCtx, kAny, kAny}),
    H(39, "bpf_skb_pull_data", V(4, 9), G::Net, R::Integer, {kCtx, kAny}),
    H(40, "bpf_csum_update", V(4, 9), G::Net, R::Integer, {kCtx, kAny}),
    H(41, "bpf_set_hash_invalid", V(4, 9), G::Net, R::Integer, {kCtx}),
    // 4.10
    H(42, "bpf_get_numa_node_id", V(4, 10), G::Base, R::Integer, {}),
    H(43, "bpf_skb_change_head", V(4, 10), G::Net, R::Integer, {kCtx, kAny, kAny}),
    H(44, "bpf_xdp_adjust_head", V(4, 10), G::Net, R::Integer, {kCtx, kAny}),
    // 4.11
    H(45, "bpf_probe_read_str", V(4, 11), G::Tracing, R::Integer, {kOut, kSizeZ, kAny}, kGpl),
    // 4.12.  get_socket_cookie: the context for skb, sock, sock_addr, sock_ops and
    // sk_msg programs; a BTF socket pointer (maybe null) for tracing programs.
    H(46, "bpf_get_socket_cookie", V(4, 12), G::Net, R::Integer, {kCtx}),
    H(47, "bpf_get_socket_uid", V(4, 12), G::Net, R::Integer, {kCtx}),
    // 4.13
    H(48, "bpf_set_hash", V(4, 13), G::Net, R::Integer, {kCtx, kAny}),
    H(49, "bpf_setsockopt", V(4, 13), G::Net, R::Integer, {kCtx, kAny, kAny, kIn, kSize}),
    H(50, "bpf_skb_adjust_room", V(4, 13), G::Net, R::Integer, {kCtx, kAny, kAny, kAny}),
    // 4.14
    H(51, "bpf_redirect_map", V(4, 14), G::Net, R::Integer, {kMap, kAny, kAny}),
    H(52, "bpf_sk_redirect_map", V(4, 14), G::Net, R::Integer, {kCtx, kMap, kAny, kAny}),
    H(53, "bpf_sock_map_update", V(4, 14), G::Net, R::Integer, {kCtx, kMap, kKey, kAny}),
    // 4.15
    H(54, "bpf_xdp_adjust_meta", V(4, 15), G::Net, R::Integer, {kCtx, kAny}),
    H(55, "bpf_perf_event_read_value", V(4, 15), G::Tracing, R::Integer, {kMap, kAny, kOut, kSize}, kGpl),
    H(56, "bpf_perf_prog_read_value", V(4, 15), G::Tracing, R::Integer, {kCtx, kOut, kSize}, kGpl),
    H(57, "bpf_getsockopt", V(4, 15), G::Net, R::Integer, {kCtx, kAny, kAny, kOut, kSize}),
    // 4.16
    H(58, "bpf_override_return", V(4, 16), G::Tracing, R::Integer, {kCtx, kAny}, kGpl),
    H(59, "bpf_sock_ops_cb_flags_set", V(4, 16), G::Net, R::Integer, {kCtx, kAny}),
    // 4.17
    H(60, "bpf_msg_redirect_map", V(4, 17), G::Net, R::Integer, {kCtx, kMap, kAny, kAny}),
    H(61, "bpf_msg_apply_bytes", V(4, 17), G::Net, R::Integer, {kCtx, kAny}),
    H(62, "bpf_msg_cork_bytes", V(4, 17), G::Net, R::Integer, {kCtx, kAny}),
    H(63, "bpf_msg_pull_data", V(4, 17), G::Net, R::Integer, {kCtx, kAny, kAny, kAny}),
    H(64, "bpf_bind", V(4, 17), G::Cgroup, R::Integer, {kCtx, kIn, kSize}),
    // 4.18
    H(65, "bpf_xdp_adjust_tail", V(4, 18), G::Net, R::Integer, {kCtx, kAny}),
    H(66, "bpf_skb_get_xfrm_state", V(4, 18), G::Net, R::Integer, {kCtx, kAny, kOut, kSize, kAny}),
    H(67, "bpf_get_stack", V(4, 18), G::Tracing, R::Integer, {kCtx, kOut, kSizeZ, kAny}, kGpl),
    H(68, "bpf_skb_load_bytes_relative", V(4, 18), G::Net, R::Integer, {kCtx, kAny, kOut, kSize, kAny}),
    H(69, "bpf_fib_lookup", V(4, 18), G::Net, R::Integer, {kCtx, kInOut, kSize, kAny}, kGpl),
    H(70, "bpf_sock_hash_update", V(4, 18), G::Net, R::Integer, {kCtx, kMap, kKey, kAny}),
    H(71, "bpf_msg_redirect_hash", V(4, 18), G::Net, R::Integer, {kCtx, kMap, kKey, kAny}),
    H(72, "bpf_sk_redirect_hash", V(4, 18), G::Net, R::Integer, {kCtx, kMap, kKey, kAny}),
    H(73, "bpf_lwt_push_encap", V(4, 18), G::Special, R::Integer, {kCtx, kAny, kIn, kSize}),
    H(74, "bpf_lwt_seg6_store_bytes", V(4, 18), G::Special, R::Integer, {kCtx, kAny, kIn, kSize}),
    H(75, "bpf_lwt_seg6_adjust_srh", V(4, 18), G::Special, R::Integer, {kCtx, kAny, kAny}),
    H(76, "bpf_lwt_seg6_action", V(4, 18), G::Special, R::Integer, {kCtx, kAny, kIn, kSize}),
    H(77, "bpf_rc_repeat", V(4, 18), G::Special, R::Integer, {kCtx}, kGpl),
    H(78, "bpf_rc_keydown", V(4, 18), G::Special, R::Integer, {kCtx, kAny, kAny, kAny}, kGpl),
    H(79, "bpf_skb_cgroup_id", V(4, 18), G::Net, R::Integer, {kCtx}),
    H(80, "bpf_get_current_cgroup_id", V(4, 18), G::Base, R::Integer, {}),
    // 4.19
    H(81, "bpf_get_local_storage", V(4, 19), G::Cgroup, R::MapValue, {kMap, kAny}),
    H(82, "bpf_sk_select_reuseport", V(4, 19), G::Special, R::Integer, {kCtx, kMap, kKey, kAny}),
    H(83, "bpf_skb_ancestor_cgroup_id", V(4, 19), G::Net, R::Integer, {kCtx, kAny}),
    // 4.20
    H(84, "bpf_sk_lookup_tcp", V(4, 20), G::Net, R::SocketOrNull, {kCtx, kIn, kSize, kAny, kAny},
      kPkt | kAcquire),
    H(85, "bpf_sk_lookup_udp", V(4, 20), G::Net, R::SocketOrNull, {kCtx, kIn, kSize, kAny, kAny},
      kPkt | kAcquire),
    H(86, "bpf_sk_release", V(4, 20), G::Net, R::Integer, {arg(A::BtfIdSocketCommon, kArgRelease)}),
    H(87, "bpf_map_push_elem", V(4, 20), G::Base, R::Integer, {kMap, kValue, kAny}),
    H(88, "bpf_map_pop_elem", V(4, 20), G::Base, R::Integer, {kMap, arg(A::UninitMapValue)}),
    H(89, "bpf_map_peek_elem", V(4, 20), G::Base, R::Integer, {kMap, arg(A::UninitMapValue)}),
    H(90, "bpf_msg_push_data", V(4, 20), G::Net, R::Integer, {kCtx, kAny, kAny, kAny}),
    // 5.0
    H(91, "bpf_msg_pop_data", V(5, 0), G::Net, R::Integer, {kCtx, kAny, kAny, kAny}),
    H(92, "bpf_rc_pointer_rel", V(5, 0), G::Special, R::Integer, {kCtx, kAny, kAny}, kGpl),
    // 5.1
    H(93, "bpf_spin_lock", V(5, 1), G::Base, R::Void, {arg(A::SpinLock)}),
    H(94, "bpf_spin_unlock", V(5, 1), G::Base, R::Void, {arg(A::SpinLock)}),
    H(95, "bpf_sk_fullsock", V(5, 1), G::Net, R::SocketOrNull, {kSockCommon}),
    H(96, "bpf_tcp_sock", V(5, 1), G::Net, R::TcpSockOrNull, {kSockCommon}),
    H(97, "bpf_skb_ecn_set_ce", V(5, 1), G::Net, R::Integer, {kCtx}),
    H(98, "bpf_get_listener_sock", V(5, 1), G::Net, R::SocketOrNull, {kSockCommon}),
    // 5.2
    H(99, "bpf_skc_lookup_tcp", V(5, 2), G::Net, R::SockCommonOrNull, {kCtx, kIn, kSize, kAny, kAny},
      kPkt | kAcquire),
    H(100, "bpf_tcp_check_syncookie", V(5, 2), G::Net, R::Integer, {kSkc, kIn, kSize, kIn, kSize},
      kGpl | kPkt),
    H(101, "bpf_sysctl_get_name", V(5, 2), G::Special, R::Integer, {kCtx, kOut, kSize, kAny}),
    H(102, "bpf_sysctl_get_current_value", V(5, 2), G::Special, R::Integer, {kCtx, kOut, kSize}),
    H(103, "bpf_sysctl_get_new_value", V(5, 2), G::Special, R::Integer, {kCtx, kOut, kSize}),
    H(104, "bpf_sysctl_set_new_value", V(5, 2), G::Special, R::Integer, {kCtx, kIn, kSize}),
    H(105, "bpf_strtol", V(5, 2), G::Base, R::Integer, {kIn, kSize, kAny, kLong}),
    H(106, "bpf_strtoul", V(5, 2), G::Base, R::Integer, {kIn, kSize, kAny, kLong}),
    H(107, "bpf_sk_storage_get", V(5, 2), G::Net, R::MapValueOrNull, {kMap, kSkc, kValueOrNull, kAny}),
    H(108, "bpf_sk_storage_delete", V(5, 2), G::Net, R::Integer, {kMap, kSkc}),
    // 5.3
    H(109, "bpf_send_signal", V(5, 3), G::Tracing, R::Integer, {kAny}),
    H(110, "bpf_tcp_gen_syncookie", V(5, 3), G::Net, R::Integer, {kSkc, kIn, kSize, kIn, kSize}, kGpl | kPkt),
    // 5.5
    H(111, "bpf_skb_output", V(5, 5), G::Tracing, R::Integer, {btf("sk_buff"), kMap, kAny, kIn, kSizeZ},
      kGpl),
    H(112, "bpf_probe_read_user", V(5, 5), G::Tracing, R::Integer, {kOut, kSizeZ, kAny}, kGpl),
    H(113, "bpf_probe_read_kernel", V(5, 5), G::Tracing, R::Integer, {kOut, kSizeZ, kAny}, kGpl),
    H(114, "bpf_probe_read_user_str", V(5, 5), G::Tracing, R::Integer, {kOut, kSizeZ, kAny}, kGpl),
    H(115, "bpf_probe_read_kernel_str", V(5, 5), G::Tracing, R::Integer, {kOut, kSizeZ, kAny}, kGpl),
    H(116, "bpf_tcp_send_ack", V(5, 5), G::Special, R::Integer, {btf("tcp_sock"), kAny}),
    H(117, "bpf_send_signal_thread", V(5, 5), G::Tracing, R::Integer, {kAny}),
    H(118, "bpf_jiffies64", V(5, 5), G::Base, R::Integer, {}),
    // 5.6
    H(119, "bpf_read_branch_records", V(5, 6), G::Tracing, R::Integer, {kCtx, kOutOrNull, kSizeZ, kAny},
      kGpl),
    H(120, "bpf_get_ns_current_pid_tgid", V(5, 6), G::Base, R::Integer, {kAny, kAny, kOut, kSize}),
    H(121, "bpf_xdp_output", V(5, 6), G::Tracing, R::Integer, {btf("xdp_buff"), kMap, kAny, kIn, kSizeZ},
      kGpl),
    // 5.7
    H(122, "bpf_get_netns_cookie", V(5, 7), G::Cgroup, R::Integer, {arg(A::Ctx, kArgMaybeNull)}),
    H(123, "bpf_get_current_ancestor_cgroup_id", V(5, 7), G::Base, R::Integer, {kAny}),
    H(124, "bpf_sk_assign", V(5, 7), G::Net, R::Integer, {kCtx, kSkc, kAny}),
    H(125, "bpf_ktime_get_boot_ns", V(5, 8), G::Base, R::Integer, {}),
    // 5.8
    H(126, "bpf_seq_printf", V(5, 8), G::Tracing, R::Integer,
      {btf("seq_file"), kIn, kSize, kInOrNull, kSizeZ}, kGpl),
    H(127, "bpf_seq_write", V(5, 8), G::Tracing, R::Integer, {btf("seq_file"), kIn, kSizeZ}, kGpl),
    H(128, "bpf_sk_cgroup_id", V(5, 8), G::Cgroup, R::Integer, {kSkc}),
    H(129, "bpf_sk_ancestor_cgroup_id", V(5, 8), G::Cgroup, R::Integer, {kSkc, kAny}),
    H(130, "bpf_ringbuf_output", V(5, 8), G::Base, R::Integer, {kMap, kIn, kSizeZ, kAny}),
    ret_sized_by(H(131, "bpf_ringbuf_reserve", V(5, 8), G::Base, R::AllocMemOrNull,
                   {kMap, arg(A::ConstAllocSizeOrZero), kAny}, kAcquire),
                 1),
    H(132, "bpf_ringbuf_submit", V(5, 8), G::Base, R::Void, {arg(A::AllocMem, kArgRelease), kAny}),
    H(133, "bpf_ringbuf_discard", V(5, 8), G::Base, R::Void, {arg(A::AllocMem, kArgRelease), kAny}),
    H(134, "bpf_ringbuf_query", V(5, 8), G::Base, R::Integer, {kMap, kAny}),
    H(135, "bpf_csum_level", V(5, 8), G::Net, R::Integer, {kCtx, kAny}),
    // 5.9
    ret_btf(H(136, "bpf_skc_to_tcp6_sock", V(5, 9), G::Net, R::BtfIdOrNull, {kSkc}), "tcp6_sock"),
    ret_btf(H(137, "bpf_skc_to_tcp_sock", V(5, 9), G::Net, R::BtfIdOrNull, {kSkc}), "tcp_sock"),
    ret_btf(H(138, "bpf_skc_to_tcp_timewait_sock", V(5, 9), G::Net, R::BtfIdOrNull, {kSkc}),
            "tcp_timewait_sock"),
    ret_btf(H(139, "bpf_skc_to_tcp_request_sock", V(5, 9), G::Net, R::BtfIdOrNull, {kSkc}),
            "tcp_request_sock"),
    ret_btf(H(140, "bpf_skc_to_udp6_sock", V(5, 9), G::Net, R::BtfIdOrNull, {kSkc}), "udp6_sock"),
    H(141, "bpf_get_task_stack", V(5, 9), G::Tracing, R::Integer, {btf("task_struct"), kOut, kSizeZ, kAny}),
    // 5.10
    H(142, "bpf_load_hdr_opt", V(5, 10), G::Net, R::Integer, {kCtx, kInOut, kSize, kAny}),
    H(143, "bpf_store_hdr_opt", V(5, 10), G::Net, R::Integer, {kCtx, kIn, kSize, kAny}),
    H(144, "bpf_reserve_hdr_opt", V(5, 10), G::Net, R::Integer, {kCtx, kAny, kAny}),
    H(145, "bpf_inode_storage_get", V(5, 10), G::Special, R::MapValueOrNull,
      {kMap, btf("inode", kArgMaybeNull), kValueOrNull, kAny}),
    H(146, "bpf_inode_storage_delete", V(5, 10), G::Special, R::Integer, {kMap, btf("inode", kArgMaybeNull)}),
    H(147, "bpf_d_path", V(5, 10), G::Tracing, R::Integer, {btf("path"), kOut, kSizeZ}),
    H(148, "bpf_copy_from_user", V(5, 10), G::Tracing, R::Integer, {kOut, kSizeZ, kAny}, kGpl | kSleep),
    H(149, "bpf_snprintf_btf", V(5, 10), G::Base, R::Integer, {kOut, kSize, kIn, kSize, kAny}),
    H(150, "bpf_seq_printf_btf", V(5, 10), G::Tracing, R::Integer, {btf("seq_file"), kIn, kSizeZ, kAny}),
    H(151, "bpf_skb_cgroup_classid", V(5, 10), G::Net, R::Integer, {kCtx}),
    H(152, "bpf_redirect_neigh", V(5, 10), G::Net, R::Integer, {kAny, kInOrNull, kSizeZ, kAny}),
    H(153, "bpf_per_cpu_ptr", V(5, 10), G::Base, R::MemOrBtfIdOrNull, {arg(A::PerCpuBtfId), kAny}),
    H(154, "bpf_this_cpu_ptr", V(5, 10), G::Base, R::MemOrBtfId, {arg(A::PerCpuBtfId)}),
    H(155, "bpf_redirect_peer", V(5, 10), G::Net, R::Integer, {kAny, kAny}),
    // 5.11
    H(156, "bpf_task_storage_get", V(5, 11), G::Tracing, R::MapValueOrNull,
      {kMap, btf("task_struct", kArgMaybeNull), kValueOrNull, kAny}),
    H(157, "bpf_task_storage_delete", V(5, 11), G::Tracing, R::Integer, {kMap, btf("task_struct")}),
    ret_btf(H(158, "bpf_get_current_task_btf", V(5, 11), G::Tracing, R::PtrToBtfId, {}, kGpl), "task_struct"),
    H(159, "bpf_bprm_opts_set", V(5, 11), G::Special, R::Integer, {btf("linux_binprm"), kAny}),
    H(160, "bpf_ktime_get_coarse_ns", V(5, 11), G::Net, R::Integer, {}),
    H(161, "bpf_ima_inode_hash", V(5, 11), G::Special, R::Integer, {btf("inode"), kOut, kSize}, kSleep),
    ret_btf(H(162, "bpf_sock_from_file", V(5, 11), G::Tracing, R::BtfIdOrNull, {btf("file")}), "socket"),
    // 5.12
    H(163, "bpf_check_mtu", V(5, 12), G::Net, R::Integer,
      {kCtx, kAny, arg(A::Int, kArgFixedSize | kArgAligned, 4), kAny, kAny}, kGpl),
    // 5.13
    H(164, "bpf_for_each_map_elem", V(5, 13), G::Base, R::Integer, {kMap, kFunc, kCbCtx, kAny}),
    H(165, "bpf_snprintf", V(5, 13), G::Base, R::Integer, {kOutOrNull, kSizeZ, kStr, kInOrNull, kSizeZ},
      kGpl),
    // 5.14: BPF_PROG_TYPE_SYSCALL only.
    H(166, "bpf_sys_bpf", V(5, 14), G::Special, R::Integer, {kAny, kIn, kSize}),
    H(167, "bpf_btf_find_by_name_kind", V(5, 14), G::Special, R::Integer, {kIn, kSize, kAny, kAny}),
    H(168, "bpf_sys_close", V(5, 14), G::Special, R::Integer, {kAny}),
    // 5.15
    H(169, "bpf_timer_init", V(5, 15), G::Base, R::Integer, {kTimer, kMap, kAny}, kGpl),
    H(170, "bpf_timer_set_callback", V(5, 15), G::Base, R::Integer, {kTimer, kFunc}, kGpl),
    H(171, "bpf_timer_start", V(5, 15), G::Base, R::Integer, {kTimer, kAny, kAny}, kGpl),
    H(172, "bpf_timer_cancel", V(5, 15), G::Base, R::Integer, {kTimer}, kGpl),
    H(173, "bpf_get_func_ip", V(5, 15), G::Tracing, R::Integer, {kCtx}, kGpl),
    H(174, "bpf_get_attach_cookie", V(5, 15), G::Tracing, R::Integer, {kCtx}),
    ret_btf(H(175, "bpf_task_pt_regs", V(5, 15), G::Base, R::PtrToBtfId, {btf("task_struct")}, kGpl),
            "pt_regs"),
    // 5.16
    H(176, "bpf_get_branch_snapshot", V(5, 16), G::Tracing, R::Integer, {kOut, kSizeZ, kAny}, kGpl),
    H(177, "bpf_trace_vprintk", V(5, 16), G::Base, R::Integer, {kIn, kSize, kInOrNull, kSizeZ}, kGpl),
    ret_btf(H(178, "bpf_skc_to_unix_sock", V(5, 16), G::Net, R::BtfIdOrNull, {kSkc}), "unix_sock"),
    H(179, "bpf_kallsyms_lookup_name", V(5, 16), G::Special, R::Integer, {kIn, kSize, kAny, kLong}),
    // 5.17
    H(180, "bpf_find_vma", V(5, 17), G::Tracing, R::Integer, {btf("task_struct"), kAny, kFunc, kCbCtx, kAny}),
    H(181, "bpf_loop", V(5, 17), G::Base, R::Integer, {kAny, kFunc, kCbCtx, kAny}),
    H(182, "bpf_strncmp", V(5, 17), G::Base, R::Integer, {kIn, kSize, kStr}),
    H(183, "bpf_get_func_arg", V(5, 17), G::Tracing, R::Integer, {kCtx, kAny, kLong}),
    H(184, "bpf_get_func_ret", V(5, 17), G::Tracing, R::Integer, {kCtx, kLong}),
    H(185, "bpf_get_func_arg_cnt", V(5, 17), G::Tracing, R::Integer, {kCtx}),
    // 5.18
    H(186, "bpf_get_retval", V(5, 18), G::Cgroup, R::Integer, {}),
    H(187, "bpf_set_retval", V(5, 18), G::Cgroup, R::Integer, {kAny}),
    H(188, "bpf_xdp_get_buff_len", V(5, 18), G::Net, R::Integer, {kCtx}),
    H(189, "bpf_xdp_load_bytes", V(5, 18), G::Net, R::Integer, {kCtx, kAny, kOut, kSize}),
    H(190, "bpf_xdp_store_bytes", V(5, 18), G::Net, R::Integer, {kCtx, kAny, kIn, kSize}),
    H(191, "bpf_copy_from_user_task", V(5, 18), G::Tracing, R::Integer,
      {kOut, kSizeZ, kAny, btf("task_struct"), kAny}, kGpl | kSleep),
    H(192, "bpf_skb_set_tstamp", V(5, 18), G::Net, R::Integer, {kCtx, kAny, kAny}),
    H(193, "bpf_ima_file_hash", V(5, 18), G::Special, R::Integer, {btf("file"), kOut, kSize}, kSleep),
    // 5.19
    H(194, "bpf_kptr_xchg", V(5, 19), G::Base, R::BtfIdOrNull,
      {arg(A::Kptr), arg(A::BtfId, kArgMaybeNull | kArgRelease)}, kAcquire),
    H(195, "bpf_map_lookup_percpu_elem", V(5, 19), G::Base, R::MapValueOrNull, {kMap, kKey, kAny}, kPkt),
    ret_btf(H(196, "bpf_skc_to_mptcp_sock", V(5, 19), G::Net, R::BtfIdOrNull, {kSkc}), "mptcp_sock"),
    H(197, "bpf_dynptr_from_mem", V(5, 19), G::Base, R::Integer,
      {kOut, kSizeZ, kAny, arg(A::DynptrPtr, kArgDynptrLocal | kArgUninit)}),
    H(198, "bpf_ringbuf_reserve_dynptr", V(5, 19), G::Base, R::Integer,
      {kMap, kAny, kAny, arg(A::DynptrPtr, kArgDynptrRingbuf | kArgUninit)}),
    H(199, "bpf_ringbuf_submit_dynptr", V(5, 19), G::Base, R::Void,
      {arg(A::DynptrPtr, kArgDynptrRingbuf | kArgRelease), kAny}),
    H(200, "bpf_ringbuf_discard_dynptr", V(5, 19), G::Base, R::Void,
      {arg(A::DynptrPtr, kArgDynptrRingbuf | kArgRelease), kAny}),
    H(201, "bpf_dynptr_read", V(5, 19), G::Base, R::Integer, {kOut, kSizeZ, kDynptrRo, kAny, kAny}),
    H(202, "bpf_dynptr_write", V(5, 19), G::Base, R::Integer, {kDynptrRo, kAny, kIn, kSizeZ, kAny}),
    ret_sized_by(H(203, "bpf_dynptr_data", V(5, 19), G::Base, R::DynptrMemOrNull,
                   {kDynptrRo, kAny, arg(A::ConstAllocSizeOrZero)}),
                 2),
    // 6.0: iphdr is 20 bytes, ipv6hdr 40, tcphdr 20.
    H(204, "bpf_tcp_raw_gen_syncookie_ipv4", V(6, 0), G::Net, R::Integer, {fixed_mem(20), kIn, kSize},
      kGpl | kPkt),
    H(205, "bpf_tcp_raw_gen_syncookie_ipv6", V(6, 0), G::Net, R::Integer, {fixed_mem(40), kIn, kSize},
      kGpl | kPkt),
    H(206, "bpf_tcp_raw_check_syncookie_ipv4", V(6, 0), G::Net, R::Integer, {fixed_mem(20), fixed_mem(20)},
      kGpl | kPkt),
    H(207, "bpf_tcp_raw_check_syncookie_ipv6", V(6, 0), G::Net, R::Integer, {fixed_mem(40), fixed_mem(20)},
      kGpl | kPkt),
    // 6.1
    H(208, "bpf_ktime_get_tai_ns", V(6, 1), G::Base, R::Integer, {}),
    H(209, "bpf_user_ringbuf_drain", V(6, 1), G::Base, R::Integer, {kMap, kFunc, kCbCtx, kAny}),
    // 6.2
    H(210, "bpf_cgrp_storage_get", V(6, 2), G::Base, R::MapValueOrNull,
      {kMap, btf("cgroup"), kValueOrNull, kAny}),
    H(211, "bpf_cgrp_storage_delete", V(6, 2), G::Base, R::Integer, {kMap, btf("cgroup")}),
}};

static_assert(
    [] {
      for (size_t i = 0; i < kHelpers.size(); ++i)
        if (kHelpers[i].id != static_cast<int32_t>(i + 1)) return false;
      return true;
    }(),
    "kHelpers[i] must hold helper id i + 1");

}  // namespace

std::span<const HelperProto> all_helpers() { return kHelpers; }

}  // namespace bpfvet::isa
