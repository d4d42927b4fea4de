// Helpers of the socket program types: sockmap/sockhash updates and redirects,
// sk_msg message editing, sock_ops callback flags, bind.
//
// The mock socket is the one ctx->sk points to (context.h); its cookie is what
// bpf_get_socket_cookie returns.  A redirect is recorded as a "redirect" output event
// (the map, the key index or, for hash maps, the key bytes, and the flags) and
// returns SK_PASS when the map holds a socket at the key, SK_DROP otherwise, as the
// kernel does.  sk_msg messages are one contiguous buffer: after a push or pop,
// data/data_end span the whole message again.
#include <cstring>

#include "jit/helper_util.h"
#include "jit/runtime.h"

#include <linux/bpf.h>

namespace bpfvet::jit {

namespace {

constexpr uint64_t kSkDrop = 0, kSkPass = 1;
using helper_util::kMaxOutputEvents;
using helper_util::neg;
using helper_util::ptr;
constexpr int64_t kEAFNOSUPPORT = 97;
constexpr uint16_t kAfInet = 2, kAfInet6 = 10;
constexpr uint64_t kSockaddrIn = 16, kSockaddrIn6 = 28;


}  // namespace

uint64_t Runtime::helper_sock(int32_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4) {
  const char* name = helper_cname(id);
  MockContext& c = *ctx_;
  auto event = [&](const char* kind, const std::string& map, std::vector<uint8_t> data, uint64_t target, uint64_t flags) {
    if (output_.size() < kMaxOutputEvents) output_.push_back({kind, map, "", std::move(data), target, flags});
  };
  switch (id) {
    case BPF_FUNC_sock_map_update:
    case BPF_FUNC_sock_hash_update: {
      MockMap* m = map_of(r2);
      const auto want = id == BPF_FUNC_sock_map_update ? isa::MapType::Sockmap : isa::MapType::Sockhash;
      if (m == nullptr || m->def().type != want) {
        fail(std::string(name) + ": r2 is not a " + (want == isa::MapType::Sockmap ? "sockmap" : "sockhash"));
        return 0;
      }
      if (!check_arg(r3, m->def().key_size, false, name, 3)) return 0;
      if (c.sock_addr() == 0) return neg(kEOPNOTSUPP);
      if (r4 > kBpfExist) return neg(kEINVAL);
      const uint64_t cookie = socket_cookie();
      std::vector<uint8_t> key(ptr(r3), ptr(r3) + m->def().key_size);
      int64_t rc = 0;
      if (want == isa::MapType::Sockmap) {
        uint32_t idx;
        std::memcpy(&idx, key.data(), 4);
        if (idx >= m->def().max_entries) return neg(kE2BIG);
        const bool present = m->fd_at(idx) >= 0;
        if (present && r4 == kBpfNoExist) return neg(kEEXIST);
        if (!present && r4 == kBpfExist) return neg(kENOENT);
        m->set_fd(idx, static_cast<int64_t>(cookie));
      } else {
        std::vector<uint8_t> value(m->def().value_size, 0);
        std::memcpy(value.data(), &cookie, std::min<size_t>(8, value.size()));
        rc = m->update(key.data(), value.data(), r4, current_cpu(), true);
      }
      if (rc == 0) event("sock_map_update", m->def().name, std::move(key), cookie, r4);
      return static_cast<uint64_t>(rc);
    }
    case BPF_FUNC_sk_redirect_map: case BPF_FUNC_msg_redirect_map:
    case BPF_FUNC_sk_redirect_hash: case BPF_FUNC_msg_redirect_hash: {
      MockMap* m = map_of(r2);
      if (m == nullptr) { fail(std::string(name) + ": r2 is not a map pointer"); return 0; }
      if ((r4 & ~uint64_t(BPF_F_INGRESS)) != 0) return kSkDrop;
      const bool hash = id == BPF_FUNC_sk_redirect_hash || id == BPF_FUNC_msg_redirect_hash;
      bool present = false;
      std::vector<uint8_t> key;
      if (hash) {
        if (!check_arg(r3, m->def().key_size, false, name, 3)) return 0;
        key.assign(ptr(r3), ptr(r3) + m->def().key_size);
        present = m->def().type == isa::MapType::Sockhash && m->lookup(key.data(), current_cpu()) != 0;
      } else {
        present = m->def().type == isa::MapType::Sockmap && m->fd_at(static_cast<uint32_t>(r3)) >= 0;
      }
      if (!present) return kSkDrop;
      event("redirect", m->def().name, std::move(key), hash ? 0 : static_cast<uint32_t>(r3), r4);
      return kSkPass;
    }
    case BPF_FUNC_sock_ops_cb_flags_set: {
      if (c.type() != isa::ProgType::SockOps || r1 != c.ctx_addr()) break;
      auto* ops = reinterpret_cast<struct bpf_sock_ops*>(c.ctx_addr());
      if (!ops->is_fullsock) return neg(kEINVAL);
      ops->bpf_sock_ops_cb_flags = static_cast<uint32_t>(r2 & BPF_SOCK_OPS_ALL_CB_FLAGS);
      event("sock_ops_cb_flags_set", "", {}, 0, r2);
      return r2 & ~uint64_t(BPF_SOCK_OPS_ALL_CB_FLAGS);
    }
    case BPF_FUNC_bind: {
      if (r3 < 2) return neg(kEINVAL);
      if (!check_arg(r2, r3, false, name, 2)) return 0;
      uint16_t family;
      std::memcpy(&family, ptr(r2), 2);
      if (family == kAfInet) {
        if (r3 < kSockaddrIn) return neg(kEINVAL);
        uint16_t port;
        std::memcpy(&port, ptr(r2 + 2), 2);
        if (port != 0) return neg(kEINVAL);  // bpf_bind binds an address, never a port
      } else if (family == kAfInet6) {
        if (r3 < kSockaddrIn6) return neg(kEINVAL);
        uint16_t port;
        std::memcpy(&port, ptr(r2 + 2), 2);
        if (port != 0) return neg(kEINVAL);
      } else {
        return neg(kEAFNOSUPPORT);
      }
      event("bind", "", std::vector<uint8_t>(ptr(r2), ptr(r2) + r3), 0, 0);
      return 0;
    }
    case BPF_FUNC_msg_apply_bytes: case BPF_FUNC_msg_cork_bytes:
      return 0;  // one message per run: nothing is applied to or corked across messages
    case BPF_FUNC_msg_pull_data: case BPF_FUNC_msg_push_data: case BPF_FUNC_msg_pop_data: {
      if (!c.is_msg() || r1 != c.ctx_addr()) break;
      Packet& p = c.packet();
      const uint64_t size = p.msg_end - p.mac;
      if (id == BPF_FUNC_msg_pull_data) {
        if (r4 != 0 || r3 <= r2 || r2 >= size || r3 > size) return neg(kEINVAL);
        p.data = p.mac + r2;
        p.end = p.mac + r3;
      } else if (id == BPF_FUNC_msg_push_data) {
        if (r4 != 0 || r2 > size) return neg(kEINVAL);
        if (r3 == 0) return 0;
        if (r3 > p.limit - p.msg_end) return neg(kENOMEM);
        std::memmove(ptr(p.mac + r2 + r3), ptr(p.mac + r2), size - r2);
        std::memset(ptr(p.mac + r2), 0, r3);
        p.msg_end += r3;
        p.data = p.mac;
        p.end = p.msg_end;
      } else {
        if (r4 != 0 || r3 == 0 || r3 > 0x7fffffff || r2 >= size || r2 + r3 > size) return neg(kEINVAL);
        std::memmove(ptr(p.mac + r2), ptr(p.mac + r2 + r3), size - r2 - r3);
        p.msg_end -= r3;
        p.data = p.mac;
        p.end = p.msg_end;
      }
      c.sync_packet();
      return 0;
    }
    default:
      break;
  }
  fail(std::string("unsupported helper ") + name + " for program type " + isa::prog_type_name(c.type()));
  return 0;
}

void HelperOps::add_sock(HelperImpl* t) {
  for (int id : {BPF_FUNC_sock_map_update, BPF_FUNC_sock_hash_update, BPF_FUNC_sk_redirect_map,
                 BPF_FUNC_sk_redirect_hash, BPF_FUNC_msg_redirect_map, BPF_FUNC_msg_redirect_hash,
                 BPF_FUNC_sock_ops_cb_flags_set, BPF_FUNC_bind, BPF_FUNC_msg_apply_bytes, BPF_FUNC_msg_cork_bytes,
                 BPF_FUNC_msg_pull_data, BPF_FUNC_msg_push_data, BPF_FUNC_msg_pop_data})
    t[id] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t) {
      return rt.helper_sock(rt.helper_id_, r1, r2, r3, r4);
    };
}

}  // namespace bpfvet::jit
