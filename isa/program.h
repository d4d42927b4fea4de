// Program and Object: what every input format (ELF, raw bytecode, assembly) loads into.
//
// A Program is self-contained, the way libbpf hands one to the kernel: the entry
// function's instructions first, then every bpf-to-bpf subprogram it calls appended
// (calls' imm fixed up to relative offsets), map references rewritten to
// lddw with Pseudo::MapIdx / Pseudo::MapIdxValue whose imm indexes `maps`.
// `insns` has one entry per 8-byte slot (LdImm64Hi for the second half of lddw),
// so indices match the kernel's verifier log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "isa/insn.h"
#include "isa/kfuncs.h"
#include "isa/prog_type.h"

namespace bpfvet::isa {

/// Where an instruction came from, from .BTF.ext line info.
struct SourceLine {
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  std::string text;  // the source line itself, when BTF carries it
  friend bool operator==(const SourceLine&, const SourceLine&) = default;
};

/// Kernel map types (enum bpf_map_type values).
enum class MapType : uint32_t {
  Unspec = 0, Hash = 1, Array = 2, ProgArray = 3, PerfEventArray = 4, PercpuHash = 5,
  PercpuArray = 6, StackTrace = 7, CgroupArray = 8, LruHash = 9, LruPercpuHash = 10,
  LpmTrie = 11, ArrayOfMaps = 12, HashOfMaps = 13, Devmap = 14, Sockmap = 15, Cpumap = 16,
  Xskmap = 17, Sockhash = 18, CgroupStorage = 19, ReuseportSockarray = 20,
  PercpuCgroupStorage = 21, Queue = 22, Stack = 23, SkStorage = 24, DevmapHash = 25,
  StructOps = 26, Ringbuf = 27, InodeStorage = 28, TaskStorage = 29, BloomFilter = 30,
  UserRingbuf = 31, CgrpStorage = 32, Arena = 33,
};
const char* map_type_name(MapType t);

/// A map the program uses, from a legacy "maps" section, BTF ".maps", or a global
/// data section (.data/.rodata/.bss: a single-entry array whose value is the section).
struct MapDef {
  std::string name;
  MapType type = MapType::Unspec;
  uint32_t key_size = 0;
  uint32_t value_size = 0;
  uint32_t max_entries = 0;
  uint32_t flags = 0;
  int32_t inner_map = -1;          // map-in-map: index of the inner map template in Object::maps
  bool global_data = false;        // .data/.rodata/.bss/.kconfig
  bool read_only = false;          // .rodata: BPF_F_RDONLY_PROG
  std::vector<uint8_t> initial;    // initial value of a global data map
  uint32_t btf_key_type_id = 0;
  uint32_t btf_value_type_id = 0;
  int32_t spin_lock_off = -1;      // byte offset of the value's struct bpf_spin_lock (from BTF), -1: none
};

/// A function inside a Program: [start, end) slot range.
struct Function {
  std::string name;
  uint32_t start = 0;
  uint32_t end = 0;
  bool global = false;       // STB_GLOBAL non-entry function: verified on its own by the kernel
  uint32_t btf_type_id = 0;  // BTF FUNC id when func info is present
};

/// .BTF.ext func_info / line_info records, relative to this Program's slots, kept so the
/// program can be loaded into the kernel with the same debug info.
struct FuncInfo { uint32_t insn_off; uint32_t type_id; };
struct LineInfo { uint32_t insn_off; uint32_t file_name_off; uint32_t line_off; uint32_t line_col; };

struct Program {
  std::string file;          // path of the input
  std::string section;       // ELF section; "" for raw and asm input
  std::string name;          // entry function symbol; file stem for raw/asm
  ProgType type = ProgType::Unspec;
  std::vector<RawInsn> raw;  // exactly what would be handed to BPF_PROG_LOAD (map fds still indices)
  std::vector<Insn> insns;   // decode(raw)
  std::vector<Function> functions;  // functions[0] is the entry
  std::vector<MapDef> maps;         // a copy of the object's maps, indexed by MapIdx imm
  std::vector<std::optional<SourceLine>> lines;  // per slot, empty when no line info
  std::string license;
  uint32_t kern_version = 0;
  std::vector<uint8_t> btf;         // raw .BTF section, empty when absent
  std::vector<FuncInfo> func_info;
  std::vector<LineInfo> line_info;
  std::vector<KfuncProto> kfuncs;   // the kfuncs its `__ksym` externs resolved to

  /// The kfunc whose BTF id a kfunc call's imm holds, or null.
  const KfuncProto* kfunc_by_id(int32_t btf_id) const {
    for (const auto& k : kfuncs)
      if (k.btf_id == btf_id) return &k;
    return nullptr;
  }
  /// Source line of slot `idx`, or null.
  const SourceLine* line_of(size_t idx) const {
    return idx < lines.size() && lines[idx] ? &*lines[idx] : nullptr;
  }
  /// The function that contains slot `idx`, or null.
  const Function* function_of(size_t idx) const {
    for (const auto& f : functions)
      if (idx >= f.start && idx < f.end) return &f;
    return nullptr;
  }
};

struct Object {
  std::string path;
  std::vector<Program> programs;
  std::vector<MapDef> maps;
  std::string license;
};

enum class InputFormat { Auto, Elf, Raw, Asm };

/// The kernel an object is loaded for, where libbpf would ask the running one: the BTF
/// CO-RE relocations resolve against and the values of `__kconfig`/`__ksym` externs.
struct TargetKernel {
  std::string btf_path;             // --btf; "" = /sys/kernel/btf/vmlinux when present
  std::optional<uint32_t> version;  // LINUX_KERNEL_VERSION (KERNEL_VERSION(a,b,c)); default: uname -r
  std::string kconfig_path;         // "" = /proc/config.gz, else /boot/config-$(uname -r)
  std::string kallsyms_path;        // "" = /proc/kallsyms (typeless __ksym addresses)
};

struct LoadOptions {
  InputFormat format = InputFormat::Auto;
  std::optional<ProgType> type;          // --type: overrides what the input says
  std::vector<std::string> sections;     // --section: keep only these (error if one is missing)
  std::string program;                   // --program: keep only this function name
  TargetKernel target;                   // CO-RE target and extern values (ELF input)
};

/// The most bytes any input file (program, --data, --mem, --ctx, --maps) may have:
/// 64 MiB, far beyond a real object (the kernel takes at most 1M instructions), so a
/// huge file fails at once instead of taking minutes or all memory.
inline constexpr uint64_t kMaxInputFileBytes = uint64_t{64} << 20;

/// Reads a whole regular file of at most kMaxInputFileBytes (possibly empty).  Error
/// (one line, naming the file) if it is missing, a directory, a device or FIFO (which
/// may never end), larger than the limit, or unreadable.
Result<std::vector<uint8_t>> read_input_file(const std::string& path);

/// Loads any input: detects ELF by magic, assembly by .s/.asm, else raw bytecode.
/// Every program is decoded; a malformed input is an Error (one line, names the file).
Result<Object> load_object(const std::string& path, const LoadOptions& opts = {});

/// Builds a Program from raw slots (raw input, assembler output, tests).
Result<Program> program_from_raw(std::vector<RawInsn> raw, ProgType type, std::string name = "prog");

}  // namespace bpfvet::isa
