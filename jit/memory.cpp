// Low mappings and the region table.
#include "jit/memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <iterator>

namespace bpfvet::jit {

namespace {
constexpr uint64_t kFourGiB = 1ull << 32;
constexpr size_t kPage = 4096;
}  // namespace

Result<std::unique_ptr<LowBlock>> LowBlock::create(size_t size) {
  if (size == 0) size = 1;
  size = (size + kPage - 1) & ~(kPage - 1);
  if (size >= (1ull << 31)) return Error{"guest memory block of " + std::to_string(size) + " bytes is too large"};
  const size_t block = size;
  // One more page, never touched: glibc's AVX-512 routines read and write the last bytes
  // before a boundary with masked vector operations, and when that boundary is the end
  // of a mapping each costs a microcode assist of ~150 ns (a key at the top of the stack
  // compared by memcmp, a frame cleared by memset).
  size += kPage;
  void* p = MAP_FAILED;
#ifdef MAP_32BIT
  p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_32BIT, -1, 0);
#endif
  if (p == MAP_FAILED || reinterpret_cast<uint64_t>(p) + size > kFourGiB) {
    if (p != MAP_FAILED) munmap(p, size);
    p = MAP_FAILED;
    // No MAP_32BIT: try hints spread over the low 4 GiB.
    for (uint64_t hint = 0x10000000; hint + size < kFourGiB && p == MAP_FAILED; hint += 0x8000000) {
      void* q = mmap(reinterpret_cast<void*>(hint), size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (q == MAP_FAILED) continue;
      if (reinterpret_cast<uint64_t>(q) + size <= kFourGiB) p = q;
      else munmap(q, size);
    }
  }
  if (p == MAP_FAILED) return Error{"cannot map " + std::to_string(size) + " bytes of guest memory below 4 GiB"};
  static_cast<volatile uint8_t*>(p)[block] = 0;  // present, so masked accesses need no page walk fault
  return std::unique_ptr<LowBlock>(new LowBlock(static_cast<uint8_t*>(p), block));
}

LowBlock::~LowBlock() { munmap(data_, size_ + kPage); }

void RegionTable::add(uint64_t base, uint64_t size, bool writable, std::string name) {
  Region r{base, size, writable, std::move(name)};
  auto it = std::upper_bound(regions_.begin(), regions_.end(), base,
                             [](uint64_t b, const Region& x) { return b < x.base; });
  regions_.insert(it, std::move(r));
  last_ = 0;
}

void RegionTable::remove(uint64_t base) {
  auto it = std::find_if(regions_.begin(), regions_.end(), [&](const Region& r) { return r.base == base; });
  if (it != regions_.end()) regions_.erase(it);
  last_ = 0;
}

void RegionTable::move(uint64_t old_base, uint64_t base, uint64_t size) {
  // The packet region moves back and forth on every run that adjusts it: try the region
  // moved last before searching.
  auto it = regions_.begin() + static_cast<std::ptrdiff_t>(std::min(moved_, regions_.size()));
  if (it == regions_.end() || it->base != old_base)
    it = std::lower_bound(regions_.begin(), regions_.end(), old_base,
                          [](const Region& x, uint64_t b) { return x.base < b; });
  if (it == regions_.end() || it->base != old_base) return;
  it->base = base;
  it->size = size;
  const bool ordered = (it == regions_.begin() || std::prev(it)->base < base) &&
                       (std::next(it) == regions_.end() || std::next(it)->base > base);
  moved_ = static_cast<size_t>(it - regions_.begin());
  if (!ordered) {
    std::sort(regions_.begin(), regions_.end(), [](const Region& a, const Region& b) { return a.base < b.base; });
    moved_ = 0;
  }
  last_ = 0;
}

const Region* RegionTable::containing(uint64_t addr) const {
  if (last_ < regions_.size()) {
    const Region& r = regions_[last_];
    if (addr >= r.base && addr - r.base < r.size) return &r;
  }
  auto it = std::upper_bound(regions_.begin(), regions_.end(), addr,
                             [](uint64_t a, const Region& x) { return a < x.base; });
  if (it == regions_.begin()) return nullptr;
  --it;
  if (addr - it->base >= it->size) return nullptr;
  last_ = static_cast<size_t>(it - regions_.begin());
  return &*it;
}

const Region* RegionTable::find(uint64_t addr, uint64_t size) const {
  const Region* r = containing(addr);
  if (r == nullptr) return nullptr;
  if (size > r->size || addr - r->base > r->size - size) return nullptr;
  return r;
}

}  // namespace bpfvet::jit
