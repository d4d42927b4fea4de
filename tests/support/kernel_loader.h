// Ground truth from the running kernel (the "kernel oracle", library
// bpfvet_kernel_oracle, linked by the tests, bench/ and corpus/tools): load BPF objects
// the way libbpf does and read the verifier's verdict, failing instruction, error line
// and statistics.
//
// How it works: every program of an object is loaded on its own (the object is opened
// afresh with autoload off for the others) through libbpf, so it gets what libbpf
// derives from the section name and the BTF: expected_attach_type (cgroup_sock_addr
// hooks), attach_btf_id (LSM), func_info and line_info (global functions, bpf_loop
// callbacks), map creation and relocations.  The log level is the caller's: at level 1
// the kernel prints every instruction it processes as `IDX: (OP) text`, so the error
// belongs to the last such line before the message; errors found before the walk
// (check_cfg: back-edges, jumps out of range, unreachable code) name their instruction
// in the message itself.  The kernel keeps the tail of an overflowing log (rotating
// log), so even programs that hit the complexity limit can be read.  Level 4
// (BPF_LOG_STATS) alone prints just the error and the statistics, without slowing the
// verifier down with a trace: what benchmarks want.
//
// Objects with legacy SEC("maps") definitions (refused by libbpf 1.x) and assembly
// files (`.s`, assembled with llvm-mc-14 into a one-section object) are loaded by hand
// with BPF_PROG_LOAD.  Nothing is ever attached or pinned.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bpfvet::testsupport {

/// The verifier log levels the loaders take (BPF_LOG_LEVEL1, BPF_LOG_STATS).
inline constexpr int kLogInsns = 1;
inline constexpr int kLogStats = 4;

/// What the kernel said about one program.
struct KernelVerdict {
  std::string section;   // ELF section of the program
  std::string name;      // function name
  bool accepted = false;
  int insn = -1;         // failing instruction index (rejections at log level 1), -1 when unknown
  std::string message;   // the log line stating the error (rejections)
  std::string log;       // the whole verifier log (tail, if it overflowed)
  int error = 0;         // -errno of the load (0 when accepted)
  int insn_count = 0;    // instructions as loaded by libbpf
};

/// Result of loading an object: a libbpf-level failure (open, relocation) is an error
/// string; otherwise one verdict per program.
struct ObjectVerdicts {
  std::string error;
  std::vector<KernelVerdict> programs;
};

/// The statistics line(s) of a verifier log; `found` is false when the log has none.
struct KernelStats {
  bool found = false;
  uint64_t processed_insns = 0, max_states_per_insn = 0, total_states = 0, peak_states = 0;
  uint64_t verification_us = 0;  // "verification time N usec" (log level 4 only), else 0
};

/// Reads "processed N insns (limit L) max_states_per_insn M total_states T peak_states P"
/// and "verification time N usec" from a log.
KernelStats parse_stats(const std::string& log);

/// Fills `v.insn` and `v.message` from a rejection's log, as described at the top.
void parse_rejection_log(KernelVerdict& v);

/// Loads one program of the object at `path` (by index among its programs) and
/// reports the verdict.  `type` overrides the program type ("xdp", "tc", ...) when set;
/// a libbpf-level failure sets *open_error.
KernelVerdict load_one(const std::string& path, size_t index, const std::string& type, std::string* open_error,
                       int log_level = kLogInsns);

/// True when the object at `path` uses legacy SEC("maps") map definitions.
bool has_legacy_maps(const std::string& path);

/// Loads every program of an object by hand: objects with legacy maps, and the
/// one-section objects assembled from `.s` files, whose raw instructions are loaded
/// exactly as written (libbpf would reject or rewrite some of them).  `type` overrides
/// the type guessed from the section name.
ObjectVerdicts load_object_by_hand(const std::string& path, const std::string& type = "", int log_level = kLogInsns);

/// Loads every program of the object at `path`, each on its own.
ObjectVerdicts load_object_file(const std::string& path, const std::string& type = "", int log_level = kLogInsns);

/// Assembles the kernel-syntax `.s` file at `asm_path` (program type `type`) into a
/// scratch directory and loads it by hand; an assembler failure is the error string.
ObjectVerdicts load_assembly_file(const std::string& asm_path, const std::string& type, int log_level = kLogInsns);

/// A section name from which libbpf infers the program type `type` (for assembling
/// `.s` files, which carry only a TYPE).
std::string section_for_type(const std::string& type);

/// Assembles a kernel-syntax `.s` file with llvm-mc-14 into an object whose one
/// program lives in `section`; returns the object's path or "" (with *error set).
std::string assemble_with_llvm_mc(const std::string& asm_path, const std::string& section, const std::string& out_dir,
                                  std::string* error);

/// True when this process may load BPF programs: tries `r0 = 0; exit` as a socket filter.
bool bpf_syscall_available();

/// Result of running one program once with BPF_PROG_TEST_RUN.
struct KernelRun {
  std::string error;             // non-empty when loading or running failed
  uint32_t retval = 0;
  std::vector<unsigned char> data_out;
};

/// Loads the program named `name` of the object at `path` (others not loaded) and runs
/// it once on `packet` with BPF_PROG_TEST_RUN.  Nothing is attached or pinned.
KernelRun kernel_test_run(const std::string& path, const std::string& name, const std::vector<unsigned char>& packet);

}  // namespace bpfvet::testsupport
