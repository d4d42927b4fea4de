// ELF objects from `clang -target bpf`: reading, maps, and linking programs like libbpf.
//
// How it works, in three stages:
//  1. read_elf() (elf.cpp) reads the file with LLVM's Object library into a plain
//     model (ElfFile: sections with their bytes, symbols, relocations grouped by the
//     section they patch).  Every llvm::Expected is consumed and turned into an Error;
//     LLVM's own bounds checks plus ours (class, byte order, machine, symbol indices of
//     relocations) make a truncated or hostile file an Error, never a crash.
//  2. collect_maps() (elf_maps.cpp) builds the object's maps in libbpf's order: the
//     legacy "maps" section (record size = section size / number of symbols), BTF-defined
//     ".maps" (read through the BTF map-definition struct), then one single-entry array
//     per global data section (.data*, .rodata*, .bss*), then inner-map templates.
//  3. link_programs() (elf_link.cpp) patches each code section's relocations (map lddw
//     -> Pseudo::MapIdx / MapIdxValue, calls and function pointers -> targets) and builds
//     one Program per entry function the way bpf_object__relocate() does: the entry's
//     instructions, then each called subprogram appended at the end in depth-first order
//     of first reference, call imms rewritten to relative offsets.  Func/line info from
//     .BTF.ext is rebased the same way, so slot indices match the kernel's, and
//     Program::btf gets the DATASEC sizes and variable offsets clang leaves at 0 (as
//     libbpf fills them in), so it loads into the kernel as is.
// What libbpf takes from the running kernel comes from TargetKernel: CO-RE relocations
// are applied to each code section before linking (core_relo.h, against the host's or
// --btf's BTF), `__kconfig` externs read a ".kconfig" map appended after the data maps,
// typeless `__ksym` externs load their kallsyms address (elf_externs.cpp).
// Not done: typed ksyms and kfunc calls (an Error naming the symbol), and initial
// values of map-in-map and prog-array slots given in .maps (parsed definitions only).
// Beyond libbpf: legacy "maps" sections (libbpf 1.x dropped them) and static
// functions in a program's own section (subprograms there, refused by libbpf).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "isa/btf.h"
#include "isa/program.h"
#include "isa/result.h"

namespace bpfvet::isa {

/// ELF constants used across the ELF modules.
inline constexpr uint16_t kEmBpf = 247;
inline constexpr uint32_t kShtProgbits = 1, kShtSymtab = 2, kShtRela = 4, kShtNobits = 8, kShtRel = 9;
inline constexpr uint64_t kShfExecinstr = 0x4;
inline constexpr uint8_t kSttNotype = 0, kSttObject = 1, kSttFunc = 2, kSttSection = 3;
inline constexpr uint8_t kStbLocal = 0, kStbGlobal = 1, kStbWeak = 2;
inline constexpr uint16_t kShnUndef = 0, kShnLoreserve = 0xff00;
/// BPF relocation types (llvm/BinaryFormat/ELFRelocs/BPF.def).
inline constexpr uint32_t kRBpfNone = 0, kRBpf64_64 = 1, kRBpfAbs64 = 2, kRBpfAbs32 = 3,
                          kRBpfNodyld32 = 4, kRBpf64_32 = 10;
/// "R_BPF_64_64", ... or "unknown relocation type N".
std::string bpf_reloc_name(uint32_t type);

struct ElfSection {
  uint32_t index = 0;
  std::string name;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t size = 0;           // sh_size (also for SHT_NOBITS)
  uint32_t info = 0;
  std::vector<uint8_t> data;   // contents; empty for SHT_NOBITS
  bool is_code() const { return (flags & kShfExecinstr) && type == kShtProgbits && size > 0; }
};

struct ElfSymbol {
  std::string name;      // section symbols get their section's name
  uint16_t shndx = 0;
  uint64_t value = 0;
  uint64_t size = 0;
  uint8_t type = 0;      // STT_*
  uint8_t bind = 0;      // STB_*
};

struct ElfReloc {
  uint64_t offset = 0;   // byte offset inside the patched section
  uint32_t symbol = 0;   // index into ElfFile::symbols (validated)
  uint32_t type = 0;
  int64_t addend = 0;    // RELA only
  bool rela = false;
};

/// Relocations of one relocation section.
struct ElfRelocSection {
  std::string name;      // ".relxdp"
  uint32_t target = 0;   // index of the section it patches (validated)
  std::vector<ElfReloc> relocs;
};

/// An ELF relocatable object, reduced to what bpfvet needs.
struct ElfFile {
  std::vector<ElfSection> sections;   // indexed by section index (0 is the null section)
  std::vector<ElfSymbol> symbols;     // indexed by symbol index (0 is the null symbol)
  std::vector<ElfRelocSection> relocs;

  /// The section named `name`, or null.
  const ElfSection* find(std::string_view name) const;
};

/// True when `bytes` start with the ELF magic.
bool is_elf(std::span<const uint8_t> bytes);

/// Reads a little-endian 64-bit EM_BPF ELF object.  Errors name the problem (no file prefix).
Result<ElfFile> read_elf(std::span<const uint8_t> bytes);

/// Where a resolved extern variable's lddw goes: into a map value, or a constant.
struct ExternValue {
  bool in_map = false;  // true: MapIdxValue of `map` at `offset`; false: `value` itself
  uint32_t map = 0;
  uint32_t offset = 0;
  uint64_t value = 0;
};

/// The object's maps in libbpf's order, and where each lives in the ELF.
struct ObjectMaps {
  std::vector<MapDef> maps;
  /// (section index, byte offset) of each legacy/BTF map definition -> index into maps.
  std::map<std::pair<uint32_t, uint64_t>, uint32_t> by_location;
  /// Global data section index -> index into maps.
  std::map<uint32_t, uint32_t> data_sections;
  /// Extern variables by symbol name: where their lddw goes (elf_externs.cpp).
  std::map<std::string, ExternValue> externs;
  /// Extern functions (`__ksym` kfuncs) by symbol name, resolved against the target BTF.
  std::map<std::string, KfuncProto> kfuncs;
};

/// Resolves the object's extern variables as libbpf does: `__kconfig` ones get a
/// read-only ".kconfig" global-data map appended to `maps` (LINUX_KERNEL_VERSION,
/// LINUX_HAS_*, CONFIG_* from the target's config; a missing `__weak` one is 0), a
/// typeless `__ksym` becomes its /proc/kallsyms address.  Errors name the extern.
Status resolve_externs(const ElfFile& elf, const Btf* btf, const TargetKernel& target, ObjectMaps& maps);

/// Applies the .BTF.ext CO-RE relocations of code section `section` to `insns`
/// (core_relo.h), loading the target BTF on first need.  Errors name the relocation.
Status apply_core_relocations(const std::string& section, const Btf& btf, const BtfExt& ext, const TargetKernel& target,
                              std::vector<RawInsn>& insns);

/// Builds the maps of `elf`; `btf` may be null when the object has no .BTF
/// (then a ".maps" section is an Error).
Result<ObjectMaps> collect_maps(const ElfFile& elf, const Btf* btf);

/// Debug info the linker carries into each Program (all optional).
struct DebugInfo {
  const Btf* btf = nullptr;
  const BtfExt* ext = nullptr;
  std::vector<uint8_t> btf_raw;
  TargetKernel target;  // for CO-RE relocations
};

/// Builds every program of the object (see the header comment).  `path` is only used
/// to fill Program::file.  Programs' `type` is taken from their section name (Unspec
/// when unknown); insns are not decoded here.
Result<std::vector<Program>> link_programs(const ElfFile& elf, const ObjectMaps& maps, const DebugInfo& debug,
                                           const std::string& path);

/// Reads, collects maps, parses BTF and links: the whole ELF path of load_object().
/// Errors are not prefixed with the path.
Result<Object> object_from_elf(std::span<const uint8_t> bytes, const std::string& path, const TargetKernel& target = {});

}  // namespace bpfvet::isa
