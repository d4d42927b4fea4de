// Dynptr helpers on the mock runtime: bpf_dynptr_from_mem, bpf_ringbuf_reserve_dynptr,
// submit/discard_dynptr, bpf_dynptr_read/write/data.
//
// The 16-byte struct bpf_dynptr on the program's stack holds, as the kernel's
// bpf_dynptr_kern does, the data address (8 bytes), the size in the low 24 bits of the
// next word with the kind in bits 28-30 and read-only in bit 31, and an offset (always
// 0 here: no helper advances it).  A null dynptr (a failed reservation or a bad flag)
// is all zeros; helpers given one fail with -EINVAL as the kernel's do.
#include <cstring>

#include "jit/helper_util.h"
#include "jit/maps.h"

#include <linux/bpf.h>

namespace bpfvet::jit {

namespace {

using helper_util::neg;
using helper_util::ptr;

constexpr uint64_t kDynptrBytes = 16;
constexpr uint32_t kSizeMask = 0xffffff;
constexpr uint32_t kKindShift = 28;
constexpr uint32_t kKindLocal = 1, kKindRingbuf = 2;
constexpr uint32_t kReadOnly = 1u << 31;

struct Dynptr {
  uint64_t data = 0;
  uint32_t info = 0;
  uint32_t offset = 0;
  uint32_t size() const { return info & kSizeMask; }
  uint32_t kind() const { return (info >> kKindShift) & 7; }
};
static_assert(sizeof(Dynptr) == kDynptrBytes);

Dynptr load(uint64_t addr) {
  Dynptr d;
  std::memcpy(&d, ptr(addr), sizeof d);
  return d;
}

void store(uint64_t addr, const Dynptr& d) { std::memcpy(ptr(addr), &d, sizeof d); }

// bpf_dynptr_check_off_len: [offset, offset + len) inside the dynptr's data.
bool in_bounds(const Dynptr& d, uint64_t offset, uint64_t len) {
  return len <= d.size() && offset <= d.size() - len;
}

}  // namespace

void HelperOps::add_dynptr(HelperImpl* t) {
  t[BPF_FUNC_dynptr_from_mem] = [](Runtime& rt, uint64_t data, uint64_t size, uint64_t flags, uint64_t out,
                                   uint64_t) -> uint64_t {
    if (!rt.check_arg(out, kDynptrBytes, true, nullptr, 4)) return 0;
    store(out, Dynptr{});
    if (flags != 0) return neg(kEINVAL);
    if (size > kSizeMask) return neg(kE2BIG);
    if (!rt.check_arg(data, size, true, nullptr, 1)) return 0;
    store(out, Dynptr{data, static_cast<uint32_t>(size) | (kKindLocal << kKindShift), 0});
    return 0;
  };
  t[BPF_FUNC_ringbuf_reserve_dynptr] = [](Runtime& rt, uint64_t map, uint64_t size, uint64_t flags, uint64_t out,
                                          uint64_t) -> uint64_t {
    if (!rt.check_arg(out, kDynptrBytes, true, nullptr, 4)) return 0;
    store(out, Dynptr{});
    MockMap* m = rt.map_of(map);
    if (m == nullptr || m->def().type != isa::MapType::Ringbuf) {
      rt.fail("bpf_ringbuf_reserve_dynptr: r1 is not a ring buffer map");
      return 0;
    }
    if (flags != 0) return neg(kEINVAL);
    if (size > kSizeMask) return neg(kE2BIG);
    const uint64_t rec = m->ringbuf_reserve(size);
    if (rec == 0) return neg(kEAGAIN);
    store(out, Dynptr{rec, static_cast<uint32_t>(size) | (kKindRingbuf << kKindShift), 0});
    return 0;
  };
  const HelperImpl release = [](Runtime& rt, uint64_t dp, uint64_t flags, uint64_t, uint64_t, uint64_t) -> uint64_t {
    if (!rt.check_arg(dp, kDynptrBytes, true, nullptr, 1)) return 0;
    const Dynptr d = load(dp);
    store(dp, Dynptr{});
    if (d.data == 0) return 0;  // a failed reservation: nothing to release
    const int32_t id = rt.helper_id_ == BPF_FUNC_ringbuf_submit_dynptr ? BPF_FUNC_ringbuf_submit : BPF_FUNC_ringbuf_discard;
    return rt.helper_ringbuf(id, d.data, flags, 0);
  };
  t[BPF_FUNC_ringbuf_submit_dynptr] = release;
  t[BPF_FUNC_ringbuf_discard_dynptr] = release;
  t[BPF_FUNC_dynptr_read] = [](Runtime& rt, uint64_t dst, uint64_t len, uint64_t src, uint64_t offset,
                               uint64_t flags) -> uint64_t {
    if (!rt.check_arg(dst, len, true, nullptr, 1) || !rt.check_arg(src, kDynptrBytes, false, nullptr, 3)) return 0;
    const Dynptr d = load(src);
    if (d.data == 0 || flags != 0) return neg(kEINVAL);
    if (!in_bounds(d, offset, len)) return neg(kE2BIG);
    std::memmove(ptr(dst), ptr(d.data + d.offset + offset), len);
    return 0;
  };
  t[BPF_FUNC_dynptr_write] = [](Runtime& rt, uint64_t dp, uint64_t offset, uint64_t src, uint64_t len,
                                uint64_t flags) -> uint64_t {
    if (!rt.check_arg(dp, kDynptrBytes, false, nullptr, 1) || !rt.check_arg(src, len, false, nullptr, 3)) return 0;
    const Dynptr d = load(dp);
    if (d.data == 0 || (d.info & kReadOnly) || flags != 0) return neg(kEINVAL);
    if (!in_bounds(d, offset, len)) return neg(kE2BIG);
    std::memmove(ptr(d.data + d.offset + offset), ptr(src), len);
    return 0;
  };
  t[BPF_FUNC_dynptr_data] = [](Runtime& rt, uint64_t dp, uint64_t offset, uint64_t len, uint64_t,
                               uint64_t) -> uint64_t {
    if (!rt.check_arg(dp, kDynptrBytes, false, nullptr, 1)) return 0;
    const Dynptr d = load(dp);
    if (d.data == 0 || (d.info & kReadOnly) || !in_bounds(d, offset, len)) return 0;
    return d.data + d.offset + offset;
  };
}

}  // namespace bpfvet::jit
