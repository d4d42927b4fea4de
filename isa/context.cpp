// Context layouts and access rules per program type.
//
// Offsets are written out (not taken from <linux/bpf.h>) so the tables describe the
// latest kernel whatever headers the build machine has; the tests compare every
// offset with offsetof() of the installed UAPI structs.
#include "isa/context.h"

#include <array>
#include <cstring>
#include <vector>

namespace bpfvet::isa {
namespace {

constexpr uint8_t kNarrow4 = kCtxB | kCtxH | kCtxW;  // bpf_ctx_narrow_access_ok on a u32
constexpr uint8_t kNarrow8 = kNarrow4 | kCtxDW;      // ... on a u64
constexpr uint8_t kAnySize = kNarrow8;

CtxField ro(const char* name, uint16_t off, uint16_t size, uint8_t elem, uint8_t reads,
            CtxYield y = CtxYield::Scalar) {
  return CtxField{name, off, size, elem, true, false, reads, 0, y};
}
// A field whose narrow loads the kernel accepts only at its first byte.
CtxField ro_start(const char* name, uint16_t off, uint16_t size, uint8_t reads) {
  CtxField f = ro(name, off, size, static_cast<uint8_t>(size), reads);
  f.narrow_at_start = true;
  return f;
}
CtxField rw(const char* name, uint16_t off, uint16_t size, uint8_t elem, uint8_t reads, uint8_t writes) {
  return CtxField{name, off, size, elem, true, true, reads, writes, CtxYield::Scalar};
}

// ---- struct __sk_buff -------------------------------------------------------

// How bpf_skb_is_valid_access treats each field, before the program type's own
// restrictions: Plain u32 fields allow narrow reads and 4-byte writes.
enum class SkbKind : uint8_t { Plain, Exact4, Cb, U64, ReadOnly64, Byte };
struct SkbField {
  const char* name;
  uint16_t off;
  uint16_t size;
  SkbKind kind;
  CtxYield yields;
};

constexpr std::array<SkbField, 35> kSkb = {{
    {"len", 0, 4, SkbKind::Plain, CtxYield::Scalar},
    {"pkt_type", 4, 4, SkbKind::Plain, CtxYield::Scalar},
    {"mark", 8, 4, SkbKind::Plain, CtxYield::Scalar},
    {"queue_mapping", 12, 4, SkbKind::Plain, CtxYield::Scalar},
    {"protocol", 16, 4, SkbKind::Plain, CtxYield::Scalar},
    {"vlan_present", 20, 4, SkbKind::Plain, CtxYield::Scalar},
    {"vlan_tci", 24, 4, SkbKind::Plain, CtxYield::Scalar},
    {"vlan_proto", 28, 4, SkbKind::Plain, CtxYield::Scalar},
    {"priority", 32, 4, SkbKind::Plain, CtxYield::Scalar},
    {"ingress_ifindex", 36, 4, SkbKind::Plain, CtxYield::Scalar},
    {"ifindex", 40, 4, SkbKind::Plain, CtxYield::Scalar},
    {"tc_index", 44, 4, SkbKind::Plain, CtxYield::Scalar},
    {"cb", 48, 20, SkbKind::Cb, CtxYield::Scalar},
    {"hash", 68, 4, SkbKind::Plain, CtxYield::Scalar},
    {"tc_classid", 72, 4, SkbKind::Plain, CtxYield::Scalar},
    {"data", 76, 4, SkbKind::Exact4, CtxYield::PacketData},
    {"data_end", 80, 4, SkbKind::Exact4, CtxYield::PacketEnd},
    {"napi_id", 84, 4, SkbKind::Plain, CtxYield::Scalar},
    {"family", 88, 4, SkbKind::Plain, CtxYield::Scalar},
    {"remote_ip4", 92, 4, SkbKind::Exact4, CtxYield::Scalar},
    {"local_ip4", 96, 4, SkbKind::Exact4, CtxYield::Scalar},
    {"remote_ip6", 100, 16, SkbKind::Exact4, CtxYield::Scalar},
    {"local_ip6", 116, 16, SkbKind::Exact4, CtxYield::Scalar},
    {"remote_port", 132, 4, SkbKind::Plain, CtxYield::Scalar},
    {"local_port", 136, 4, SkbKind::Plain, CtxYield::Scalar},
    {"data_meta", 140, 4, SkbKind::Exact4, CtxYield::PacketMeta},
    {"flow_keys", 144, 8, SkbKind::ReadOnly64, CtxYield::FlowKeys},
    {"tstamp", 152, 8, SkbKind::U64, CtxYield::Scalar},
    {"wire_len", 160, 4, SkbKind::Plain, CtxYield::Scalar},
    {"gso_segs", 164, 4, SkbKind::Plain, CtxYield::Scalar},
    {"sk", 168, 8, SkbKind::ReadOnly64, CtxYield::SocketCommonOrNull},
    {"gso_size", 176, 4, SkbKind::Plain, CtxYield::Scalar},
    {"tstamp_type", 180, 1, SkbKind::Byte, CtxYield::Scalar},
    // 181..183 is padding the kernel refuses to touch.
    {"hwtstamp", 184, 8, SkbKind::ReadOnly64, CtxYield::Scalar},
    {nullptr, 192, 0, SkbKind::Plain, CtxYield::Scalar},  // end marker: sizeof(__sk_buff)
}};
constexpr uint32_t kSkbSize = 192;

bool named(const char* name, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (std::strcmp(name, n) == 0) return true;
  return false;
}

// One __sk_buff view: fields hidden from the type, fields it may write, and the
// fields only this type may read (flow_keys, tstamp_type).
std::vector<CtxField> skb_view(std::initializer_list<const char*> hidden,
                               std::initializer_list<const char*> writable,
                               std::initializer_list<const char*> extra_readable = {}) {
  std::vector<CtxField> out;
  for (const SkbField& f : kSkb) {
    if (!f.name || named(f.name, hidden)) continue;
    const bool special = named(f.name, {"flow_keys", "tstamp_type"});
    if (special && !named(f.name, extra_readable)) continue;
    CtxField c{f.name, f.off, f.size,  static_cast<uint8_t>(f.kind == SkbKind::Cb ? 4 : f.size), true, false,
               0,      0,     f.yields};
    if (f.size == 16) c.elem_size = 4;
    const bool w = named(f.name, writable);
    switch (f.kind) {
      case SkbKind::Plain:
        c.read_sizes = kNarrow4;
        c.write_sizes = w ? kCtxW : 0;
        break;
      case SkbKind::Exact4:
        c.read_sizes = kCtxW;
        c.write_sizes = w ? kCtxW : 0;
        break;
      case SkbKind::Cb:
        c.read_sizes = kAnySize;
        c.write_sizes = w ? kAnySize : 0;
        break;
      case SkbKind::U64:
        c.read_sizes = kCtxDW;
        c.write_sizes = w ? kCtxDW : 0;
        break;
      case SkbKind::ReadOnly64:
        c.read_sizes = kCtxDW;
        break;
      case SkbKind::Byte:
        c.read_sizes = kCtxB;
        break;
    }
    c.writable = c.write_sizes != 0;
    out.push_back(c);
  }
  return out;
}

std::vector<CtxField> flow_dissector_view() {
  std::vector<CtxField> out;
  for (const SkbField& f : kSkb) {
    if (!f.name || !named(f.name, {"data", "data_end", "flow_keys"})) continue;
    out.push_back(
        ro(f.name, f.off, f.size, static_cast<uint8_t>(f.size), f.size == 8 ? kCtxDW : kCtxW, f.yields));
  }
  return out;
}

// ---- the other context structs ---------------------------------------------

std::vector<CtxField> xdp_fields() {
  // egress_ifindex (20) is for BPF_XDP_DEVMAP programs only.
  return {ro("data", 0, 4, 4, kCtxW, CtxYield::PacketData),
          ro("data_end", 4, 4, 4, kCtxW, CtxYield::PacketEnd),
          ro("data_meta", 8, 4, 4, kCtxW, CtxYield::PacketMeta), ro("ingress_ifindex", 12, 4, 4, kCtxW),
          ro("rx_queue_index", 16, 4, 4, kCtxW)};
}

// x86-64 struct pt_regs, in its order; 21 unsigned longs.
constexpr std::array<const char*, 21> kPtRegs = {"r15", "r14",     "r13", "r12", "bp",    "bx", "r11",
                                                 "r10", "r9",      "r8",  "ax",  "cx",    "dx", "si",
                                                 "di",  "orig_ax", "ip",  "cs",  "flags", "sp", "ss"};
constexpr uint32_t kPtRegsSize = 168;

std::vector<CtxField> pt_regs_fields(uint8_t reads) {
  std::vector<CtxField> out;
  for (size_t i = 0; i < kPtRegs.size(); ++i)
    out.push_back(ro(kPtRegs[i], static_cast<uint16_t>(i * 8), 8, 8, reads));
  return out;
}

std::vector<CtxField> perf_event_fields() {
  // Registers: whole 8-byte loads only; sample_period and addr: narrow loads too.
  std::vector<CtxField> out = pt_regs_fields(kCtxDW);
  out.push_back(ro("sample_period", 168, 8, 8, kNarrow8));
  out.push_back(ro("addr", 176, 8, 8, kNarrow8));
  return out;
}

// struct bpf_sock as a cgroup_sock program sees it, after sock_filter_is_valid_access:
// bound_dev_if, mark and priority (read and write) belong to sock_create and
// sock_release; src_ip4 to post_bind4, src_ip6 to post_bind6, src_port to both
// post_binds (read-only).  Default is sock_create, the kernel's default too.
std::vector<CtxField> cgroup_sock_fields(AttachType a) {
  const bool post_bind = a == AttachType::PostBind4 || a == AttachType::PostBind6;
  std::vector<CtxField> out;
  if (!post_bind) out.push_back(rw("bound_dev_if", 0, 4, 4, kCtxW, kCtxW));
  out.push_back(ro_start("family", 4, 4, kNarrow4));
  out.push_back(ro_start("type", 8, 4, kNarrow4));
  out.push_back(ro_start("protocol", 12, 4, kNarrow4));
  if (!post_bind) {
    out.push_back(rw("mark", 16, 4, 4, kCtxW, kCtxW));
    out.push_back(rw("priority", 20, 4, 4, kCtxW, kCtxW));
  }
  if (a == AttachType::PostBind4) out.push_back(ro("src_ip4", 24, 4, 4, kNarrow4));
  if (a == AttachType::PostBind6) out.push_back(ro("src_ip6", 28, 16, 4, kNarrow4));
  if (post_bind) out.push_back(ro_start("src_port", 44, 4, kNarrow4));
  out.push_back(ro("dst_port", 48, 2, 2, kNarrow4));
  out.push_back(ro("dst_port", 48, 4, 4, kCtxW));  // legacy: a 4-byte load of the port plus padding
  out.push_back(ro("dst_ip4", 52, 4, 4, kNarrow4));
  out.push_back(ro("dst_ip6", 56, 16, 4, kNarrow4));
  out.push_back(ro_start("state", 72, 4, kNarrow4));
  out.push_back(ro_start("rx_queue_mapping", 76, 4, kNarrow4));
  return out;
}

// struct bpf_sock_addr after sock_addr_is_valid_access: user_ip4 exists for the
// IPv4 attach types, user_ip6 for the IPv6 ones, msg_src_ip4/6 only for sendmsg4/6,
// none of them for the unix ones.  Default models connect with both families.
std::vector<CtxField> sock_addr_fields(AttachType a) {
  using A = AttachType;
  const bool v4 = a == A::Default || a == A::Bind4 || a == A::Connect4 || a == A::SendMsg4 ||
                  a == A::RecvMsg4 || a == A::GetPeerName4 || a == A::GetSockName4;
  const bool v6 = a == A::Default || a == A::Bind6 || a == A::Connect6 || a == A::SendMsg6 ||
                  a == A::RecvMsg6 || a == A::GetPeerName6 || a == A::GetSockName6;
  std::vector<CtxField> out = {ro("user_family", 0, 4, 4, kCtxW)};
  if (v4) out.push_back(rw("user_ip4", 4, 4, 4, kNarrow4, kCtxW));
  if (v6) out.push_back(rw("user_ip6", 8, 16, 4, kNarrow8, kCtxW | kCtxDW));  // 8-byte halves too
  out.push_back(rw("user_port", 24, 4, 4, kNarrow4, kCtxW));
  out.push_back(ro("family", 28, 4, 4, kCtxW));
  out.push_back(ro("type", 32, 4, 4, kCtxW));
  out.push_back(ro("protocol", 36, 4, 4, kCtxW));
  if (a == A::SendMsg4) out.push_back(rw("msg_src_ip4", 40, 4, 4, kNarrow4, kCtxW));
  if (a == A::SendMsg6) out.push_back(rw("msg_src_ip6", 44, 16, 4, kNarrow8, kCtxW | kCtxDW));
  out.push_back(ro("sk", 64, 8, 8, kCtxDW, CtxYield::Socket));
  return out;
}

std::vector<CtxField> sock_ops_fields() {
  static constexpr std::array<const char*, 26> kU32 = {"remote_port",    "local_port",
                                                       "is_fullsock",    "snd_cwnd",
                                                       "srtt_us",        "bpf_sock_ops_cb_flags",
                                                       "state",          "rtt_min",
                                                       "snd_ssthresh",   "rcv_nxt",
                                                       "snd_nxt",        "snd_una",
                                                       "mss_cache",      "ecn_flags",
                                                       "rate_delivered", "rate_interval_us",
                                                       "packets_out",    "retrans_out",
                                                       "total_retrans",  "segs_in",
                                                       "data_segs_in",   "segs_out",
                                                       "data_segs_out",  "lost_out",
                                                       "sacked_out",     nullptr};
  std::vector<CtxField> out = {
      ro("op", 0, 4, 4, kCtxW),
      rw("reply", 4, 4, 4, kCtxW, kCtxW),  // args[0] in the union; the only writable slot of it
      ro("args", 8, 12, 4, kCtxW),         // args[1..3] / replylong[1..3]
      ro("family", 20, 4, 4, kCtxW),
      ro("remote_ip4", 24, 4, 4, kCtxW),
      ro("local_ip4", 28, 4, 4, kCtxW),
      ro("remote_ip6", 32, 16, 4, kCtxW),
      ro("local_ip6", 48, 16, 4, kCtxW)};
  uint16_t off = 64;
  for (const char* n : kU32) {
    if (!n) break;
    out.push_back(ro(n, off, 4, 4, kCtxW));
    off += 4;
  }
  out.push_back(rw("sk_txhash", 164, 4, 4, kCtxW, kCtxW));
  out.push_back(ro("bytes_received", 168, 8, 8, kCtxDW));
  out.push_back(ro("bytes_acked", 176, 8, 8, kCtxDW));
  out.push_back(ro("sk", 184, 8, 8, kCtxDW, CtxYield::SocketOrNull));
  out.push_back(ro("skb_data", 192, 8, 8, kCtxDW, CtxYield::PacketData));
  out.push_back(ro("skb_data_end", 200, 8, 8, kCtxDW, CtxYield::PacketEnd));
  out.push_back(ro("skb_len", 208, 4, 4, kCtxW));
  out.push_back(ro_start("skb_tcp_flags", 212, 4, kNarrow4));
  out.push_back(ro("skb_hwtstamp", 216, 8, 8, kCtxDW));  // 6.2
  return out;
}

std::vector<CtxField> sk_msg_fields() {
  return {ro("data", 0, 8, 8, kCtxDW, CtxYield::PacketData),
          ro("data_end", 8, 8, 8, kCtxDW, CtxYield::PacketEnd),
          ro("family", 16, 4, 4, kCtxW),
          ro("remote_ip4", 20, 4, 4, kCtxW),
          ro("local_ip4", 24, 4, 4, kCtxW),
          ro("remote_ip6", 28, 16, 4, kCtxW),
          ro("local_ip6", 44, 16, 4, kCtxW),
          ro("remote_port", 60, 4, 4, kCtxW),
          ro("local_port", 64, 4, 4, kCtxW),
          ro("size", 68, 4, 4, kCtxW),
          ro("sk", 72, 8, 8, kCtxDW, CtxYield::Socket)};
}

// ---- per-type facts ----------------------------------------------------------

constexpr int64_t kMaxErrno = 4095;
constexpr uint32_t kPerfMaxTraceSize = 8192;  // tracepoint records: reads below this (2048 in older kernels)
constexpr uint32_t kMaxBpfFuncArgs = 12;      // raw_tp / BTF programs: u64 args[12]

constexpr size_t kAttachTypes = static_cast<size_t>(AttachType::GetSockNameUnix) + 1;

struct Table {
  std::array<ProgTypeInfo, static_cast<size_t>(ProgType::Raw) + 1> info{};
  std::array<std::vector<CtxField>, static_cast<size_t>(ProgType::Raw) + 1> fields;
  // The fields of each attach type's program type as that attach type sees them.
  std::array<std::vector<CtxField>, kAttachTypes> attach_fields;

  ProgTypeInfo& add(ProgType t, const char* ctx, uint32_t size, std::vector<CtxField> f) {
    auto i = static_cast<size_t>(t);
    fields[i] = std::move(f);
    ProgTypeInfo& p = info[i];
    p.type = t;
    p.kernel_type = kernel_prog_type(t);
    p.ctx_struct = ctx;
    p.ctx_size = size;
    p.fields = fields[i];
    return p;
  }

  Table() {
    // A socket filter reads the skb (cb writable) but reaches packet bytes only
    // through LD_ABS/LD_IND and bpf_skb_load_bytes.
    auto& sf = add(
        ProgType::SocketFilter, "__sk_buff", kSkbSize,
        skb_view({"tc_classid", "data", "data_meta", "data_end", "family", "remote_ip4", "local_ip4",
                  "remote_ip6", "local_ip6", "remote_port", "local_port", "tstamp", "wire_len", "hwtstamp"},
                 {"cb"}));
    sf.ld_abs = true;
    sf.unpriv_loadable = true;

    for (ProgType t : {ProgType::Kprobe, ProgType::Kretprobe, ProgType::Uprobe}) {
      auto& k = add(t, "pt_regs", kPtRegsSize, pt_regs_fields(kAnySize));
      k.ctx_any_offset = true;
    }

    auto& tp = add(ProgType::Tracepoint, "tracepoint record", kPerfMaxTraceSize,
                   {ro("record", 8, kPerfMaxTraceSize - 8, 8, kAnySize)});
    tp.ctx_any_offset = true;  // the first 8 bytes (common fields) are hidden

    auto& raw = add(ProgType::RawTracepoint, "bpf_raw_tracepoint_args", kMaxBpfFuncArgs * 8,
                    {ro("args", 0, kMaxBpfFuncArgs * 8, 8, kAnySize)});
    raw.ctx_any_offset = true;

    add(ProgType::PerfEvent, "bpf_perf_event_data", 184, perf_event_fields());

    auto& xdp = add(ProgType::Xdp, "xdp_md", 24, xdp_fields());
    xdp.has_packet = xdp.direct_packet_access = xdp.packet_writable = true;

    for (ProgType t : {ProgType::SchedCls, ProgType::SchedAct}) {
      auto& tc = add(t, "__sk_buff", kSkbSize,
                     skb_view({"family", "remote_ip4", "local_ip4", "remote_ip6", "local_ip6", "remote_port",
                               "local_port"},
                              {"mark", "tc_index", "priority", "tc_classid", "cb", "tstamp", "queue_mapping"},
                              {"tstamp_type"}));
      tc.has_packet = tc.direct_packet_access = tc.packet_writable = true;
      tc.ld_abs = true;
    }

    // data/data_end need CAP_BPF; the table describes the privileged view.
    auto& cg = add(ProgType::CgroupSkb, "__sk_buff", kSkbSize,
                   skb_view({"tc_classid", "data_meta", "wire_len"}, {"mark", "priority", "cb", "tstamp"}));
    cg.has_packet = cg.direct_packet_access = true;
    cg.ret_checked = true;  // ingress [0, 1]; egress allows [0, 3] (congestion notification)
    cg.ret_min = 0;
    cg.ret_max = 1;
    cg.unpriv_loadable = true;

    auto& cs = add(ProgType::CgroupSock, "bpf_sock", 80, cgroup_sock_fields(AttachType::Default));
    cs.ret_checked = true;
    cs.ret_max = 1;

    // LSM programs read u64 args[] typed by the hook's BTF prototype; int hooks
    // must return 0 or a negative errno.
    auto& lsm = add(ProgType::Lsm, "u64 args[] (BTF)", kMaxBpfFuncArgs * 8,
                    {ro("args", 0, kMaxBpfFuncArgs * 8, 8, kAnySize, CtxYield::BtfArg)});
    lsm.ctx_any_offset = true;
    lsm.ret_checked = true;
    lsm.ret_min = -kMaxErrno;
    lsm.ret_max = 0;

    auto& so = add(ProgType::SockOps, "bpf_sock_ops", 224, sock_ops_fields());
    so.has_packet = so.direct_packet_access = true;  // skb_data for header-option callbacks
    so.ret_checked = true;
    so.ret_max = 1;

    auto& sa = add(ProgType::CgroupSockAddr, "bpf_sock_addr", 72, sock_addr_fields(AttachType::Default));
    sa.ret_checked = true;  // connect/sendmsg [0, 1]; recvmsg, getpeername: exactly 1; bind [0, 3]
    sa.ret_max = 1;

    auto& sk = add(ProgType::SkSkb, "__sk_buff", kSkbSize,
                   skb_view({"tc_classid", "data_meta", "tstamp", "wire_len", "hwtstamp", "mark"},
                            {"tc_index", "priority"}));
    sk.has_packet = sk.direct_packet_access = sk.packet_writable = true;

    auto& msg = add(ProgType::SkMsg, "sk_msg_md", 80, sk_msg_fields());
    msg.has_packet = msg.direct_packet_access = msg.packet_writable = true;

    auto& fd = add(ProgType::FlowDissector, "__sk_buff", kSkbSize, flow_dissector_view());
    fd.has_packet = fd.direct_packet_access = true;

    // Unspec and Raw: no context struct (raw programs get a plain buffer in r1).
    add(ProgType::Unspec, "", 0, {});
    add(ProgType::Raw, "", 0, {});

    for (size_t i = 1; i < kAttachTypes; ++i) {
      const auto a = static_cast<AttachType>(i);
      attach_fields[i] = attach_prog_type(a) == ProgType::CgroupSock ? cgroup_sock_fields(a) : sock_addr_fields(a);
    }
  }
};

const Table& table() {
  static const Table t;
  return t;
}

bool size_allowed(uint8_t mask, uint32_t size) {
  return (size == 1 || size == 2 || size == 4 || size == 8) && (mask & size) != 0;
}

}  // namespace

bool CtxField::read_ok(uint32_t off, uint32_t sz) const {
  if (narrow_at_start && off != offset) return false;
  return readable && size_allowed(read_sizes, sz) && off % sz == 0 && off >= offset &&
         uint64_t{off} + sz <= uint64_t{offset} + size;
}

bool CtxField::write_ok(uint32_t off, uint32_t sz) const {
  return writable && size_allowed(write_sizes, sz) && off % sz == 0 && off >= offset &&
         uint64_t{off} + sz <= uint64_t{offset} + size;
}

const ProgTypeInfo& prog_type_info(ProgType t) {
  auto i = static_cast<size_t>(t);
  const Table& tab = table();
  return i < tab.info.size() ? tab.info[i] : tab.info[0];
}

std::span<const CtxField> ctx_fields(ProgType t, AttachType a) {
  const auto i = static_cast<size_t>(a);
  if (a != AttachType::Default && i < kAttachTypes && attach_prog_type(a) == t) return table().attach_fields[i];
  return prog_type_info(t).fields;
}

const CtxField* find_ctx_field(ProgType t, uint32_t offset, uint32_t size) {
  return find_ctx_field(t, AttachType::Default, offset, size);
}

const CtxField* find_ctx_field(ProgType t, AttachType a, uint32_t offset, uint32_t size) {
  if (size == 0) return nullptr;
  for (const CtxField& f : ctx_fields(t, a)) {
    const uint32_t end = static_cast<uint32_t>(f.offset) + f.size;
    if (offset >= f.offset && uint64_t{offset} + size <= end) return &f;
  }
  return nullptr;
}

const CtxField* find_ctx_field(ProgType t, const char* name) {
  if (!name) return nullptr;
  for (const CtxField& f : prog_type_info(t).fields)
    if (std::strcmp(f.name, name) == 0) return &f;
  return nullptr;
}

ReturnRange return_range(ProgType t, std::string_view section) {
  const ProgTypeInfo& info = prog_type_info(t);
  ReturnRange r{info.ret_checked, info.ret_min, info.ret_max};
  auto starts = [&](std::string_view p) { return section.substr(0, p.size()) == p; };
  if (t == ProgType::CgroupSkb && starts("cgroup_skb/egress")) r.max = 3;
  if (t == ProgType::CgroupSockAddr) {
    if (starts("cgroup/bind4") || starts("cgroup/bind6")) r.max = 3;
    if (starts("cgroup/recvmsg") || starts("cgroup/getpeername") || starts("cgroup/getsockname"))
      r.min = r.max = 1;
  }
  return r;
}

const char* ctx_yield_name(CtxYield y) {
  switch (y) {
    case CtxYield::Scalar:
      return "scalar";
    case CtxYield::PacketData:
      return "pkt";
    case CtxYield::PacketEnd:
      return "pkt_end";
    case CtxYield::PacketMeta:
      return "pkt_meta";
    case CtxYield::SocketCommonOrNull:
      return "sock_common_or_null";
    case CtxYield::SocketOrNull:
      return "sock_or_null";
    case CtxYield::Socket:
      return "sock";
    case CtxYield::FlowKeys:
      return "flow_keys";
    case CtxYield::BtfArg:
      return "btf_arg";
  }
  return "?";
}

}  // namespace bpfvet::isa
