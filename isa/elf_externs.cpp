// Extern variables (`__kconfig`, `__ksym`) and CO-RE relocations: the parts of loading
// an object that libbpf takes from the running kernel (elf.h).
#include <sys/utsname.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "isa/core_relo.h"
#include "isa/elf.h"

namespace bpfvet::isa {
namespace {

constexpr size_t kMaxConfigBytes = size_t{16} << 20;

// KERNEL_VERSION(a, b, c) of a release string "6.18.44-fc" (sublevel capped at 255).
std::optional<uint32_t> parse_release(const std::string& rel) {
  unsigned a = 0, b = 0, c = 0;
  if (std::sscanf(rel.c_str(), "%u.%u.%u", &a, &b, &c) < 2) return std::nullopt;
  return (a << 16) + (b << 8) + std::min(c, 255u);
}

std::string host_release() {
  struct utsname u {};
  return uname(&u) == 0 ? std::string(u.release) : std::string();
}

// The text of a kernel config, gzip-compressed (/proc/config.gz) or plain.
Result<std::string> read_config(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files as they are, too
  if (!f) return Error{path + ": cannot open"};
  std::string text;
  char buf[1 << 15];
  int n = 0;
  while ((n = gzread(f, buf, sizeof buf)) > 0) {
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxConfigBytes) break;
  }
  const bool failed = n < 0;
  gzclose(f);
  if (failed) return Error{path + ": not a readable kernel config"};
  if (text.size() > kMaxConfigBytes) return Error{path + ": larger than 16 MiB, not a kernel config"};
  return text;
}

// CONFIG_* name -> value text ("y", "m", "n", "250", "\"str\"").
Result<std::map<std::string, std::string>> load_config(const TargetKernel& target, std::string* used) {
  std::vector<std::string> paths;
  if (!target.kconfig_path.empty()) {
    paths.push_back(target.kconfig_path);
  } else {
    paths.push_back("/proc/config.gz");
    paths.push_back("/boot/config-" + host_release());
  }
  std::string why;
  for (const auto& p : paths) {
    std::ifstream probe(p);
    if (!probe) {
      why += (why.empty() ? "" : ", ") + p + " missing";
      continue;
    }
    auto text = read_config(p);
    if (!text) return text.error();
    *used = p;
    std::map<std::string, std::string> out;
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("CONFIG_", 0) == 0) {
        const size_t eq = line.find('=');
        if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
      } else if (line.rfind("# CONFIG_", 0) == 0 && line.size() > 13 &&
                 line.compare(line.size() - 11, 11, " is not set") == 0) {
        out[line.substr(2, line.size() - 13)] = "n";
      }
    }
    return out;
  }
  return Error{"no kernel config (" + why + ")"};
}

// Writes the value text `v` of kconfig extern `name` (BTF type `type_id`) into `dst`.
Status put_kconfig(const Btf& btf, uint32_t type_id, const std::string& name, const std::string& v,
                   uint8_t* dst, size_t size) {
  uint32_t id = 0;
  auto rid = btf.resolve(type_id);
  if (!rid) return rid.error();
  id = *rid;
  const BtfType* t = btf.type(id);
  const bool tri = v == "y" || v == "m" || v == "n";
  auto bad = [&](const std::string& what) {
    return Error{"extern __kconfig '" + name + "': value '" + v + "' " + what};
  };
  if (t->kind == BtfKind::Enum && t->name == "libbpf_tristate") {
    if (!tri) return bad("is not y, m or n");
    const int32_t val = v == "y" ? 1 : v == "m" ? 2 : 0;
    std::memcpy(dst, &val, std::min<size_t>(size, 4));
    return Ok{};
  }
  if (t->kind == BtfKind::Array) {  // char[N]: a quoted string
    if (v.size() < 2 || v.front() != '"' || v.back() != '"') return bad("is not a string");
    const std::string s = v.substr(1, v.size() - 2);
    std::memset(dst, 0, size);
    std::memcpy(dst, s.data(), std::min(s.size(), size ? size - 1 : 0));
    return Ok{};
  }
  if (t->kind != BtfKind::Int && t->kind != BtfKind::Enum)
    return bad("cannot go into " + btf.type_name(type_id));
  const bool is_bool = t->kind == BtfKind::Int && (t->int_encoding >> 24 & 0x04);
  const bool is_char = t->kind == BtfKind::Int && (t->int_encoding >> 24 & 0x02) && t->size == 1;
  uint64_t val = 0;
  if (tri) {
    if (is_char)
      val = static_cast<uint8_t>(v[0]);
    else if (is_bool && v != "m")
      val = v == "y";
    else
      return bad(is_bool ? "does not fit a bool" : "is not a number");
  } else {
    if (is_bool || is_char) return bad("is not y, m or n");
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(v.c_str(), &end, 0);
    if (errno || !end || *end) return bad("is not a number");
    val = static_cast<uint64_t>(n);
    if (size < 8 && (n < -(1LL << (size * 8 - 1)) || n >= (1LL << (size * 8))))
      return bad("does not fit " + std::to_string(size) + " bytes");
  }
  std::memcpy(dst, &val, std::min<size_t>(size, 8));
  return Ok{};
}

struct Extern {
  std::string name;
  uint32_t type_id = 0;
  uint64_t size = 0;
  uint32_t align = 1;
  bool weak = false;
};

uint32_t align_of(const Btf& btf, uint32_t id) {
  for (int depth = 0; depth < 32; ++depth) {
    auto r = btf.resolve(id);
    if (!r) return 1;
    const BtfType* t = btf.type(*r);
    if (t->kind == BtfKind::Array) {
      id = t->array_elem;
      continue;
    }
    if (t->kind == BtfKind::Ptr) return 8;
    return std::clamp<uint32_t>(t->size, 1, 8);
  }
  return 1;
}

// The .kconfig externs of the object, in libbpf's layout order (alignment descending,
// then size, then name).
Result<std::vector<Extern>> kconfig_externs(const ElfFile& elf, const Btf& btf, const BtfType& sec) {
  std::vector<Extern> out;
  for (const auto& m : sec.members) {
    const BtfType* var = btf.type(m.type);
    if (!var || var->kind != BtfKind::Var) continue;
    Extern e{var->name, var->type, 0, align_of(btf, var->type), false};
    auto sz = btf.size_of(var->type);
    if (!sz || *sz == 0) return Error{"extern __kconfig '" + var->name + "' has no size"};
    e.size = *sz;
    for (const auto& s : elf.symbols)
      if (s.name == var->name && s.shndx == kShnUndef) e.weak = s.bind == kStbWeak;
    out.push_back(std::move(e));
  }
  std::stable_sort(out.begin(), out.end(), [](const Extern& a, const Extern& b) {
    if (a.align != b.align) return a.align > b.align;
    if (a.size != b.size) return a.size < b.size;
    return a.name < b.name;
  });
  return out;
}

Status resolve_kconfig(const ElfFile& elf, const Btf& btf, const BtfType& sec, const TargetKernel& target,
                       ObjectMaps& maps) {
  auto externs = kconfig_externs(elf, btf, sec);
  if (!externs) return externs.error();
  if (externs->empty()) return Ok{};
  MapDef map;
  map.name = ".kconfig";
  map.type = MapType::Array;
  map.key_size = 4;
  map.max_entries = 1;
  map.global_data = true;
  map.read_only = true;
  uint64_t off = 0;
  std::vector<uint64_t> offsets;
  for (const auto& e : *externs) {
    off = (off + e.align - 1) / e.align * e.align;
    offsets.push_back(off);
    off += e.size;
  }
  map.value_size = static_cast<uint32_t>(off);
  map.initial.assign(off, 0);
  const uint32_t idx = static_cast<uint32_t>(maps.maps.size());

  std::optional<std::map<std::string, std::string>> config;
  std::string config_path, config_error;
  for (size_t k = 0; k < externs->size(); ++k) {
    const Extern& e = (*externs)[k];
    uint8_t* dst = map.initial.data() + offsets[k];
    if (e.name == "LINUX_KERNEL_VERSION") {
      std::optional<uint32_t> v = target.version;
      if (!v) v = parse_release(host_release());
      if (!v)
        return Error{
            "extern __kconfig 'LINUX_KERNEL_VERSION': cannot tell the kernel version (uname -r is '" +
            host_release() + "')"};
      Status st = put_kconfig(btf, e.type_id, e.name, std::to_string(*v), dst, e.size);
      if (!st) return st;
    } else if (e.name.rfind("LINUX_HAS_", 0) == 0) {  // libbpf's feature probes: this kernel has them
      Status st = put_kconfig(btf, e.type_id, e.name, "y", dst, e.size);
      if (!st) return st;
    } else if (e.name.rfind("CONFIG_", 0) == 0) {
      if (!config && config_error.empty()) {
        auto c = load_config(target, &config_path);
        if (c)
          config = std::move(*c);
        else
          config_error = c.message();
      }
      const std::string* val = nullptr;
      if (config)
        if (auto it = config->find(e.name); it != config->end()) val = &it->second;
      if (!val) {
        if (e.weak) continue;  // a missing __weak extern reads as 0
        return Error{"extern __kconfig '" + e.name + "' is not set" +
                     (config ? " in " + config_path : ": " + config_error) +
                     " (declare it __weak to default to 0)"};
      }
      Status st = put_kconfig(btf, e.type_id, e.name, *val, dst, e.size);
      if (!st) return st;
    } else if (!e.weak) {
      return Error{"extern __kconfig '" + e.name +
                   "' is unknown (only LINUX_KERNEL_VERSION, LINUX_HAS_* and CONFIG_*)"};
    }
  }
  for (size_t k = 0; k < externs->size(); ++k)
    maps.externs[(*externs)[k].name] = ExternValue{true, idx, static_cast<uint32_t>(offsets[k]), 0};
  maps.maps.push_back(std::move(map));
  return Ok{};
}

// An extern function: its BTF id and prototype in the target kernel, as libbpf finds it.
Status resolve_kfunc(const ElfFile& elf, const BtfType& func, const TargetKernel& target, ObjectMaps& maps) {
  const std::string path = target.btf_path.empty() ? host_kernel_btf_path() : target.btf_path;
  if (path.empty())
    return Error{"extern (func ksym) '" + func.name +
                 "' needs the target kernel's BTF: /sys/kernel/btf/vmlinux is missing; pass --btf FILE"};
  auto kbtf = load_target_btf(path);
  if (!kbtf) return kbtf.error();
  auto proto = kfunc_proto_from_btf(**kbtf, func.name);
  if (!proto) {
    bool weak = false;
    for (const auto& s : elf.symbols)
      if (s.name == func.name && s.shndx == kShnUndef) weak = s.bind == kStbWeak;
    if (weak) return Ok{};  // libbpf leaves an unresolved __weak kfunc's calls as id 0
    return Error{"extern (func ksym) '" + func.name + "': not found in kernel or module BTFs (" + path + ")"};
  }
  maps.kfuncs[func.name] = std::move(*proto);
  return Ok{};
}

Status resolve_ksyms(const ElfFile& elf, const Btf& btf, const BtfType& sec, const TargetKernel& target,
                     ObjectMaps& maps) {
  std::map<std::string, bool> wanted;  // name -> weak
  for (const auto& m : sec.members) {
    const BtfType* var = btf.type(m.type);
    if (var && var->kind == BtfKind::Func) {
      Status st = resolve_kfunc(elf, *var, target, maps);
      if (!st) return st;
      continue;
    }
    if (!var || var->kind != BtfKind::Var) continue;
    auto rid = btf.resolve(var->type);
    if (!rid) return rid.error();
    if (*rid != 0)
      return Error{"extern __ksym '" + var->name + "' is typed (" + btf.type_name(var->type) +
                   "); typed ksyms (ld_imm64 BTF_ID) are not supported, declare it `extern const void " +
                   var->name + " __ksym;`"};
    bool weak = false;
    for (const auto& s : elf.symbols)
      if (s.name == var->name && s.shndx == kShnUndef) weak = s.bind == kStbWeak;
    wanted[var->name] = weak;
  }
  if (wanted.empty()) return Ok{};
  const std::string path = target.kallsyms_path.empty() ? "/proc/kallsyms" : target.kallsyms_path;
  std::ifstream in(path);
  std::map<std::string, uint64_t> found;
  for (std::string line; in && std::getline(in, line);) {
    std::istringstream ls(line);
    std::string addr, kind, name;
    if (!(ls >> addr >> kind >> name) || !wanted.count(name) || found.count(name)) continue;
    found[name] = std::strtoull(addr.c_str(), nullptr, 16);
  }
  for (const auto& [name, weak] : wanted) {
    auto it = found.find(name);
    if (it == found.end() && !weak)
      return Error{"extern __ksym '" + name + "' is not in " + path + (in ? "" : " (cannot read it)")};
    maps.externs[name] = ExternValue{false, 0, 0, it == found.end() ? 0 : it->second};
  }
  return Ok{};
}

}  // namespace

Status resolve_externs(const ElfFile& elf, const Btf* btf, const TargetKernel& target, ObjectMaps& maps) {
  if (!btf) return Ok{};
  for (uint32_t id = 1; id < btf->type_count(); ++id) {
    const BtfType* t = btf->type(id);
    if (t->kind != BtfKind::Datasec) continue;
    Status st = t->name == ".kconfig" ? resolve_kconfig(elf, *btf, *t, target, maps)
                : t->name == ".ksyms" ? resolve_ksyms(elf, *btf, *t, target, maps)
                                      : Status(Ok{});
    if (!st) return st;
  }
  return Ok{};
}

Status apply_core_relocations(const std::string& section, const Btf& btf, const BtfExt& ext,
                              const TargetKernel& target, std::vector<RawInsn>& insns) {
  auto it = ext.core_relos.find(section);
  if (it == ext.core_relos.end()) return Ok{};
  std::shared_ptr<const Btf> target_btf;
  for (const CoreRelo& r : it->second) {
    if (core_relo_needs_target(r) && !target_btf) {
      const std::string path = target.btf_path.empty() ? host_kernel_btf_path() : target.btf_path;
      if (path.empty())
        return Error{"CO-RE relocation " + describe_core_relo(btf, r) + " in section '" + section +
                     "' needs the target kernel's BTF: /sys/kernel/btf/vmlinux is missing; pass --btf FILE"};
      auto b = load_target_btf(path);
      if (!b) return b.error();
      target_btf = *b;
    }
    auto v = calc_core_relo(btf, r, target_btf.get());
    if (!v) return Error{"section '" + section + "': " + v.message()};
    Status st = patch_core_insn(insns, r.insn_off, *v);
    if (!st)
      return Error{"section '" + section + "': CO-RE relocation " + describe_core_relo(btf, r) + ": " +
                   st.message()};
  }
  return Ok{};
}

}  // namespace bpfvet::isa
