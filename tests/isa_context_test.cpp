// Context layouts against the installed UAPI structs (offsetof of every field),
// and the access rules of each program type, row by row.
#include <gtest/gtest.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "isa/context.h"

#include <asm/ptrace.h>
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>

namespace bpfvet::isa {
namespace {

struct Where {
  size_t offset;
  size_t size;
};
using Layout = std::map<std::string, Where>;

#define F(S, f)                                            \
  {                                                        \
#f, Where { offsetof(S, f), sizeof(((S*)nullptr)->f) } \
  }

Layout skb_layout() {
  using S = struct __sk_buff;
  return {F(S, len),          F(S, pkt_type),   F(S, mark),        F(S, queue_mapping), F(S, protocol),
          F(S, vlan_present), F(S, vlan_tci),   F(S, vlan_proto),  F(S, priority),      F(S, ingress_ifindex),
          F(S, ifindex),      F(S, tc_index),   F(S, cb),          F(S, hash),          F(S, tc_classid),
          F(S, data),         F(S, data_end),   F(S, napi_id),     F(S, family),        F(S, remote_ip4),
          F(S, local_ip4),    F(S, remote_ip6), F(S, local_ip6),   F(S, remote_port),   F(S, local_port),
          F(S, data_meta),    F(S, flow_keys),  F(S, tstamp),      F(S, wire_len),      F(S, gso_segs),
          F(S, sk),           F(S, gso_size),   F(S, tstamp_type), F(S, hwtstamp)};
}

Layout xdp_layout() {
  using S = struct xdp_md;
  return {F(S, data),           F(S, data_end),      F(S, data_meta), F(S, ingress_ifindex),
          F(S, rx_queue_index), F(S, egress_ifindex)};
}

// The UAPI pt_regs spells the registers the way user space does (rax, rip, eflags);
// bpfvet uses the kernel's names (ax, ip, flags).
Layout pt_regs_layout(size_t base = 0) {
  using S = struct pt_regs;
  Layout l = {{"r15", {offsetof(S, r15), 8}},      {"r14", {offsetof(S, r14), 8}},
              {"r13", {offsetof(S, r13), 8}},      {"r12", {offsetof(S, r12), 8}},
              {"bp", {offsetof(S, rbp), 8}},       {"bx", {offsetof(S, rbx), 8}},
              {"r11", {offsetof(S, r11), 8}},      {"r10", {offsetof(S, r10), 8}},
              {"r9", {offsetof(S, r9), 8}},        {"r8", {offsetof(S, r8), 8}},
              {"ax", {offsetof(S, rax), 8}},       {"cx", {offsetof(S, rcx), 8}},
              {"dx", {offsetof(S, rdx), 8}},       {"si", {offsetof(S, rsi), 8}},
              {"di", {offsetof(S, rdi), 8}},       {"orig_ax", {offsetof(S, orig_rax), 8}},
              {"ip", {offsetof(S, rip), 8}},       {"cs", {offsetof(S, cs), 8}},
              {"flags", {offsetof(S, eflags), 8}}, {"sp", {offsetof(S, rsp), 8}},
              {"ss", {offsetof(S, ss), 8}}};
  for (auto& [name, w] : l) w.offset += base;
  return l;
}

Layout perf_event_layout() {
  using S = struct bpf_perf_event_data;
  Layout l = pt_regs_layout(offsetof(S, regs));
  l.insert({F(S, sample_period), F(S, addr)});
  return l;
}

Layout sock_layout() {
  using S = struct bpf_sock;
  return {F(S, bound_dev_if), F(S, family),  F(S, type),    F(S, protocol),        F(S, mark),
          F(S, priority),     F(S, src_ip4), F(S, src_ip6), F(S, src_port),        F(S, dst_port),
          F(S, dst_ip4),      F(S, dst_ip6), F(S, state),   F(S, rx_queue_mapping)};
}

Layout sock_addr_layout() {
  using S = struct bpf_sock_addr;
  return {F(S, user_family), F(S, user_ip4), F(S, user_ip6),    F(S, user_port),   F(S, family),
          F(S, type),        F(S, protocol), F(S, msg_src_ip4), F(S, msg_src_ip6), F(S, sk)};
}

Layout sock_ops_layout() {
  using S = struct bpf_sock_ops;
  Layout l = {F(S, op),
              F(S, reply),
              F(S, family),
              F(S, remote_ip4),
              F(S, local_ip4),
              F(S, remote_ip6),
              F(S, local_ip6),
              F(S, remote_port),
              F(S, local_port),
              F(S, is_fullsock),
              F(S, snd_cwnd),
              F(S, srtt_us),
              F(S, bpf_sock_ops_cb_flags),
              F(S, state),
              F(S, rtt_min),
              F(S, snd_ssthresh),
              F(S, rcv_nxt),
              F(S, snd_nxt),
              F(S, snd_una),
              F(S, mss_cache),
              F(S, ecn_flags),
              F(S, rate_delivered),
              F(S, rate_interval_us),
              F(S, packets_out),
              F(S, retrans_out),
              F(S, total_retrans),
              F(S, segs_in),
              F(S, data_segs_in),
              F(S, segs_out),
              F(S, data_segs_out),
              F(S, lost_out),
              F(S, sacked_out),
              F(S, sk_txhash),
              F(S, bytes_received),
              F(S, bytes_acked),
              F(S, sk),
              F(S, skb_data),
              F(S, skb_data_end),
              F(S, skb_len),
              F(S, skb_tcp_flags)};
  // args[1..3]: the union's tail after reply (args[0]).
  l["args"] = {offsetof(S, args[1]), 3 * sizeof(__u32)};
  // Added in 6.2, after the last field of the 6.1 UAPI header installed here.
  l["skb_hwtstamp"] = {(offsetof(S, skb_tcp_flags) + 4 + 7) / 8 * 8, 8};
  return l;
}

Layout sk_msg_layout() {
  using S = struct sk_msg_md;
  return {F(S, data),       F(S, data_end),   F(S, family),    F(S, remote_ip4),
          F(S, local_ip4),  F(S, remote_ip6), F(S, local_ip6), F(S, remote_port),
          F(S, local_port), F(S, size),       F(S, sk)};
}

#undef F

struct LayoutCase {
  ProgType type;
  const char* ctx_struct;
  size_t ctx_size;
  Layout (*layout)();
  int kernel_type;
};

class ContextLayout : public ::testing::TestWithParam<LayoutCase> {};

TEST_P(ContextLayout, EveryFieldMatchesTheUapiStruct) {
  const LayoutCase& c = GetParam();
  const ProgTypeInfo& p = prog_type_info(c.type);
  EXPECT_EQ(p.type, c.type);
  EXPECT_STREQ(p.ctx_struct, c.ctx_struct);
  EXPECT_EQ(p.ctx_size, c.ctx_size);
  EXPECT_EQ(p.kernel_type, static_cast<uint32_t>(c.kernel_type));
  ASSERT_FALSE(p.fields.empty());
  const Layout want = c.layout();
  for (const CtxField& f : p.fields) {
    SCOPED_TRACE(f.name);
    auto it = want.find(f.name);
    ASSERT_NE(it, want.end()) << "no such field in " << c.ctx_struct;
    EXPECT_EQ(f.offset, it->second.offset);
    // bpf_sock's dst_port has a legacy 4-byte view (port plus padding).
    if (std::string(f.name) == "dst_port" && f.size == 4) continue;
    EXPECT_EQ(f.size, it->second.size);
    EXPECT_TRUE(f.elem_size == f.size || (f.elem_size > 0 && f.size % f.elem_size == 0));
    EXPECT_TRUE(f.readable);
    EXPECT_NE(f.read_sizes, 0);
    EXPECT_EQ(f.writable, f.write_sizes != 0);
    EXPECT_LE(f.offset + f.size, p.ctx_size);
    EXPECT_EQ(find_ctx_field(c.type, f.offset, 1), find_ctx_field(c.type, f.name));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Uapi, ContextLayout,
    ::testing::Values(
        LayoutCase{ProgType::SocketFilter, "__sk_buff", sizeof(__sk_buff), skb_layout,
                   BPF_PROG_TYPE_SOCKET_FILTER},
        LayoutCase{ProgType::SchedCls, "__sk_buff", sizeof(__sk_buff), skb_layout, BPF_PROG_TYPE_SCHED_CLS},
        LayoutCase{ProgType::SchedAct, "__sk_buff", sizeof(__sk_buff), skb_layout, BPF_PROG_TYPE_SCHED_ACT},
        LayoutCase{ProgType::CgroupSkb, "__sk_buff", sizeof(__sk_buff), skb_layout, BPF_PROG_TYPE_CGROUP_SKB},
        LayoutCase{ProgType::SkSkb, "__sk_buff", sizeof(__sk_buff), skb_layout, BPF_PROG_TYPE_SK_SKB},
        LayoutCase{ProgType::FlowDissector, "__sk_buff", sizeof(__sk_buff), skb_layout,
                   BPF_PROG_TYPE_FLOW_DISSECTOR},
        LayoutCase{ProgType::Xdp, "xdp_md", sizeof(xdp_md), xdp_layout, BPF_PROG_TYPE_XDP},
        LayoutCase{ProgType::Kprobe, "pt_regs", sizeof(pt_regs), [] { return pt_regs_layout(); },
                   BPF_PROG_TYPE_KPROBE},
        LayoutCase{ProgType::Kretprobe, "pt_regs", sizeof(pt_regs), [] { return pt_regs_layout(); },
                   BPF_PROG_TYPE_KPROBE},
        LayoutCase{ProgType::Uprobe, "pt_regs", sizeof(pt_regs), [] { return pt_regs_layout(); },
                   BPF_PROG_TYPE_KPROBE},
        LayoutCase{ProgType::PerfEvent, "bpf_perf_event_data", sizeof(bpf_perf_event_data), perf_event_layout,
                   BPF_PROG_TYPE_PERF_EVENT},
        LayoutCase{ProgType::CgroupSock, "bpf_sock", sizeof(bpf_sock), sock_layout,
                   BPF_PROG_TYPE_CGROUP_SOCK},
        LayoutCase{ProgType::CgroupSockAddr, "bpf_sock_addr", sizeof(bpf_sock_addr), sock_addr_layout,
                   BPF_PROG_TYPE_CGROUP_SOCK_ADDR},
        LayoutCase{ProgType::SockOps, "bpf_sock_ops", (sizeof(bpf_sock_ops) + 7) / 8 * 8 + 8, sock_ops_layout,
                   BPF_PROG_TYPE_SOCK_OPS},
        LayoutCase{ProgType::SkMsg, "sk_msg_md", sizeof(sk_msg_md), sk_msg_layout, BPF_PROG_TYPE_SK_MSG}),
    [](const auto& info) { return std::string(prog_type_name(info.param.type)); });

TEST(ContextLayout, OpaqueContexts) {
  // Tracepoint records: reads from byte 8 (the common fields are hidden) up to
  // PERF_MAX_TRACE_SIZE; raw tracepoints and LSM: u64 args[MAX_BPF_FUNC_ARGS].
  const ProgTypeInfo& tp = prog_type_info(ProgType::Tracepoint);
  EXPECT_EQ(tp.kernel_type, static_cast<uint32_t>(BPF_PROG_TYPE_TRACEPOINT));
  EXPECT_EQ(tp.ctx_size, 8192u);
  EXPECT_TRUE(tp.ctx_any_offset);
  const ProgTypeInfo& raw = prog_type_info(ProgType::RawTracepoint);
  EXPECT_EQ(raw.kernel_type, static_cast<uint32_t>(BPF_PROG_TYPE_RAW_TRACEPOINT));
  EXPECT_EQ(raw.ctx_size, 12u * 8);
  const ProgTypeInfo& lsm = prog_type_info(ProgType::Lsm);
  EXPECT_EQ(lsm.kernel_type, static_cast<uint32_t>(BPF_PROG_TYPE_LSM));
  EXPECT_EQ(lsm.fields[0].yields, CtxYield::BtfArg);
  EXPECT_TRUE(prog_type_info(ProgType::Raw).fields.empty());
  EXPECT_TRUE(prog_type_info(ProgType::Unspec).fields.empty());
  EXPECT_EQ(find_ctx_field(ProgType::Raw, 0, 4), nullptr);
}

// ---- access rules ---------------------------------------------------------------

enum class Op { Read, Write };
struct Access {
  ProgType type;
  Op op;
  uint32_t off;
  uint32_t size;
  bool ok;
  CtxYield yields = CtxYield::Scalar;  // checked for accepted reads
};

bool access_ok(const Access& a, const CtxField** field) {
  *field = find_ctx_field(a.type, a.off, a.size);
  if (!*field) return false;
  return a.op == Op::Read ? (*field)->read_ok(a.off, a.size) : (*field)->write_ok(a.off, a.size);
}

class ContextAccess : public ::testing::TestWithParam<Access> {};

TEST_P(ContextAccess, FollowsIsValidAccess) {
  const Access& a = GetParam();
  const CtxField* f = nullptr;
  EXPECT_EQ(access_ok(a, &f), a.ok) << prog_type_name(a.type) << (a.op == Op::Read ? " read " : " write ")
                                    << a.size << " bytes at " << a.off
                                    << (f ? std::string(" (field ") + f->name + ")" : " (no field)");
  if (a.ok && a.op == Op::Read) {
    EXPECT_EQ(f->yields, a.yields) << ctx_yield_name(f->yields);
  }
}

using P = ProgType;
constexpr Op R = Op::Read;
constexpr Op W = Op::Write;
const uint32_t kSkbCb = offsetof(__sk_buff, cb);
const uint32_t kSkbData = offsetof(__sk_buff, data);

INSTANTIATE_TEST_SUITE_P(
    Kernel, ContextAccess,
    ::testing::Values(
        // Socket filter: cb[] is the only writable part; no packet pointers.
        Access{P::SocketFilter, R, offsetof(__sk_buff, len), 4, true},
        Access{P::SocketFilter, R, offsetof(__sk_buff, len) + 1, 1, true},
        Access{P::SocketFilter, R, offsetof(__sk_buff, len) + 2, 2, true},
        Access{P::SocketFilter, R, offsetof(__sk_buff, len) + 1, 2, false},  // misaligned
        Access{P::SocketFilter, R, offsetof(__sk_buff, len), 8, false},
        Access{P::SocketFilter, W, offsetof(__sk_buff, mark), 4, false},
        Access{P::SocketFilter, W, kSkbCb, 4, true}, Access{P::SocketFilter, W, kSkbCb + 16, 4, true},
        Access{P::SocketFilter, W, kSkbCb, 8, true},
        Access{P::SocketFilter, W, kSkbCb + 16, 8, false},  // past cb[4]
        Access{P::SocketFilter, W, kSkbCb + 2, 1, true}, Access{P::SocketFilter, R, kSkbData, 4, false},
        Access{P::SocketFilter, R, offsetof(__sk_buff, family), 4, false},
        Access{P::SocketFilter, R, offsetof(__sk_buff, sk), 8, true, CtxYield::SocketCommonOrNull},
        Access{P::SocketFilter, R, offsetof(__sk_buff, sk), 4, false},
        Access{P::SocketFilter, R, offsetof(__sk_buff, flow_keys), 8, false},
        Access{P::SocketFilter, R, sizeof(__sk_buff), 4, false},
        Access{P::SocketFilter, R, 0xfffffffcu, 4, false},
        // tc: packet pointers and the writable skb fields.
        Access{P::SchedCls, R, kSkbData, 4, true, CtxYield::PacketData},
        Access{P::SchedCls, R, offsetof(__sk_buff, data_end), 4, true, CtxYield::PacketEnd},
        Access{P::SchedCls, R, offsetof(__sk_buff, data_meta), 4, true, CtxYield::PacketMeta},
        Access{P::SchedCls, R, kSkbData, 2, false}, Access{P::SchedCls, R, kSkbData, 8, false},
        Access{P::SchedCls, W, kSkbData, 4, false},
        Access{P::SchedCls, W, offsetof(__sk_buff, mark), 4, true},
        Access{P::SchedCls, W, offsetof(__sk_buff, mark), 2, false},
        Access{P::SchedCls, W, offsetof(__sk_buff, tc_classid), 4, true},
        Access{P::SchedCls, W, offsetof(__sk_buff, tc_index), 4, true},
        Access{P::SchedCls, W, offsetof(__sk_buff, queue_mapping), 4, true},
        Access{P::SchedAct, W, offsetof(__sk_buff, priority), 4, true},
        Access{P::SchedCls, W, offsetof(__sk_buff, len), 4, false},
        Access{P::SchedCls, W, offsetof(__sk_buff, tstamp), 8, true},
        Access{P::SchedCls, R, offsetof(__sk_buff, tstamp), 4, false},
        Access{P::SchedCls, R, offsetof(__sk_buff, tstamp_type), 1, true},
        Access{P::SchedCls, R, offsetof(__sk_buff, tstamp_type) + 1, 1, false},  // padding
        Access{P::SchedCls, R, offsetof(__sk_buff, hwtstamp), 8, true},
        Access{P::SchedCls, W, offsetof(__sk_buff, hwtstamp), 8, false},
        Access{P::SchedCls, R, offsetof(__sk_buff, family), 4, false},
        Access{P::SchedCls, R, offsetof(__sk_buff, remote_ip6), 4, false},
        Access{P::SchedCls, R, offsetof(__sk_buff, wire_len), 4, true},
        // XDP: 4-byte reads only, no writes; egress_ifindex is for devmap programs.
        Access{P::Xdp, R, offsetof(xdp_md, data), 4, true, CtxYield::PacketData},
        Access{P::Xdp, R, offsetof(xdp_md, data_end), 4, true, CtxYield::PacketEnd},
        Access{P::Xdp, R, offsetof(xdp_md, data_meta), 4, true, CtxYield::PacketMeta},
        Access{P::Xdp, R, offsetof(xdp_md, data), 8, false},
        Access{P::Xdp, R, offsetof(xdp_md, ingress_ifindex), 2, false},
        Access{P::Xdp, R, offsetof(xdp_md, rx_queue_index), 4, true},
        Access{P::Xdp, W, offsetof(xdp_md, data), 4, false},
        Access{P::Xdp, R, offsetof(xdp_md, egress_ifindex), 4, false},
        Access{P::Xdp, R, sizeof(xdp_md), 4, false},
        // kprobe: any aligned read of pt_regs, never a write.
        Access{P::Kprobe, R, offsetof(pt_regs, rdi), 8, true},
        Access{P::Kprobe, R, offsetof(pt_regs, rdi), 4, true},
        Access{P::Kprobe, R, offsetof(pt_regs, rdi) + 4, 4, true},
        Access{P::Kprobe, R, offsetof(pt_regs, rdi) + 4, 8, false},
        Access{P::Kretprobe, R, offsetof(pt_regs, rax), 8, true},
        Access{P::Uprobe, R, offsetof(pt_regs, ss), 8, true}, Access{P::Kprobe, R, sizeof(pt_regs), 8, false},
        Access{P::Kprobe, W, offsetof(pt_regs, rax), 8, false},
        // Tracepoints: from byte 8 to 2048, reads only.
        Access{P::Tracepoint, R, 0, 8, false}, Access{P::Tracepoint, R, 4, 4, false},
        Access{P::Tracepoint, R, 8, 8, true}, Access{P::Tracepoint, R, 12, 4, true},
        Access{P::Tracepoint, R, 13, 1, true}, Access{P::Tracepoint, R, 12, 8, false},
        Access{P::Tracepoint, R, 2040, 8, true}, Access{P::Tracepoint, R, 8184, 8, true},
        Access{P::Tracepoint, R, 8192, 1, false}, Access{P::Tracepoint, W, 16, 8, false},
        // Raw tracepoints: u64 args[12].
        Access{P::RawTracepoint, R, 0, 8, true}, Access{P::RawTracepoint, R, 88, 8, true},
        Access{P::RawTracepoint, R, 96, 8, false}, Access{P::RawTracepoint, W, 0, 8, false},
        Access{P::Lsm, R, 8, 8, true, CtxYield::BtfArg}, Access{P::Lsm, W, 8, 8, false},
        // perf_event: registers as whole longs; sample_period and addr narrow too.
        Access{P::PerfEvent, R, offsetof(bpf_perf_event_data, regs), 8, true},
        Access{P::PerfEvent, R, offsetof(bpf_perf_event_data, regs), 4, false},
        Access{P::PerfEvent, R, offsetof(bpf_perf_event_data, sample_period), 8, true},
        Access{P::PerfEvent, R, offsetof(bpf_perf_event_data, sample_period), 4, true},
        Access{P::PerfEvent, R, offsetof(bpf_perf_event_data, addr) + 4, 4, true},
        Access{P::PerfEvent, W, offsetof(bpf_perf_event_data, addr), 8, false},
        // cgroup_skb: packet read access, a few writable fields, no data_meta.
        Access{P::CgroupSkb, R, kSkbData, 4, true, CtxYield::PacketData},
        Access{P::CgroupSkb, R, offsetof(__sk_buff, data_meta), 4, false},
        Access{P::CgroupSkb, R, offsetof(__sk_buff, tc_classid), 4, false},
        Access{P::CgroupSkb, R, offsetof(__sk_buff, family), 4, true},
        Access{P::CgroupSkb, R, offsetof(__sk_buff, remote_ip6) + 4, 4, true},
        Access{P::CgroupSkb, R, offsetof(__sk_buff, remote_ip6) + 4, 2, false},
        Access{P::CgroupSkb, W, offsetof(__sk_buff, mark), 4, true},
        Access{P::CgroupSkb, W, offsetof(__sk_buff, priority), 4, true},
        Access{P::CgroupSkb, W, offsetof(__sk_buff, tc_index), 4, false},
        Access{P::CgroupSkb, W, kSkbCb + 8, 8, true},
        // sk_skb: no mark at all; tc_index and priority writable.
        Access{P::SkSkb, R, offsetof(__sk_buff, mark), 4, false},
        Access{P::SkSkb, W, offsetof(__sk_buff, tc_index), 4, true}, Access{P::SkSkb, W, kSkbCb, 4, false},
        Access{P::SkSkb, R, offsetof(__sk_buff, family), 4, true},
        Access{P::SkSkb, R, kSkbData, 4, true, CtxYield::PacketData},
        // Flow dissector: data, data_end and flow_keys only.
        Access{P::FlowDissector, R, offsetof(__sk_buff, flow_keys), 8, true, CtxYield::FlowKeys},
        Access{P::FlowDissector, R, kSkbData, 4, true, CtxYield::PacketData},
        Access{P::FlowDissector, R, offsetof(__sk_buff, len), 4, false},
        Access{P::FlowDissector, W, kSkbCb, 4, false},
        // cgroup_sock (sock_create): bound_dev_if, mark, priority writable, 4 bytes only.
        Access{P::CgroupSock, W, offsetof(bpf_sock, mark), 4, true},
        Access{P::CgroupSock, W, offsetof(bpf_sock, mark), 2, false},
        Access{P::CgroupSock, R, offsetof(bpf_sock, mark), 2, false},
        Access{P::CgroupSock, W, offsetof(bpf_sock, bound_dev_if), 4, true},
        Access{P::CgroupSock, R, offsetof(bpf_sock, family), 1, true},
        Access{P::CgroupSock, R, offsetof(bpf_sock, family) + 1, 1, false},  // first byte only
        Access{P::CgroupSock, R, offsetof(bpf_sock, dst_ip4) + 1, 1, true},
        Access{P::CgroupSock, W, offsetof(bpf_sock, family), 4, false},
        Access{P::CgroupSock, R, offsetof(bpf_sock, src_ip4), 4, false},  // post_bind only
        Access{P::CgroupSock, R, offsetof(bpf_sock, dst_port), 2, true},
        Access{P::CgroupSock, R, offsetof(bpf_sock, dst_port), 4, true},
        Access{P::CgroupSock, R, offsetof(bpf_sock, dst_port) + 1, 1, true},
        Access{P::CgroupSock, R, offsetof(bpf_sock, dst_port) + 2, 2, false},  // padding
        Access{P::CgroupSock, R, offsetof(bpf_sock, dst_ip6) + 12, 4, true},
        // cgroup_sock_addr.
        Access{P::CgroupSockAddr, W, offsetof(bpf_sock_addr, user_ip4), 4, true},
        Access{P::CgroupSockAddr, R, offsetof(bpf_sock_addr, user_ip4), 1, true},
        Access{P::CgroupSockAddr, W, offsetof(bpf_sock_addr, user_ip4), 2, false},
        Access{P::CgroupSockAddr, R, offsetof(bpf_sock_addr, user_ip6), 8, true},
        Access{P::CgroupSockAddr, W, offsetof(bpf_sock_addr, user_ip6) + 8, 8, true},
        Access{P::CgroupSockAddr, W, offsetof(bpf_sock_addr, user_port), 4, true},
        Access{P::CgroupSockAddr, R, offsetof(bpf_sock_addr, user_family), 2, false},
        Access{P::CgroupSockAddr, W, offsetof(bpf_sock_addr, family), 4, false},
        Access{P::CgroupSockAddr, R, offsetof(bpf_sock_addr, sk), 8, true, CtxYield::Socket},
        Access{P::CgroupSockAddr, R, offsetof(bpf_sock_addr, msg_src_ip4), 4, false},
        // sock_ops.
        Access{P::SockOps, R, offsetof(bpf_sock_ops, op), 4, true},
        Access{P::SockOps, R, offsetof(bpf_sock_ops, op), 2, false},
        Access{P::SockOps, W, offsetof(bpf_sock_ops, op), 4, false},
        Access{P::SockOps, W, offsetof(bpf_sock_ops, reply), 4, true},
        Access{P::SockOps, W, offsetof(bpf_sock_ops, args[1]), 4, false},
        Access{P::SockOps, R, offsetof(bpf_sock_ops, args[2]), 4, true},
        Access{P::SockOps, W, offsetof(bpf_sock_ops, sk_txhash), 4, true},
        Access{P::SockOps, R, offsetof(bpf_sock_ops, bytes_received), 8, true},
        Access{P::SockOps, R, offsetof(bpf_sock_ops, bytes_received), 4, false},
        Access{P::SockOps, R, offsetof(bpf_sock_ops, sk), 8, true, CtxYield::SocketOrNull},
        Access{P::SockOps, R, offsetof(bpf_sock_ops, skb_data), 8, true, CtxYield::PacketData},
        Access{P::SockOps, R, offsetof(bpf_sock_ops, skb_data_end), 8, true, CtxYield::PacketEnd},
        Access{P::SockOps, R, offsetof(bpf_sock_ops, skb_tcp_flags), 1, true},
        Access{P::SockOps, R, offsetof(bpf_sock_ops, skb_tcp_flags) + 2, 2, false},
        // sk_msg: read-only.
        Access{P::SkMsg, R, offsetof(sk_msg_md, data), 8, true, CtxYield::PacketData},
        Access{P::SkMsg, R, offsetof(sk_msg_md, data), 4, false},
        Access{P::SkMsg, R, offsetof(sk_msg_md, size), 4, true},
        Access{P::SkMsg, R, offsetof(sk_msg_md, sk), 8, true, CtxYield::Socket},
        Access{P::SkMsg, W, offsetof(sk_msg_md, size), 4, false}));

// ---- packet access and return values ---------------------------------------------

TEST(ProgTypeFacts, PacketAccess) {
  for (P t : {P::Xdp, P::SchedCls, P::SchedAct, P::SkSkb, P::SkMsg}) {
    EXPECT_TRUE(prog_type_info(t).direct_packet_access) << prog_type_name(t);
    EXPECT_TRUE(prog_type_info(t).packet_writable) << prog_type_name(t);
  }
  for (P t : {P::CgroupSkb, P::FlowDissector, P::SockOps}) {
    EXPECT_TRUE(prog_type_info(t).direct_packet_access) << prog_type_name(t);
    EXPECT_FALSE(prog_type_info(t).packet_writable) << prog_type_name(t);
  }
  for (P t : {P::SocketFilter, P::Kprobe, P::Tracepoint, P::RawTracepoint, P::PerfEvent, P::CgroupSock,
              P::CgroupSockAddr, P::Lsm, P::Raw}) {
    EXPECT_FALSE(prog_type_info(t).direct_packet_access) << prog_type_name(t);
    EXPECT_FALSE(prog_type_info(t).has_packet) << prog_type_name(t);
  }
  for (P t : {P::SocketFilter, P::SchedCls, P::SchedAct})
    EXPECT_TRUE(prog_type_info(t).ld_abs) << prog_type_name(t);
  for (P t : {P::Xdp, P::CgroupSkb, P::Kprobe, P::SkSkb})
    EXPECT_FALSE(prog_type_info(t).ld_abs) << prog_type_name(t);
}

TEST(ProgTypeFacts, ReturnValues) {
  struct Row {
    P type;
    bool checked;
    int64_t lo, hi;
  };
  for (const Row& r :
       {Row{P::CgroupSkb, true, 0, 1}, Row{P::CgroupSock, true, 0, 1}, Row{P::SockOps, true, 0, 1},
        Row{P::CgroupSockAddr, true, 0, 1}, Row{P::Lsm, true, -4095, 0}, Row{P::Xdp, false, 0, 0},
        Row{P::SocketFilter, false, 0, 0}, Row{P::SchedCls, false, 0, 0}, Row{P::Kprobe, false, 0, 0},
        Row{P::Tracepoint, false, 0, 0}, Row{P::RawTracepoint, false, 0, 0}, Row{P::PerfEvent, false, 0, 0},
        Row{P::SkSkb, false, 0, 0}, Row{P::SkMsg, false, 0, 0}, Row{P::FlowDissector, false, 0, 0}}) {
    const ProgTypeInfo& p = prog_type_info(r.type);
    EXPECT_EQ(p.ret_checked, r.checked) << prog_type_name(r.type);
    if (r.checked) {
      EXPECT_EQ(p.ret_min, r.lo) << prog_type_name(r.type);
      EXPECT_EQ(p.ret_max, r.hi) << prog_type_name(r.type);
    }
  }
  EXPECT_TRUE(prog_type_info(P::SocketFilter).unpriv_loadable);
  EXPECT_TRUE(prog_type_info(P::CgroupSkb).unpriv_loadable);
  EXPECT_FALSE(prog_type_info(P::Xdp).unpriv_loadable);
}

TEST(ProgTypeFacts, ReturnRangeBySection) {
  auto r = return_range(P::CgroupSkb, "cgroup_skb/egress");
  EXPECT_TRUE(r.checked);
  EXPECT_EQ(r.min, 0);
  EXPECT_EQ(r.max, 3);
  r = return_range(P::CgroupSkb, "cgroup_skb/ingress");
  EXPECT_EQ(r.max, 1);
  r = return_range(P::CgroupSockAddr, "cgroup/recvmsg4");
  EXPECT_EQ(r.min, 1);
  EXPECT_EQ(r.max, 1);
  r = return_range(P::CgroupSockAddr, "cgroup/bind6");
  EXPECT_EQ(r.max, 3);
  r = return_range(P::CgroupSockAddr, "cgroup/connect4");
  EXPECT_EQ(r.max, 1);
  r = return_range(P::Xdp, "xdp");
  EXPECT_FALSE(r.checked);
  r = return_range(P::CgroupSkb, "");
  EXPECT_EQ(r.max, 1);
}

TEST(ProgTypeFacts, FieldLookupByName) {
  const CtxField* mark = find_ctx_field(P::SchedCls, "mark");
  ASSERT_NE(mark, nullptr);
  EXPECT_EQ(mark->offset, offsetof(__sk_buff, mark));
  EXPECT_TRUE(mark->writable);
  EXPECT_EQ(find_ctx_field(P::SocketFilter, "data"), nullptr);
  EXPECT_EQ(find_ctx_field(P::SchedCls, "no_such_field"), nullptr);
  EXPECT_EQ(find_ctx_field(P::SchedCls, nullptr), nullptr);
  EXPECT_EQ(find_ctx_field(P::SchedCls, 0, 0), nullptr);
  EXPECT_EQ(find_ctx_field(static_cast<P>(200), 0, 4), nullptr);
}

}  // namespace
}  // namespace bpfvet::isa

// ---- the running kernel ---------------------------------------------------------

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace bpfvet::isa {
namespace {

// Loads "r0 = *(size *)(r1 + off)" (or "r2 = 0; *(size *)(r1 + off) = r2") and
// reports whether the kernel's is_valid_access accepted the access; nullopt when
// bpf() is unavailable.
std::optional<bool> kernel_ctx_access(ProgType type, Op op, int16_t off, uint32_t size, uint32_t attach = 0) {
  const uint8_t sz = size == 1 ? BPF_B : size == 2 ? BPF_H : size == 4 ? BPF_W : BPF_DW;
  std::vector<struct bpf_insn> insns;
  if (op == Op::Read) {
    insns.push_back({static_cast<uint8_t>(BPF_LDX | BPF_MEM | sz), BPF_REG_0, BPF_REG_1, off, 0});
  } else {
    insns.push_back({BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 0});
    insns.push_back({static_cast<uint8_t>(BPF_STX | BPF_MEM | sz), BPF_REG_1, BPF_REG_2, off, 0});
  }
  insns.push_back({BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0});
  insns.push_back({BPF_JMP | BPF_EXIT, 0, 0, 0, 0});
  static char log[1 << 14];
  log[0] = 0;
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  opts.log_buf = log;
  opts.log_size = sizeof log;
  opts.log_level = 1;
  opts.expected_attach_type = static_cast<bpf_attach_type>(attach);
  int fd = bpf_prog_load(static_cast<bpf_prog_type>(kernel_prog_type(type)), "ctx", "GPL", insns.data(),
                         insns.size(), &opts);
  if (fd >= 0) {
    close(fd);
    return true;
  }
  if (errno == EPERM || errno == ENOSYS) return std::nullopt;
  const std::string text = log;
  if (text.find("invalid bpf_context access") != std::string::npos) return false;
  ADD_FAILURE() << prog_type_name(type) << " off " << off << " size " << size
                << ": unexpected rejection: " << text;
  return false;
}

TEST(ContextAccessLive, EveryOffsetAndSizeMatchesTheRunningKernel) {
  if (!kernel_ctx_access(ProgType::SocketFilter, Op::Read, 0, 4)) GTEST_SKIP() << "bpf() is not available";
  int mismatches = 0;
  for (int t = 1; t < static_cast<int>(ProgType::Raw); ++t) {
    const auto type = static_cast<ProgType>(t);
    if (type == ProgType::Lsm) continue;  // needs a BTF attach target
    uint32_t attach = 0;
    if (type == ProgType::CgroupSock) attach = BPF_CGROUP_INET_SOCK_CREATE;
    if (type == ProgType::CgroupSockAddr) attach = BPF_CGROUP_INET4_CONNECT;
    const ProgTypeInfo& info = prog_type_info(type);
    for (uint32_t off = 0; off < info.ctx_size + 8; ++off) {
      // Tracepoint records are uniform past the first bytes: sample both ends.
      if (type == ProgType::Tracepoint && off >= 64 && off < info.ctx_size - 16) continue;
      for (uint32_t size : {1u, 2u, 4u, 8u}) {
        for (Op op : {Op::Read, Op::Write}) {
          // bpfvet models both connect families; the kernel gives connect4 no user_ip6.
          if (type == ProgType::CgroupSockAddr && off >= offsetof(bpf_sock_addr, user_ip6) &&
              off < offsetof(bpf_sock_addr, user_port))
            continue;
          const CtxField* f = find_ctx_field(type, off, size);
          const bool ours = f && (op == Op::Read ? f->read_ok(off, size) : f->write_ok(off, size));
          auto theirs = kernel_ctx_access(type, op, static_cast<int16_t>(off), size, attach);
          ASSERT_TRUE(theirs.has_value());
          if (ours != *theirs) {
            ++mismatches;
            ADD_FAILURE() << prog_type_name(type) << (op == Op::Read ? " read " : " write ") << size << " at "
                          << off << (f ? std::string(" (") + f->name + ")" : "") << ": kernel "
                          << (*theirs ? "accepts" : "rejects");
          }
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace bpfvet::isa

namespace bpfvet::isa {
namespace {

// Loads `insns` as `type`; true when accepted, nullopt without bpf().
std::optional<std::pair<bool, std::string>> kernel_load(ProgType type, std::vector<struct bpf_insn> insns,
                                                        int attach = -1) {
  static char log[1 << 14];
  log[0] = 0;
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  opts.log_buf = log;
  opts.log_size = sizeof log;
  opts.log_level = 1;
  if (type == ProgType::CgroupSock) opts.expected_attach_type = BPF_CGROUP_INET_SOCK_CREATE;
  if (type == ProgType::CgroupSockAddr) opts.expected_attach_type = BPF_CGROUP_INET4_CONNECT;
  if (attach >= 0) opts.expected_attach_type = static_cast<bpf_attach_type>(attach);
  int fd = bpf_prog_load(static_cast<bpf_prog_type>(kernel_prog_type(type)), "probe", "GPL", insns.data(),
                         insns.size(), &opts);
  if (fd >= 0) {
    close(fd);
    return std::make_pair(true, std::string());
  }
  if (errno == EPERM || errno == ENOSYS) return std::nullopt;
  return std::make_pair(false, std::string(log));
}

TEST(ProgTypeFactsLive, ReturnRangesAndLdAbsMatchTheRunningKernel) {
  if (!kernel_load(ProgType::SocketFilter,
                   {{BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0}, {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}}))
    GTEST_SKIP() << "bpf() is not available";
  for (int t = 1; t < static_cast<int>(ProgType::Raw); ++t) {
    const auto type = static_cast<ProgType>(t);
    if (type == ProgType::Lsm) continue;  // needs a BTF attach target
    const ProgTypeInfo& info = prog_type_info(type);
    SCOPED_TRACE(prog_type_name(type));
    for (int32_t value : {-4096, -1, 0, 1, 2, 3, 1000}) {
      auto r = kernel_load(
          type, {{BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, value}, {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}});
      ASSERT_TRUE(r.has_value());
      const bool ours = !info.ret_checked || (value >= info.ret_min && value <= info.ret_max);
      EXPECT_EQ(r->first, ours) << "return " << value << ": " << r->second;
    }
    // r6 = r1; r0 = *(u8 *)skb[0]; exit
    auto ld = kernel_load(type, {{BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0},
                                 {BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 0},
                                 {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},
                                 {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}});
    ASSERT_TRUE(ld.has_value());
    EXPECT_EQ(ld->first, info.ld_abs) << "LD_ABS: " << ld->second;
  }
}

TEST(ProgTypeFactsLive, SectionReturnRangesMatchTheRunningKernel) {
  struct Row {
    ProgType type;
    const char* section;
    int attach;
  };
  const Row rows[] = {
      {ProgType::CgroupSkb, "cgroup_skb/egress", BPF_CGROUP_INET_EGRESS},
      {ProgType::CgroupSkb, "cgroup_skb/ingress", BPF_CGROUP_INET_INGRESS},
      {ProgType::CgroupSockAddr, "cgroup/recvmsg4", BPF_CGROUP_UDP4_RECVMSG},
      {ProgType::CgroupSockAddr, "cgroup/getpeername6", BPF_CGROUP_INET6_GETPEERNAME},
      {ProgType::CgroupSockAddr, "cgroup/bind4", BPF_CGROUP_INET4_BIND},
      {ProgType::CgroupSockAddr, "cgroup/sendmsg6", BPF_CGROUP_UDP6_SENDMSG},
  };
  if (!kernel_load(ProgType::SocketFilter,
                   {{BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0}, {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}}))
    GTEST_SKIP() << "bpf() is not available";
  for (const Row& row : rows) {
    const ReturnRange want = return_range(row.type, row.section);
    for (int32_t value : {-1, 0, 1, 2, 3, 4}) {
      auto r = kernel_load(
          row.type, {{BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, value}, {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}},
          row.attach);
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->first, !want.checked || (value >= want.min && value <= want.max))
          << row.section << " returning " << value << ": " << r->second;
    }
  }
}

}  // namespace
}  // namespace bpfvet::isa
