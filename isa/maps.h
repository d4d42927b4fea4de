// Map types: what programs may do with each, and the kernel's creation checks.
//
// How it works: one table entry per enum bpf_map_type value with the facts the
// verifier needs at a helper call (which helpers accept the map, whether lookups
// return a value pointer that must be null-checked, whether the map is per-CPU)
// and the rules map_alloc_check()-style code in the kernel applies at
// BPF_MAP_CREATE (key and value sizes, max_entries, flags), so the verifier and
// the mock runtime reject a MapDef the kernel would refuse, with its reason.
#pragma once

#include <cstdint>

#include "isa/kernel_version.h"
#include "isa/program.h"
#include "isa/result.h"

namespace bpfvet::isa {

/// Facts of one map type.
struct MapTypeInfo {
  MapType type = MapType::Unspec;
  const char* name = "";  // "BPF_MAP_TYPE_HASH"
  KernelVersion since;
  bool lookup = false;             // bpf_map_lookup_elem allowed from programs
  bool update = false;             // bpf_map_update_elem allowed from programs
  bool remove = false;             // bpf_map_delete_elem allowed from programs
  bool push_pop_peek = false;      // queue/stack: bpf_map_push/pop/peek_elem
  bool lookup_may_be_null = true;  // lookup result needs a null check
  bool key_is_u32_index = false;   // arrays: key_size must be 4, key is an index
  bool per_cpu = false;
  bool fd_array = false;              // values are fds/objects (prog array, map-in-map, sockmap...)
  bool no_key = false;                // key_size must be 0 (queue, stack, ringbuf, bloom filter)
  bool special_helpers_only = false;  // only the helpers listed by map_helper_compatible
};

/// The facts of a map type (Unspec for values outside the enum).
const MapTypeInfo& map_type_info(MapType t);
/// Whether `helper_id` may take a map of type `t` as its ConstMapPtr argument, in
/// both directions of the kernel's check_map_func_compatibility(): ringbufs only
/// go to bpf_ringbuf_*, prog arrays only to bpf_tail_call, and bpf_tail_call only
/// takes prog arrays, and so on.
bool map_helper_compatible(MapType t, int32_t helper_id);
/// The kernel's BPF_MAP_CREATE checks for this definition (key/value sizes,
/// max_entries, flags), as an Error worded with the map's name, or Ok.
Status check_map_def(const MapDef& m);
/// Bytes a lookup's value pointer covers (value_size; per-CPU maps too, since a
/// program sees its own CPU's copy).
uint32_t map_value_size(const MapDef& m);
/// Whether programs may read / write the map's values (the kernel's
/// bpf_map_flags_to_cap(): BPF_F_RDONLY_PROG forbids writes, BPF_F_WRONLY_PROG reads).
bool map_prog_can_read(const MapDef& m);
bool map_prog_can_write(const MapDef& m);

}  // namespace bpfvet::isa
