// Mock context construction per program type.
#include "jit/context.h"

#include <linux/bpf.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace bpfvet::jit {

using isa::ProgType;

namespace {

constexpr uint32_t kEthHlen = 14;
constexpr uint32_t kDefaultPacket = 64;
constexpr uint32_t kDefaultTraceBuffer = 512;
constexpr uint32_t kLoopbackIfindex = 1;

// x86-64 struct pt_regs as the kernel lays it out (what BPF programs see), with the
// kernel's short register names; 8 bytes each.
constexpr const char* kPtRegs[] = {"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax",
                                   "cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss"};
constexpr uint32_t kPtRegsSize = sizeof(kPtRegs) / sizeof(kPtRegs[0]) * 8;
constexpr uint32_t kMaxArgs = 12;

#define SKB_FIELD(name) CtxFieldSpec{#name, offsetof(struct __sk_buff, name), sizeof(((struct __sk_buff*)0)->name)}
#define XDP_FIELD(name) CtxFieldSpec{#name, offsetof(struct xdp_md, name), sizeof(((struct xdp_md*)0)->name)}
#define SOCK_FIELD(name) CtxFieldSpec{#name, offsetof(struct bpf_sock, name), sizeof(((struct bpf_sock*)0)->name)}
#define OPS_FIELD(name) \
  CtxFieldSpec{#name, offsetof(struct bpf_sock_ops, name), sizeof(((struct bpf_sock_ops*)0)->name)}
#define ADDR_FIELD(name) \
  CtxFieldSpec{#name, offsetof(struct bpf_sock_addr, name), sizeof(((struct bpf_sock_addr*)0)->name)}
#define MSG_FIELD(name) CtxFieldSpec{#name, offsetof(struct sk_msg_md, name), sizeof(((struct sk_msg_md*)0)->name)}

// Defaults of the socket program types (sock_ops, cgroup_sock_addr, sk_skb, sk_msg): an
// established IPv4 TCP connection from 127.0.0.1:54321 (remote) to 127.0.0.1:80 (local).
// Addresses are in network byte order; remote ports are in network byte order in the
// upper 16 bits of their 32-bit field, as the kernel's ctx rewrite leaves them on a
// little-endian host; local ports are in host byte order; bpf_sock_addr.user_port is
// in network byte order in the low 16 bits (a sockaddr_in's sin_port).
constexpr uint32_t kAfInet = 2, kSockStream = 1, kIpprotoTcp = 6, kTcpEstablished = 1;
constexpr uint32_t kLoopbackIp4 = 0x0100007f;       // 127.0.0.1 as the bytes 7f 00 00 01
constexpr uint32_t kRemotePortField = 0x31d40000;   // htons(54321) << 16
constexpr uint32_t kLocalPort = 80;
constexpr uint32_t kUserPortField = 0x5000;         // htons(80)

bool is_sock_type(ProgType t) {
  return t == ProgType::SockOps || t == ProgType::CgroupSockAddr || t == ProgType::SkSkb || t == ProgType::SkMsg;
}

bool is_skb_type(ProgType t) {
  return t == ProgType::SocketFilter || t == ProgType::SchedCls || t == ProgType::SchedAct ||
         t == ProgType::CgroupSkb;
}
// Types whose context is a __sk_buff over the packet (data/data_end/len written by us).
bool is_skb_layout(ProgType t) { return is_skb_type(t) || t == ProgType::SkSkb || t == ProgType::FlowDissector; }
// sk_skb and sk_msg see stream data, not a frame: no Ethernet header is required.
bool is_stream_type(ProgType t) { return t == ProgType::SkSkb || t == ProgType::SkMsg; }
bool is_regs_type(ProgType t) {
  return t == ProgType::Kprobe || t == ProgType::Kretprobe || t == ProgType::Uprobe || t == ProgType::PerfEvent;
}

uint32_t ctx_struct_size(ProgType t) {
  switch (t) {
    case ProgType::Xdp: return sizeof(struct xdp_md);
    case ProgType::SocketFilter: case ProgType::SchedCls: case ProgType::SchedAct: case ProgType::CgroupSkb:
    case ProgType::SkSkb: case ProgType::FlowDissector:
      return sizeof(struct __sk_buff);
    case ProgType::SockOps: return sizeof(struct bpf_sock_ops);
    case ProgType::CgroupSockAddr: return sizeof(struct bpf_sock_addr);
    case ProgType::SkMsg: return sizeof(struct sk_msg_md);
    case ProgType::Kprobe: case ProgType::Kretprobe: case ProgType::Uprobe: return kPtRegsSize;
    case ProgType::PerfEvent: return kPtRegsSize + 16;  // regs, sample_period, addr
    case ProgType::RawTracepoint: case ProgType::Lsm: return kMaxArgs * 8;
    case ProgType::CgroupSock: return sizeof(struct bpf_sock);
    default: return 0;
  }
}

void put(std::vector<uint8_t>& buf, uint32_t off, uint32_t size, uint64_t v) {
  std::memcpy(buf.data() + off, &v, size);  // little-endian host
}

void add_cb_fields(std::vector<CtxFieldSpec>& f) {
  static const char* kCb[] = {"cb0", "cb1", "cb2", "cb3", "cb4"};
  for (int i = 0; i < 5; ++i) f.push_back({kCb[i], static_cast<uint32_t>(offsetof(struct __sk_buff, cb) + 4 * i), 4});
}

// The connection defaults of a socket program type, into the zeroed context `ctx`.
void put_sock_defaults(ProgType t, uint8_t* ctx) {
  if (t == ProgType::SockOps) {
    auto* o = reinterpret_cast<struct bpf_sock_ops*>(ctx);
    o->family = kAfInet;
    o->remote_ip4 = o->local_ip4 = kLoopbackIp4;
    o->remote_port = kRemotePortField;
    o->local_port = kLocalPort;
    o->is_fullsock = 1;
    o->state = kTcpEstablished;
    o->snd_cwnd = 10;
    o->mss_cache = 1460;
    o->snd_ssthresh = 0x7fffffff;  // TCP_INFINITE_SSTHRESH
  } else if (t == ProgType::CgroupSockAddr) {
    auto* a = reinterpret_cast<struct bpf_sock_addr*>(ctx);
    a->user_family = a->family = kAfInet;
    a->user_ip4 = kLoopbackIp4;
    a->user_port = kUserPortField;
    a->type = kSockStream;
    a->protocol = kIpprotoTcp;
  } else if (t == ProgType::SkSkb) {
    auto* s = reinterpret_cast<struct __sk_buff*>(ctx);
    s->family = kAfInet;
    s->remote_ip4 = s->local_ip4 = kLoopbackIp4;
    s->remote_port = kRemotePortField;
    s->local_port = kLocalPort;
    s->ifindex = kLoopbackIfindex;
  } else if (t == ProgType::SkMsg) {
    auto* m = reinterpret_cast<struct sk_msg_md*>(ctx);
    m->family = kAfInet;
    m->remote_ip4 = m->local_ip4 = kLoopbackIp4;
    m->remote_port = kRemotePortField;
    m->local_port = kLocalPort;
  }
}

// The socket behind ctx->sk, derived from the (final) context fields.
template <typename Ctx>
void fill_sock_from(const Ctx& c, struct bpf_sock& sk) {
  sk.family = c.family;
  sk.src_ip4 = c.local_ip4;
  sk.dst_ip4 = c.remote_ip4;
  sk.src_port = c.local_port;
  sk.dst_port = static_cast<uint16_t>(c.remote_port >> 16);
  std::memcpy(sk.src_ip6, c.local_ip6, sizeof sk.src_ip6);
  std::memcpy(sk.dst_ip6, c.remote_ip6, sizeof sk.dst_ip6);
}

struct bpf_sock mock_sock(ProgType t, const uint8_t* ctx) {
  struct bpf_sock sk {};
  sk.type = kSockStream;
  sk.protocol = kIpprotoTcp;
  sk.state = kTcpEstablished;
  if (t == ProgType::SockOps) {
    fill_sock_from(*reinterpret_cast<const struct bpf_sock_ops*>(ctx), sk);
    sk.state = reinterpret_cast<const struct bpf_sock_ops*>(ctx)->state;
  } else if (t == ProgType::SkSkb) {
    fill_sock_from(*reinterpret_cast<const struct __sk_buff*>(ctx), sk);
  } else if (t == ProgType::SkMsg) {
    fill_sock_from(*reinterpret_cast<const struct sk_msg_md*>(ctx), sk);
  } else {  // cgroup_sock_addr: the socket being bound/connected, not yet connected
    const auto* a = reinterpret_cast<const struct bpf_sock_addr*>(ctx);
    sk.family = a->family;
    sk.type = a->type;
    sk.protocol = a->protocol;
    sk.state = 7;  // BPF_TCP_CLOSE
    sk.src_ip4 = a->msg_src_ip4;
  }
  return sk;
}

}  // namespace

std::vector<CtxFieldSpec> ctx_fields(ProgType t) {
  std::vector<CtxFieldSpec> f;
  if (t == ProgType::Xdp) {
    f = {XDP_FIELD(ingress_ifindex), XDP_FIELD(rx_queue_index), XDP_FIELD(egress_ifindex)};
  } else if (is_skb_type(t)) {
    f = {SKB_FIELD(mark), SKB_FIELD(priority), SKB_FIELD(ifindex), SKB_FIELD(ingress_ifindex),
         SKB_FIELD(queue_mapping), SKB_FIELD(vlan_present), SKB_FIELD(vlan_tci), SKB_FIELD(vlan_proto),
         SKB_FIELD(tc_index), SKB_FIELD(hash), SKB_FIELD(tc_classid), SKB_FIELD(napi_id), SKB_FIELD(tstamp),
         SKB_FIELD(wire_len), SKB_FIELD(gso_segs), SKB_FIELD(gso_size), SKB_FIELD(hwtstamp),
         SKB_FIELD(family), SKB_FIELD(remote_ip4), SKB_FIELD(local_ip4), SKB_FIELD(remote_port),
         SKB_FIELD(local_port)};
    add_cb_fields(f);
  } else if (t == ProgType::SkSkb) {
    f = {SKB_FIELD(mark), SKB_FIELD(priority), SKB_FIELD(ifindex), SKB_FIELD(ingress_ifindex),
         SKB_FIELD(hash), SKB_FIELD(tc_index), SKB_FIELD(family), SKB_FIELD(remote_ip4),
         SKB_FIELD(local_ip4), SKB_FIELD(remote_port), SKB_FIELD(local_port)};
    add_cb_fields(f);
  } else if (t == ProgType::SockOps) {
    f = {OPS_FIELD(op), OPS_FIELD(family), OPS_FIELD(remote_ip4), OPS_FIELD(local_ip4), OPS_FIELD(remote_port),
         OPS_FIELD(local_port), OPS_FIELD(is_fullsock), OPS_FIELD(snd_cwnd), OPS_FIELD(srtt_us),
         OPS_FIELD(bpf_sock_ops_cb_flags), OPS_FIELD(state), OPS_FIELD(rtt_min), OPS_FIELD(snd_ssthresh),
         OPS_FIELD(rcv_nxt), OPS_FIELD(snd_nxt), OPS_FIELD(snd_una), OPS_FIELD(mss_cache), OPS_FIELD(ecn_flags),
         OPS_FIELD(rate_delivered), OPS_FIELD(rate_interval_us), OPS_FIELD(packets_out), OPS_FIELD(retrans_out),
         OPS_FIELD(total_retrans), OPS_FIELD(segs_in), OPS_FIELD(data_segs_in), OPS_FIELD(segs_out),
         OPS_FIELD(data_segs_out), OPS_FIELD(lost_out), OPS_FIELD(sacked_out), OPS_FIELD(sk_txhash),
         OPS_FIELD(bytes_received), OPS_FIELD(bytes_acked), OPS_FIELD(skb_len), OPS_FIELD(skb_tcp_flags)};
    static const char* kArgs[] = {"args0", "args1", "args2", "args3"};
    for (int i = 0; i < 4; ++i) f.push_back({kArgs[i], static_cast<uint32_t>(offsetof(struct bpf_sock_ops, args) + 4 * i), 4});
  } else if (t == ProgType::CgroupSockAddr) {
    f = {ADDR_FIELD(user_family), ADDR_FIELD(user_ip4), ADDR_FIELD(user_port), ADDR_FIELD(family),
         ADDR_FIELD(type), ADDR_FIELD(protocol), ADDR_FIELD(msg_src_ip4)};
  } else if (t == ProgType::SkMsg) {
    f = {MSG_FIELD(family), MSG_FIELD(remote_ip4), MSG_FIELD(local_ip4), MSG_FIELD(remote_port),
         MSG_FIELD(local_port)};
  } else if (is_regs_type(t)) {
    for (uint32_t i = 0; i < kPtRegsSize / 8; ++i) f.push_back({kPtRegs[i], i * 8, 8});
    if (t == ProgType::PerfEvent) {
      f.push_back({"sample_period", kPtRegsSize, 8});
      f.push_back({"addr", kPtRegsSize + 8, 8});
    }
  } else if (t == ProgType::CgroupSock) {
    f = {SOCK_FIELD(bound_dev_if), SOCK_FIELD(family), SOCK_FIELD(type), SOCK_FIELD(protocol),
         SOCK_FIELD(mark), SOCK_FIELD(priority), SOCK_FIELD(src_ip4), SOCK_FIELD(src_port),
         SOCK_FIELD(dst_port), SOCK_FIELD(dst_ip4), SOCK_FIELD(state), SOCK_FIELD(rx_queue_mapping)};
  }
  return f;
}

std::string ctx_field_names(ProgType t) {
  std::string s;
  for (const auto& f : ctx_fields(t)) s += (s.empty() ? "" : ", ") + std::string(f.name);
  if (t == ProgType::RawTracepoint || t == ProgType::Lsm) s += (s.empty() ? "" : ", ") + std::string("args");
  if (t == ProgType::Tracepoint) s += (s.empty() ? "" : ", ") + std::string("buffer");
  s += (s.empty() ? "" : ", ") + std::string("task");
  return s;
}

Status MockContext::apply_fields(const CtxInput& in) {
  const auto specs = ctx_fields(type_);
  // Accept the "r"-prefixed register names too (rdi, rax, rip, ...).
  auto find = [&](const std::string& name) -> const CtxFieldSpec* {
    for (const auto& s : specs)
      if (name == s.name || (is_regs_type(type_) && name.size() > 1 && name[0] == 'r' && name.substr(1) == s.name))
        return &s;
    return nullptr;
  };
  for (const auto& [name, value] : in.fields) {
    const CtxFieldSpec* s = find(name);
    if (s == nullptr)
      return Error{"--ctx: unknown field '" + name + "' for program type " + isa::prog_type_name(type_) +
                   " (valid: " + ctx_field_names(type_) + ")"};
    if (s->size < 8 && (value >> (8 * s->size)) != 0)
      return Error{"--ctx: value " + std::to_string(value) + " of field '" + name + "' does not fit in " +
                   std::to_string(s->size) + " bytes"};
    put(ctx_init_, s->offset, s->size, value);
  }
  if (!in.args.empty()) {
    if (type_ != ProgType::RawTracepoint && type_ != ProgType::Lsm)
      return Error{"--ctx: 'args' is only for raw_tracepoint and lsm programs (valid: " + ctx_field_names(type_) + ")"};
    if (in.args.size() > kMaxArgs) return Error{"--ctx: at most " + std::to_string(kMaxArgs) + " args"};
    for (size_t i = 0; i < in.args.size(); ++i) put(ctx_init_, static_cast<uint32_t>(i * 8), 8, in.args[i]);
  }
  if (in.buffer && type_ != ProgType::Tracepoint)
    return Error{"--ctx: 'buffer' is only for tracepoint programs (valid: " + ctx_field_names(type_) + ")"};
  return Ok{};
}

Result<std::unique_ptr<MockContext>> MockContext::create(const RunInput& in, RegionTable& regions) {
  std::unique_ptr<MockContext> c(new MockContext());
  c->type_ = in.type;
  c->regions_ = &regions;
  c->skb_ = is_skb_layout(in.type);
  const bool packet = c->skb_ || in.type == ProgType::Xdp || in.type == ProgType::SkMsg;
  if (!packet && !in.data.empty() && in.type != ProgType::Raw)
    return Error{std::string("--data: program type ") + isa::prog_type_name(in.type) + " takes no packet"};
  if (in.mem && in.type != ProgType::Raw)
    return Error{std::string("--mem: only raw programs take a memory buffer, not ") + isa::prog_type_name(in.type)};

  c->ctx_size_ = ctx_struct_size(in.type);
  if (in.type == ProgType::Tracepoint)
    c->ctx_size_ = in.ctx.buffer ? static_cast<uint32_t>(in.ctx.buffer->size()) : kDefaultTraceBuffer;
  if (c->ctx_size_ > (1u << 20)) return Error{"--ctx: tracepoint buffer is larger than 1 MiB"};
  c->ctx_init_.assign(c->ctx_size_, 0);
  if (in.type == ProgType::Tracepoint && in.ctx.buffer) c->ctx_init_ = *in.ctx.buffer;
  if (is_sock_type(in.type)) put_sock_defaults(in.type, c->ctx_init_.data());
  if (auto st = c->apply_fields(in.ctx); !st) return st.error();

  if (c->ctx_size_ > 0) {
    auto b = LowBlock::create(c->ctx_size_);
    if (!b) return b.error();
    c->ctx_block_ = std::move(*b);
    regions.add(c->ctx_block_->addr(), c->ctx_size_, true, "ctx");
  }
  if (auto st = c->init_side_blocks(); !st) return st.error();
  if (packet) {
    c->packet_init_ = in.data.empty() ? std::vector<uint8_t>(kDefaultPacket, 0) : in.data;
    if (c->packet_init_.size() < kEthHlen && !is_stream_type(in.type))
      return Error{"--data: packet of " + std::to_string(c->packet_init_.size()) +
                   " bytes is shorter than an Ethernet header (14 bytes)"};
    if (c->packet_init_.size() > 65535) return Error{"--data: packet larger than 65535 bytes"};
    auto b = LowBlock::create(kPacketHeadroom + c->packet_init_.size() + kPacketTailroom);
    if (!b) return b.error();
    c->packet_block_ = std::move(*b);
    c->init_packet();
  }
  if (in.type == ProgType::Raw && in.mem) {
    c->mem_init_ = *in.mem;
    auto b = LowBlock::create(std::max<size_t>(c->mem_init_.size(), 1));
    if (!b) return b.error();
    c->mem_block_ = std::move(*b);
    if (!c->mem_init_.empty()) regions.add(c->mem_block_->addr(), c->mem_init_.size(), true, "mem");
  }
  c->r1_ = c->ctx_addr();
  if (in.type == ProgType::Raw) {
    c->r1_ = c->mem_block_ && !c->mem_init_.empty() ? c->mem_block_->addr() : 0;
    c->r2_ = c->mem_init_.size();
  }
  c->reset();
  return c;
}

void MockContext::init_packet() {
  pkt_.start = packet_block_->addr();
  pkt_.limit = pkt_.start + packet_block_->size();
  pkt_.mac = pkt_.start + kPacketHeadroom;
  pkt_.end = pkt_.mac + packet_init_.size();
  pkt_.msg_end = pkt_.end;
  // Socket filters and cgroup skb programs see the packet from the network header.
  pkt_.data = (type_ == ProgType::SocketFilter || type_ == ProgType::CgroupSkb) ? pkt_.mac + kEthHlen : pkt_.mac;
  pkt_.meta = pkt_.data;
  pristine_ = pkt_;
  exposed_lo_ = pkt_.mac;
  // The fields derived from the frame, computed once into the pristine context.
  if (is_skb_type(type_)) {
    auto* skb = reinterpret_cast<struct __sk_buff*>(ctx_init_.data());
    const uint8_t* eth = packet_init_.data();
    uint16_t proto;
    std::memcpy(&proto, eth + 12, 2);
    skb->protocol = proto;  // network byte order, as eth_type_trans stores it
    const bool all_ff = std::all_of(eth, eth + 6, [](uint8_t b) { return b == 0xff; });
    const bool all_zero = std::all_of(eth, eth + 6, [](uint8_t b) { return b == 0; });
    skb->pkt_type = (eth[0] & 1) ? (all_ff ? 1 : 2) : (all_zero ? 0 : 3);
    if (skb->ifindex == 0) skb->ifindex = kLoopbackIfindex;
  } else if (type_ == ProgType::Xdp) {
    auto* xdp = reinterpret_cast<struct xdp_md*>(ctx_init_.data());
    if (xdp->ingress_ifindex == 0) xdp->ingress_ifindex = kLoopbackIfindex;
  }
  write_packet_fields(ctx_init_.data());
}

void MockContext::reset() {
  if (unwritten_) return;
  if (ctx_block_) std::memcpy(ctx_block_->data(), ctx_init_.data(), ctx_init_.size());
  if (mem_block_ && !mem_init_.empty()) std::memcpy(mem_block_->data(), mem_init_.data(), mem_init_.size());
  if (packet_block_) {
    // The headroom is what bpf_xdp_adjust_head/meta can expose: zero what the last run
    // exposed.  A tail that grows is zeroed by bpf_xdp_adjust_tail itself.
    if (exposed_lo_ < pristine_.mac)
      std::memset(reinterpret_cast<uint8_t*>(exposed_lo_), 0, pristine_.mac - exposed_lo_);
    std::memcpy(reinterpret_cast<uint8_t*>(pristine_.mac), packet_init_.data(), packet_init_.size());
    if (moved_) {  // only helpers move the packet pointers (sync_packet)
      pkt_ = pristine_;
      exposed_lo_ = pkt_.mac;
      update_packet_region();
      moved_ = false;
    }
    if (keys_block_) reset_flow_keys();  // the context copy already holds the pristine pointers
  }
}

void MockContext::update_packet_region() {
  const uint64_t lo = type_ == ProgType::SkMsg ? pkt_.mac : skb_ ? std::min(pkt_.mac, pkt_.data) : pkt_.meta;
  const uint64_t hi = type_ == ProgType::SkMsg ? pkt_.msg_end : pkt_.end;
  exposed_lo_ = std::min(exposed_lo_, lo);
  if (packet_region_ != lo || packet_region_size_ != hi - lo) {
    if (packet_region_ != 0) regions_->move(packet_region_, lo, hi - lo);
    else regions_->add(lo, hi - lo, true, "packet");
    packet_region_ = lo;
    packet_region_size_ = hi - lo;
  }
}

void MockContext::write_packet_fields(uint8_t* ctx) const {
  if (type_ == ProgType::SkMsg) {
    auto* msg = reinterpret_cast<struct sk_msg_md*>(ctx);
    msg->data = reinterpret_cast<void*>(pkt_.data);
    msg->data_end = reinterpret_cast<void*>(pkt_.end);
    msg->size = static_cast<uint32_t>(pkt_.msg_end - pkt_.mac);
  } else if (skb_) {
    auto* skb = reinterpret_cast<struct __sk_buff*>(ctx);
    skb->data = static_cast<uint32_t>(pkt_.data);
    skb->data_end = static_cast<uint32_t>(pkt_.end);
    skb->data_meta = static_cast<uint32_t>(pkt_.meta);
    skb->len = static_cast<uint32_t>(pkt_.end - pkt_.data);
  } else {
    auto* xdp = reinterpret_cast<struct xdp_md*>(ctx);
    xdp->data = static_cast<uint32_t>(pkt_.data);
    xdp->data_end = static_cast<uint32_t>(pkt_.end);
    xdp->data_meta = static_cast<uint32_t>(pkt_.meta);
  }
}

void MockContext::sync_packet() {
  if (!packet_block_) return;
  moved_ = true;
  update_packet_region();
  write_packet_fields(ctx_block_->data());
}

std::vector<uint8_t> MockContext::data_out() const {
  if (!packet_block_) return {};
  if (keys_block_) return flow_keys_out();
  if (type_ == ProgType::SkMsg)
    return std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(pkt_.mac), reinterpret_cast<const uint8_t*>(pkt_.msg_end));
  // XDP: from data_meta (the kernel copies the metadata out too); skb: from the MAC header.
  const uint64_t from = skb_ ? std::min(pkt_.mac, pkt_.data) : pkt_.meta;
  const auto* p = reinterpret_cast<const uint8_t*>(from);
  std::vector<uint8_t> out(p, p + (pkt_.end - from));
  // Like BPF_PROG_TEST_RUN, the pulled Ethernet header comes back zeroed for program
  // types that see the packet from the network header on.
  if ((type_ == ProgType::SocketFilter || type_ == ProgType::CgroupSkb) && pkt_.data == pkt_.mac + kEthHlen)
    std::fill(out.begin(), out.begin() + std::min<size_t>(kEthHlen, out.size()), 0);
  return out;
}

std::vector<uint8_t> MockContext::mem_out() const {
  if (!mem_block_ || mem_init_.empty()) return {};
  return std::vector<uint8_t>(mem_block_->data(), mem_block_->data() + mem_init_.size());
}

Status MockContext::init_side_blocks() {
  if (is_sock_type(type_)) {
    // ctx->sk: a read-only bpf_sock consistent with the context's connection fields.
    auto b = LowBlock::create(sizeof(struct bpf_sock));
    if (!b) return b.error();
    sock_block_ = std::move(*b);
    const struct bpf_sock sk = mock_sock(type_, ctx_init_.data());
    std::memcpy(sock_block_->data(), &sk, sizeof sk);
    regions_->add(sock_block_->addr(), sizeof sk, false, "sock");
    const uint64_t addr = sock_block_->addr();
    uint32_t off = 0;
    switch (type_) {
      case ProgType::SockOps: off = offsetof(struct bpf_sock_ops, sk); break;
      case ProgType::CgroupSockAddr: off = offsetof(struct bpf_sock_addr, sk); break;
      case ProgType::SkMsg: off = offsetof(struct sk_msg_md, sk); break;
      default: off = offsetof(struct __sk_buff, sk); break;
    }
    put(ctx_init_, off, 8, addr);
  }
  if (type_ == ProgType::FlowDissector) {
    auto b = LowBlock::create(sizeof(struct bpf_flow_keys));
    if (!b) return b.error();
    keys_block_ = std::move(*b);
    regions_->add(keys_block_->addr(), sizeof(struct bpf_flow_keys), true, "flow_keys");
    put(ctx_init_, offsetof(struct __sk_buff, flow_keys), 8, keys_block_->addr());
  }
  return Ok{};
}

void MockContext::reset_flow_keys() {
  // As the kernel's BPF_PROG_TEST_RUN for flow dissectors (bpf_flow_dissect): zeroed
  // keys, n_proto from the Ethernet header, nhoff = thoff = 14.
  struct bpf_flow_keys k {};
  std::memcpy(&k.n_proto, packet_init_.data() + 12, 2);
  k.nhoff = k.thoff = static_cast<uint16_t>(kEthHlen);
  std::memcpy(keys_block_->data(), &k, sizeof k);
}

std::vector<uint8_t> MockContext::flow_keys_out() const {
  // BPF_PROG_TEST_RUN's data_out for a flow dissector is the keys, with nhoff clamped
  // into [14, packet length] and thoff into [nhoff, packet length].
  struct bpf_flow_keys k;
  std::memcpy(&k, keys_block_->data(), sizeof k);
  const uint16_t hlen = static_cast<uint16_t>(packet_init_.size());
  k.nhoff = std::clamp<uint16_t>(k.nhoff, static_cast<uint16_t>(kEthHlen), hlen);
  k.thoff = std::clamp<uint16_t>(k.thoff, k.nhoff, hlen);
  const auto* p = reinterpret_cast<const uint8_t*>(&k);
  return std::vector<uint8_t>(p, p + sizeof k);
}

}  // namespace bpfvet::jit
