// CO-RE: applying .BTF.ext relocation records against a target kernel's BTF, as libbpf
// does before it loads a program.
//
// How it works: every record names an instruction, a local root type (the program's
// own BTF) and an access string ("0:1:2": an array index on the root, then member or
// element indices).  calc_core_relo() first walks the access string through the local
// BTF (the "local spec": named members, array elements, the bit offset), then looks for
// candidates in the target BTF: types of the same kind whose name agrees up to a
// "___flavour" suffix.  Each candidate is matched by member *name* (descending into
// anonymous structs and unions), with compatible field types; every matching candidate
// must give the same value, else the relocation is ambiguous (an Error).  The value is
// the field's byte offset, size, existence, signedness or bitfield shifts, the type's
// id, existence or size, or an enumerator's value or existence.  A relocation that
// finds nothing and needs a value (an offset of a field the kernel lacks) "poisons" the
// instruction as libbpf does: it becomes `call 0xbad2310`, which the verifier rejects
// only if that path is reachable.  patch_core_insn() writes the value into the ALU
// immediate, the load/store offset (adjusting the access size when the field's size
// changed) or the 64-bit immediate, checking first that the instruction holds the value
// the compiler computed from the local BTF.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "isa/btf.h"
#include "isa/insn.h"
#include "isa/result.h"

namespace bpfvet::isa {

/// enum bpf_core_relo_kind.
enum class CoreReloKind : uint32_t {
  FieldByteOffset = 0,
  FieldByteSize = 1,
  FieldExists = 2,
  FieldSigned = 3,
  FieldLshiftU64 = 4,
  FieldRshiftU64 = 5,
  TypeIdLocal = 6,
  TypeIdTarget = 7,
  TypeExists = 8,
  TypeSize = 9,
  EnumvalExists = 10,
  EnumvalValue = 11,
  TypeMatches = 12,
};
/// libbpf's spelling: "byte_off", "byte_sz", "field_exists", ..., "unknown" when out of range.
const char* core_relo_kind_name(uint32_t kind);

/// The immediate libbpf writes into a poisoned instruction (`call 0xbad2310`).
inline constexpr int32_t kCorePoisonImm = 0xbad2310;

/// What one relocation resolves to.
struct CoreReloValue {
  uint64_t orig_value = 0;  // computed from the local BTF (what the compiler emitted)
  uint64_t new_value = 0;   // computed from the target BTF
  uint32_t orig_size = 0;   // field byte size, for load/store size adjustment (0: n/a)
  uint32_t new_size = 0;
  bool validate = true;           // the instruction must hold orig_value
  bool poison = false;            // nothing found where a value is needed
  bool fail_size_adjust = false;  // sizes differ and a load cannot be resized safely
};

/// "field_byte_offset of struct task_struct: 0:12 (pid)": a relocation for messages.
std::string describe_core_relo(const Btf& local, const CoreRelo& relo);

/// Whether the relocation needs a target BTF (all kinds but type_id_local).
bool core_relo_needs_target(const CoreRelo& relo);

/// Resolves one relocation.  `target` may be null only for kinds that do not need one.
/// Errors: a malformed access string, an unknown kind, ambiguous candidates.
Result<CoreReloValue> calc_core_relo(const Btf& local, const CoreRelo& relo, const Btf* target);

/// Writes `v` into insns[slot] (and slot+1 for lddw).  Errors name the instruction.
Status patch_core_insn(std::vector<RawInsn>& insns, uint32_t slot, const CoreReloValue& v);

/// The BTF a path names: a raw BTF blob (/sys/kernel/btf/vmlinux) or an ELF file with a
/// .BTF section (a vmlinux image).  Parsed once per path per process.
Result<std::shared_ptr<const Btf>> load_target_btf(const std::string& path);

/// The host kernel's BTF path when it exists, else "".
std::string host_kernel_btf_path();

}  // namespace bpfvet::isa
