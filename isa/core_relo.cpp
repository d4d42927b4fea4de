// CO-RE relocations (core_relo.h): local spec, candidate matching, value, patching.
#include "isa/core_relo.h"

#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>

#include "isa/elf.h"  // is_elf

namespace bpfvet::isa {
namespace {

constexpr int kMaxDepth = 32;       // nesting of types walked by compatibility checks
constexpr size_t kMaxSpecLen = 64;  // access string components (libbpf: BPF_CORE_SPEC_MAX_LEN)

bool is_field_kind(uint32_t k) { return k <= static_cast<uint32_t>(CoreReloKind::FieldRshiftU64); }
bool is_type_kind(uint32_t k) {
  return (k >= static_cast<uint32_t>(CoreReloKind::TypeIdLocal) &&
          k <= static_cast<uint32_t>(CoreReloKind::TypeSize)) ||
         k == static_cast<uint32_t>(CoreReloKind::TypeMatches);
}
bool is_enumval_kind(uint32_t k) {
  return k == static_cast<uint32_t>(CoreReloKind::EnumvalExists) ||
         k == static_cast<uint32_t>(CoreReloKind::EnumvalValue);
}
bool is_composite(const BtfType& t) { return t.kind == BtfKind::Struct || t.kind == BtfKind::Union; }
bool is_any_enum(const BtfType& t) { return t.kind == BtfKind::Enum || t.kind == BtfKind::Enum64; }
uint32_t member_bit_offset(const BtfType& t, const BtfMember& m) {
  return t.kind_flag ? m.offset & 0xffffff : m.offset;
}
uint32_t member_bitfield_size(const BtfType& t, const BtfMember& m) {
  return t.kind_flag ? m.offset >> 24 : 0;
}
constexpr uint32_t kIntSigned = 1;
uint32_t int_encoding(const BtfType& t) { return (t.int_encoding >> 24) & 0x0f; }
uint32_t int_offset(const BtfType& t) { return (t.int_encoding >> 16) & 0xff; }

// "task_struct___old" -> "task_struct": libbpf ignores a ___suffix when matching names.
std::string_view essential_name(std::string_view n) {
  const size_t p = n.find("___");
  return p == std::string_view::npos ? n : n.substr(0, p);
}

Error relo_error(const Btf& local, const CoreRelo& r, const std::string& what) {
  return Error{"CO-RE relocation " + describe_core_relo(local, r) + ": " + what};
}

// Follows modifiers and typedefs; null when the id is bad or the chain loops.
const BtfType* skip_mods(const Btf& btf, uint32_t id, uint32_t* out_id = nullptr) {
  auto r = btf.resolve(id);
  if (!r) return nullptr;
  if (out_id) *out_id = *r;
  return btf.type(*r);
}

// Kinds CO-RE treats as the same: equal kinds, or enum against enum64.
bool kinds_compat(const BtfType& a, const BtfType& b) {
  return a.kind == b.kind || (is_any_enum(a) && is_any_enum(b));
}

// One step of a spec: into a composite (a named member) or an array (an element).
struct Accessor {
  uint32_t type_id = 0;  // the composite or array being accessed (modifiers skipped)
  uint32_t idx = 0;
  std::string name;  // member or enumerator name; "" for array access
};

struct Spec {
  const Btf* btf = nullptr;
  uint32_t root_type_id = 0;
  std::vector<Accessor> spec;  // named member and array accessors
  std::vector<uint32_t> raw;   // every index, anonymous members included
  uint64_t bit_offset = 0;
};

Result<std::vector<uint32_t>> parse_access(std::string_view s) {
  std::vector<uint32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    uint64_t v = 0;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > INT_MAX) return Error{"access string '" + std::string(s) + "' has an index out of range"};
      ++i;
    }
    if (i == start) return Error{"access string '" + std::string(s) + "' is malformed"};
    out.push_back(static_cast<uint32_t>(v));
    if (out.size() > kMaxSpecLen) return Error{"access string '" + std::string(s) + "' is too long"};
    if (i < s.size() && s[i++] != ':') return Error{"access string '" + std::string(s) + "' is malformed"};
  }
  if (out.empty()) return Error{"access string is empty"};
  return out;
}

// Is the array accessed at `parent` the last member of a struct with 0 elements?
bool is_flex_array(const Btf& btf, const Accessor* parent, const BtfType& arr) {
  if (arr.array_nelems != 0 || !parent || parent->name.empty()) return false;
  const BtfType* t = btf.type(parent->type_id);
  return t && is_composite(*t) && parent->idx + 1 == t->vlen;
}

// The local spec of a relocation (libbpf's bpf_core_parse_spec).
Result<Spec> parse_spec(const Btf& btf, uint32_t type_id, std::string_view access, uint32_t kind) {
  auto raw = parse_access(access);
  if (!raw) return raw.error();
  Spec s;
  s.btf = &btf;
  s.root_type_id = type_id;
  s.raw = *raw;
  if (is_type_kind(kind)) {
    if (raw->size() != 1 || (*raw)[0] != 0)
      return Error{"type relocation with access string '" + std::string(access) + "'"};
    return s;
  }
  uint32_t id = 0;
  const BtfType* t = skip_mods(btf, type_id, &id);
  if (!t) return Error{"bad root type id " + std::to_string(type_id)};
  if (is_enumval_kind(kind)) {
    if (!is_any_enum(*t) || raw->size() != 1 || (*raw)[0] >= t->members.size())
      return Error{"enum value relocation with access string '" + std::string(access) + "'"};
    s.spec.push_back(Accessor{id, (*raw)[0], t->members[(*raw)[0]].name});
    return s;
  }
  if (!is_field_kind(kind)) return Error{"unknown relocation kind " + std::to_string(kind)};
  auto sz = btf.size_of(id);
  if (!sz) return sz.error();
  s.spec.push_back(Accessor{id, (*raw)[0], ""});
  s.bit_offset = uint64_t{(*raw)[0]} * *sz * 8;
  for (size_t i = 1; i < raw->size(); ++i) {
    const uint32_t idx = (*raw)[i];
    t = skip_mods(btf, id, &id);
    if (!t) return Error{"bad type id " + std::to_string(id)};
    if (is_composite(*t)) {
      if (idx >= t->members.size())
        return Error{"member index " + std::to_string(idx) + " out of range in " + btf.type_name(id)};
      const BtfMember& m = t->members[idx];
      s.bit_offset += member_bit_offset(*t, m);
      if (!m.name.empty()) s.spec.push_back(Accessor{id, idx, m.name});
      id = m.type;
    } else if (t->kind == BtfKind::Array) {
      const bool flex = is_flex_array(btf, s.spec.empty() ? nullptr : &s.spec.back(), *t);
      if (!flex && idx >= t->array_nelems)
        return Error{"array index " + std::to_string(idx) + " out of range"};
      if (!skip_mods(btf, t->array_elem, &id)) return Error{"bad array element type"};
      s.spec.push_back(Accessor{id, idx, ""});  // array accessors hold the element type
      auto esz = btf.size_of(id);
      if (!esz) return esz.error();
      s.bit_offset += uint64_t{idx} * *esz * 8;
    } else {
      return Error{"access string '" + std::string(access) + "' goes into " + btf.type_name(id) +
                   ", which is neither a struct, union nor array"};
    }
  }
  return s;
}

// libbpf's bpf_core_fields_are_compat.
bool fields_compat(const Btf& lb, uint32_t lid, const Btf& tb, uint32_t tid) {
  for (int depth = 0; depth < kMaxDepth; ++depth) {
    const BtfType* l = skip_mods(lb, lid, &lid);
    const BtfType* t = skip_mods(tb, tid, &tid);
    if (!l || !t) return false;
    if (is_composite(*l) && is_composite(*t)) return true;
    if (!kinds_compat(*l, *t)) return false;
    switch (l->kind) {
      case BtfKind::Ptr:
      case BtfKind::Float:
        return true;
      case BtfKind::Fwd:
      case BtfKind::Enum:
      case BtfKind::Enum64:
        return essential_name(l->name) == essential_name(t->name);
      case BtfKind::Int:
        return int_offset(*l) == 0 && int_offset(*t) == 0;
      case BtfKind::Array:
        lid = l->array_elem;
        tid = t->array_elem;
        continue;
      default:
        return false;
    }
  }
  return false;
}

// libbpf's bpf_core_types_are_compat (type-based relocations).
bool types_compat(const Btf& lb, uint32_t lid, const Btf& tb, uint32_t tid, int depth = 0) {
  if (depth > kMaxDepth) return false;
  const BtfType* l = skip_mods(lb, lid, &lid);
  const BtfType* t = skip_mods(tb, tid, &tid);
  if (!l || !t || !kinds_compat(*l, *t)) return false;
  switch (l->kind) {
    case BtfKind::Void:
    case BtfKind::Struct:
    case BtfKind::Union:
    case BtfKind::Enum:
    case BtfKind::Enum64:
    case BtfKind::Fwd:
    case BtfKind::Float:
      return true;
    case BtfKind::Int:
      return int_offset(*l) == 0 && int_offset(*t) == 0;
    case BtfKind::Ptr:
      return types_compat(lb, l->type, tb, t->type, depth + 1);
    case BtfKind::Array:
      return types_compat(lb, l->array_elem, tb, t->array_elem, depth + 1);
    case BtfKind::FuncProto:
      if (l->members.size() != t->members.size()) return false;
      for (size_t i = 0; i < l->members.size(); ++i)
        if (!types_compat(lb, l->members[i].type, tb, t->members[i].type, depth + 1)) return false;
      return types_compat(lb, l->type, tb, t->type, depth + 1);
    default:
      return false;
  }
}

// A stricter check for type_matches: same shape, every local member or enumerator
// present by name in the target, integers of the same size and signedness.
bool types_match(const Btf& lb, uint32_t lid, const Btf& tb, uint32_t tid, int depth = 0) {
  if (depth > kMaxDepth) return false;
  const BtfType* l = skip_mods(lb, lid, &lid);
  const BtfType* t = skip_mods(tb, tid, &tid);
  if (!l || !t || !kinds_compat(*l, *t)) return false;
  const bool named = !l->name.empty() && is_composite(*l);
  if (named && essential_name(l->name) != essential_name(t->name)) return false;
  switch (l->kind) {
    case BtfKind::Int:
      return l->size == t->size && (int_encoding(*l) & kIntSigned) == (int_encoding(*t) & kIntSigned);
    case BtfKind::Enum:
    case BtfKind::Enum64:
      for (const auto& m : l->members) {
        bool found = false;
        for (const auto& tm : t->members) found |= essential_name(m.name) == essential_name(tm.name);
        if (!found) return false;
      }
      return l->size == t->size;
    case BtfKind::Struct:
    case BtfKind::Union:
      if (l->members.size() > t->members.size()) return false;
      for (const auto& m : l->members) {
        const BtfMember* tm = nullptr;
        for (const auto& c : t->members)
          if (c.name == m.name) tm = &c;
        if (!tm || !types_match(lb, m.type, tb, tm->type, depth + 1)) return false;
      }
      return true;
    case BtfKind::Ptr:
      return types_match(lb, l->type, tb, t->type, depth + 1);
    case BtfKind::Array:
      return l->array_nelems == t->array_nelems &&
             types_match(lb, l->array_elem, tb, t->array_elem, depth + 1);
    default:
      return types_compat(lb, lid, tb, tid, depth);
  }
}

// Finds the member named like local accessor `acc` inside target composite `tid`,
// descending into anonymous members (libbpf's bpf_core_match_member).  1: found and
// compatible, 0: not there, -1: error.
int match_member(const Spec& local, const Accessor& acc, const Btf& tb, uint32_t tid, Spec& ts,
                 uint32_t* next, int depth) {
  if (depth > kMaxDepth) return -1;
  const BtfType* lt = local.btf->type(acc.type_id);
  const BtfMember& lm = lt->members[acc.idx];
  const BtfType* t = skip_mods(tb, tid, &tid);
  if (!t || !is_composite(*t)) return 0;
  for (uint32_t i = 0; i < t->members.size(); ++i) {
    const BtfMember& m = t->members[i];
    if (ts.raw.size() >= kMaxSpecLen) return -1;
    const uint32_t bit = member_bit_offset(*t, m);
    ts.bit_offset += bit;
    ts.raw.push_back(i);
    if (m.name.empty()) {
      const int found = match_member(local, acc, tb, m.type, ts, next, depth + 1);
      if (found) return found;
    } else if (m.name == lm.name) {
      *next = m.type;
      if (!fields_compat(*local.btf, lm.type, tb, m.type)) return 0;
      ts.spec.push_back(Accessor{tid, i, m.name});
      return 1;
    }
    ts.bit_offset -= bit;
    ts.raw.pop_back();
  }
  return 0;
}

// Matches the local spec against target type `tid` (libbpf's bpf_core_spec_match).
int match_spec(const Spec& local, const Btf& tb, uint32_t tid, uint32_t kind, Spec& ts) {
  ts = Spec{};
  ts.btf = &tb;
  ts.root_type_id = tid;
  if (is_type_kind(kind)) {
    return kind == static_cast<uint32_t>(CoreReloKind::TypeMatches)
               ? types_match(*local.btf, local.root_type_id, tb, tid)
               : types_compat(*local.btf, local.root_type_id, tb, tid);
  }
  if (is_enumval_kind(kind)) {
    const BtfType* t = skip_mods(tb, tid, &tid);
    if (!t || !is_any_enum(*t)) return 0;
    const std::string_view want = essential_name(local.spec[0].name);
    for (uint32_t i = 0; i < t->members.size(); ++i)
      if (essential_name(t->members[i].name) == want) {
        ts.spec.push_back(Accessor{tid, i, t->members[i].name});
        ts.raw.push_back(i);
        return 1;
      }
    return 0;
  }
  for (size_t i = 0; i < local.spec.size(); ++i) {
    const Accessor& la = local.spec[i];
    if (!la.name.empty()) {
      const int m = match_member(local, la, tb, tid, ts, &tid, 0);
      if (m <= 0) return m;
      continue;
    }
    if (i > 0) {
      const BtfType* t = skip_mods(tb, tid, &tid);
      if (!t || t->kind != BtfKind::Array) return 0;
      const bool flex = is_flex_array(tb, ts.spec.empty() ? nullptr : &ts.spec.back(), *t);
      if (!flex && la.idx >= t->array_nelems) return 0;
      if (!skip_mods(tb, t->array_elem, &tid)) return -1;
      ts.spec.push_back(Accessor{tid, la.idx, ""});
    } else {
      ts.spec.push_back(Accessor{tid, la.idx, ""});
    }
    if (ts.raw.size() >= kMaxSpecLen) return -1;
    ts.raw.push_back(la.idx);
    auto sz = tb.size_of(tid);
    if (!sz) return -1;
    ts.bit_offset += uint64_t{la.idx} * *sz * 8;
  }
  return 1;
}

// The value of a field relocation from a matched spec (null: nothing matched); an
// empty optional asks for poisoning.
struct FieldValue {
  uint64_t value = 0;
  uint32_t size = 0;
  uint32_t type_id = 0;
  bool validate = true;
};
Result<std::optional<FieldValue>> field_value(const Spec* s, uint32_t kind) {
  FieldValue v;
  if (kind == static_cast<uint32_t>(CoreReloKind::FieldExists)) {
    v.value = s ? 1 : 0;
    return std::optional<FieldValue>(v);
  }
  if (!s) return std::optional<FieldValue>();
  const Btf& btf = *s->btf;
  const Accessor& acc = s->spec.back();
  const auto k = static_cast<CoreReloKind>(kind);
  if (acc.name.empty()) {  // a[n]: the accessor holds the element type
    const uint32_t elem = acc.type_id;
    auto sz = btf.size_of(elem);
    if (!sz) return sz.error();
    if (k == CoreReloKind::FieldByteOffset) {
      v.value = s->bit_offset / 8;
      v.size = static_cast<uint32_t>(*sz);
      v.type_id = elem;
    } else if (k == CoreReloKind::FieldByteSize) {
      v.value = *sz;
    } else {
      return Error{"cannot be applied to an array access"};
    }
    return std::optional<FieldValue>(v);
  }
  const BtfType* t = btf.type(acc.type_id);
  const BtfMember& m = t->members[acc.idx];
  uint32_t field_id = 0;
  const BtfType* mt = skip_mods(btf, m.type, &field_id);
  if (!mt) return Error{"bad member type"};
  const uint64_t bit_off = s->bit_offset;
  uint64_t bit_sz = member_bitfield_size(*t, m);
  uint64_t byte_off = 0, byte_sz = 0;
  const bool bitfield = bit_sz > 0;
  if (bitfield) {
    byte_sz = mt->size;
    if (byte_sz == 0) return Error{"bitfield of a type without size"};
    byte_off = bit_off / 8 / byte_sz * byte_sz;
    while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
      if (byte_sz >= 8) return Error{"bitfield cannot be read with a 64-bit load"};
      byte_sz *= 2;
      byte_off = bit_off / 8 / byte_sz * byte_sz;
    }
  } else {
    auto sz = btf.size_of(field_id);
    if (!sz) return sz.error();
    byte_sz = *sz;
    byte_off = bit_off / 8;
    bit_sz = byte_sz * 8;
  }
  v.validate = !bitfield;
  switch (k) {
    case CoreReloKind::FieldByteOffset:
      v.value = byte_off;
      if (!bitfield) {
        v.size = static_cast<uint32_t>(byte_sz);
        v.type_id = field_id;
      }
      break;
    case CoreReloKind::FieldByteSize:
      v.value = byte_sz;
      break;
    case CoreReloKind::FieldSigned:
      v.value = (is_any_enum(*mt) && mt->kind_flag) ||
                (mt->kind == BtfKind::Int && (int_encoding(*mt) & kIntSigned));
      v.validate = true;
      break;
    case CoreReloKind::FieldLshiftU64:
      v.value = 64 - (bit_off + bit_sz - byte_off * 8);
      break;
    case CoreReloKind::FieldRshiftU64:
      v.value = 64 - bit_sz;
      v.validate = true;
      break;
    default:
      return Error{"not a field relocation"};
  }
  return std::optional<FieldValue>(v);
}

// The value of a type or enum relocation from a matched spec (nullopt: poison).
Result<std::optional<uint64_t>> other_value(const Spec* s, uint32_t kind) {
  switch (static_cast<CoreReloKind>(kind)) {
    case CoreReloKind::TypeExists:
    case CoreReloKind::TypeMatches:
    case CoreReloKind::EnumvalExists:
      return std::optional<uint64_t>(s ? 1 : 0);
    case CoreReloKind::TypeIdLocal:
    case CoreReloKind::TypeIdTarget:
      if (!s) return std::optional<uint64_t>();
      return std::optional<uint64_t>(s->root_type_id);
    case CoreReloKind::TypeSize: {
      if (!s) return std::optional<uint64_t>();
      auto sz = s->btf->size_of(s->root_type_id);
      if (!sz) return sz.error();
      return std::optional<uint64_t>(*sz);
    }
    case CoreReloKind::EnumvalValue: {
      if (!s) return std::optional<uint64_t>();
      const BtfType* t = s->btf->type(s->spec[0].type_id);
      return std::optional<uint64_t>(static_cast<uint64_t>(t->members[s->spec[0].idx].value));
    }
    default:
      return Error{"unknown relocation kind " + std::to_string(kind)};
  }
}

// Local and target value of a relocation for one (possibly absent) target spec.
Result<CoreReloValue> calc_value(const Btf& local_btf, const Spec& local, const Spec* target, uint32_t kind) {
  CoreReloValue r;
  if (is_field_kind(kind)) {
    auto lv = field_value(&local, kind);
    if (!lv) return lv.error();
    auto tv = field_value(target, kind);
    if (!tv) return tv.error();
    r.orig_value = (*lv)->value;
    r.orig_size = (*lv)->size;
    r.validate = (*lv)->validate;
    if (!*tv) {
      r.poison = true;
      return r;
    }
    r.new_value = (*tv)->value;
    r.new_size = (*tv)->size;
    if (r.orig_size != r.new_size) {
      const BtfType* ot = local_btf.type((*lv)->type_id);
      const BtfType* nt = target->btf->type((*tv)->type_id);
      const bool ptrs = ot && nt && ot->kind == BtfKind::Ptr && nt->kind == BtfKind::Ptr;
      const bool uints = ot && nt && ot->kind == BtfKind::Int && nt->kind == BtfKind::Int &&
                         int_encoding(*ot) != kIntSigned && int_encoding(*nt) != kIntSigned;
      r.fail_size_adjust = !ptrs && !uints;
    }
    return r;
  }
  auto lv = other_value(&local, kind);
  if (!lv) return lv.error();
  auto tv = other_value(target, kind);
  if (!tv) return tv.error();
  r.orig_value = lv->value_or(0);
  if (!*tv) {
    r.poison = true;
    return r;
  }
  r.new_value = **tv;
  // The compiler emits the local type id; the target id is a different number.
  r.validate = kind != static_cast<uint32_t>(CoreReloKind::TypeIdTarget);
  return r;
}

// The .BTF section of a little-endian ELF64 file of any machine (a vmlinux image):
// read_elf() takes only BPF objects, so the section headers are walked here.
Result<std::vector<uint8_t>> elf_btf_section(const std::vector<uint8_t>& f) {
  auto rd = [&](uint64_t off, size_t n) -> uint64_t {
    uint64_t v = 0;
    std::memcpy(&v, f.data() + off, n);
    return v;
  };
  if (f.size() < 64 || f[4] != 2 || f[5] != 1) return Error{"not a little-endian 64-bit ELF file"};
  const uint64_t shoff = rd(0x28, 8), shentsize = rd(0x3a, 2), shnum = rd(0x3c, 2), shstrndx = rd(0x3e, 2);
  if (shentsize < 64 || shstrndx >= shnum || shoff > f.size() || shnum * shentsize > f.size() - shoff)
    return Error{"ELF section headers are out of bounds"};
  auto section = [&](uint64_t i, uint64_t* off, uint64_t* size) {
    const uint64_t h = shoff + i * shentsize;
    *off = rd(h + 24, 8);
    *size = rd(h + 32, 8);
    return *off <= f.size() && *size <= f.size() - *off;
  };
  uint64_t str_off = 0, str_size = 0;
  if (!section(shstrndx, &str_off, &str_size)) return Error{"ELF section names are out of bounds"};
  for (uint64_t i = 0; i < shnum; ++i) {
    const uint64_t name = rd(shoff + i * shentsize, 4);
    if (name + 5 > str_size || std::memcmp(f.data() + str_off + name, ".BTF", 5) != 0) continue;
    uint64_t off = 0, size = 0;
    if (!section(i, &off, &size)) return Error{"ELF .BTF section is out of bounds"};
    return std::vector<uint8_t>(f.begin() + static_cast<std::ptrdiff_t>(off), f.begin() + static_cast<std::ptrdiff_t>(off + size));
  }
  return Error{"ELF file has no .BTF section"};
}

}  // namespace

const char* core_relo_kind_name(uint32_t kind) {
  static const char* const kNames[] = {"byte_off",    "byte_sz",    "field_exists",   "signed",
                                       "lshift_u64",  "rshift_u64", "local_type_id",  "target_type_id",
                                       "type_exists", "type_size",  "enumval_exists", "enumval_value",
                                       "type_matches"};
  return kind < std::size(kNames) ? kNames[kind] : "unknown";
}

std::string describe_core_relo(const Btf& local, const CoreRelo& relo) {
  std::string out = std::string("<") + core_relo_kind_name(relo.kind) + "> " + local.type_name(relo.type_id);
  const std::string access(local.string_at(relo.access_str_off));
  out += " (" + access;
  auto spec = parse_spec(local, relo.type_id, access, relo.kind);
  if (spec) {
    std::string path;
    for (const auto& a : spec->spec)
      if (!a.name.empty())
        path += (path.empty() ? "" : ".") + a.name;
      else if (&a != &spec->spec.front())
        path += "[" + std::to_string(a.idx) + "]";
    if (!path.empty()) out += ": " + path;
  }
  return out + ") at insn " + std::to_string(relo.insn_off);
}

bool core_relo_needs_target(const CoreRelo& relo) {
  return relo.kind != static_cast<uint32_t>(CoreReloKind::TypeIdLocal);
}

Result<CoreReloValue> calc_core_relo(const Btf& local, const CoreRelo& relo, const Btf* target) {
  const std::string access(local.string_at(relo.access_str_off));
  auto spec = parse_spec(local, relo.type_id, access, relo.kind);
  if (!spec) return relo_error(local, relo, spec.message());
  if (relo.kind == static_cast<uint32_t>(CoreReloKind::TypeIdLocal)) {
    CoreReloValue v;
    v.orig_value = v.new_value = relo.type_id;
    return v;
  }
  if (!target) return relo_error(local, relo, "needs the target kernel's BTF");
  const BtfType* lt = local.type(relo.type_id);
  if (lt->name.empty()) return relo_error(local, relo, "an anonymous type cannot be relocated");
  const std::string_view name = essential_name(lt->name);
  std::optional<CoreReloValue> chosen;
  std::optional<uint64_t> chosen_bits;
  for (uint32_t id = 1; id < target->type_count(); ++id) {
    const BtfType* t = target->type(id);
    if (!kinds_compat(*lt, *t) || essential_name(t->name) != name) continue;
    Spec ts;
    const int m = match_spec(*spec, *target, id, relo.kind, ts);
    if (m < 0)
      return relo_error(local, relo, "target type " + target->type_name(id) + " is malformed or too deep");
    if (m == 0) continue;
    auto v = calc_value(local, *spec, &ts, relo.kind);
    if (!v) return relo_error(local, relo, v.message());
    if (!chosen) {
      chosen = *v;
      chosen_bits = ts.bit_offset;
      continue;
    }
    if (is_field_kind(relo.kind) && *chosen_bits != ts.bit_offset)
      return relo_error(local, relo,
                        "field offset ambiguity between candidates (" + std::to_string(*chosen_bits) +
                            " != " + std::to_string(ts.bit_offset) + " bits)");
    if (v->poison != chosen->poison || v->new_value != chosen->new_value)
      return relo_error(local, relo, "relocation decision ambiguity between candidates");
  }
  if (chosen) return *chosen;
  auto v = calc_value(local, *spec, nullptr, relo.kind);
  if (!v) return relo_error(local, relo, v.message());
  return *v;
}

Status patch_core_insn(std::vector<RawInsn>& insns, uint32_t slot, const CoreReloValue& v) {
  const std::string at = "insn " + std::to_string(slot);
  if (slot >= insns.size()) return Error{at + " is outside its section"};
  RawInsn& in = insns[slot];
  const uint8_t cls = in.code & 0x07;
  const bool lddw = in.code == 0x18;
  auto poison = [&](RawInsn& p) {
    p.code = 0x85;  // BPF_JMP | BPF_CALL
    p.regs = 0;
    p.off = 0;
    p.imm = kCorePoisonImm;
  };
  if (v.poison) {
    if (lddw && slot + 1 < insns.size()) poison(insns[slot + 1]);
    poison(in);
    return Ok{};
  }
  switch (cls) {
    case 0x04:
    case 0x07:  // BPF_ALU, BPF_ALU64
      if (in.code & 0x08)
        return Error{at + ": CO-RE relocation on an ALU instruction with a register operand"};
      if (v.validate && static_cast<uint32_t>(in.imm) != static_cast<uint32_t>(v.orig_value))
        return Error{at + ": unexpected immediate " + std::to_string(in.imm) + ", expected " +
                     std::to_string(v.orig_value)};
      in.imm = static_cast<int32_t>(v.new_value);
      return Ok{};
    case 0x01:
    case 0x02:
    case 0x03: {  // BPF_LDX, BPF_ST, BPF_STX
      if (v.validate && static_cast<int64_t>(in.off) != static_cast<int64_t>(v.orig_value))
        return Error{at + ": unexpected offset " + std::to_string(in.off) + ", expected " +
                     std::to_string(v.orig_value)};
      if (v.new_value > SHRT_MAX)
        return Error{at + ": relocated offset " + std::to_string(v.new_value) + " is too big"};
      if (v.fail_size_adjust) {
        poison(in);
        return Ok{};
      }
      in.off = static_cast<int16_t>(v.new_value);
      if (v.new_size != v.orig_size) {
        static const uint32_t kBytes[4] = {4, 2, 1, 8};  // BPF_W, BPF_H, BPF_B, BPF_DW
        if (kBytes[(in.code >> 3) & 3] != v.orig_size)
          return Error{at + ": unexpected memory access size for a " + std::to_string(v.orig_size) +
                       "-byte field"};
        int bits = -1;
        for (int k = 0; k < 4; ++k)
          if (kBytes[k] == v.new_size) bits = k;
        if (bits < 0)
          return Error{at + ": relocated field size " + std::to_string(v.new_size) + " cannot be loaded"};
        in.code = static_cast<uint8_t>((in.code & ~0x18) | (bits << 3));
      }
      return Ok{};
    }
    case 0x00: {  // BPF_LD: only lddw
      if (!lddw || slot + 1 >= insns.size() || in.src() != 0)
        return Error{at + ": CO-RE relocation on a load that is not a plain 64-bit immediate"};
      const uint64_t imm =
          static_cast<uint32_t>(in.imm) | uint64_t{static_cast<uint32_t>(insns[slot + 1].imm)} << 32;
      if (v.validate && imm != v.orig_value)
        return Error{at + ": unexpected immediate " + std::to_string(imm) + ", expected " +
                     std::to_string(v.orig_value)};
      in.imm = static_cast<int32_t>(static_cast<uint32_t>(v.new_value));
      insns[slot + 1].imm = static_cast<int32_t>(static_cast<uint32_t>(v.new_value >> 32));
      return Ok{};
    }
    default:
      return Error{at + ": CO-RE relocation on an instruction that holds no offset or immediate"};
  }
}

Result<std::shared_ptr<const Btf>> load_target_btf(const std::string& path) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const Btf>> cache;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find(path); it != cache.end()) return it->second;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": cannot open the target BTF"};
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) return Error{path + ": empty target BTF"};
  std::vector<uint8_t> raw;
  if (is_elf(bytes)) {
    auto sec = elf_btf_section(bytes);
    if (!sec) return Error{path + ": " + sec.message()};
    raw = std::move(*sec);
  } else {
    raw = std::move(bytes);
  }
  auto btf = Btf::parse(raw);
  if (!btf) return Error{path + ": " + btf.message()};
  auto p = std::make_shared<const Btf>(std::move(*btf));
  cache.emplace(path, p);
  return p;
}

std::string host_kernel_btf_path() {
  std::error_code ec;
  const char* kPath = "/sys/kernel/btf/vmlinux";
  return std::filesystem::exists(kPath, ec) ? kPath : "";
}

}  // namespace bpfvet::isa
