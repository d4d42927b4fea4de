// Mock maps: the kernel's map types simulated in guest memory.
//
// How it works: each map owns one LowBlock holding all of its values (max_entries
// slots of value_size bytes, times the simulated CPU count for per-CPU maps), like
// the kernel's preallocated maps, so a value pointer handed to the program is a real
// address that stays valid while the element exists.  Hash-like maps index slots by
// the key bytes; LRU maps keep a use order and evict the least recently used element
// when full; LPM tries match the longest prefix; queue and stack keep values in order;
// ring buffers lay records out in their data area and capture submitted ones as
// output events.  Errors follow the kernel's return codes (-ENOENT, -EEXIST, -E2BIG...).
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "isa/program.h"
#include "jit/engine.h"
#include "jit/memory.h"

namespace bpfvet::jit {

/// Kernel errno values the helpers return (negated).
inline constexpr int64_t kENOENT = 2, kEFAULT = 14, kEEXIST = 17, kEINVAL = 22, kE2BIG = 7, kEAGAIN = 11,
                         kENOSPC = 28, kENOMEM = 12, kEBUSY = 16, kEOPNOTSUPP = 95;
/// Update flags.
inline constexpr uint64_t kBpfAny = 0, kBpfNoExist = 1, kBpfExist = 2;

/// Checks a definition against the kernel's rules for its type (key/value sizes,
/// max_entries, flags).  The error names the map and the rule.
Status validate_map_def(const isa::MapDef& def);

class MockMap {
 public:
  /// Builds an empty map for `def` with `cpus` simulated CPUs; registers its storage.
  static Result<std::unique_ptr<MockMap>> create(const isa::MapDef& def, uint32_t cpus, RegionTable& regions);

  const isa::MapDef& def() const { return def_; }
  bool per_cpu() const;
  /// Bytes of one value slot for one CPU (value_size rounded up to 8 for per-CPU maps).
  uint32_t stride() const { return stride_; }

  /// Address of the value for `key` on `cpu`, or 0 (LRU: marks it used).
  uint64_t lookup(const uint8_t* key, uint32_t cpu);
  /// Inserts or replaces; `value` is value_size bytes for every CPU (all_cpus) or the
  /// current CPU only.  Returns 0 or a negative errno.
  int64_t update(const uint8_t* key, const uint8_t* value, uint64_t flags, uint32_t cpu, bool all_cpus);
  int64_t remove(const uint8_t* key);
  /// Queue/stack.
  int64_t push(const uint8_t* value, uint64_t flags);
  int64_t pop(uint8_t* value, bool peek);
  /// Ring buffer: reserve a record of `size` bytes; 0 when it does not fit.
  uint64_t ringbuf_reserve(uint64_t size);
  /// Ring buffer: finish a record; returns its bytes (empty for discard) or false if
  /// `addr` is not a pending record.
  bool ringbuf_finish(uint64_t addr, std::vector<uint8_t>& out);
  uint64_t ringbuf_query(uint64_t flags) const;
  /// Prog array and similar fd arrays: the index stored at `key`, or -1.
  int64_t fd_at(uint32_t key) const;
  void set_fd(uint32_t key, int64_t v);

  /// Current contents, for the result.
  MapSnapshot snapshot(uint32_t cpus) const;
  /// Address range of the storage (for resolving map-value lddw).
  uint64_t storage() const { return block_ ? block_->addr() : 0; }
  /// Value address of array slot `index` for `cpu` (array-like maps).
  uint64_t array_slot(uint32_t index, uint32_t cpu) const;

 private:
  MockMap(isa::MapDef def, uint32_t cpus) : def_(std::move(def)), cpus_(cpus) {}
  bool hash_like() const;
  bool array_like() const;
  uint8_t* slot_ptr(uint32_t slot, uint32_t cpu) const;
  std::string_view key_of(const uint8_t* key) const;
  bool lru() const;
  /// Whether the queue holds exactly the value_size bytes at `value` (bloom filters).
  bool holds(const uint8_t* value) const;
  int64_t lpm_find(const uint8_t* key) const;  // exact (prefixlen, data) slot or -1
  uint64_t lpm_lookup(const uint8_t* key) const;

  isa::MapDef def_;
  uint32_t cpus_ = 1;
  uint32_t stride_ = 0;
  std::unique_ptr<LowBlock> block_;
  // Hash-like maps: key bytes -> slot; free slots; LRU order (front = most recent).
  std::map<std::string, uint32_t, std::less<>> index_;  // looked up by string_view: no copy
  std::vector<uint32_t> free_;
  std::list<std::string> lru_;
  std::unordered_map<std::string, std::list<std::string>::iterator> lru_pos_;
  // Fd arrays.
  std::vector<int64_t> fds_;
  // Queue/stack values.
  std::deque<std::vector<uint8_t>> queue_;
  // Ring buffer: records laid out from offset 0; pending records by address.
  uint64_t rb_used_ = 0;
  std::map<uint64_t, uint64_t> rb_pending_;  // address -> size
  RegionTable* regions_ = nullptr;
};

}  // namespace bpfvet::jit
