// Helpers that format text, emit records, call back, or touch the packet.
#include <cstring>
#include <sstream>

#include "jit/helper_util.h"
#include "jit/runtime.h"

#include <linux/bpf.h>

namespace bpfvet::jit {

namespace {

using helper_util::kMaxOutputEvents;
using helper_util::neg;
using helper_util::ptr;
constexpr uint64_t kMaxLoops = 1u << 23;     // BPF_MAX_LOOPS
constexpr uint64_t kXdpFrameSize = 40;       // sizeof(struct xdp_frame) at the buffer start
constexpr uint64_t kSkbSharedInfo = 320;     // tailroom the kernel keeps for skb_shared_info
constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kEthHlen = 14;
constexpr int64_t kEACCES = 13, kENOTSUPP = 524;
constexpr uint64_t kXdpAborted = 0, kXdpRedirect = 4, kTcActShot = 2, kTcActRedirect = 7;


uint16_t fold16(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

// RFC 1624 incremental update of a 16-bit one's complement checksum stored at p.
void csum_replace(uint8_t* p, uint32_t from, uint32_t to, bool wide) {
  uint16_t c;
  std::memcpy(&c, p, 2);
  uint64_t sum = static_cast<uint16_t>(~c);
  if (wide) {
    sum += static_cast<uint16_t>(~from) + static_cast<uint16_t>(~(from >> 16)) + (to & 0xffff) + (to >> 16);
  } else {
    sum += static_cast<uint16_t>(~from) + (to & 0xffff);
  }
  c = static_cast<uint16_t>(~fold16(sum));
  std::memcpy(p, &c, 2);
}

// Adds a 32-bit one's complement partial sum (the kernel's __wsum) into a checksum.
void csum_add_diff(uint8_t* p, uint32_t diff) {
  uint16_t c;
  std::memcpy(&c, p, 2);
  const uint64_t sum = static_cast<uint16_t>(~c) + uint64_t(diff & 0xffff) + (diff >> 16);
  c = static_cast<uint16_t>(~fold16(sum));
  std::memcpy(p, &c, 2);
}

}  // namespace

std::string Runtime::format_printk(uint64_t fmt, uint64_t size, const uint64_t* args, int nargs) {
  const char* f = reinterpret_cast<const char*>(fmt);
  std::string out;
  int used = 0;
  for (uint64_t i = 0; i < size && f[i] != 0; ++i) {
    if (f[i] != '%') { out += f[i]; continue; }
    if (i + 1 < size && f[i + 1] == '%') { out += '%'; ++i; continue; }
    uint64_t j = i + 1;
    std::string flags;
    while (j < size && (f[j] == '-' || f[j] == '+' || f[j] == ' ' || f[j] == '#' || f[j] == '0' ||
                        (f[j] >= '1' && f[j] <= '9')))
      flags += f[j++];
    int longs = 0;
    while (j < size && f[j] == 'l') { ++longs; ++j; }
    if (j < size && f[j] == 'h') { while (j < size && f[j] == 'h') ++j; }
    if (j >= size || used >= nargs) { out += std::string(f + i, f + std::min(j + 1, size)); i = j; continue; }
    const char conv = f[j];
    const uint64_t a = args[used++];
    char buf[128];
    const std::string spec = "%" + flags;
    switch (conv) {
      case 'd': case 'i':
        std::snprintf(buf, sizeof buf, (spec + "lld").c_str(), longs ? static_cast<long long>(a) : static_cast<long long>(static_cast<int32_t>(a)));
        out += buf; break;
      case 'u':
        std::snprintf(buf, sizeof buf, (spec + "llu").c_str(), longs ? static_cast<unsigned long long>(a) : static_cast<unsigned long long>(static_cast<uint32_t>(a)));
        out += buf; break;
      case 'x': case 'X':
        std::snprintf(buf, sizeof buf, (spec + "ll" + conv).c_str(), longs ? static_cast<unsigned long long>(a) : static_cast<unsigned long long>(static_cast<uint32_t>(a)));
        out += buf; break;
      case 'c': out += static_cast<char>(a); break;
      case 'p':
        while (j + 1 < size && std::isalnum(static_cast<unsigned char>(f[j + 1]))) ++j;  // %pK, %px, %pI4...
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(a));
        out += buf; break;
      case 's': {
        std::string s;
        for (uint64_t k = 0; k < 1024 && regions_.check(a + k, 1, false) && *ptr(a + k); ++k) s += static_cast<char>(*ptr(a + k));
        if (!regions_.check(a, 1, false)) s = "(efault)";
        out += s; break;
      }
      default: out += std::string(f + i, f + j + 1); break;
    }
    i = j;
  }
  return out;
}

uint64_t Runtime::helper_trace(int32_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5) {
  switch (id) {
    case BPF_FUNC_trace_printk: {
      if (!check_arg(r1, r2, false, "bpf_trace_printk", 1)) return 0;
      if (r2 == 0 || std::memchr(ptr(r1), 0, r2) == nullptr) return neg(kEINVAL);
      const uint64_t args[3] = {r3, r4, r5};
      std::string text = format_printk(r1, r2, args, 3);
      const uint64_t n = text.size();
      while (!text.empty() && text.back() == '\n') text.pop_back();
      if (output_.size() < kMaxOutputEvents) output_.push_back({"trace_printk", "", text, {}, 0, 0});
      return n;
    }
    case BPF_FUNC_perf_event_output: {
      MockMap* m = map_of(r2);
      if (m == nullptr || m->def().type != isa::MapType::PerfEventArray) {
        fail("bpf_perf_event_output: r2 is not a perf event array map");
        return 0;
      }
      if (!check_arg(r4, r5, false, "bpf_perf_event_output", 4)) return 0;
      std::vector<uint8_t> rec(ptr(r4), ptr(r4) + r5);
      // skb/xdp programs: flags bits 32..51 ask for that many packet bytes appended.
      const uint64_t ctx_len = (r3 >> 32) & 0xfffff;
      if (ctx_len != 0 && ctx_->has_packet() && r1 == ctx_->ctx_addr()) {
        const Packet& p = ctx_->packet();
        if (ctx_len > p.end - p.data) return neg(kEFAULT);
        rec.insert(rec.end(), ptr(p.data), ptr(p.data) + ctx_len);
      }
      if ((r3 & 0xffffffffull) != 0xffffffffull && (r3 & 0xffffffffull) >= m->def().max_entries) return neg(kE2BIG);
      if (output_.size() < kMaxOutputEvents) output_.push_back({"perf_event", m->def().name, "", std::move(rec), 0, r3});
      return 0;
    }
    case BPF_FUNC_loop: {
      if (!invoke_callback) { fail("bpf_loop: callbacks are not supported by this engine"); return 0; }
      if (r4 != 0) return neg(kEINVAL);
      if (r1 > kMaxLoops) return neg(kE2BIG);
      for (uint64_t i = 0; i < r1; ++i) {
        const uint64_t ret = invoke_callback(r2, i, r3, 0, 0);
        if (failed()) return 0;
        if (ret != 0) return i + 1;
      }
      return r1;
    }
    default:
      fail("unsupported helper " + helper_name(id));
      return 0;
  }
}

namespace {

// The packet behind r1, which must be the program's packet context; null after failing.
Packet* packet_of(Runtime& rt, MockContext& c, uint64_t r1, int32_t id) {
  if (c.has_packet() && r1 == c.ctx_addr()) [[likely]] return &c.packet();
  rt.fail(std::string(helper_cname(id)) + ": r1 must be the program's packet context");
  return nullptr;
}

// A packet helper the program type does not have.
uint64_t wrong_type(Runtime& rt, MockContext& c, int32_t id) {
  rt.fail(std::string("unsupported helper ") + helper_cname(id) + " for program type " + isa::prog_type_name(c.type()));
  return 0;
}

}  // namespace

void HelperOps::add_packet(HelperImpl* t) {
  const HelperImpl trace = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5) {
    return rt.helper_trace(rt.helper_id_, r1, r2, r3, r4, r5);
  };
  for (int id : {BPF_FUNC_trace_printk, BPF_FUNC_perf_event_output, BPF_FUNC_loop}) t[id] = trace;
  t[BPF_FUNC_csum_diff] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5) -> uint64_t {
    if ((r2 % 4) != 0 || (r4 % 4) != 0 || r2 + r4 > 512) return neg(kEINVAL);
    if (!rt.check_arg(r1, r2, false, "bpf_csum_diff", 1) || !rt.check_arg(r3, r4, false, "bpf_csum_diff", 3)) return 0;
    uint64_t sum = static_cast<uint32_t>(r5);
    for (uint64_t i = 0; i < r2; i += 4) { uint32_t w; std::memcpy(&w, ptr(r1 + i), 4); sum += static_cast<uint32_t>(~w); }
    for (uint64_t i = 0; i < r4; i += 4) { uint32_t w; std::memcpy(&w, ptr(r3 + i), 4); sum += w; }
    while (sum >> 32) sum = (sum & 0xffffffff) + (sum >> 32);
    return sum;
  };
  t[BPF_FUNC_redirect] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t, uint64_t, uint64_t) -> uint64_t {
    if (rt.output_.size() < kMaxOutputEvents) rt.output_.push_back({"redirect", "", "", {}, r1, r2});
    if (rt.ctx_->is_xdp()) return r2 != 0 ? kXdpAborted : kXdpRedirect;
    return (r2 & ~uint64_t(1)) != 0 ? kTcActShot : kTcActRedirect;
  };
  t[BPF_FUNC_redirect_map] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t, uint64_t) -> uint64_t {
    MockMap* m = rt.map_of(r1);
    if (m == nullptr) { rt.fail("bpf_redirect_map: r1 is not a map pointer"); return 0; }
    const bool present = m->fd_at(static_cast<uint32_t>(r2)) >= 0;
    if (!present) return r3 & 3;  // the low flag bits are the action on a miss
    if (rt.output_.size() < kMaxOutputEvents) rt.output_.push_back({"redirect", m->def().name, "", {}, r2, r3});
    return kXdpRedirect;
  };
  for (int id : {BPF_FUNC_skb_load_bytes, BPF_FUNC_xdp_load_bytes})
    t[id] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t) -> uint64_t {
      Packet* p = packet_of(rt, *rt.ctx_, r1, rt.helper_id_);
      if (p == nullptr || !rt.check_arg(r3, r4, true, nullptr, 3)) return 0;
      if (r2 > 0xffff || r4 > 0xffff || r2 + r4 > p->end - p->data) {
        std::memset(ptr(r3), 0, r4);
        return neg(rt.helper_id_ == BPF_FUNC_xdp_load_bytes ? kEINVAL : kEFAULT);
      }
      std::memcpy(ptr(r3), ptr(p->data + r2), r4);
      return 0;
    };
  for (int id : {BPF_FUNC_skb_store_bytes, BPF_FUNC_xdp_store_bytes})
    t[id] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5) -> uint64_t {
      Packet* p = packet_of(rt, *rt.ctx_, r1, rt.helper_id_);
      if (p == nullptr || !rt.check_arg(r3, r4, false, nullptr, 3)) return 0;
      const bool xdp = rt.helper_id_ == BPF_FUNC_xdp_store_bytes;
      if (!xdp && (r5 & ~uint64_t(3)) != 0) return neg(kEINVAL);
      if (r2 > 0xffff || r4 > 0xffff || r2 + r4 > p->end - p->data) return neg(xdp ? kEINVAL : kEFAULT);
      std::memmove(ptr(p->data + r2), ptr(r3), r4);
      return 0;
    };
  t[BPF_FUNC_skb_load_bytes_relative] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                                           uint64_t r5) -> uint64_t {
    MockContext& c = *rt.ctx_;
    Packet* p = packet_of(rt, c, r1, rt.helper_id_);
    if (p == nullptr) return 0;
    if (!c.is_skb()) return wrong_type(rt, c, rt.helper_id_);
    if (!rt.check_arg(r3, r4, true, nullptr, 3)) return 0;
    // start_header: 0 = MAC header, 1 = network header (the frame's offset 14).
    if (r5 > 1) { std::memset(ptr(r3), 0, r4); return neg(kEINVAL); }
    const uint64_t base = r5 == 0 ? p->mac : p->mac + kEthHlen;
    if (r2 > 0xffff || r4 > 0xffff || base + r2 + r4 > p->end) {
      std::memset(ptr(r3), 0, r4);
      return neg(kEFAULT);
    }
    std::memcpy(ptr(r3), ptr(base + r2), r4);
    return 0;
  };
  t[BPF_FUNC_xdp_get_buff_len] = [](Runtime& rt, uint64_t r1, uint64_t, uint64_t, uint64_t, uint64_t) -> uint64_t {
    const Packet* p = packet_of(rt, *rt.ctx_, r1, rt.helper_id_);
    return p == nullptr ? 0 : p->end - p->data;
  };
  t[BPF_FUNC_skb_pull_data] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t, uint64_t, uint64_t) -> uint64_t {
    const Packet* p = packet_of(rt, *rt.ctx_, r1, rt.helper_id_);
    if (p == nullptr) return 0;
    return r2 <= p->end - p->data ? 0 : neg(kENOMEM);
  };
  t[BPF_FUNC_csum_update] = [](Runtime& rt, uint64_t r1, uint64_t, uint64_t, uint64_t, uint64_t) -> uint64_t {
    if (packet_of(rt, *rt.ctx_, r1, rt.helper_id_) == nullptr) return 0;
    return neg(kENOTSUPP);  // the test skb is CHECKSUM_NONE
  };
  for (int id : {BPF_FUNC_l3_csum_replace, BPF_FUNC_l4_csum_replace})
    t[id] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5) -> uint64_t {
      const Packet* p = packet_of(rt, *rt.ctx_, r1, rt.helper_id_);
      if (p == nullptr) return 0;
      const bool l4 = rt.helper_id_ == BPF_FUNC_l4_csum_replace;
      const uint64_t size = r5 & 0xf;
      const uint64_t allowed = l4 ? (0xf | 0x10 | 0x20 | 0x40) : 0xf;
      if ((r5 & ~allowed) != 0 || (size != 0 && size != 2 && size != 4)) return neg(kEINVAL);
      if (r2 > 0xffff || r2 + 2 > p->end - p->data) return neg(kEFAULT);
      uint8_t* at = ptr(p->data + r2);
      const bool mangled0 = l4 && (r5 & 0x20);
      uint16_t cur;
      std::memcpy(&cur, at, 2);
      if (mangled0 && cur == 0) return 0;
      if (size == 0) csum_add_diff(at, static_cast<uint32_t>(r4));
      else csum_replace(at, static_cast<uint32_t>(r3), static_cast<uint32_t>(r4), size == 4);
      std::memcpy(&cur, at, 2);
      if (mangled0 && cur == 0) { cur = 0xffff; std::memcpy(at, &cur, 2); }
      return 0;
    };
  t[BPF_FUNC_xdp_adjust_head] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t, uint64_t, uint64_t) -> uint64_t {
    MockContext& c = *rt.ctx_;
    Packet* p = packet_of(rt, c, r1, rt.helper_id_);
    if (p == nullptr) return 0;
    if (!c.is_xdp()) return wrong_type(rt, c, rt.helper_id_);
    const int64_t delta = static_cast<int32_t>(r2);
    const uint64_t metalen = p->data - p->meta;
    const uint64_t data = p->data + delta;
    if (data < p->start + kXdpFrameSize + metalen || data > p->end - kEthHlen) return neg(kEINVAL);
    if (metalen) std::memmove(ptr(p->meta + delta), ptr(p->meta), metalen);
    p->meta += delta;
    p->data = data;
    c.sync_packet();
    return 0;
  };
  t[BPF_FUNC_xdp_adjust_meta] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t, uint64_t, uint64_t) -> uint64_t {
    MockContext& c = *rt.ctx_;
    Packet* p = packet_of(rt, c, r1, rt.helper_id_);
    if (p == nullptr) return 0;
    if (!c.is_xdp()) return wrong_type(rt, c, rt.helper_id_);
    const uint64_t meta = p->meta + static_cast<int32_t>(r2);
    if (meta < p->start + kXdpFrameSize || meta > p->data) return neg(kEINVAL);
    const uint64_t metalen = p->data - meta;
    if ((metalen & 3) != 0 || metalen > 32) return neg(kEACCES);
    p->meta = meta;
    c.sync_packet();
    return 0;
  };
  t[BPF_FUNC_xdp_adjust_tail] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t, uint64_t, uint64_t) -> uint64_t {
    MockContext& c = *rt.ctx_;
    Packet* p = packet_of(rt, c, r1, rt.helper_id_);
    if (p == nullptr) return 0;
    if (!c.is_xdp()) return wrong_type(rt, c, rt.helper_id_);
    const uint64_t frame = std::max<uint64_t>(kPageSize, (p->limit - p->start));
    const uint64_t hard_end = p->start + std::min<uint64_t>(frame, p->limit - p->start) - kSkbSharedInfo;
    const uint64_t end = p->end + static_cast<int32_t>(r2);
    if (end > hard_end || end < p->data + kEthHlen) return neg(kEINVAL);
    if (end > p->end) std::memset(ptr(p->end), 0, end - p->end);
    p->end = end;
    c.sync_packet();
    return 0;
  };
}

}  // namespace bpfvet::jit
