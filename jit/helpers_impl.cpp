// Helper functions on the mock runtime.  Ids are the kernel's enum bpf_func_id.
#include <array>
#include <cstring>
#include <sstream>

#include "isa/helpers.h"
#include "jit/helper_util.h"
#include "jit/runtime.h"

#include <linux/bpf.h>

namespace bpfvet::jit {

using isa::MapType;

namespace {

using helper_util::kMaxOutputEvents;
using helper_util::neg;
using helper_util::ptr;

}  // namespace

const char* helper_cname(int32_t id) {
  const isa::HelperProto* h = isa::find_helper(id);
  return h != nullptr ? h->name : "unknown helper";
}

std::string helper_name(int32_t id) {
  if (const isa::HelperProto* h = isa::find_helper(id)) return h->name;
  return "helper #" + std::to_string(id);
}

uint64_t HelperOps::unsupported(Runtime& rt, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  rt.fail("unsupported helper " + helper_name(rt.helper_id_) + " (id " + std::to_string(rt.helper_id_) +
          ") in the mock runtime");
  return 0;
}

const HelperImpl* helper_table() {
  static_assert(__BPF_FUNC_MAX_ID <= kHelperTableSize, "helper ids outgrew the table");
  static const auto table = [] {
    std::array<HelperImpl, kHelperTableSize> t;
    t.fill(&HelperOps::unsupported);
    HelperOps::add_core(t.data());
    HelperOps::add_packet(t.data());
    HelperOps::add_sock(t.data());
    HelperOps::add_dynptr(t.data());
    return t;
  }();
  return table.data();
}

void HelperOps::add_core(HelperImpl* t) {
  const HelperImpl map = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t) {
    return rt.helper_map(rt.helper_id_, r1, r2, r3, r4);
  };
  for (int id : {BPF_FUNC_map_lookup_elem, BPF_FUNC_map_update_elem, BPF_FUNC_map_delete_elem,
                 BPF_FUNC_map_push_elem, BPF_FUNC_map_pop_elem, BPF_FUNC_map_peek_elem,
                 BPF_FUNC_map_lookup_percpu_elem, BPF_FUNC_for_each_map_elem})
    t[id] = map;
  t[BPF_FUNC_ringbuf_output] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t) -> uint64_t {
    MockMap* m = rt.map_of(r1);
    if (m == nullptr || m->def().type != MapType::Ringbuf) {
      rt.fail("bpf_ringbuf_output: r1 is not a ring buffer map");
      return 0;
    }
    if (!rt.check_arg(r2, r3, false, "bpf_ringbuf_output", 2)) return 0;
    const uint64_t rec = m->ringbuf_reserve(r3);
    if (rec == 0) return neg(kEAGAIN);
    std::memcpy(ptr(rec), ptr(r2), r3);
    std::vector<uint8_t> bytes;
    m->ringbuf_finish(rec, bytes);
    if (rt.output_.size() < kMaxOutputEvents) rt.output_.push_back({"ringbuf", m->def().name, "", bytes, 0, r4});
    return 0;
  };
  const HelperImpl ringbuf = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t, uint64_t) {
    return rt.helper_ringbuf(rt.helper_id_, r1, r2, r3);
  };
  for (int id : {BPF_FUNC_ringbuf_reserve, BPF_FUNC_ringbuf_submit, BPF_FUNC_ringbuf_discard, BPF_FUNC_ringbuf_query})
    t[id] = ringbuf;
  for (int id : {BPF_FUNC_probe_read, BPF_FUNC_probe_read_kernel, BPF_FUNC_probe_read_user})
    t[id] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t, uint64_t) {
      return rt.probe_read(r1, r2, r3, false);
    };
  for (int id : {BPF_FUNC_probe_read_str, BPF_FUNC_probe_read_kernel_str, BPF_FUNC_probe_read_user_str})
    t[id] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t, uint64_t) {
      return rt.probe_read(r1, r2, r3, true);
    };
  for (int id : {BPF_FUNC_ktime_get_ns, BPF_FUNC_ktime_get_boot_ns, BPF_FUNC_ktime_get_coarse_ns,
                 BPF_FUNC_ktime_get_tai_ns})
    t[id] = [](Runtime& rt, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
      rt.clock_ns_ += rt.clock_step_;
      return rt.clock_ns_;
    };
  t[BPF_FUNC_jiffies64] = [](Runtime& rt, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) -> uint64_t {
    return rt.clock_ns_ / 4'000'000;  // HZ=250
  };
  t[BPF_FUNC_get_prandom_u32] = [](Runtime& rt, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) -> uint64_t {
    // xorshift64*: deterministic for a given seed.
    uint64_t& x = rt.rng_;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    if (x == 0) x = 0x9e3779b97f4a7c15ull;
    return static_cast<uint32_t>((x * 0x2545f4914f6cdd1dull) >> 32);
  };
  t[BPF_FUNC_get_smp_processor_id] = [](Runtime& rt, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) -> uint64_t {
    return rt.current_cpu();
  };
  t[BPF_FUNC_get_numa_node_id] = [](Runtime&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) -> uint64_t {
    return 0;
  };
  t[BPF_FUNC_get_current_pid_tgid] = [](Runtime& rt, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    return (uint64_t(rt.task_info_.tgid) << 32) | rt.task_info_.pid;
  };
  t[BPF_FUNC_get_current_uid_gid] = [](Runtime& rt, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    return (uint64_t(rt.task_info_.gid) << 32) | rt.task_info_.uid;
  };
  t[BPF_FUNC_get_current_comm] = [](Runtime& rt, uint64_t r1, uint64_t r2, uint64_t, uint64_t, uint64_t) -> uint64_t {
    if (!rt.check_arg(r1, r2, true, "bpf_get_current_comm", 1)) return 0;
    std::memset(ptr(r1), 0, r2);
    const auto& comm = rt.task_info_.comm;
    if (r2 > 0) std::memcpy(ptr(r1), comm.data(), std::min<uint64_t>(r2 - 1, comm.size()));
    return 0;
  };
  for (int id : {BPF_FUNC_get_current_task, BPF_FUNC_get_current_task_btf})
    t[id] = [](Runtime& rt, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return rt.task_->addr(); };
  for (int id : {BPF_FUNC_spin_lock, BPF_FUNC_spin_unlock})
    t[id] = [](Runtime& rt, uint64_t r1, uint64_t, uint64_t, uint64_t, uint64_t) -> uint64_t {
      // One simulated thread: a lock is always free.  The pointer must still be valid.
      rt.check_arg(r1, 4, true, rt.helper_id_ == BPF_FUNC_spin_lock ? "bpf_spin_lock" : "bpf_spin_unlock", 1);
      return 0;
    };
  t[BPF_FUNC_get_socket_cookie] = [](Runtime&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) -> uint64_t {
    return Runtime::socket_cookie();  // stable across runs
  };
}

uint64_t Runtime::helper_map(int32_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4) {
  // Names only for errors: check_arg(..., nullptr, ...) names the current helper itself.
  auto name = [id] { return std::string(helper_cname(id)); };
  MockMap* m = map_of(r1);
  if (m == nullptr) { fail(name() + ": r1 is not a map pointer"); return 0; }
  const auto& def = m->def();
  switch (id) {
    case BPF_FUNC_map_lookup_elem:
    case BPF_FUNC_map_lookup_percpu_elem: {
      if (!check_arg(r2, def.key_size, false, nullptr, 2)) return 0;
      if (def.type == MapType::ProgArray || def.type == MapType::Ringbuf || def.type == MapType::Queue ||
          def.type == MapType::Stack || def.type == MapType::PerfEventArray) {
        fail(name() + ": not allowed on map '" + def.name + "' (" + isa::map_type_name(def.type) + ")");
        return 0;
      }
      if (id == BPF_FUNC_map_lookup_percpu_elem && r3 >= kSimulatedCpus) return 0;
      return m->lookup(ptr(r2), id == BPF_FUNC_map_lookup_percpu_elem ? static_cast<uint32_t>(r3) : current_cpu());
    }
    case BPF_FUNC_map_update_elem:
      if (!check_arg(r2, def.key_size, false, nullptr, 2)) return 0;
      if (!check_arg(r3, def.value_size, false, nullptr, 3)) return 0;
      if (m->per_cpu()) {
        // From a program the kernel writes the current CPU's copy; a new element
        // starts zeroed on every other CPU.
        const uint64_t existing = m->lookup(ptr(r2), current_cpu());
        if (existing != 0 && r4 != kBpfNoExist) {
          std::memcpy(ptr(existing), ptr(r3), def.value_size);
          return 0;
        }
        std::vector<uint8_t> all(uint64_t(m->stride()) * kSimulatedCpus, 0);
        std::memcpy(all.data() + uint64_t(current_cpu()) * m->stride(), ptr(r3), def.value_size);
        return static_cast<uint64_t>(m->update(ptr(r2), all.data(), r4, current_cpu(), true));
      }
      return static_cast<uint64_t>(m->update(ptr(r2), ptr(r3), r4, current_cpu(), true));
    case BPF_FUNC_map_delete_elem:
      if (!check_arg(r2, def.key_size, false, nullptr, 2)) return 0;
      if (def.type == MapType::Array || def.type == MapType::PercpuArray) return neg(kEINVAL);
      return static_cast<uint64_t>(m->remove(ptr(r2)));
    case BPF_FUNC_map_push_elem:
      if (!check_arg(r2, def.value_size, false, nullptr, 2)) return 0;
      return static_cast<uint64_t>(m->push(ptr(r2), r3));
    case BPF_FUNC_map_pop_elem:
    case BPF_FUNC_map_peek_elem:
      // A bloom filter's peek only reads the value it tests.
      if (!check_arg(r2, def.value_size, def.type != MapType::BloomFilter, nullptr, 2)) return 0;
      return static_cast<uint64_t>(m->pop(ptr(r2), id == BPF_FUNC_map_peek_elem));
    case BPF_FUNC_for_each_map_elem: {
      if (!invoke_callback) { fail(name() + ": callbacks are not supported by this engine"); return 0; }
      if (r4 != 0) return neg(kEINVAL);
      const MapSnapshot snap = m->snapshot(kSimulatedCpus);
      uint64_t n = 0;
      for (const auto& [k, v] : snap.entries) {
        // The callback gets (map, key, value, ctx); key and value point into the map.
        std::vector<uint8_t> key = k;
        const uint64_t value = m->lookup(key.data(), current_cpu());
        if (value == 0) continue;
        // The key is handed over in a scratch area at the bottom of the call stack.
        uint8_t* scratch = ptr(frame_pointer(kMaxFrames - 1) - 512 + 256);
        std::memcpy(scratch, key.data(), std::min<size_t>(key.size(), 256));
        ++n;
        const uint64_t ret = invoke_callback(r2, r1, reinterpret_cast<uint64_t>(scratch), value, r3);
        if (failed() || ret != 0) break;
      }
      return n;
    }
    default:
      fail("unsupported helper " + name());
      return 0;
  }
}

uint64_t Runtime::helper_ringbuf(int32_t id, uint64_t r1, uint64_t r2, uint64_t r3) {
  const char* name = helper_cname(id);  // no allocation per call: only errors build strings
  if (id == BPF_FUNC_ringbuf_reserve || id == BPF_FUNC_ringbuf_query) {
    MockMap* m = map_of(r1);
    if (m == nullptr || m->def().type != MapType::Ringbuf) { fail(std::string(name) + ": r1 is not a ring buffer map"); return 0; }
    if (id == BPF_FUNC_ringbuf_query) return m->ringbuf_query(r2);
    if (r3 != 0) return 0;
    return m->ringbuf_reserve(r2);
  }
  // submit / discard: find the ring buffer holding the record.
  for (size_t i = 0; i < program_->maps.size(); ++i) {
    MockMap* m = map_of(handles_->addr() + i * 16);
    if (m == nullptr || m->def().type != MapType::Ringbuf) continue;
    std::vector<uint8_t> bytes;
    if (!m->ringbuf_finish(r1, bytes)) continue;
    if (id == BPF_FUNC_ringbuf_submit && output_.size() < kMaxOutputEvents)
      output_.push_back({"ringbuf", m->def().name, "", bytes, 0, r2});
    return 0;
  }
  fail(std::string(name) + ": r1 is not a reserved ring buffer record");
  return 0;
}

uint64_t Runtime::probe_read(uint64_t dst, uint64_t size, uint64_t src, bool str) {
  const char* name = str ? "bpf_probe_read_str" : "bpf_probe_read";
  if (!check_arg(dst, size, true, name, 1)) return 0;
  if (size == 0) return 0;
  if (!str) {
    if (!regions_.check(src, size, false)) {
      std::memset(ptr(dst), 0, size);
      return neg(kEFAULT);
    }
    std::memmove(ptr(dst), ptr(src), size);
    return 0;
  }
  // Copy up to size-1 bytes until NUL, always NUL-terminate; length includes the NUL.
  uint64_t n = 0;
  for (; n + 1 < size; ++n) {
    if (!regions_.check(src + n, 1, false)) {
      if (n == 0) { std::memset(ptr(dst), 0, size); return neg(kEFAULT); }
      break;
    }
    const uint8_t c = *ptr(src + n);
    ptr(dst)[n] = c;
    if (c == 0) return n + 1;
  }
  ptr(dst)[n] = 0;
  return n + 1;
}

}  // namespace bpfvet::jit
