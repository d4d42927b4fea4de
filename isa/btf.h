// BTF: the BPF Type Format of an object's .BTF section, and the .BTF.ext debug records.
//
// How it works: Btf::parse() validates the header, walks the type section once building
// one BtfType per id (id 0 is void), and then checks that every type id a type refers to
// exists, so later queries never index out of range.  The string section is kept as is;
// string_at() is bounds-checked.  Queries (resolve, size_of, find) follow modifier chains
// with a depth limit, so a cyclic or hostile BTF gives an Error instead of a hang.
// BtfExt::parse() reads .BTF.ext func_info and line_info grouped by ELF section name,
// converting byte offsets into instruction slot indices, and the CO-RE relocation
// records (applied by isa/core_relo.h).  Both parsers accept only little-endian data, like the
// rest of bpfvet.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "isa/program.h"
#include "isa/result.h"

namespace bpfvet::isa {

/// BTF type kinds (BTF_KIND_*), numbered as in include/uapi/linux/btf.h.
enum class BtfKind : uint8_t {
  Void = 0, Int = 1, Ptr = 2, Array = 3, Struct = 4, Union = 5, Enum = 6, Fwd = 7,
  Typedef = 8, Volatile = 9, Const = 10, Restrict = 11, Func = 12, FuncProto = 13,
  Var = 14, Datasec = 15, Float = 16, DeclTag = 17, TypeTag = 18, Enum64 = 19,
};
/// "struct", "ptr", "func_proto", ... (bpftool's spelling).
const char* btf_kind_name(BtfKind k);

/// One member of a struct/union, enumerator, function parameter or datasec entry.
struct BtfMember {
  std::string name;     // empty for datasec entries and unnamed params
  uint32_t type = 0;    // struct/union/param: member type; datasec: the VAR/FUNC id
  uint32_t offset = 0;  // struct/union: bit offset (kind_flag: low 24 bits); datasec: byte offset
  uint32_t size = 0;    // datasec: byte size
  int64_t value = 0;    // enum/enum64: the value
};

/// One BTF type, kind-specific fields set only for that kind.
struct BtfType {
  BtfKind kind = BtfKind::Void;
  std::string name;
  uint32_t vlen = 0;
  bool kind_flag = false;
  uint32_t size = 0;   // int, enum, struct, union, datasec, float
  uint32_t type = 0;   // ptr, typedef, modifiers, func, var, decl_tag, type_tag; func_proto: return
  uint32_t int_encoding = 0;  // int: encoding bits | offset << 16 | bits << 24 (raw word)
  uint32_t array_elem = 0, array_index = 0, array_nelems = 0;
  uint32_t linkage = 0;       // var: linkage; func: vlen
  int32_t component_idx = -1; // decl_tag
  std::vector<BtfMember> members;
  uint32_t raw_offset = 0;    // byte offset of this type's record in the .BTF section
};

/// A parsed .BTF section.
class Btf {
 public:
  /// Parses and validates a raw .BTF section.  The error names the problem and type id.
  static Result<Btf> parse(std::span<const uint8_t> data);

  /// Number of type ids, including void (id 0).
  uint32_t type_count() const { return static_cast<uint32_t>(types_.size()); }
  /// The type with this id, or null when out of range.
  const BtfType* type(uint32_t id) const { return id < types_.size() ? &types_[id] : nullptr; }
  /// The NUL-terminated string at `off` in the string section; "" when out of range.
  std::string_view string_at(uint32_t off) const;
  /// Follows typedef, const, volatile, restrict and type_tag to the underlying type id.
  Result<uint32_t> resolve(uint32_t id) const;
  /// Size in bytes of the type (pointers are 8 bytes); Error for void, func, fwd.
  Result<uint64_t> size_of(uint32_t id) const;
  /// First type of `kind` named `name`.
  std::optional<uint32_t> find(std::string_view name, BtfKind kind) const;
  /// A C-like spelling of the type, for messages ("struct foo", "u32 *", "int[4]").
  std::string type_name(uint32_t id) const;

 private:
  std::vector<BtfType> types_;
  std::string strings_;
};

/// One .BTF.ext CO-RE relocation record (struct bpf_core_relo): the instruction, the
/// local root type, the access string ("0:1:2") and the relocation kind.
struct CoreRelo {
  uint32_t insn_off = 0;  // instruction slot within its section
  uint32_t type_id = 0;
  uint32_t access_str_off = 0;
  uint32_t kind = 0;      // enum bpf_core_relo_kind
};

/// .BTF.ext records, per ELF section name, with insn_off already in instruction slots.
struct BtfExt {
  std::map<std::string, std::vector<FuncInfo>> func_info;
  std::map<std::string, std::vector<LineInfo>> line_info;
  std::map<std::string, std::vector<CoreRelo>> core_relos;

  /// Parses a raw .BTF.ext section; section names are resolved through `btf`.
  static Result<BtfExt> parse(std::span<const uint8_t> data, const Btf& btf);
};

}  // namespace bpfvet::isa
