// Map type facts and the kernel's map creation checks.
#include "isa/maps.h"

#include <array>
#include <cstdio>
#include <initializer_list>
#include <string>

#include "isa/helpers.h"

namespace bpfvet::isa {
namespace {

// Map creation flags (enum in uapi bpf.h).
constexpr uint32_t kNoPrealloc = 1u << 0;
constexpr uint32_t kNoCommonLru = 1u << 1;
constexpr uint32_t kNumaNode = 1u << 2;
constexpr uint32_t kAccessMask = (1u << 3) | (1u << 4) | (1u << 7) | (1u << 8);  // RDONLY, WRONLY, *_PROG
constexpr uint32_t kStackBuildId = 1u << 5;
constexpr uint32_t kZeroSeed = 1u << 6;
constexpr uint32_t kClone = 1u << 9;
constexpr uint32_t kMmapable = 1u << 10;
constexpr uint32_t kPreserveElems = 1u << 11;
constexpr uint32_t kInnerMap = 1u << 12;
constexpr uint32_t kSegvOnFault = 1u << 17;
constexpr uint32_t kNoUserConv = 1u << 18;

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kPcpuMinUnitSize = 32768;  // per-CPU value size limit
constexpr uint32_t kMaxBpfStack = 512;        // hash keys live on the stack
constexpr uint32_t kNrCpus = 8192;            // CONFIG_NR_CPUS of distribution kernels (a cpumap limit)

using MT = MapType;
constexpr KernelVersion V(uint8_t a, uint8_t b) { return KernelVersion{a, b}; }

// clang-format off
// Field order: type, name, since, lookup, update, remove, push_pop_peek,
// lookup_may_be_null, key_is_u32_index, per_cpu, fd_array, no_key, special_helpers_only.
constexpr std::array<MapTypeInfo, 34> kMaps = {{
    {MT::Unspec, "BPF_MAP_TYPE_UNSPEC", V(0, 0), false, false, false, false, true, false, false, false, false, true},
    {MT::Hash, "BPF_MAP_TYPE_HASH", V(3, 19), true, true, true, false, true, false, false, false, false, false},
    {MT::Array, "BPF_MAP_TYPE_ARRAY", V(3, 19), true, true, true, false, true, true, false, false, false, false},
    {MT::ProgArray, "BPF_MAP_TYPE_PROG_ARRAY", V(4, 2), false, false, false, false, true, true, false, true, false, true},
    {MT::PerfEventArray, "BPF_MAP_TYPE_PERF_EVENT_ARRAY", V(4, 3), false, false, false, false, true, true, false, true, false, true},
    {MT::PercpuHash, "BPF_MAP_TYPE_PERCPU_HASH", V(4, 6), true, true, true, false, true, false, true, false, false, false},
    {MT::PercpuArray, "BPF_MAP_TYPE_PERCPU_ARRAY", V(4, 6), true, true, true, false, true, true, true, false, false, false},
    {MT::StackTrace, "BPF_MAP_TYPE_STACK_TRACE", V(4, 6), false, false, false, false, true, true, false, false, false, true},
    {MT::CgroupArray, "BPF_MAP_TYPE_CGROUP_ARRAY", V(4, 8), false, false, false, false, true, true, false, true, false, true},
    {MT::LruHash, "BPF_MAP_TYPE_LRU_HASH", V(4, 10), true, true, true, false, true, false, false, false, false, false},
    {MT::LruPercpuHash, "BPF_MAP_TYPE_LRU_PERCPU_HASH", V(4, 10), true, true, true, false, true, false, true, false, false, false},
    {MT::LpmTrie, "BPF_MAP_TYPE_LPM_TRIE", V(4, 11), true, true, true, false, true, false, false, false, false, false},
    {MT::ArrayOfMaps, "BPF_MAP_TYPE_ARRAY_OF_MAPS", V(4, 12), true, false, false, false, true, true, false, true, false, false},
    {MT::HashOfMaps, "BPF_MAP_TYPE_HASH_OF_MAPS", V(4, 12), true, false, false, false, true, false, false, true, false, false},
    {MT::Devmap, "BPF_MAP_TYPE_DEVMAP", V(4, 14), true, false, false, false, true, true, false, true, false, true},
    {MT::Sockmap, "BPF_MAP_TYPE_SOCKMAP", V(4, 14), true, true, true, false, true, true, false, true, false, true},
    {MT::Cpumap, "BPF_MAP_TYPE_CPUMAP", V(4, 15), false, false, false, false, true, true, false, true, false, true},
    {MT::Xskmap, "BPF_MAP_TYPE_XSKMAP", V(4, 18), true, false, false, false, true, true, false, true, false, true},
    {MT::Sockhash, "BPF_MAP_TYPE_SOCKHASH", V(4, 18), true, true, true, false, true, false, false, true, false, true},
    {MT::CgroupStorage, "BPF_MAP_TYPE_CGROUP_STORAGE", V(4, 19), false, false, false, false, false, false, false, false, false, true},
    {MT::ReuseportSockarray, "BPF_MAP_TYPE_REUSEPORT_SOCKARRAY", V(4, 19), false, false, false, false, true, true, false, true, false, true},
    {MT::PercpuCgroupStorage, "BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE", V(4, 20), false, false, false, false, false, false, true, false, false, true},
    {MT::Queue, "BPF_MAP_TYPE_QUEUE", V(4, 20), false, false, false, true, true, false, false, false, true, true},
    {MT::Stack, "BPF_MAP_TYPE_STACK", V(4, 20), false, false, false, true, true, false, false, false, true, true},
    {MT::SkStorage, "BPF_MAP_TYPE_SK_STORAGE", V(5, 2), false, false, false, false, true, false, false, false, false, true},
    {MT::DevmapHash, "BPF_MAP_TYPE_DEVMAP_HASH", V(5, 4), true, false, false, false, true, false, false, true, false, true},
    {MT::StructOps, "BPF_MAP_TYPE_STRUCT_OPS", V(5, 6), false, false, false, false, true, true, false, false, false, true},
    {MT::Ringbuf, "BPF_MAP_TYPE_RINGBUF", V(5, 8), false, false, false, false, true, false, false, false, true, true},
    {MT::InodeStorage, "BPF_MAP_TYPE_INODE_STORAGE", V(5, 10), false, false, false, false, true, false, false, false, false, true},
    {MT::TaskStorage, "BPF_MAP_TYPE_TASK_STORAGE", V(5, 11), false, false, false, false, true, false, false, false, false, true},
    {MT::BloomFilter, "BPF_MAP_TYPE_BLOOM_FILTER", V(5, 16), false, false, false, true, true, false, false, false, true, true},
    {MT::UserRingbuf, "BPF_MAP_TYPE_USER_RINGBUF", V(6, 1), false, false, false, false, true, false, false, false, true, true},
    {MT::CgrpStorage, "BPF_MAP_TYPE_CGRP_STORAGE", V(6, 2), false, false, false, false, true, false, false, false, false, true},
    {MT::Arena, "BPF_MAP_TYPE_ARENA", V(6, 9), false, false, false, false, true, false, false, false, true, true},
}};

// clang-format on

static_assert(
    [] {
      for (size_t i = 0; i < kMaps.size(); ++i)
        if (static_cast<size_t>(kMaps[i].type) != i) return false;
      return true;
    }(),
    "kMaps is indexed by enum bpf_map_type");

bool is_one_of(int32_t v, std::initializer_list<int32_t> vs) {
  for (int32_t x : vs)
    if (x == v) return true;
  return false;
}

constexpr uint64_t bit(MapType t) { return uint64_t{1} << static_cast<uint32_t>(t); }
template <typename... Ts>
constexpr uint64_t bits(Ts... ts) {
  return (bit(ts) | ...);
}

// Map types a helper's ConstMapPtr argument accepts when the helper is restricted
// to specific maps (the helper side of check_map_func_compatibility), as a bit set
// over MapType; 0 when any map type may come (subject to the map side).
// clang-format off
uint64_t maps_for_helper(int32_t id) {
  switch (id) {
    case 12: return bit(MT::ProgArray);                               // tail_call
    case 22: case 25: case 55: case 111: case 121: return bit(MT::PerfEventArray);
    case 27: return bit(MT::StackTrace);                              // get_stackid
    case 33: case 37: return bit(MT::CgroupArray);                    // skb/current_task_under_cgroup
    case 51: return bits(MT::Devmap, MT::DevmapHash, MT::Cpumap, MT::Xskmap);  // redirect_map
    case 52: case 53: case 60: return bit(MT::Sockmap);
    case 70: case 71: case 72: return bit(MT::Sockhash);
    case 81: return bits(MT::CgroupStorage, MT::PercpuCgroupStorage);  // get_local_storage
    case 82: return bits(MT::ReuseportSockarray, MT::Sockmap, MT::Sockhash);  // sk_select_reuseport
    case 87: case 89: return bits(MT::Queue, MT::Stack, MT::BloomFilter);  // push, peek
    case 88: return bits(MT::Queue, MT::Stack);                       // pop
    case 107: case 108: return bit(MT::SkStorage);
    case 130: case 131: case 134: case 198: return bit(MT::Ringbuf);
    case 145: case 146: return bit(MT::InodeStorage);
    case 156: case 157: return bit(MT::TaskStorage);
    case 164: return bits(MT::Hash, MT::LruHash, MT::Array, MT::PercpuHash, MT::PercpuArray,
                          MT::LruPercpuHash);                         // for_each_map_elem
    case 195: return bits(MT::PercpuHash, MT::PercpuArray, MT::LruPercpuHash);  // lookup_percpu_elem
    case 209: return bit(MT::UserRingbuf);
    case 210: case 211: return bit(MT::CgrpStorage);
    default: return 0;
  }
}

// Helpers a restricted map type accepts (the map side of the same check).
bool map_accepts_helper(MapType t, int32_t id) {
  switch (t) {
    case MT::ProgArray: return id == 12;
    case MT::PerfEventArray: return maps_for_helper(id) == bit(MT::PerfEventArray);
    case MT::Ringbuf: return is_one_of(id, {130, 131, 134, 198});
    case MT::UserRingbuf: return id == 209;
    case MT::StackTrace: return id == 27;
    case MT::CgroupArray: return id == 33 || id == 37;
    case MT::CgroupStorage:
    case MT::PercpuCgroupStorage: return id == 81;
    case MT::Devmap:
    case MT::DevmapHash:
    case MT::Xskmap: return id == 51 || id == 1;
    case MT::Cpumap: return id == 51;
    case MT::Sockmap: return is_one_of(id, {52, 53, 60, 82, 1, 2, 3});
    case MT::Sockhash: return is_one_of(id, {70, 71, 72, 82, 1, 2, 3});
    case MT::ReuseportSockarray: return id == 82;
    case MT::Queue:
    case MT::Stack: return is_one_of(id, {87, 88, 89});
    case MT::BloomFilter: return id == 87 || id == 89;
    case MT::SkStorage: return id == 107 || id == 108;
    case MT::InodeStorage: return id == 145 || id == 146;
    case MT::TaskStorage: return id == 156 || id == 157;
    case MT::CgrpStorage: return id == 210 || id == 211;
    case MT::ArrayOfMaps:
    case MT::HashOfMaps: return id == 1;  // programs only look the inner map up
    case MT::StructOps:
    case MT::Arena:
    case MT::Unspec: return false;
    default: return true;
  }
}

// clang-format on

bool is_power_of_2(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

const MapTypeInfo& map_type_info(MapType t) {
  auto i = static_cast<uint32_t>(t);
  return i < kMaps.size() ? kMaps[i] : kMaps[0];
}

bool map_helper_compatible(MapType t, int32_t helper_id) {
  if (!map_accepts_helper(t, helper_id)) return false;
  const uint64_t wanted = maps_for_helper(helper_id);
  return wanted == 0 || (wanted & bit(t)) != 0;
}

uint32_t map_value_size(const MapDef& m) { return m.value_size; }

namespace {
constexpr uint32_t kRdonlyProg = 1u << 7;  // BPF_F_RDONLY_PROG
constexpr uint32_t kWronlyProg = 1u << 8;  // BPF_F_WRONLY_PROG
}  // namespace

// RDONLY_PROG wins when both are set, as in the kernel.
bool map_prog_can_read(const MapDef& m) { return (m.flags & kRdonlyProg) || !(m.flags & kWronlyProg); }
bool map_prog_can_write(const MapDef& m) { return !m.read_only && !(m.flags & kRdonlyProg); }

Status check_map_def(const MapDef& m) {
  const MapTypeInfo& info = map_type_info(m.type);
  const std::string who = "map '" + m.name + "' (" + info.name + ")";
  auto fail = [&](const std::string& why) { return Status(Error{who + ": " + why}); };
  if (m.type == MT::Unspec || info.type != m.type)
    return Status(
        Error{"map '" + m.name + "': unknown map type " + std::to_string(static_cast<uint32_t>(m.type))});
  const uint32_t known_flags = (1u << 19) - 1;
  if (m.flags & ~known_flags)
    return fail("unknown flags 0x" + [&] {
      char buf[16];
      snprintf(buf, sizeof buf, "%x", m.flags & ~known_flags);
      return std::string(buf);
    }());

  auto key_is = [&](uint32_t want) -> Status {
    if (m.key_size != want)
      return fail("key_size must be " + std::to_string(want) + ", not " + std::to_string(m.key_size));
    return Ok{};
  };
  auto value_in = [&](uint32_t lo, uint32_t hi) -> Status {
    if (m.value_size < lo || m.value_size > hi)
      return fail("value_size " + std::to_string(m.value_size) + " out of range [" + std::to_string(lo) +
                  ", " + std::to_string(hi) + "]");
    return Ok{};
  };
  auto entries_positive = [&]() -> Status {
    if (m.max_entries == 0) return fail("max_entries must be positive");
    return Ok{};
  };
  auto flags_within = [&](uint32_t allowed) -> Status {
    if (m.flags & ~allowed) return fail("flags not supported by this map type");
    return Ok{};
  };
  auto value_4_or_8 = [&]() -> Status {
    if (m.value_size != 4 && m.value_size != 8)
      return fail("value_size must be 4 or 8, not " + std::to_string(m.value_size));
    return Ok{};
  };
  auto all = [](std::initializer_list<Status> ss) -> Status {
    for (const auto& s : ss)
      if (!s) return s;
    return Ok{};
  };
  const uint32_t big = 1u << 30;  // a value_size past this fails allocation in any kernel

  switch (m.type) {
    case MT::Array:
    case MT::PercpuArray: {
      uint32_t allowed = kNumaNode | kAccessMask | kInnerMap | (m.type == MT::Array ? kMmapable : 0);
      return all({key_is(4), value_in(1, m.type == MT::PercpuArray ? kPcpuMinUnitSize : big),
                  entries_positive(), flags_within(allowed)});
    }
    case MT::ProgArray:
    case MT::CgroupArray:
    case MT::ArrayOfMaps:
      return all(
          {key_is(4), value_in(4, 4), entries_positive(), flags_within(kNumaNode | kAccessMask | kInnerMap)});
    case MT::PerfEventArray:
      return all({key_is(4), value_in(4, 4), entries_positive(),
                  flags_within(kNumaNode | kAccessMask | kInnerMap | kPreserveElems)});
    case MT::Hash:
    case MT::PercpuHash:
    case MT::LruHash:
    case MT::LruPercpuHash:
    case MT::HashOfMaps: {
      const bool lru = m.type == MT::LruHash || m.type == MT::LruPercpuHash;
      const bool pcpu = m.type == MT::PercpuHash || m.type == MT::LruPercpuHash;
      if (m.key_size == 0 || m.key_size > kMaxBpfStack)
        return fail("key_size must be in [1, 512], not " + std::to_string(m.key_size));
      if (m.type == MT::HashOfMaps)
        return all({value_in(4, 4), entries_positive(),
                    flags_within(kNoPrealloc | kNumaNode | kAccessMask | kZeroSeed)});
      if (lru && (m.flags & kNoPrealloc)) return fail("LRU maps are always preallocated (BPF_F_NO_PREALLOC)");
      if (!lru && (m.flags & kNoCommonLru)) return fail("BPF_F_NO_COMMON_LRU needs an LRU map");
      return all({value_in(1, pcpu ? kPcpuMinUnitSize : big), entries_positive(),
                  flags_within(kNoPrealloc | kNoCommonLru | kNumaNode | kAccessMask | kZeroSeed)});
    }
    case MT::StackTrace:
      if (m.value_size < 8 || m.value_size % 8 != 0)
        return fail("value_size must be a positive multiple of 8, not " + std::to_string(m.value_size));
      return all({key_is(4), entries_positive(), flags_within(kNumaNode | kAccessMask | kStackBuildId)});
    case MT::LpmTrie:
      if (m.key_size < 5 || m.key_size > 4 + 256)
        return fail("key_size must be in [5, 260] (4-byte prefix length plus data), not " +
                    std::to_string(m.key_size));
      if (!(m.flags & kNoPrealloc)) return fail("needs BPF_F_NO_PREALLOC");
      return all(
          {value_in(1, 4096 * 2), entries_positive(), flags_within(kNoPrealloc | kNumaNode | kAccessMask)});
    case MT::Cpumap:
      if (m.max_entries > kNrCpus)
        return fail("max_entries " + std::to_string(m.max_entries) + " exceeds NR_CPUS (" +
                    std::to_string(kNrCpus) + ")");
      return all({key_is(4), value_4_or_8(), entries_positive(), flags_within(kNumaNode | kAccessMask)});
    case MT::Devmap:
    case MT::Sockmap:
    case MT::ReuseportSockarray:
      return all({key_is(4), value_4_or_8(), entries_positive(), flags_within(kNumaNode | kAccessMask)});
    case MT::DevmapHash:
      return all({key_is(4), value_4_or_8(), entries_positive(), flags_within(kNumaNode | kAccessMask)});
    case MT::Sockhash:
      if (m.key_size == 0) return fail("key_size must be positive");
      return all({value_4_or_8(), entries_positive(), flags_within(kNumaNode | kAccessMask)});
    case MT::Xskmap:
      return all({key_is(4), value_in(4, 4), entries_positive(), flags_within(kNumaNode | kAccessMask)});
    case MT::CgroupStorage:
    case MT::PercpuCgroupStorage:
      if (m.key_size != 8 && m.key_size != 16)
        return fail("key_size must be 8 (cgroup id) or 16 (struct bpf_cgroup_storage_key), not " +
                    std::to_string(m.key_size));
      if (m.max_entries != 0) return fail("max_entries must be 0");
      return all({value_in(1, m.type == MT::PercpuCgroupStorage ? kPcpuMinUnitSize : kPageSize),
                  flags_within(kNumaNode | kAccessMask)});
    case MT::Queue:
    case MT::Stack:
      return all({key_is(0), value_in(1, big), entries_positive(), flags_within(kNumaNode | kAccessMask)});
    case MT::BloomFilter:
      return all({key_is(0), value_in(1, big), entries_positive(),
                  flags_within(kNumaNode | kAccessMask | kZeroSeed)});
    case MT::SkStorage:
    case MT::InodeStorage:
    case MT::TaskStorage:
    case MT::CgrpStorage:
      if (!(m.flags & kNoPrealloc)) return fail("needs BPF_F_NO_PREALLOC");
      if (m.max_entries != 0) return fail("max_entries must be 0");
      if (m.btf_value_type_id == 0 && m.btf_key_type_id == 0 && !m.global_data && m.value_size == 0)
        return fail("value_size must be positive");
      return all({key_is(4), value_in(1, big), flags_within(kNoPrealloc | kClone | kAccessMask)});
    case MT::Ringbuf:
    case MT::UserRingbuf:
      if (m.key_size != 0 || m.value_size != 0) return fail("key_size and value_size must be 0");
      if (!is_power_of_2(m.max_entries) || m.max_entries % kPageSize != 0)
        return fail("max_entries " + std::to_string(m.max_entries) +
                    " must be a power of 2 and a multiple of the page size (4096)");
      return flags_within(kNumaNode);
    case MT::StructOps:
      return all({key_is(4), entries_positive()});
    case MT::Arena:
      if (m.key_size != 0 || m.value_size != 0) return fail("key_size and value_size must be 0");
      if (!(m.flags & kMmapable)) return fail("needs BPF_F_MMAPABLE");
      return all({entries_positive(), flags_within(kMmapable | kNumaNode | kSegvOnFault | kNoUserConv)});
    case MT::Unspec:
      break;
  }
  return fail("unknown map type");
}

}  // namespace bpfvet::isa
