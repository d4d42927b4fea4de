// The kernel oracle's implementation (see kernel_loader.h).
#include "tests/support/kernel_loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <elf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <regex>
#include <sstream>

namespace bpfvet::testsupport {

namespace {

int silent_print(enum libbpf_print_level, const char*, va_list) { return 0; }

std::optional<bpf_prog_type> prog_type_by_name(const std::string& name) {
  struct Row { const char* n; bpf_prog_type t; };
  static const Row rows[] = {
      {"socket_filter", BPF_PROG_TYPE_SOCKET_FILTER}, {"kprobe", BPF_PROG_TYPE_KPROBE},
      {"kretprobe", BPF_PROG_TYPE_KPROBE},            {"uprobe", BPF_PROG_TYPE_KPROBE},
      {"tracepoint", BPF_PROG_TYPE_TRACEPOINT},       {"raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT},
      {"perf_event", BPF_PROG_TYPE_PERF_EVENT},       {"xdp", BPF_PROG_TYPE_XDP},
      {"sched_cls", BPF_PROG_TYPE_SCHED_CLS},         {"tc", BPF_PROG_TYPE_SCHED_CLS},
      {"sched_act", BPF_PROG_TYPE_SCHED_ACT},         {"cgroup_skb", BPF_PROG_TYPE_CGROUP_SKB},
      {"cgroup_sock", BPF_PROG_TYPE_CGROUP_SOCK},     {"lsm", BPF_PROG_TYPE_LSM},
  };
  for (const Row& r : rows)
    if (name == r.n) return r.t;
  return std::nullopt;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Lines that accompany instructions but do not state an error: source lines, register
// states, branch-target notes, the final statistics.
bool is_noise(const std::string& l) {
  static const std::regex state(R"(^(\d+: )?(frame\d+: )?R\d+(_\w+)?=)");
  static const std::regex from(R"(^from \d+ to \d+:)");
  static const std::regex stats(R"(^(processed \d+ insns|verification time|stack depth|func#\d+ @\d+|Func#|last_idx|mark_precise|regs=|parent (didn't|already)|\s*$))");
  return l.rfind(";", 0) == 0 || std::regex_search(l, state) || std::regex_search(l, from) ||
         std::regex_search(l, stats) || l.rfind("Live regs", 0) == 0;
}

}  // namespace

KernelStats parse_stats(const std::string& log) {
  static const std::regex processed(
      R"(processed (\d+) insns \(limit \d+\) max_states_per_insn (\d+) total_states (\d+) peak_states (\d+))");
  static const std::regex time(R"(verification time (\d+) usec)");
  KernelStats st;
  std::smatch m;
  if (std::regex_search(log, m, processed)) {
    st.found = true;
    st.processed_insns = std::stoull(m[1]);
    st.max_states_per_insn = std::stoull(m[2]);
    st.total_states = std::stoull(m[3]);
    st.peak_states = std::stoull(m[4]);
  }
  if (std::regex_search(log, m, time)) st.verification_us = std::stoull(m[1]);
  return st;
}

void parse_rejection_log(KernelVerdict& v) {
  static const std::regex insn_line(R"(^(\d+): \([0-9a-f]{2}\))");
  static const std::regex insn_in_msg(R"(\binsn (\d+))");
  const std::vector<std::string> lines = split_lines(v.log);
  int last_insn_line = -1;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    if (std::regex_search(lines[i], m, insn_line)) {
      last_insn_line = static_cast<int>(i);
      v.insn = std::stoi(m[1]);
    }
  }
  // libbpf rewrites the kernel's "N: (85) call unknown#195896080" + "invalid func
  // unknown#195896080" (a CO-RE relocation it poisoned) into "N: <invalid CO-RE
  // relocation>" + "failed to resolve CO-RE relocation ...": give back the kernel's words.
  static const std::regex core_poison(R"(^(\d+): <invalid CO-RE relocation>)");
  if (last_insn_line + 1 < static_cast<int>(lines.size())) {
    std::smatch cm;
    if (std::regex_search(lines[last_insn_line + 1], cm, core_poison)) {
      v.insn = std::stoi(cm[1]);
      v.message = "invalid func unknown#195896080";
      return;
    }
  }
  for (size_t i = last_insn_line + 1; i < lines.size(); ++i) {
    if (is_noise(lines[i])) continue;
    v.message = lines[i];
    break;
  }
  // A message that names its instruction ("infinite loop detected at insn 3", "back-edge
  // from insn 7 to 5") is believed over the last printed line.  Errors found after the
  // walk that name none (the combined stack size check) have no instruction: -1.
  std::smatch m;
  if (std::regex_search(v.message, m, insn_in_msg))
    v.insn = std::stoi(m[1]);
  else if (v.message.find("last insn") != std::string::npos)
    v.insn = v.insn_count - 1;
  else if (v.message.find("combined stack size") != std::string::npos)
    v.insn = -1;
}

/// Loads one program of the object at `path` (by index among its programs) and
/// reports the verdict.  `type` overrides the program type ("xdp", "tc", ...) when set.
KernelVerdict load_one(const std::string& path, size_t index, const std::string& type, std::string* open_error,
                       int log_level) {
  KernelVerdict v;
  libbpf_set_print(silent_print);
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj) {
    *open_error = "bpf_object__open_file failed: " + std::string(strerror(errno));
    return v;
  }
  static std::vector<char> log(64u << 20);
  size_t i = 0;
  bpf_program* target = nullptr;
  bpf_program* p;
  bpf_object__for_each_program(p, obj) {
    if (i++ == index) {
      target = p;
    } else {
      bpf_program__set_autoload(p, false);
    }
  }
  if (!target) {
    bpf_object__close(obj);
    *open_error = "no such program";
    return v;
  }
  // A `SEC("?...")` program is off by default: loading it is the point here.
  bpf_program__set_autoload(target, true);
  v.section = bpf_program__section_name(target);
  v.name = bpf_program__name(target);
  if (!type.empty()) {
    auto t = prog_type_by_name(type);
    if (!t) {
      bpf_object__close(obj);
      *open_error = "unknown type " + type;
      return v;
    }
    bpf_program__set_type(target, *t);
  }
  log[0] = 0;
  bpf_program__set_log_buf(target, log.data(), log.size());
  bpf_program__set_log_level(target, static_cast<__u32>(log_level));
  int err = bpf_object__load(obj);
  v.log = log.data();
  v.error = err;
  v.insn_count = static_cast<int>(bpf_program__insn_cnt(target));
  if (err == -ENOSPC) {
    // The log overflowed; the verdict comes from a load without a log.
    bpf_object__close(obj);
    obj = bpf_object__open_file(path.c_str(), nullptr);
    if (!obj) {
      *open_error = "bpf_object__open_file failed on reopen: " + std::string(strerror(errno));
      return v;
    }
    i = 0;
    bpf_object__for_each_program(p, obj) {
      const bool chosen = i++ == index;
      bpf_program__set_autoload(p, chosen);
      if (chosen && !type.empty()) bpf_program__set_type(p, *prog_type_by_name(type));
    }
    err = bpf_object__load(obj);
    v.error = err;
  }
  v.accepted = err == 0;
  // A refusal without a log happened before verification (permissions, attach target):
  // callers see error != 0 with an empty log and message.
  if (!v.accepted && !v.log.empty()) parse_rejection_log(v);
  bpf_object__close(obj);
  return v;
}

namespace {

// libbpf 1.x refuses objects with legacy `SEC("maps")` definitions (struct bpf_map_def),
// so those are loaded by hand: one program per executable section, maps created from
// the 20-byte definitions, map relocations patched into the ld_imm64 instructions.
// Enough for the corpus' legacy programs (no subprograms, no BTF).
struct LegacyElf {
  std::vector<char> bytes;
  const Elf64_Ehdr* eh = nullptr;
  const Elf64_Shdr* sh = nullptr;
  const char* shstr = nullptr;
  bool parse() {
    if (bytes.size() < sizeof(Elf64_Ehdr)) return false;
    eh = reinterpret_cast<const Elf64_Ehdr*>(bytes.data());
    if (std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_shoff == 0 ||
        eh->e_shoff + static_cast<size_t>(eh->e_shnum) * sizeof(Elf64_Shdr) > bytes.size() ||
        eh->e_shstrndx >= eh->e_shnum)
      return false;
    sh = reinterpret_cast<const Elf64_Shdr*>(bytes.data() + eh->e_shoff);
    for (int i = 0; i < eh->e_shnum; ++i)
      if (sh[i].sh_type != SHT_NOBITS && sh[i].sh_offset + sh[i].sh_size > bytes.size()) return false;
    shstr = bytes.data() + sh[eh->e_shstrndx].sh_offset;
    shstr_size = sh[eh->e_shstrndx].sh_size;
    return true;
  }
  size_t shstr_size = 0;
  std::string name(int i) const {
    if (sh[i].sh_name >= shstr_size) return "";
    return std::string(shstr + sh[i].sh_name, strnlen(shstr + sh[i].sh_name, shstr_size - sh[i].sh_name));
  }
  const char* data(int i) const { return bytes.data() + sh[i].sh_offset; }
  int find(const std::string& n) const {
    for (int i = 0; i < eh->e_shnum; ++i)
      if (name(i) == n) return i;
    return -1;
  }
};

bpf_prog_type legacy_type(const std::string& section) {
  if (section.rfind("xdp", 0) == 0) return BPF_PROG_TYPE_XDP;
  if (section.rfind("tc", 0) == 0 || section.rfind("classifier", 0) == 0) return BPF_PROG_TYPE_SCHED_CLS;
  if (section.rfind("kprobe", 0) == 0) return BPF_PROG_TYPE_KPROBE;
  return BPF_PROG_TYPE_SOCKET_FILTER;
}

}  // namespace

/// True when the object at `path` uses legacy SEC("maps") map definitions.
bool has_legacy_maps(const std::string& path) {
  LegacyElf elf;
  std::ifstream in(path, std::ios::binary);
  elf.bytes.assign(std::istreambuf_iterator<char>(in), {});
  return elf.parse() && elf.find("maps") >= 0;
}

/// Loads every program of an object by hand (see LegacyElf): objects with
/// legacy maps, and the one-section objects assembled from `.s` files, whose raw
/// instructions are loaded exactly as written (libbpf would reject or rewrite some
/// of them).  `type` overrides the type guessed from the section name.
ObjectVerdicts load_object_by_hand(const std::string& path, const std::string& type, int log_level) {
  ObjectVerdicts out;
  LegacyElf elf;
  std::ifstream in(path, std::ios::binary);
  elf.bytes.assign(std::istreambuf_iterator<char>(in), {});
  if (!elf.parse()) {
    out.error = "not a valid ELF object";
    return out;
  }
  const int maps = elf.find("maps"), symtab = elf.find(".symtab"), lic = elf.find("license");
  if (symtab < 0) {
    out.error = "no symbol table";
    return out;
  }
  const auto* syms = reinterpret_cast<const Elf64_Sym*>(elf.data(symtab));
  const size_t nsyms = elf.sh[symtab].sh_size / sizeof(Elf64_Sym);
  if (elf.sh[symtab].sh_link >= elf.eh->e_shnum) {
    out.error = "bad symbol table";
    return out;
  }
  const char* strtab = elf.data(elf.sh[symtab].sh_link);
  const size_t strtab_size = elf.sh[elf.sh[symtab].sh_link].sh_size;
  auto sym_name = [&](size_t i) -> std::string {
    if (syms[i].st_name >= strtab_size) return "";
    return std::string(strtab + syms[i].st_name, strnlen(strtab + syms[i].st_name, strtab_size - syms[i].st_name));
  };
  std::map<size_t, int> map_fd_by_sym;
  std::vector<int> fds;
  for (size_t i = 0; i < nsyms; ++i) {
    if (maps < 0 || syms[i].st_shndx != maps || ELF64_ST_TYPE(syms[i].st_info) != STT_OBJECT) continue;
    if (syms[i].st_value + 16 > elf.sh[maps].sh_size) continue;
    unsigned int def[5] = {};
    std::memcpy(def, elf.data(maps) + syms[i].st_value, std::min<size_t>(sizeof def, elf.sh[maps].sh_size - syms[i].st_value));
    LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = def[4]);
    int fd = bpf_map_create(static_cast<bpf_map_type>(def[0]), sym_name(i).c_str(), def[1], def[2], def[3], &mopts);
    if (fd < 0) {
      out.error = std::string("map creation failed: ") + strerror(errno);
      for (int f : fds) close(f);
      return out;
    }
    fds.push_back(fd);
    map_fd_by_sym[i] = fd;
  }
  const std::string license = lic >= 0 ? std::string(elf.data(lic), strnlen(elf.data(lic), elf.sh[lic].sh_size)) : "";
  static std::vector<char> log(16u << 20);
  for (int s = 0; s < elf.eh->e_shnum; ++s) {
    if (!(elf.sh[s].sh_flags & SHF_EXECINSTR) || elf.name(s) == ".text" || elf.sh[s].sh_size == 0) continue;
    std::vector<bpf_insn> insns(elf.sh[s].sh_size / sizeof(bpf_insn));
    std::memcpy(insns.data(), elf.data(s), insns.size() * sizeof(bpf_insn));
    KernelVerdict v;
    v.section = elf.name(s);
    for (size_t i = 0; i < nsyms; ++i)
      if (syms[i].st_shndx == s && ELF64_ST_TYPE(syms[i].st_info) == STT_FUNC) v.name = sym_name(i);
    const int rel = elf.find(".rel" + v.section);
    if (rel >= 0) {
      const auto* rels = reinterpret_cast<const Elf64_Rel*>(elf.data(rel));
      for (size_t r = 0; r < elf.sh[rel].sh_size / sizeof(Elf64_Rel); ++r) {
        const size_t idx = rels[r].r_offset / sizeof(bpf_insn);
        auto it = map_fd_by_sym.find(ELF64_R_SYM(rels[r].r_info));
        if (idx >= insns.size() || it == map_fd_by_sym.end()) {
          out.error = "unsupported relocation in " + v.section;
          for (int f : fds) close(f);
          return out;
        }
        insns[idx].src_reg = BPF_PSEUDO_MAP_FD;
        insns[idx].imm = it->second;
      }
    }
    log[0] = 0;
    LIBBPF_OPTS(bpf_prog_load_opts, popts, .log_level = static_cast<__u32>(log_level), .log_size = static_cast<__u32>(log.size()),
                .log_buf = log.data());
    const bpf_prog_type prog_type =
        type.empty() ? legacy_type(v.section) : prog_type_by_name(type).value_or(BPF_PROG_TYPE_UNSPEC);
    int fd = bpf_prog_load(prog_type, v.name.c_str(), license.c_str(), insns.data(),
                           insns.size(), &popts);
    v.insn_count = static_cast<int>(insns.size());
    v.log = log.data();
    v.accepted = fd >= 0;
    v.error = fd >= 0 ? 0 : -errno;
    if (fd >= 0) close(fd);
    else if (!v.log.empty()) parse_rejection_log(v);
    out.programs.push_back(v);
  }
  for (int f : fds) close(f);
  return out;
}

/// Loads every program of the object at `path`, each on its own.
ObjectVerdicts load_object_file(const std::string& path, const std::string& type, int log_level) {
  ObjectVerdicts out;
  if (has_legacy_maps(path)) return load_object_by_hand(path, type, log_level);
  libbpf_set_print(silent_print);
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj) {
    out.error = "bpf_object__open_file failed: " + std::string(strerror(errno));
    return out;
  }
  size_t n = 0;
  bpf_program* p;
  bpf_object__for_each_program(p, obj) ++n;
  bpf_object__close(obj);
  for (size_t i = 0; i < n; ++i) {
    std::string err;
    out.programs.push_back(load_one(path, i, type, &err, log_level));
    if (!err.empty()) {
      out.error = err;
      return out;
    }
  }
  return out;
}

/// A section name from which libbpf infers the program type `type` (for assembling
/// `.s` files, which carry only a TYPE).
std::string section_for_type(const std::string& type) {
  if (type == "xdp") return "xdp";
  if (type == "sched_cls" || type == "tc") return "tc";
  if (type == "sched_act") return "action";
  if (type == "kprobe" || type == "uprobe") return "kprobe/do_nanosleep";
  if (type == "kretprobe") return "kretprobe/do_nanosleep";
  if (type == "tracepoint") return "tracepoint/syscalls/sys_enter_openat";
  if (type == "raw_tracepoint") return "raw_tracepoint/sys_enter";
  if (type == "perf_event") return "perf_event";
  if (type == "cgroup_skb") return "cgroup_skb/ingress";
  if (type == "cgroup_sock") return "cgroup/sock_create";
  return "socket";
}

/// Assembles a kernel-syntax `.s` file with llvm-mc-14 into an object whose one
/// program lives in `section`; returns the object's path or "" (with *error set).
std::string assemble_with_llvm_mc(const std::string& asm_path, const std::string& section,
                                         const std::string& out_dir, std::string* error) {
  std::ifstream in(asm_path);
  if (!in) {
    *error = "cannot read " + asm_path;
    return "";
  }
  std::stringstream body;
  body << "\t.section \"" << section << "\",\"ax\",@progbits\n\t.globl prog\n\t.type prog,@function\nprog:\n";
  for (std::string line; std::getline(in, line);) body << line.substr(0, line.find(';')) << "\n";  // LLVM's comment is '#'
  body << "\n.Lend:\n\t.size prog, .Lend-prog\n"
       << "\t.section \"license\",\"aw\",@progbits\n\t.asciz \"GPL\"\n";
  std::string base = asm_path.substr(asm_path.find_last_of('/') + 1);
  std::string wrapped = out_dir + "/" + base + ".wrapped.s";
  std::string obj = out_dir + "/" + base + ".o";
  std::ofstream(wrapped) << body.str();
  std::string cmd = "llvm-mc-14 -triple bpfel -filetype=obj -o '" + obj + "' '" + wrapped + "' 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) {
    *error = "cannot run llvm-mc-14";
    return "";
  }
  std::string output;
  char buf[512];
  while (fgets(buf, sizeof buf, pipe)) output += buf;
  if (pclose(pipe) != 0) {
    *error = "llvm-mc-14 failed: " + output;
    return "";
  }
  return obj;
}

ObjectVerdicts load_assembly_file(const std::string& asm_path, const std::string& type, int log_level) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path tmp = fs::temp_directory_path(ec) / ("bpfvet-oracle-asm-" + std::to_string(getpid()));
  fs::create_directories(tmp, ec);
  ObjectVerdicts out;
  std::string err;
  const std::string object = assemble_with_llvm_mc(asm_path, section_for_type(type), tmp.string(), &err);
  if (object.empty()) {
    out.error = "cannot assemble with llvm-mc-14: " + err;
    return out;
  }
  return load_object_by_hand(object, type, log_level);
}

/// True when this process may load BPF programs: tries `r0 = 0; exit` as a socket filter.
bool bpf_syscall_available() {
  const bpf_insn insns[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, nullptr, "GPL", insns, 2, nullptr);
  if (fd < 0) return false;
  close(fd);
  return true;
}



/// Loads the program named `name` of the object at `path` (others not loaded) and runs
/// it once on `packet` with BPF_PROG_TEST_RUN.  Nothing is attached or pinned.
KernelRun kernel_test_run(const std::string& path, const std::string& name,
                                 const std::vector<unsigned char>& packet) {
  KernelRun out;
  libbpf_set_print(silent_print);
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj) {
    out.error = "cannot open " + path;
    return out;
  }
  bpf_program* target = nullptr;
  bpf_program* p;
  bpf_object__for_each_program(p, obj) {
    if (name == bpf_program__name(p)) target = p;
    else bpf_program__set_autoload(p, false);
  }
  if (!target || bpf_object__load(obj) != 0) {
    out.error = target ? "load failed" : "no program " + name;
    bpf_object__close(obj);
    return out;
  }
  out.data_out.resize(packet.size() + 256);
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet.data(),
              .data_out = out.data_out.data(), .data_size_in = static_cast<__u32>(packet.size()),
              .data_size_out = static_cast<__u32>(out.data_out.size()), .repeat = 1);
  if (bpf_prog_test_run_opts(bpf_program__fd(target), &opts) != 0) {
    out.error = std::string("BPF_PROG_TEST_RUN failed: ") + strerror(errno);
  } else {
    out.retval = opts.retval;
    out.data_out.resize(opts.data_size_out);
  }
  bpf_object__close(obj);
  return out;
}

}  // namespace bpfvet::testsupport
