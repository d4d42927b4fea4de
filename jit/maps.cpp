// Mock map storage and operations.
#include "jit/maps.h"

#include "isa/maps.h"

#include <algorithm>
#include <cstring>

namespace bpfvet::jit {

using isa::MapType;

namespace {
constexpr uint64_t kMaxMapBytes = 1ull << 30;  // virtual, NORESERVE: pages are touched lazily
constexpr uint64_t kRingbufHeader = 8;
std::string map_label(const isa::MapDef& d) { return "map '" + d.name + "'"; }
}  // namespace

Status validate_map_def(const isa::MapDef& d) {
  // The kernel's BPF_MAP_CREATE rules live in the ISA tables; here only what the mock
  // can simulate is added.
  if (auto st = isa::check_map_def(d); !st) return st;
  switch (d.type) {
    case MapType::Hash: case MapType::PercpuHash: case MapType::LruHash: case MapType::LruPercpuHash:
    case MapType::Array: case MapType::PercpuArray: case MapType::ProgArray: case MapType::PerfEventArray:
    case MapType::CgroupArray: case MapType::Cpumap: case MapType::Xskmap: case MapType::Devmap:
    case MapType::DevmapHash: case MapType::LpmTrie: case MapType::Queue: case MapType::Stack:
    case MapType::BloomFilter: case MapType::Ringbuf: case MapType::Sockmap: case MapType::Sockhash:
      break;
    default:
      return Error{map_label(d) + " (" + isa::map_type_name(d.type) + "): map type is not simulated by the runtime"};
  }
  const bool fd_array = d.type == MapType::ProgArray || d.type == MapType::PerfEventArray ||
                        d.type == MapType::CgroupArray || d.type == MapType::Cpumap || d.type == MapType::Xskmap ||
                        d.type == MapType::Devmap || d.type == MapType::DevmapHash;
  if (fd_array && d.key_size != 4)
    return Error{map_label(d) + ": the runtime simulates " + isa::map_type_name(d.type) + " with 4-byte keys only"};
  return Ok{};
}

bool MockMap::per_cpu() const {
  return def_.type == MapType::PercpuHash || def_.type == MapType::PercpuArray ||
         def_.type == MapType::LruPercpuHash;
}
bool MockMap::hash_like() const {
  return def_.type == MapType::Hash || def_.type == MapType::PercpuHash || def_.type == MapType::LruHash ||
         def_.type == MapType::LruPercpuHash || def_.type == MapType::LpmTrie ||
         def_.type == MapType::Sockhash;  // the value slot holds the socket's cookie
}
bool MockMap::array_like() const { return def_.type == MapType::Array || def_.type == MapType::PercpuArray; }

Result<std::unique_ptr<MockMap>> MockMap::create(const isa::MapDef& def, uint32_t cpus, RegionTable& regions) {
  if (auto st = validate_map_def(def); !st) return st.error();
  std::unique_ptr<MockMap> m(new MockMap(def, cpus));
  m->regions_ = &regions;
  if (!m->per_cpu()) m->cpus_ = 1;
  m->stride_ = m->per_cpu() ? (def.value_size + 7) & ~7u : def.value_size;
  uint64_t bytes = 0;
  if (m->hash_like() || m->array_like()) bytes = uint64_t(m->stride_) * def.max_entries * m->cpus_;
  else if (def.type == MapType::Ringbuf) bytes = def.max_entries;
  if (bytes > kMaxMapBytes)
    return Error{map_label(def) + ": " + std::to_string(bytes) + " bytes of values is too large to simulate"};
  if (bytes > 0) {
    auto block = LowBlock::create(bytes);
    if (!block) return block.error();
    m->block_ = std::move(*block);
    // Ring buffer records become accessible one by one when reserved.
    if (def.type != MapType::Ringbuf) regions.add(m->block_->addr(), bytes, !def.read_only, map_label(def));
  }
  if (m->hash_like()) {
    m->free_.reserve(def.max_entries);
    for (uint32_t i = def.max_entries; i-- > 0;) m->free_.push_back(i);
  }
  if (!m->hash_like() && !m->array_like() && def.key_size == 4 && def.type != MapType::Ringbuf)
    m->fds_.assign(def.max_entries, -1);
  if (def.global_data && m->array_like() && !def.initial.empty())
    std::memcpy(m->block_->data(), def.initial.data(), std::min<size_t>(def.initial.size(), def.value_size));
  return m;
}

uint8_t* MockMap::slot_ptr(uint32_t slot, uint32_t cpu) const {
  return block_->data() + (uint64_t(slot) * cpus_ + cpu) * stride_;
}

uint64_t MockMap::array_slot(uint32_t index, uint32_t cpu) const {
  if (!array_like() || index >= def_.max_entries) return 0;
  return reinterpret_cast<uint64_t>(slot_ptr(index, cpu % cpus_));
}

std::string_view MockMap::key_of(const uint8_t* key) const {
  return std::string_view(reinterpret_cast<const char*>(key), def_.key_size);
}

bool MockMap::lru() const { return def_.type == MapType::LruHash || def_.type == MapType::LruPercpuHash; }

bool MockMap::holds(const uint8_t* value) const {
  for (const auto& v : queue_)
    if (std::memcmp(v.data(), value, def_.value_size) == 0) return true;
  return false;
}

int64_t MockMap::lpm_find(const uint8_t* key) const {
  auto it = index_.find(key_of(key));
  return it == index_.end() ? -1 : it->second;
}

uint64_t MockMap::lpm_lookup(const uint8_t* key) const {
  // Key: u32 prefixlen (host order), then data bytes in network order.
  uint32_t want;
  std::memcpy(&want, key, 4);
  const uint32_t max_bits = (def_.key_size - 4) * 8;
  want = std::min(want, max_bits);
  int64_t best = -1;
  uint32_t best_len = 0;
  for (const auto& [k, slot] : index_) {
    uint32_t plen;
    std::memcpy(&plen, k.data(), 4);
    if (plen > want || (best >= 0 && plen < best_len)) continue;
    bool match = true;
    for (uint32_t bit = 0; bit < plen && match; bit += 8) {
      const uint32_t n = std::min<uint32_t>(8, plen - bit);
      const uint8_t mask = static_cast<uint8_t>(0xff00 >> n);
      match = ((static_cast<uint8_t>(k[4 + bit / 8]) ^ key[4 + bit / 8]) & mask) == 0;
    }
    if (match && (best < 0 || plen >= best_len)) { best = slot; best_len = plen; }
  }
  return best < 0 ? 0 : reinterpret_cast<uint64_t>(slot_ptr(static_cast<uint32_t>(best), 0));
}

uint64_t MockMap::lookup(const uint8_t* key, uint32_t cpu) {
  cpu %= cpus_;
  if (array_like()) {
    uint32_t idx;
    std::memcpy(&idx, key, 4);
    return array_slot(idx, cpu);
  }
  if (def_.type == MapType::LpmTrie) return lpm_lookup(key);
  if (!hash_like()) return 0;
  auto it = index_.find(key_of(key));
  if (it == index_.end()) return 0;
  if (lru())
    if (auto pos = lru_pos_.find(it->first); pos != lru_pos_.end()) lru_.splice(lru_.begin(), lru_, pos->second);
  return reinterpret_cast<uint64_t>(slot_ptr(it->second, cpu));
}

int64_t MockMap::update(const uint8_t* key, const uint8_t* value, uint64_t flags, uint32_t cpu, bool all_cpus) {
  cpu %= cpus_;
  if ((flags & ~uint64_t(3)) != 0 && !(def_.type == MapType::Array && flags == 4)) return -kEINVAL;
  if (flags > kBpfExist) return -kEINVAL;
  auto write = [&](uint32_t slot) {
    if (all_cpus) {
      for (uint32_t c = 0; c < cpus_; ++c) {
        std::memset(slot_ptr(slot, c), 0, stride_);
        std::memcpy(slot_ptr(slot, c), value + (per_cpu() ? uint64_t(c) * stride_ : 0), def_.value_size);
      }
    } else {
      std::memcpy(slot_ptr(slot, cpu), value, def_.value_size);
    }
  };
  if (array_like()) {
    uint32_t idx;
    std::memcpy(&idx, key, 4);
    if (idx >= def_.max_entries) return -kE2BIG;
    if (flags == kBpfNoExist) return -kEEXIST;
    write(idx);
    return 0;
  }
  if (!fds_.empty()) {  // devmap, cpumap, xskmap...: the value is an ifindex/cpu/queue id
    uint32_t idx, v;
    std::memcpy(&idx, key, 4);
    std::memcpy(&v, value, 4);
    if (idx >= def_.max_entries) return -kE2BIG;
    fds_[idx] = v;
    return 0;
  }
  if (!hash_like()) return -kEINVAL;
  if (def_.type == MapType::LpmTrie) {
    uint32_t plen;
    std::memcpy(&plen, key, 4);
    if (plen > (def_.key_size - 4) * 8) return -kEINVAL;
  }
  const std::string_view k = key_of(key);
  auto it = index_.find(k);
  const bool lru = this->lru();
  if (it != index_.end()) {
    if (flags == kBpfNoExist) return -kEEXIST;
    write(it->second);
    if (lru) lru_.splice(lru_.begin(), lru_, lru_pos_[it->first]);
    return 0;
  }
  if (flags == kBpfExist) return -kENOENT;
  if (free_.empty()) {
    if (!lru || lru_.empty()) return -kE2BIG;
    const std::string victim = lru_.back();  // least recently used
    lru_.pop_back();
    lru_pos_.erase(victim);
    auto v = index_.find(victim);
    free_.push_back(v->second);
    index_.erase(v);
  }
  const uint32_t slot = free_.back();
  free_.pop_back();
  for (uint32_t c = 0; c < cpus_; ++c) std::memset(slot_ptr(slot, c), 0, stride_);
  write(slot);
  index_.emplace(std::string(k), slot);
  if (lru) {
    lru_.emplace_front(k);
    lru_pos_[lru_.front()] = lru_.begin();
  }
  return 0;
}

int64_t MockMap::remove(const uint8_t* key) {
  if (!fds_.empty()) {
    uint32_t idx;
    std::memcpy(&idx, key, 4);
    if (idx >= def_.max_entries) return -kE2BIG;
    if (fds_[idx] < 0) return -kENOENT;
    fds_[idx] = -1;
    return 0;
  }
  if (!hash_like()) return -kEINVAL;
  auto it = index_.find(key_of(key));
  if (it == index_.end()) return -kENOENT;
  free_.push_back(it->second);
  if (auto pos = lru_pos_.find(it->first); pos != lru_pos_.end()) {
    lru_.erase(pos->second);
    lru_pos_.erase(pos);
  }
  index_.erase(it);
  return 0;
}

int64_t MockMap::push(const uint8_t* value, uint64_t flags) {
  if (def_.type == MapType::BloomFilter) {
    // An exact set: the kernel's filter may also report false positives, never negatives.
    if (flags != kBpfAny) return -kEINVAL;
    if (!holds(value)) queue_.emplace_back(value, value + def_.value_size);
    return 0;
  }
  if (def_.type != MapType::Queue && def_.type != MapType::Stack) return -kEINVAL;
  if (flags & ~kBpfExist) return -kEINVAL;
  if (queue_.size() >= def_.max_entries) {
    if (flags != kBpfExist) return -kE2BIG;
    queue_.pop_front();  // BPF_EXIST: drop the oldest to make room
  }
  queue_.emplace_back(value, value + def_.value_size);
  return 0;
}

int64_t MockMap::pop(uint8_t* value, bool peek) {
  if (def_.type == MapType::BloomFilter) {
    if (!peek) return -kEOPNOTSUPP;
    return holds(value) ? 0 : -kENOENT;
  }
  if (def_.type != MapType::Queue && def_.type != MapType::Stack) return -kEINVAL;
  if (queue_.empty()) {
    std::memset(value, 0, def_.value_size);
    return -kENOENT;
  }
  const bool fifo = def_.type == MapType::Queue;
  const auto& v = fifo ? queue_.front() : queue_.back();
  std::memcpy(value, v.data(), def_.value_size);
  if (!peek) {
    if (fifo) queue_.pop_front();
    else queue_.pop_back();
  }
  return 0;
}

uint64_t MockMap::ringbuf_reserve(uint64_t size) {
  if (def_.type != MapType::Ringbuf || size == 0 || size > def_.max_entries) return 0;
  const uint64_t need = kRingbufHeader + ((size + 7) & ~uint64_t(7));
  // Nobody consumes during a run: records accumulate until the buffer is full.
  if (rb_used_ + need > def_.max_entries) return 0;
  const uint64_t addr = block_->addr() + rb_used_ + kRingbufHeader;
  std::memcpy(block_->data() + rb_used_, &size, 4);
  rb_used_ += need;
  rb_pending_[addr] = size;
  regions_->add(addr, size, true, "ringbuf record of " + map_label(def_));
  return addr;
}

bool MockMap::ringbuf_finish(uint64_t addr, std::vector<uint8_t>& out) {
  auto it = rb_pending_.find(addr);
  if (it == rb_pending_.end()) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(addr);
  out.assign(p, p + it->second);
  rb_pending_.erase(it);
  regions_->remove(addr);
  return true;
}

uint64_t MockMap::ringbuf_query(uint64_t flags) const {
  switch (flags) {
    case 0: return rb_used_;           // BPF_RB_AVAIL_DATA (never consumed)
    case 1: return def_.max_entries;   // BPF_RB_RING_SIZE
    case 2: return 0;                  // BPF_RB_CONS_POS
    case 3: return rb_used_;           // BPF_RB_PROD_POS
    default: return 0;
  }
}

int64_t MockMap::fd_at(uint32_t key) const { return key < fds_.size() ? fds_[key] : -1; }
void MockMap::set_fd(uint32_t key, int64_t v) {
  if (key < fds_.size()) fds_[key] = v;
}

MapSnapshot MockMap::snapshot(uint32_t cpus) const {
  MapSnapshot s;
  s.name = def_.name;
  s.type = def_.type;
  s.key_size = def_.key_size;
  s.value_size = def_.value_size;
  s.cpus = per_cpu() ? cpus : 1;
  auto value_of = [&](uint32_t slot) {
    std::vector<uint8_t> v;
    for (uint32_t c = 0; c < cpus_; ++c) {
      const uint8_t* p = slot_ptr(slot, c);
      v.insert(v.end(), p, p + def_.value_size);
    }
    return v;
  };
  auto key_bytes = [](uint32_t k) {
    std::vector<uint8_t> v(4);
    std::memcpy(v.data(), &k, 4);
    return v;
  };
  if (array_like()) {
    for (uint32_t i = 0; i < def_.max_entries; ++i) {
      auto v = value_of(i);
      // Large arrays: list only non-zero elements, like a sparse dump.
      if (def_.max_entries > 64 && std::all_of(v.begin(), v.end(), [](uint8_t b) { return b == 0; })) continue;
      s.entries.emplace_back(key_bytes(i), std::move(v));
    }
  } else if (hash_like()) {
    for (const auto& [k, slot] : index_)
      s.entries.emplace_back(std::vector<uint8_t>(k.begin(), k.end()), value_of(slot));
  } else if (def_.type == MapType::Queue || def_.type == MapType::Stack) {
    for (const auto& v : queue_) s.values.push_back(v);
    if (def_.type == MapType::Stack) std::reverse(s.values.begin(), s.values.end());
  } else if (!fds_.empty()) {
    for (uint32_t i = 0; i < fds_.size(); ++i) {
      if (fds_[i] < 0) continue;
      std::vector<uint8_t> v(4);
      const uint32_t x = static_cast<uint32_t>(fds_[i]);
      std::memcpy(v.data(), &x, 4);
      s.entries.emplace_back(key_bytes(i), v);
    }
  }
  return s;
}

}  // namespace bpfvet::jit
