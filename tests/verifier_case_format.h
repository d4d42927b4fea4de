// Verifier test cases in a small text format (tests/data/verifier/*.txt).
//
// A file holds cases separated by a line "====".  Each case is header lines, a line
// "----", then the program in assembly:
//
//   name: xdp_read_without_check        (required, unique)
//   type: xdp                           (program type; default socket_filter)
//   expect: accept | reject
//   code: PACKET_OUT_OF_BOUNDS          (reject: the stable error code)
//   insn: 5                             (reject: instruction index)
//   message: invalid access to packet   (optional: substring of kernel_message)
//   kernel: 5.2                         (optional --kernel)
//   unpriv: true                        (optional; same as caps: none)
//   caps: bpf                           (optional: none | bpf (CAP_BPF alone) | full)
//   license: Proprietary                (optional; default GPL)
//   map: NAME TYPE KEY VALUE ENTRIES    (optional, repeatable; TYPE a number or hash/array/...)
//        [inner=N] [lock=OFF] [flags=F]  (map-in-map inner template index; bpf_spin_lock
//                                         offset in the value; map_flags)
//   differential: no                    (optional: skip the running-kernel comparison)
//   func_info: yes                      (optional: one BTF func_info record per function,
//                                        as libbpf passes; the kernel loader builds the BTF)
//   ----
//   r0 = 0
//   exit
//
// Map references in the program use `r1 = map_idx(N) ll` (N = the map's position).
#pragma once

#include <fstream>
#include <set>
#include <stdexcept>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "isa/assembler.h"
#include "isa/program.h"

namespace bpfvet::testing {

struct VerifierCase {
  std::string file;
  std::string name;
  std::string type = "socket_filter";
  bool expect_accept = true;
  std::string code;
  int64_t insn = -1;
  std::string message;
  std::string kernel = "latest";
  bool unpriv = false;
  std::string caps = "full";  // isa::caps_name() of the loader's capabilities
  bool differential = true;
  bool func_info = false;
  std::string license = "GPL";
  std::vector<isa::MapDef> maps;
  std::string program;
};

inline std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

inline isa::MapType parse_map_type(const std::string& t) {
  static const std::map<std::string, isa::MapType> names = {
      {"hash", isa::MapType::Hash},           {"array", isa::MapType::Array},
      {"prog_array", isa::MapType::ProgArray}, {"percpu_hash", isa::MapType::PercpuHash},
      {"percpu_array", isa::MapType::PercpuArray}, {"lru_hash", isa::MapType::LruHash},
      {"ringbuf", isa::MapType::Ringbuf},     {"queue", isa::MapType::Queue},
      {"stack", isa::MapType::Stack},         {"perf_event_array", isa::MapType::PerfEventArray},
      {"sockmap", isa::MapType::Sockmap},     {"sockhash", isa::MapType::Sockhash},
      {"array_of_maps", isa::MapType::ArrayOfMaps}, {"hash_of_maps", isa::MapType::HashOfMaps},
      {"lpm_trie", isa::MapType::LpmTrie},    {"stack_trace", isa::MapType::StackTrace},
  };
  auto it = names.find(t);
  if (it != names.end()) return it->second;
  return static_cast<isa::MapType>(std::stoul(t));
}

/// gtest prints a case by its name.
inline void PrintTo(const VerifierCase& c, std::ostream* os) { *os << c.name; }

/// Parses one file; throws std::runtime_error naming the file and case on bad syntax.
inline std::vector<VerifierCase> parse_verifier_cases(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<VerifierCase> out;
  VerifierCase cur;
  cur.file = path;
  bool in_prog = false, any = false;
  std::string line;
  auto flush = [&] {
    if (any) {
      if (cur.name.empty()) throw std::runtime_error(path + ": case without name");
      out.push_back(cur);
    }
    cur = VerifierCase{};
    cur.file = path;
    in_prog = false;
    any = false;
  };
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (t == "====") {
      flush();
      continue;
    }
    if (in_prog) {
      cur.program += line + "\n";
      continue;
    }
    if (t.empty() || t[0] == '#') continue;
    if (t == "----") {
      in_prog = true;
      continue;
    }
    any = true;
    size_t colon = t.find(':');
    if (colon == std::string::npos) throw std::runtime_error(path + ": bad header line: " + t);
    std::string key = trim(t.substr(0, colon)), val = trim(t.substr(colon + 1));
    if (key == "name") cur.name = val;
    else if (key == "type") cur.type = val;
    else if (key == "expect") cur.expect_accept = val == "accept";
    else if (key == "code") cur.code = val;
    else if (key == "insn") cur.insn = std::stoll(val);
    else if (key == "message") cur.message = val;
    else if (key == "kernel") cur.kernel = val;
    else if (key == "unpriv") cur.unpriv = val == "true";
    else if (key == "caps") {
      if (val != "none" && val != "bpf" && val != "full") throw std::runtime_error(path + ": bad caps " + val);
      cur.caps = val;
    }
    else if (key == "license") cur.license = val;
    else if (key == "differential") cur.differential = val != "no";
    else if (key == "func_info") cur.func_info = val == "yes";
    else if (key == "map") {
      std::istringstream ms(val);
      isa::MapDef m;
      std::string type;
      ms >> m.name >> type >> m.key_size >> m.value_size >> m.max_entries;
      if (!ms) throw std::runtime_error(path + ": bad map line: " + val);
      m.type = parse_map_type(type);
      for (std::string extra; ms >> extra;) {
        const size_t eq = extra.find('=');
        const std::string k = extra.substr(0, eq);
        if (eq == std::string::npos || (k != "inner" && k != "lock" && k != "flags"))
          throw std::runtime_error(path + ": bad map option: " + extra);
        const long v = std::stol(extra.substr(eq + 1));
        if (k == "inner") m.inner_map = static_cast<int32_t>(v);
        else if (k == "lock") m.spin_lock_off = static_cast<int32_t>(v);
        else m.flags = static_cast<uint32_t>(v);
      }
      cur.maps.push_back(m);
    } else {
      throw std::runtime_error(path + ": unknown key " + key);
    }
  }
  flush();
  return out;
}

/// The case's program, assembled.
inline Result<isa::Program> build_case_program(const VerifierCase& c) {
  auto raw = isa::assemble(c.program, c.file + ":" + c.name);
  if (!raw) return raw.error();
  auto type = isa::parse_prog_type(c.type);
  if (!type) return Error{"unknown type " + c.type};
  auto prog = isa::program_from_raw(std::move(*raw), *type, c.name);
  if (!prog) return prog.error();
  prog->maps = c.maps;
  if (c.func_info)
    for (const isa::Function& f : prog->functions)
      prog->func_info.push_back(isa::FuncInfo{f.start, static_cast<uint32_t>(prog->func_info.size() + 1)});
  prog->license = c.license;
  return prog;
}

}  // namespace bpfvet::testing
