// BTF and .BTF.ext parsing (btf.h).
#include "isa/btf.h"

#include <cstdio>
#include <cstring>

namespace bpfvet::isa {
namespace {

constexpr uint16_t kBtfMagic = 0xeB9F;
constexpr uint16_t kBtfMagicSwapped = 0x9FeB;
constexpr uint32_t kBtfHeaderLen = 24;
constexpr uint32_t kBtfExtMinHeaderLen = 24;  // up to line_info_len
constexpr int kMaxResolveDepth = 32;          // the kernel's MAX_RESOLVE_DEPTH

// Little-endian reads from a byte span, bounds-checked by the caller.
uint32_t rd32(std::span<const uint8_t> d, size_t off) {
  uint32_t v;
  std::memcpy(&v, d.data() + off, 4);
  return v;
}
uint16_t rd16(std::span<const uint8_t> d, size_t off) {
  uint16_t v;
  std::memcpy(&v, d.data() + off, 2);
  return v;
}

Error btf_error(const std::string& what) { return Error{"bad BTF: " + what}; }
Error ext_error(const std::string& what) { return Error{"bad .BTF.ext: " + what}; }

// Bytes that follow the 12-byte common header for each kind.
Result<size_t> extra_size(BtfKind kind, uint32_t vlen) {
  switch (kind) {
    case BtfKind::Int: case BtfKind::Var: case BtfKind::DeclTag: return size_t{4};
    case BtfKind::Array: return size_t{12};
    case BtfKind::Struct: case BtfKind::Union: case BtfKind::Datasec: case BtfKind::Enum64:
      return size_t{12} * vlen;
    case BtfKind::Enum: case BtfKind::FuncProto: return size_t{8} * vlen;
    case BtfKind::Ptr: case BtfKind::Fwd: case BtfKind::Typedef: case BtfKind::Volatile:
    case BtfKind::Const: case BtfKind::Restrict: case BtfKind::Func: case BtfKind::Float:
    case BtfKind::TypeTag:
      return size_t{0};
    case BtfKind::Void: break;
  }
  return Error{"unknown kind"};
}

bool is_modifier(BtfKind k) {
  return k == BtfKind::Typedef || k == BtfKind::Const || k == BtfKind::Volatile ||
         k == BtfKind::Restrict || k == BtfKind::TypeTag;
}

}  // namespace

const char* btf_kind_name(BtfKind k) {
  switch (k) {
    case BtfKind::Void: return "void";
    case BtfKind::Int: return "int";
    case BtfKind::Ptr: return "ptr";
    case BtfKind::Array: return "array";
    case BtfKind::Struct: return "struct";
    case BtfKind::Union: return "union";
    case BtfKind::Enum: return "enum";
    case BtfKind::Fwd: return "fwd";
    case BtfKind::Typedef: return "typedef";
    case BtfKind::Volatile: return "volatile";
    case BtfKind::Const: return "const";
    case BtfKind::Restrict: return "restrict";
    case BtfKind::Func: return "func";
    case BtfKind::FuncProto: return "func_proto";
    case BtfKind::Var: return "var";
    case BtfKind::Datasec: return "datasec";
    case BtfKind::Float: return "float";
    case BtfKind::DeclTag: return "decl_tag";
    case BtfKind::TypeTag: return "type_tag";
    case BtfKind::Enum64: return "enum64";
  }
  return "unknown";
}

Result<Btf> Btf::parse(std::span<const uint8_t> d) {
  if (d.size() < kBtfHeaderLen) return btf_error("section of " + std::to_string(d.size()) + " bytes is shorter than the header");
  const uint16_t magic = rd16(d, 0);
  if (magic == kBtfMagicSwapped) return btf_error("big-endian BTF is not supported");
  if (magic != kBtfMagic) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%04x", magic);
    return btf_error(std::string("bad magic ") + buf);
  }
  if (d[2] != 1) return btf_error("unsupported version " + std::to_string(d[2]));
  const uint32_t hdr_len = rd32(d, 4);
  if (hdr_len < kBtfHeaderLen || hdr_len > d.size()) return btf_error("header length " + std::to_string(hdr_len) + " out of range");
  const uint64_t type_off = rd32(d, 8), type_len = rd32(d, 12);
  const uint64_t str_off = rd32(d, 16), str_len = rd32(d, 20);
  const uint64_t body = d.size() - hdr_len;
  if (type_off + type_len > body) return btf_error("type section runs past the end of .BTF");
  if (str_off + str_len > body) return btf_error("string section runs past the end of .BTF");
  if (type_off % 4) return btf_error("type section is not 4-byte aligned");
  if (str_len == 0 || d[hdr_len + str_off] != 0) return btf_error("string section does not start with an empty string");
  if (d[hdr_len + str_off + str_len - 1] != 0) return btf_error("string section is not NUL-terminated");

  Btf btf;
  btf.strings_.assign(reinterpret_cast<const char*>(d.data() + hdr_len + str_off), str_len);
  btf.types_.push_back(BtfType{});  // id 0: void

  const std::span<const uint8_t> t = d.subspan(hdr_len + type_off, type_len);
  auto name = [&](uint32_t off, uint32_t id) -> Result<std::string> {
    if (off >= str_len) return btf_error("type id " + std::to_string(id) + ": name offset " + std::to_string(off) + " is past the string section");
    return std::string(btf.string_at(off));
  };
  size_t pos = 0;
  while (pos < t.size()) {
    const uint32_t id = btf.type_count();
    if (t.size() - pos < 12) return btf_error("type id " + std::to_string(id) + " is truncated");
    BtfType ty;
    ty.raw_offset = static_cast<uint32_t>(hdr_len + type_off + pos);
    const uint32_t name_off = rd32(t, pos), info = rd32(t, pos + 4), size_type = rd32(t, pos + 8);
    const uint32_t kind_bits = (info >> 24) & 0x1f;
    ty.vlen = info & 0xffff;
    ty.kind_flag = (info >> 31) != 0;
    if (kind_bits == 0 || kind_bits > static_cast<uint32_t>(BtfKind::Enum64))
      return btf_error("type id " + std::to_string(id) + " has unknown kind " + std::to_string(kind_bits));
    ty.kind = static_cast<BtfKind>(kind_bits);
    auto n = name(name_off, id);
    if (!n) return n.error();
    ty.name = std::move(*n);
    auto extra = extra_size(ty.kind, ty.vlen);
    if (!extra) return btf_error("type id " + std::to_string(id) + ": unknown kind");
    pos += 12;
    if (t.size() - pos < *extra) return btf_error("type id " + std::to_string(id) + " (" + btf_kind_name(ty.kind) + ") is truncated");
    switch (ty.kind) {
      case BtfKind::Int: case BtfKind::Enum: case BtfKind::Enum64: case BtfKind::Struct:
      case BtfKind::Union: case BtfKind::Datasec: case BtfKind::Float:
        ty.size = size_type;
        break;
      default:
        ty.type = size_type;
    }
    switch (ty.kind) {
      case BtfKind::Int: ty.int_encoding = rd32(t, pos); break;
      case BtfKind::Var: ty.linkage = rd32(t, pos); break;
      case BtfKind::Func: ty.linkage = ty.vlen; break;
      case BtfKind::DeclTag: ty.component_idx = static_cast<int32_t>(rd32(t, pos)); break;
      case BtfKind::Array:
        ty.array_elem = rd32(t, pos);
        ty.array_index = rd32(t, pos + 4);
        ty.array_nelems = rd32(t, pos + 8);
        break;
      case BtfKind::Struct: case BtfKind::Union: case BtfKind::Datasec: case BtfKind::Enum64:
      case BtfKind::Enum: case BtfKind::FuncProto: {
        const size_t rec = ty.kind == BtfKind::Enum || ty.kind == BtfKind::FuncProto ? 8 : 12;
        for (uint32_t i = 0; i < ty.vlen; ++i) {
          const size_t p = pos + i * rec;
          BtfMember m;
          if (ty.kind == BtfKind::Datasec) {
            m.type = rd32(t, p);
            m.offset = rd32(t, p + 4);
            m.size = rd32(t, p + 8);
          } else {
            auto mn = name(rd32(t, p), id);
            if (!mn) return mn.error();
            m.name = std::move(*mn);
            if (ty.kind == BtfKind::Enum) {
              m.value = ty.kind_flag ? static_cast<int64_t>(static_cast<int32_t>(rd32(t, p + 4)))
                                     : static_cast<int64_t>(rd32(t, p + 4));
            } else if (ty.kind == BtfKind::Enum64) {
              m.value = static_cast<int64_t>(rd32(t, p + 4) | uint64_t{rd32(t, p + 8)} << 32);
            } else {
              m.type = rd32(t, p + 4);
              if (rec == 12) m.offset = rd32(t, p + 8);
            }
          }
          ty.members.push_back(std::move(m));
        }
        break;
      }
      default:
        break;
    }
    pos += *extra;
    btf.types_.push_back(std::move(ty));
  }

  // Every reference must name an existing type, so queries never go out of range.
  const uint32_t count = btf.type_count();
  for (uint32_t id = 1; id < count; ++id) {
    const BtfType& ty = btf.types_[id];
    auto bad = [&](uint32_t ref) {
      return btf_error("type id " + std::to_string(id) + " (" + btf_kind_name(ty.kind) + " '" + ty.name +
                       "') refers to missing type id " + std::to_string(ref));
    };
    switch (ty.kind) {
      case BtfKind::Ptr: case BtfKind::Typedef: case BtfKind::Volatile: case BtfKind::Const:
      case BtfKind::Restrict: case BtfKind::Func: case BtfKind::FuncProto: case BtfKind::Var:
      case BtfKind::DeclTag: case BtfKind::TypeTag:
        if (ty.type >= count) return bad(ty.type);
        break;
      case BtfKind::Array:
        if (ty.array_elem >= count) return bad(ty.array_elem);
        if (ty.array_index >= count) return bad(ty.array_index);
        break;
      default:
        break;
    }
    if (ty.kind == BtfKind::Struct || ty.kind == BtfKind::Union || ty.kind == BtfKind::FuncProto ||
        ty.kind == BtfKind::Datasec)
      for (const auto& m : ty.members)
        if (m.type >= count) return bad(m.type);
  }
  return btf;
}

std::string_view Btf::string_at(uint32_t off) const {
  if (off >= strings_.size()) return {};
  return std::string_view(strings_.c_str() + off);
}

Result<uint32_t> Btf::resolve(uint32_t id) const {
  for (int depth = 0; depth < kMaxResolveDepth; ++depth) {
    const BtfType* ty = type(id);
    if (!ty) return btf_error("type id " + std::to_string(id) + " does not exist");
    if (!is_modifier(ty->kind)) return id;
    id = ty->type;
  }
  return btf_error("type id " + std::to_string(id) + ": modifier chain too long (a loop?)");
}

Result<uint64_t> Btf::size_of(uint32_t id) const {
  uint64_t mult = 1;
  for (int depth = 0; depth < kMaxResolveDepth; ++depth) {
    const BtfType* ty = type(id);
    if (!ty) return btf_error("type id " + std::to_string(id) + " does not exist");
    switch (ty->kind) {
      case BtfKind::Int: case BtfKind::Enum: case BtfKind::Enum64: case BtfKind::Struct:
      case BtfKind::Union: case BtfKind::Float: case BtfKind::Datasec:
        return mult * ty->size;
      case BtfKind::Ptr:
        return mult * 8;
      case BtfKind::Array:
        mult *= ty->array_nelems;
        if (mult > (uint64_t{1} << 32)) return btf_error("type id " + std::to_string(id) + ": array too large");
        id = ty->array_elem;
        break;
      case BtfKind::Typedef: case BtfKind::Const: case BtfKind::Volatile: case BtfKind::Restrict:
      case BtfKind::TypeTag: case BtfKind::Var:
        id = ty->type;
        break;
      default:
        return btf_error("type id " + std::to_string(id) + " (" + btf_kind_name(ty->kind) + ") has no size");
    }
  }
  return btf_error("type id " + std::to_string(id) + ": type chain too long (a loop?)");
}

std::optional<uint32_t> Btf::find(std::string_view name, BtfKind kind) const {
  for (uint32_t id = 1; id < types_.size(); ++id)
    if (types_[id].kind == kind && types_[id].name == name) return id;
  return std::nullopt;
}

std::string Btf::type_name(uint32_t id) const {
  std::string suffix;
  for (int depth = 0; depth < kMaxResolveDepth; ++depth) {
    const BtfType* ty = type(id);
    if (!ty) return "<bad type " + std::to_string(id) + ">";
    switch (ty->kind) {
      case BtfKind::Void: return "void" + suffix;
      case BtfKind::Ptr: suffix = " *" + suffix; id = ty->type; continue;
      case BtfKind::Array: suffix += "[" + std::to_string(ty->array_nelems) + "]"; id = ty->array_elem; continue;
      case BtfKind::Const: case BtfKind::Volatile: case BtfKind::Restrict: case BtfKind::TypeTag:
        id = ty->type;
        continue;
      case BtfKind::Struct: case BtfKind::Union: case BtfKind::Enum: case BtfKind::Enum64:
        return std::string(ty->kind == BtfKind::Enum64 ? "enum" : btf_kind_name(ty->kind)) + " " +
               (ty->name.empty() ? "(anon)" : ty->name) + suffix;
      case BtfKind::FuncProto: return "func_proto" + suffix;
      default: return (ty->name.empty() ? std::string("(anon)") : ty->name) + suffix;
    }
  }
  return "<type loop>";
}

Result<BtfExt> BtfExt::parse(std::span<const uint8_t> d, const Btf& btf) {
  if (d.size() < kBtfExtMinHeaderLen) return ext_error("section of " + std::to_string(d.size()) + " bytes is shorter than the header");
  const uint16_t magic = rd16(d, 0);
  if (magic == kBtfMagicSwapped) return ext_error("big-endian .BTF.ext is not supported");
  if (magic != kBtfMagic) return ext_error("bad magic");
  if (d[2] != 1) return ext_error("unsupported version " + std::to_string(d[2]));
  const uint32_t hdr_len = rd32(d, 4);
  if (hdr_len < kBtfExtMinHeaderLen || hdr_len > d.size()) return ext_error("header length " + std::to_string(hdr_len) + " out of range");
  const std::span<const uint8_t> body = d.subspan(hdr_len);

  BtfExt ext;
  // Walks one info block: u32 record size, then per section {name_off, count, records}.
  // `min_rec` is the record size this version of the format defines; larger records
  // (a newer compiler) are accepted and their tail ignored, as the kernel does.
  auto walk = [&](const char* what, uint32_t off, uint32_t len, uint32_t min_rec, auto&& on_record) -> Status {
    if (len == 0) return Ok{};
    if (uint64_t{off} + len > body.size()) return ext_error(std::string(what) + " runs past the end of the section");
    const std::span<const uint8_t> s = body.subspan(off, len);
    if (s.size() < 4) return ext_error(std::string(what) + " is truncated");
    const uint32_t rec = rd32(s, 0);
    if (rec < min_rec || rec % 4) return ext_error(std::string(what) + " record size " + std::to_string(rec) + " is invalid");
    size_t pos = 4;
    while (pos < s.size()) {
      if (s.size() - pos < 8) return ext_error(std::string(what) + " section header is truncated");
      const uint32_t name_off = rd32(s, pos), count = rd32(s, pos + 4);
      pos += 8;
      const std::string_view sec = btf.string_at(name_off);
      if (sec.empty()) return ext_error(std::string(what) + " names no section (string offset " + std::to_string(name_off) + ")");
      if (uint64_t{count} * rec > s.size() - pos) return ext_error(std::string(what) + " of section '" + std::string(sec) + "' is truncated");
      for (uint32_t i = 0; i < count; ++i, pos += rec) {
        Status st = on_record(std::string(sec), s.subspan(pos, rec));
        if (!st) return st;
      }
    }
    return Ok{};
  };
  auto slot = [](uint32_t byte_off) -> Result<uint32_t> {
    if (byte_off % 8) return ext_error("instruction offset " + std::to_string(byte_off) + " is not a multiple of 8");
    return byte_off / 8;
  };

  Status st = walk("func_info", rd32(d, 8), rd32(d, 12), 8, [&](const std::string& sec, std::span<const uint8_t> r) -> Status {
    auto off = slot(rd32(r, 0));
    if (!off) return off.error();
    const uint32_t type_id = rd32(r, 4);
    const BtfType* ty = btf.type(type_id);
    if (!ty || ty->kind != BtfKind::Func) return ext_error("func_info of section '" + sec + "' refers to type id " + std::to_string(type_id) + ", which is not a FUNC");
    ext.func_info[sec].push_back(FuncInfo{*off, type_id});
    return Ok{};
  });
  if (!st) return st.error();
  st = walk("line_info", rd32(d, 16), rd32(d, 20), 16, [&](const std::string& sec, std::span<const uint8_t> r) -> Status {
    auto off = slot(rd32(r, 0));
    if (!off) return off.error();
    ext.line_info[sec].push_back(LineInfo{*off, rd32(r, 4), rd32(r, 8), rd32(r, 12)});
    return Ok{};
  });
  if (!st) return st.error();
  if (hdr_len >= 32) {
    st = walk("core_relo", rd32(d, 24), rd32(d, 28), 16, [&](const std::string& sec, std::span<const uint8_t> r) -> Status {
      auto off = slot(rd32(r, 0));
      if (!off) return off.error();
      const CoreRelo cr{*off, rd32(r, 4), rd32(r, 8), rd32(r, 12)};
      if (!btf.type(cr.type_id))
        return ext_error("core_relo of section '" + sec + "' refers to type id " + std::to_string(cr.type_id) + ", which does not exist");
      if (btf.string_at(cr.access_str_off).empty())
        return ext_error("core_relo of section '" + sec + "' has no access string (string offset " + std::to_string(cr.access_str_off) + ")");
      ext.core_relos[sec].push_back(cr);
      return Ok{};
    });
    if (!st) return st.error();
  }
  return ext;
}

}  // namespace bpfvet::isa
