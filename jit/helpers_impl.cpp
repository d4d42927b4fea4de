// Helper functions on the mock runtime.  Ids are the kernel's enum bpf_func_id.
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
constexpr uint64_t kClockStep = 1000;  // each clock read advances the mock clock by 1 us

}  // namespace

const char* helper_cname(int32_t id) {
  const isa::HelperProto* h = isa::find_helper(id);
  return h != nullptr ? h->name : "unknown helper";
}

std::string helper_name(int32_t id) {
  if (const isa::HelperProto* h = isa::find_helper(id)) return h->name;
  return "helper #" + std::to_string(id);
}

uint64_t Runtime::call_helper(int32_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5) {
  switch (id) {
    case BPF_FUNC_map_lookup_elem: case BPF_FUNC_map_update_elem: case BPF_FUNC_map_delete_elem:
    case BPF_FUNC_map_push_elem: case BPF_FUNC_map_pop_elem: case BPF_FUNC_map_peek_elem:
    case BPF_FUNC_map_lookup_percpu_elem: case BPF_FUNC_for_each_map_elem:
      return helper_map(id, r1, r2, r3, r4);
    case BPF_FUNC_ringbuf_output: case BPF_FUNC_ringbuf_reserve: case BPF_FUNC_ringbuf_submit:
    case BPF_FUNC_ringbuf_discard: case BPF_FUNC_ringbuf_query:
      if (id == BPF_FUNC_ringbuf_output) {
        MockMap* m = map_of(r1);
        if (m == nullptr || m->def().type != MapType::Ringbuf) { fail("bpf_ringbuf_output: r1 is not a ring buffer map"); return 0; }
        if (!check_arg(r2, r3, false, "bpf_ringbuf_output", 2)) return 0;
        const uint64_t rec = m->ringbuf_reserve(r3);
        if (rec == 0) return neg(kEAGAIN);
        std::memcpy(ptr(rec), ptr(r2), r3);
        std::vector<uint8_t> bytes;
        m->ringbuf_finish(rec, bytes);
        if (output_.size() < kMaxOutputEvents) output_.push_back({"ringbuf", m->def().name, "", bytes, 0, r4});
        return 0;
      }
      return helper_ringbuf(id, r1, r2, r3);
    case BPF_FUNC_probe_read: case BPF_FUNC_probe_read_kernel: case BPF_FUNC_probe_read_user:
      return probe_read(r1, r2, r3, false);
    case BPF_FUNC_probe_read_str: case BPF_FUNC_probe_read_kernel_str: case BPF_FUNC_probe_read_user_str:
      return probe_read(r1, r2, r3, true);
    case BPF_FUNC_ktime_get_ns: case BPF_FUNC_ktime_get_boot_ns: case BPF_FUNC_ktime_get_coarse_ns:
    case BPF_FUNC_ktime_get_tai_ns:
      clock_ns_ += kClockStep;
      return clock_ns_;
    case BPF_FUNC_jiffies64:
      return clock_ns_ / 4'000'000;  // HZ=250
    case BPF_FUNC_get_prandom_u32: {
      // xorshift64*: deterministic for a given seed.
      rng_ ^= rng_ >> 12; rng_ ^= rng_ << 25; rng_ ^= rng_ >> 27;
      if (rng_ == 0) rng_ = 0x9e3779b97f4a7c15ull;
      return static_cast<uint32_t>((rng_ * 0x2545f4914f6cdd1dull) >> 32);
    }
    case BPF_FUNC_get_smp_processor_id: return current_cpu();
    case BPF_FUNC_get_numa_node_id: return 0;
    case BPF_FUNC_get_current_pid_tgid: return (uint64_t(task_info_.tgid) << 32) | task_info_.pid;
    case BPF_FUNC_get_current_uid_gid: return (uint64_t(task_info_.gid) << 32) | task_info_.uid;
    case BPF_FUNC_get_current_comm: {
      if (!check_arg(r1, r2, true, "bpf_get_current_comm", 1)) return 0;
      std::memset(ptr(r1), 0, r2);
      if (r2 > 0) std::memcpy(ptr(r1), task_info_.comm.data(), std::min<uint64_t>(r2 - 1, task_info_.comm.size()));
      return 0;
    }
    case BPF_FUNC_get_current_task: case BPF_FUNC_get_current_task_btf:
      return task_->addr();
    case BPF_FUNC_trace_printk: case BPF_FUNC_perf_event_output: case BPF_FUNC_loop:
      return helper_trace(id, r1, r2, r3, r4, r5);
    case BPF_FUNC_spin_lock:
    case BPF_FUNC_spin_unlock:
      // One simulated thread: a lock is always free.  The pointer must still be valid.
      check_arg(r1, 4, true, id == BPF_FUNC_spin_lock ? "bpf_spin_lock" : "bpf_spin_unlock", 1);
      return 0;
    case BPF_FUNC_get_socket_cookie:
      return socket_cookie();  // stable across runs
    case BPF_FUNC_skb_store_bytes: case BPF_FUNC_skb_load_bytes: case BPF_FUNC_l3_csum_replace:
    case BPF_FUNC_l4_csum_replace: case BPF_FUNC_csum_diff: case BPF_FUNC_redirect:
    case BPF_FUNC_redirect_map: case BPF_FUNC_xdp_adjust_head: case BPF_FUNC_xdp_adjust_tail:
    case BPF_FUNC_xdp_adjust_meta: case BPF_FUNC_xdp_load_bytes:
    case BPF_FUNC_xdp_store_bytes: case BPF_FUNC_xdp_get_buff_len: case BPF_FUNC_skb_pull_data:
    case BPF_FUNC_csum_update: case BPF_FUNC_skb_load_bytes_relative:
      return helper_packet(id, r1, r2, r3, r4, r5);
    case BPF_FUNC_sock_map_update: case BPF_FUNC_sock_hash_update: case BPF_FUNC_sk_redirect_map:
    case BPF_FUNC_sk_redirect_hash: case BPF_FUNC_msg_redirect_map: case BPF_FUNC_msg_redirect_hash:
    case BPF_FUNC_sock_ops_cb_flags_set: case BPF_FUNC_bind: case BPF_FUNC_msg_apply_bytes:
    case BPF_FUNC_msg_cork_bytes: case BPF_FUNC_msg_pull_data: case BPF_FUNC_msg_push_data:
    case BPF_FUNC_msg_pop_data:
      return helper_sock(id, r1, r2, r3, r4);
    default:
      fail("unsupported helper " + helper_name(id) + " (id " + std::to_string(id) + ") in the mock runtime");
      return 0;
  }
}

uint64_t Runtime::helper_map(int32_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4) {
  const char* name = helper_cname(id);  // no allocation per call: only errors build strings
  MockMap* m = map_of(r1);
  if (m == nullptr) { fail(std::string(name) + ": r1 is not a map pointer"); return 0; }
  const auto& def = m->def();
  switch (id) {
    case BPF_FUNC_map_lookup_elem:
    case BPF_FUNC_map_lookup_percpu_elem: {
      if (!check_arg(r2, def.key_size, false, name, 2)) return 0;
      if (def.type == MapType::ProgArray || def.type == MapType::Ringbuf || def.type == MapType::Queue ||
          def.type == MapType::Stack || def.type == MapType::PerfEventArray) {
        fail(std::string(name) + ": not allowed on map '" + def.name + "' (" + isa::map_type_name(def.type) + ")");
        return 0;
      }
      if (id == BPF_FUNC_map_lookup_percpu_elem && r3 >= kSimulatedCpus) return 0;
      return m->lookup(ptr(r2), id == BPF_FUNC_map_lookup_percpu_elem ? static_cast<uint32_t>(r3) : current_cpu());
    }
    case BPF_FUNC_map_update_elem:
      if (!check_arg(r2, def.key_size, false, name, 2)) return 0;
      if (!check_arg(r3, def.value_size, false, name, 3)) return 0;
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
      if (!check_arg(r2, def.key_size, false, name, 2)) return 0;
      if (def.type == MapType::Array || def.type == MapType::PercpuArray) return neg(kEINVAL);
      return static_cast<uint64_t>(m->remove(ptr(r2)));
    case BPF_FUNC_map_push_elem:
      if (!check_arg(r2, def.value_size, false, name, 2)) return 0;
      return static_cast<uint64_t>(m->push(ptr(r2), r3));
    case BPF_FUNC_map_pop_elem:
    case BPF_FUNC_map_peek_elem:
      // A bloom filter's peek only reads the value it tests.
      if (!check_arg(r2, def.value_size, def.type != MapType::BloomFilter, name, 2)) return 0;
      return static_cast<uint64_t>(m->pop(ptr(r2), id == BPF_FUNC_map_peek_elem));
    case BPF_FUNC_for_each_map_elem: {
      if (!invoke_callback) { fail(std::string(name) + ": callbacks are not supported by this engine"); return 0; }
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
      fail(std::string("unsupported helper ") + name);
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
