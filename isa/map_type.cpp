// Map type names (program.h): the kernel's BPF_MAP_TYPE_* spelled as bpftool does.
#include "isa/program.h"

namespace bpfvet::isa {

const char* map_type_name(MapType t) {
  switch (t) {
    case MapType::Unspec: return "unspec";
    case MapType::Hash: return "hash";
    case MapType::Array: return "array";
    case MapType::ProgArray: return "prog_array";
    case MapType::PerfEventArray: return "perf_event_array";
    case MapType::PercpuHash: return "percpu_hash";
    case MapType::PercpuArray: return "percpu_array";
    case MapType::StackTrace: return "stack_trace";
    case MapType::CgroupArray: return "cgroup_array";
    case MapType::LruHash: return "lru_hash";
    case MapType::LruPercpuHash: return "lru_percpu_hash";
    case MapType::LpmTrie: return "lpm_trie";
    case MapType::ArrayOfMaps: return "array_of_maps";
    case MapType::HashOfMaps: return "hash_of_maps";
    case MapType::Devmap: return "devmap";
    case MapType::Sockmap: return "sockmap";
    case MapType::Cpumap: return "cpumap";
    case MapType::Xskmap: return "xskmap";
    case MapType::Sockhash: return "sockhash";
    case MapType::CgroupStorage: return "cgroup_storage";
    case MapType::ReuseportSockarray: return "reuseport_sockarray";
    case MapType::PercpuCgroupStorage: return "percpu_cgroup_storage";
    case MapType::Queue: return "queue";
    case MapType::Stack: return "stack";
    case MapType::SkStorage: return "sk_storage";
    case MapType::DevmapHash: return "devmap_hash";
    case MapType::StructOps: return "struct_ops";
    case MapType::Ringbuf: return "ringbuf";
    case MapType::InodeStorage: return "inode_storage";
    case MapType::TaskStorage: return "task_storage";
    case MapType::BloomFilter: return "bloom_filter";
    case MapType::UserRingbuf: return "user_ringbuf";
    case MapType::CgrpStorage: return "cgrp_storage";
    case MapType::Arena: return "arena";
  }
  return "unknown";
}

}  // namespace bpfvet::isa
