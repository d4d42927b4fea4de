// A map definition in one call, for tests that build programs by hand rather than
// load them from an object file.
#pragma once

#include <cstdint>
#include <string>

#include "isa/program.h"

namespace bpfvet::testsupport {

/// A MapDef named `name` of type `t` with the given key, value, entry count and flags.
inline isa::MapDef map_def(std::string name, isa::MapType t, uint32_t key, uint32_t value, uint32_t entries,
                           uint32_t flags = 0) {
  isa::MapDef d;
  d.name = std::move(name);
  d.type = t;
  d.key_size = key;
  d.value_size = value;
  d.max_entries = entries;
  d.flags = flags;
  return d;
}

}  // namespace bpfvet::testsupport
