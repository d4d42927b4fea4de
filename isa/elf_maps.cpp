// Maps of an ELF object: legacy "maps", BTF ".maps", and global data sections (elf.h).
#include <algorithm>
#include <cstring>

#include "isa/elf.h"

namespace bpfvet::isa {
namespace {

constexpr uint32_t kMaxMapType = static_cast<uint32_t>(MapType::Arena);
constexpr uint32_t kRdonlyProg = 1u << 7;  // BPF_F_RDONLY_PROG
constexpr uint32_t kLegacyMinRecord = 16;  // type, key_size, value_size, max_entries
// Array map values above KMALLOC_MAX_SIZE (4 MiB on x86-64) cannot be created; well past
// that, a .bss of a hostile object's choosing must not make us allocate gigabytes.
constexpr uint64_t kMaxGlobalData = uint64_t{64} << 20;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// ".data", ".data.foo", ".rodata.str1.1", ".bss": libbpf's global data sections.
bool is_data_section(const ElfSection& s, bool* read_only) {
  if (s.flags & kShfExecinstr) return false;
  if (s.type != kShtProgbits && s.type != kShtNobits) return false;
  *read_only = s.name == ".rodata" || starts_with(s.name, ".rodata.");
  return *read_only || s.name == ".data" || starts_with(s.name, ".data.") || s.name == ".bss" ||
         starts_with(s.name, ".bss.");
}

Result<MapType> map_type(uint32_t v, const std::string& map) {
  if (v == 0 || v > kMaxMapType) return Error{"map '" + map + "': unknown map type " + std::to_string(v)};
  return static_cast<MapType>(v);
}

// Legacy definitions: struct bpf_map_def (libbpf, samples/bpf) and struct bpf_elf_map
// (iproute2) share their first five u32 fields, which is all a MapDef needs; the record
// size is the section size divided by the number of map symbols, as libbpf 0.x did.
Status collect_legacy(const ElfFile& elf, const ElfSection& sec, ObjectMaps& out) {
  std::vector<const ElfSymbol*> syms;
  for (const auto& s : elf.symbols)
    if (s.shndx == sec.index && s.type != kSttSection) syms.push_back(&s);
  if (syms.empty()) return Error{"legacy 'maps' section has no map symbols"};
  std::sort(syms.begin(), syms.end(), [](auto* a, auto* b) { return a->value < b->value; });
  const uint64_t rec = sec.size / syms.size();
  if (sec.size % syms.size() || rec < kLegacyMinRecord)
    return Error{"legacy 'maps' section of " + std::to_string(sec.size) + " bytes does not divide into " +
                 std::to_string(syms.size()) + " map definitions"};
  if (sec.data.size() < sec.size) return Error{"legacy 'maps' section has no contents"};
  for (const ElfSymbol* s : syms) {
    if (s->value % 4 || s->value + rec > sec.size)
      return Error{"map '" + s->name + "' at offset " + std::to_string(s->value) + " is outside the 'maps' section"};
    uint32_t f[5] = {};
    std::memcpy(f, sec.data.data() + s->value, std::min<uint64_t>(rec, sizeof f));
    MapDef m;
    m.name = s->name;
    auto t = map_type(f[0], m.name);
    if (!t) return t.error();
    m.type = *t;
    m.key_size = f[1];
    m.value_size = f[2];
    m.max_entries = f[3];
    m.flags = rec >= 20 ? f[4] : 0;
    out.by_location[{sec.index, s->value}] = static_cast<uint32_t>(out.maps.size());
    out.maps.push_back(std::move(m));
  }
  return Ok{};
}

// Reads one BTF map definition struct (__uint/__type/__array fields of bpf_helpers.h).
// `inner` receives the inner map template of a map-in-map, when it has one.
class BtfMapReader {
 public:
  explicit BtfMapReader(const Btf& btf) : btf_(btf) {}

  Status read(uint32_t struct_id, const std::string& name, bool is_inner, MapDef& m, std::optional<MapDef>& inner) {
    auto sid = btf_.resolve(struct_id);
    if (!sid) return sid.error();
    const BtfType* st = btf_.type(*sid);
    if (st->kind != BtfKind::Struct)
      return err(name, "definition is a " + btf_.type_name(*sid) + ", not a struct");
    m.name = name;
    bool has_key_size = false, has_value_size = false;
    for (const auto& mem : st->members) {
      const std::string& f = mem.name;
      if (f == "type") {
        auto v = uint_field(mem.type, name, f);
        if (!v) return v.error();
        auto t = map_type(static_cast<uint32_t>(std::min<uint64_t>(*v, UINT32_MAX)), name);
        if (!t) return t.error();
        m.type = *t;
      } else if (f == "max_entries" || f == "map_flags" || f == "key_size" || f == "value_size" ||
                 f == "numa_node" || f == "map_extra" || f == "pinning") {
        auto v64 = uint_field(mem.type, name, f);
        if (!v64) return v64.error();
        if (*v64 > UINT32_MAX && f != "map_extra")
          return err(name, "field '" + f + "' value " + std::to_string(*v64) + " does not fit 32 bits");
        const uint32_t v = static_cast<uint32_t>(*v64);
        if (f == "max_entries") m.max_entries = v;
        if (f == "map_flags") m.flags = v;
        if (f == "key_size") {
          if (m.btf_key_type_id && m.key_size != v) return err(name, "key_size " + std::to_string(v) + " contradicts the key type");
          m.key_size = v;
          has_key_size = true;
        }
        if (f == "value_size") {
          if (m.btf_value_type_id && m.value_size != v) return err(name, "value_size " + std::to_string(v) + " contradicts the value type");
          m.value_size = v;
          has_value_size = true;
        }
      } else if (f == "key" || f == "value") {
        auto pointee = pointee_of(mem.type, name, f);
        if (!pointee) return pointee.error();
        auto size = btf_.size_of(*pointee);
        if (!size) return err(name, f + ": " + size.message());
        const uint32_t sz = static_cast<uint32_t>(*size);
        uint32_t& dst = f == "key" ? m.key_size : m.value_size;
        if ((f == "key" ? has_key_size : has_value_size) && dst != sz)
          return err(name, f + " type of " + std::to_string(sz) + " bytes contradicts " + f + "_size " + std::to_string(dst));
        dst = sz;
        (f == "key" ? m.btf_key_type_id : m.btf_value_type_id) = *pointee;
        if (f == "value") m.spin_lock_off = spin_lock_offset(*pointee);
      } else if (f == "values") {
        if (is_inner) return err(name, "multi-level inner maps are not supported");
        Status st2 = read_values(mem.type, name, m, inner);
        if (!st2) return st2;
      } else {
        return err(name, "unknown field '" + f + "' in the map definition");
      }
    }
    if (m.type == MapType::Unspec) return err(name, "map definition has no type");
    return Ok{};
  }

 private:
  static Error err(const std::string& map, const std::string& what) { return Error{"map '" + map + "': " + what}; }

  // __uint(name, N) is `int (*name)[N]`: a pointer to an array whose length is the value.
  Result<uint64_t> uint_field(uint32_t type, const std::string& map, const std::string& f) {
    auto p = btf_.resolve(type);
    if (!p) return p.error();
    const BtfType* ptr = btf_.type(*p);
    // libbpf's __ulong(name, v) is `enum { unique = v } name`, for 64-bit values.
    if ((ptr->kind == BtfKind::Enum || ptr->kind == BtfKind::Enum64) && ptr->members.size() == 1) {
      return static_cast<uint64_t>(ptr->members[0].value);
    }
    if (ptr->kind != BtfKind::Ptr) return err(map, "field '" + f + "' is not __uint() (a pointer to an array)");
    auto a = btf_.resolve(ptr->type);
    if (!a) return a.error();
    const BtfType* arr = btf_.type(*a);
    if (arr->kind != BtfKind::Array) return err(map, "field '" + f + "' is not __uint() (a pointer to an array)");
    return uint64_t{arr->array_nelems};
  }

  // Byte offset of a top-level `struct bpf_spin_lock` member of the value type, as the
  // kernel's btf_parse_fields finds it; -1 when there is none.
  int32_t spin_lock_offset(uint32_t value_type) const {
    auto v = btf_.resolve(value_type);
    if (!v) return -1;
    const BtfType* st = btf_.type(*v);
    if (!st || st->kind != BtfKind::Struct) return -1;
    for (const BtfMember& mem : st->members) {
      auto t = btf_.resolve(mem.type);
      if (!t) continue;
      const BtfType* mt = btf_.type(*t);
      const uint32_t bits = st->kind_flag ? (mem.offset & 0xffffff) : mem.offset;
      if (mt && mt->kind == BtfKind::Struct && mt->name == "bpf_spin_lock" && bits % 8 == 0)
        return static_cast<int32_t>(bits / 8);
    }
    return -1;
  }

  // __type(name, T) is `T *name`.
  Result<uint32_t> pointee_of(uint32_t type, const std::string& map, const std::string& f) {
    auto p = btf_.resolve(type);
    if (!p) return p.error();
    const BtfType* ptr = btf_.type(*p);
    if (ptr->kind != BtfKind::Ptr) return err(map, "field '" + f + "' is not __type() (a pointer)");
    return ptr->type;
  }

  // __array(values, struct inner) is `struct inner *values[]`; prog arrays use a
  // function prototype instead of a struct.
  Status read_values(uint32_t type, const std::string& map, MapDef& m, std::optional<MapDef>& inner) {
    auto a = btf_.resolve(type);
    if (!a) return a.error();
    const BtfType* arr = btf_.type(*a);
    if (arr->kind != BtfKind::Array) return err(map, "field 'values' is not an array");
    auto p = btf_.resolve(arr->array_elem);
    if (!p) return p.error();
    const BtfType* ptr = btf_.type(*p);
    if (ptr->kind != BtfKind::Ptr) return err(map, "field 'values' is not an array of pointers");
    auto target = btf_.resolve(ptr->type);
    if (!target) return target.error();
    const BtfType* t = btf_.type(*target);
    if (m.value_size && m.value_size != 4) return err(map, "value_size must be 4 when 'values' is given");
    m.value_size = 4;
    if (t->kind == BtfKind::FuncProto) return Ok{};  // prog array initial values
    if (t->kind != BtfKind::Struct) return err(map, "'values' points to " + btf_.type_name(*target) + ", not a map definition");
    MapDef in;
    std::optional<MapDef> none;
    Status st = read(*target, map + ".inner", true, in, none);
    if (!st) return st;
    inner = std::move(in);
    return Ok{};
  }

  const Btf& btf_;
};

Status collect_btf_maps(const ElfFile& elf, const ElfSection& sec, const Btf* btf, ObjectMaps& out,
                        std::vector<std::pair<uint32_t, MapDef>>& inners) {
  if (!btf) return Error{"'.maps' section needs BTF, but the object has no .BTF section (compile with -g)"};
  auto ds_id = btf->find(".maps", BtfKind::Datasec);
  if (!ds_id) return Error{"'.maps' section has no DATASEC in BTF"};
  std::map<std::string_view, uint64_t> offsets;  // map symbol -> its offset in .maps
  for (const auto& s : elf.symbols)
    if (s.shndx == sec.index && s.type != kSttSection) offsets.emplace(s.name, s.value);
  BtfMapReader reader(*btf);
  for (const auto& var : btf->type(*ds_id)->members) {
    const BtfType* v = btf->type(var.type);
    if (v->kind != BtfKind::Var) return Error{"'.maps' DATASEC entry is a " + std::string(btf_kind_name(v->kind)) + ", not a variable"};
    // clang-14 leaves DATASEC offsets at 0 (libbpf fixes them up from the symbol table),
    // so the ELF symbol is where the definition really is.
    auto sym = offsets.find(v->name);
    const uint64_t offset = sym != offsets.end() ? sym->second : var.offset;
    MapDef m;
    std::optional<MapDef> inner;
    Status st = reader.read(v->type, v->name, false, m, inner);
    if (!st) return st;
    const bool map_in_map = m.type == MapType::ArrayOfMaps || m.type == MapType::HashOfMaps;
    if (map_in_map && !inner) return Error{"map '" + m.name + "': map-in-map needs an inner map definition (__array(values, ...))"};
    if (!map_in_map && inner) return Error{"map '" + m.name + "': only map-in-map types take an inner map definition"};
    const uint32_t idx = static_cast<uint32_t>(out.maps.size());
    if (inner) inners.emplace_back(idx, std::move(*inner));
    out.by_location[{sec.index, offset}] = idx;
    out.maps.push_back(std::move(m));
  }
  return Ok{};
}

}  // namespace

Result<ObjectMaps> collect_maps(const ElfFile& elf, const Btf* btf) {
  ObjectMaps out;
  if (const ElfSection* legacy = elf.find("maps")) {
    Status st = collect_legacy(elf, *legacy, out);
    if (!st) return st.error();
  }
  std::vector<std::pair<uint32_t, MapDef>> inners;
  if (const ElfSection* dotmaps = elf.find(".maps")) {
    Status st = collect_btf_maps(elf, *dotmaps, btf, out, inners);
    if (!st) return st.error();
  }
  for (const auto& sec : elf.sections) {
    bool read_only = false;
    if (!is_data_section(sec, &read_only) || sec.size == 0) continue;
    if (sec.size > kMaxGlobalData)
      return Error{"section '" + sec.name + "' is " + std::to_string(sec.size) + " bytes, too large for a global data map (the kernel's limit is a few MiB)"};
    MapDef m;
    m.name = sec.name;
    m.type = MapType::Array;
    m.key_size = 4;
    m.value_size = static_cast<uint32_t>(sec.size);
    m.max_entries = 1;
    m.global_data = true;
    m.read_only = read_only;
    m.flags = read_only ? kRdonlyProg : 0;
    m.initial = sec.type == kShtNobits ? std::vector<uint8_t>(sec.size, 0) : sec.data;
    if (btf)
      if (auto id = btf->find(sec.name, BtfKind::Datasec)) m.btf_value_type_id = *id;
    out.data_sections[sec.index] = static_cast<uint32_t>(out.maps.size());
    out.maps.push_back(std::move(m));
  }
  // Inner map templates go last so the real maps keep libbpf's indices.
  for (auto& [outer, inner] : inners) {
    out.maps[outer].inner_map = static_cast<int32_t>(out.maps.size());
    out.maps.push_back(std::move(inner));
  }
  return out;
}

}  // namespace bpfvet::isa
