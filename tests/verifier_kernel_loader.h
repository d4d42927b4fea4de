// Loads a Program into the running kernel with a raw BPF_PROG_LOAD (maps created for
// its map references) and returns the kernel's verdict and log, for differential tests
// and the benchmark.  Only loads and closes: never attaches or pins anything.
// Maps are created in order: a map-in-map outer gets the fd of its inner template
// (MapDef::inner_map, an earlier map), and a value holding a bpf_spin_lock
// (MapDef::spin_lock_off) gets a small BTF built with libbpf that describes it.
#pragma once

#include <bpf/btf.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "isa/program.h"

namespace bpfvet::testing {

struct KernelVerdict {
  bool accepted = false;
  int err = 0;          // errno of a failed load
  std::string log;
};

inline long bpf_sys(int cmd, union bpf_attr* attr) { return syscall(SYS_bpf, cmd, attr, sizeof(*attr)); }

/// True when bpf() can load a trivial socket filter here.
inline bool kernel_bpf_available() {
  static const bool ok = [] {
    struct bpf_insn insns[2] = {};
    insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
    insns[1].code = BPF_JMP | BPF_EXIT;
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insns = reinterpret_cast<uint64_t>(insns);
    a.insn_cnt = 2;
    a.license = reinterpret_cast<uint64_t>("GPL");
    long fd = bpf_sys(BPF_PROG_LOAD, &a);
    if (fd < 0) return false;
    close(static_cast<int>(fd));
    return true;
  }();
  return ok;
}

/// Loads BTF describing `m`'s key (int) and value (a struct of value_size bytes with a
/// struct bpf_spin_lock at spin_lock_off) into the kernel; the btf object (owner of the
/// fd) or null.
inline btf* spin_lock_btf(const isa::MapDef& m, uint32_t* key_id, uint32_t* value_id) {
  btf* b = btf__new_empty();
  if (!b) return nullptr;
  const int int_id = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
  const int lock_id = btf__add_struct(b, "bpf_spin_lock", 4);
  btf__add_field(b, "val", int_id, 0, 0);
  const int value = btf__add_struct(b, "value_t", m.value_size);
  btf__add_field(b, "lock", lock_id, static_cast<uint32_t>(m.spin_lock_off) * 8, 0);
  if (int_id < 0 || lock_id < 0 || value < 0 || btf__load_into_kernel(b) != 0) {
    btf__free(b);
    return nullptr;
  }
  *key_id = static_cast<uint32_t>(int_id);
  *value_id = static_cast<uint32_t>(value);
  return b;
}

/// Loads BTF with one static FUNC (`int fN(void)`) per function of `prog` into the
/// kernel and fills `info` with func_info records for it; the btf object (owner of
/// the fd) or null.  For generated programs that carry func_info but no BTF.
inline btf* func_info_btf(const isa::Program& prog, std::vector<bpf_func_info>* info) {
  btf* b = btf__new_empty();
  if (!b) return nullptr;
  const int int_id = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
  const int proto = btf__add_func_proto(b, int_id);
  bool ok = int_id > 0 && proto > 0;
  for (size_t i = 0; ok && i < prog.functions.size(); ++i) {
    const int id = btf__add_func(b, ("f" + std::to_string(i)).c_str(), BTF_FUNC_STATIC, proto);
    ok = id > 0;
    info->push_back(bpf_func_info{prog.functions[i].start, static_cast<uint32_t>(id)});
  }
  if (!ok || btf__load_into_kernel(b) != 0) {
    btf__free(b);
    return nullptr;
  }
  return b;
}

/// Loads `prog` (log level 1|4 = instructions + stats when `stats`, else 1); nullopt when a
/// map cannot be created (the comparison is then meaningless).
inline std::optional<KernelVerdict> kernel_load(const isa::Program& prog, bool stats = false, bool unpriv = false) {
  (void)unpriv;
  std::vector<int> fds;
  auto close_all = [&] {
    for (int fd : fds) close(fd);
  };
  for (const auto& m : prog.maps) {
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    a.map_type = static_cast<uint32_t>(m.type);
    a.key_size = m.key_size;
    a.value_size = m.value_size;
    a.max_entries = m.max_entries;
    a.map_flags = m.flags;
    if (m.read_only) a.map_flags |= BPF_F_RDONLY_PROG;
    // The kernel's name (used in its messages): up to 15 of [A-Za-z0-9_.].
    for (size_t i = 0, n = 0; i < m.name.size() && n + 1 < sizeof a.map_name; ++i)
      if (std::isalnum(static_cast<unsigned char>(m.name[i])) || m.name[i] == '_' || m.name[i] == '.')
        a.map_name[n++] = m.name[i];
    if (m.inner_map >= 0 && static_cast<size_t>(m.inner_map) < fds.size())
      a.inner_map_fd = static_cast<uint32_t>(fds[static_cast<size_t>(m.inner_map)]);
    btf* value_btf = nullptr;
    if (m.spin_lock_off >= 0) {
      value_btf = spin_lock_btf(m, &a.btf_key_type_id, &a.btf_value_type_id);
      if (!value_btf) {
        close_all();
        return std::nullopt;
      }
      a.btf_fd = static_cast<uint32_t>(btf__fd(value_btf));
      if (m.key_size != 4) a.btf_key_type_id = 0;
    }
    long fd = bpf_sys(BPF_MAP_CREATE, &a);
    if (value_btf) btf__free(value_btf);
    if (fd < 0) {
      close_all();
      return std::nullopt;
    }
    if (!m.initial.empty() && m.initial.size() == m.value_size) {
      uint32_t key = 0;
      union bpf_attr u;
      std::memset(&u, 0, sizeof u);
      u.map_fd = static_cast<uint32_t>(fd);
      u.key = reinterpret_cast<uint64_t>(&key);
      u.value = reinterpret_cast<uint64_t>(m.initial.data());
      bpf_sys(BPF_MAP_UPDATE_ELEM, &u);
    }
    if (m.read_only && m.global_data) {
      union bpf_attr f;
      std::memset(&f, 0, sizeof f);
      f.map_fd = static_cast<uint32_t>(fd);
      bpf_sys(BPF_MAP_FREEZE, &f);
    }
    fds.push_back(static_cast<int>(fd));
  }
  std::vector<isa::RawInsn> raw = prog.raw;
  for (size_t i = 0; i + 1 < raw.size(); ++i) {
    if (raw[i].code != 0x18) continue;
    uint8_t src = raw[i].src();
    if (src == 5 || src == 6 || src == 1 || src == 2) {
      int idx = raw[i].imm;
      if (idx >= 0 && static_cast<size_t>(idx) < fds.size()) {
        raw[i].imm = fds[static_cast<size_t>(idx)];
        uint8_t nsrc = (src == 5 || src == 1) ? 1 : 2;
        raw[i].regs = static_cast<uint8_t>((raw[i].regs & 0x0f) | (nsrc << 4));
      }
    }
    ++i;
  }
  static std::vector<char> logbuf(16 << 20);
  logbuf[0] = 0;
  union bpf_attr a;
  std::memset(&a, 0, sizeof a);
  a.prog_type = isa::kernel_prog_type(prog.type);
  a.insns = reinterpret_cast<uint64_t>(raw.data());
  a.insn_cnt = static_cast<uint32_t>(raw.size());
  std::string license = prog.license.empty() ? "GPL" : prog.license;
  a.license = reinterpret_cast<uint64_t>(license.c_str());
  a.log_buf = reinterpret_cast<uint64_t>(logbuf.data());
  a.log_size = static_cast<uint32_t>(logbuf.size());
  a.log_level = stats ? (1 | 4) : 1;
  if (prog.type == isa::ProgType::Kprobe || prog.type == isa::ProgType::Kretprobe || prog.type == isa::ProgType::Uprobe)
    a.kern_version = 0xffffffff;
  std::vector<bpf_func_info> func_info;
  btf* prog_btf = nullptr;
  if (!prog.func_info.empty() && prog.btf.empty()) {
    prog_btf = func_info_btf(prog, &func_info);
    if (!prog_btf) {
      close_all();
      return std::nullopt;
    }
    a.prog_btf_fd = static_cast<uint32_t>(btf__fd(prog_btf));
    a.func_info = reinterpret_cast<uint64_t>(func_info.data());
    a.func_info_rec_size = sizeof(bpf_func_info);
    a.func_info_cnt = static_cast<uint32_t>(func_info.size());
  }
  long fd = bpf_sys(BPF_PROG_LOAD, &a);
  if (prog_btf) btf__free(prog_btf);
  KernelVerdict v;
  v.accepted = fd >= 0;
  v.err = fd >= 0 ? 0 : errno;
  v.log = logbuf.data();
  if (fd >= 0) close(static_cast<int>(fd));
  close_all();
  return v;
}

}  // namespace bpfvet::testing
