// Guest memory: every byte a BPF program may touch, and the table that says where it is.
//
// How it works: the runtime allocates all program-visible memory (stack frames,
// context, packet with headroom and tailroom, map storage, ring buffers, the --mem
// buffer) from mappings placed below 4 GiB (MAP_32BIT on x86-64, low address hints
// elsewhere).  A BPF register holding a pointer holds the real host address, so the
// interpreter and the JITs dereference it directly, and the kernel's 32-bit pointer
// fields (xdp_md.data, __sk_buff.data, ...) can hold a real address in a real
// in-memory struct: no load rewriting is needed.  The RegionTable lists every
// accessible range (base, size, writable, name); the unverified (--no-verify) mode
// checks each access against it, and helpers always check pointer arguments with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "isa/result.h"

namespace bpfvet::jit {

/// One accessible range of guest memory.
struct Region {
  uint64_t base = 0;
  uint64_t size = 0;
  bool writable = false;
  std::string name;  // "stack", "ctx", "packet", "map 'counts'", ...
};

/// A zero-filled, page-aligned block below 4 GiB, followed by one more mapped page that
/// nothing uses (no mapping ends right after the block); unmapped on destruction.
class LowBlock {
 public:
  /// Maps `size` bytes (rounded up to pages).  Error when no low mapping is possible.
  static Result<std::unique_ptr<LowBlock>> create(size_t size);
  ~LowBlock();
  LowBlock(const LowBlock&) = delete;
  LowBlock& operator=(const LowBlock&) = delete;

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  uint64_t addr() const { return reinterpret_cast<uint64_t>(data_); }

 private:
  LowBlock(uint8_t* d, size_t s) : data_(d), size_(s) {}
  uint8_t* data_;
  size_t size_;
};

/// The set of accessible ranges.  Regions never overlap; lookups are by address.
class RegionTable {
 public:
  /// Adds a range; ranges may be added in any order.
  void add(uint64_t base, uint64_t size, bool writable, std::string name);
  /// Removes the region starting exactly at `base` (ring buffer records on submit).
  void remove(uint64_t base);
  /// Moves the region starting exactly at `old_base` to [base, base + size), keeping its
  /// name and access (the packet after bpf_xdp_adjust_head/meta/tail); no allocation
  /// when its place in the order does not change.
  void move(uint64_t old_base, uint64_t base, uint64_t size);
  /// The region containing [addr, addr + size), or null when the access is outside
  /// every region or straddles a boundary.
  const Region* find(uint64_t addr, uint64_t size) const;
  /// The region containing `addr` (any size), or null.
  const Region* containing(uint64_t addr) const;
  /// True when [addr, addr + size) is readable (writable when `write`).
  bool check(uint64_t addr, uint64_t size, bool write) const {
    const Region* r = find(addr, size);
    return r != nullptr && (!write || r->writable);
  }
  const std::vector<Region>& regions() const { return regions_; }

 private:
  std::vector<Region> regions_;  // sorted by base
  mutable size_t last_ = 0;      // index of the last hit: accesses cluster
  size_t moved_ = 0;             // index of the region moved last
};

}  // namespace bpfvet::jit
