// BPF_PROG_LOAD + BPF_PROG_TEST_RUN through libbpf's low-level API.
#include "jit/kernel_engine.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <map>

#include "jit/runtime.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

namespace bpfvet::jit {

using isa::MapType;
using isa::ProgType;

namespace {

constexpr uint32_t kRdonlyProg = 1u << 7;  // BPF_F_RDONLY_PROG
constexpr size_t kLogSize = 1 << 20;
constexpr uint32_t kDataOutSlack = 4096;

// Closes the fds it owns.
struct Fds {
  std::vector<int> fds;
  ~Fds() {
    for (int fd : fds)
      if (fd >= 0) close(fd);
  }
  int keep(int fd) {
    fds.push_back(fd);
    return fd;
  }
};

std::string errno_text(int err) { return std::string(std::strerror(err < 0 ? -err : err)); }

// Restores the thread's CPU affinity when done.
struct PinCpu0 {
  cpu_set_t old;
  bool ok = false;
  PinCpu0() {
    if (sched_getaffinity(0, sizeof old, &old) != 0) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    ok = sched_setaffinity(0, sizeof one, &one) == 0;
  }
  ~PinCpu0() {
    if (ok) sched_setaffinity(0, sizeof old, &old);
  }
};

bool kernel_runnable(ProgType t) {
  return t == ProgType::SocketFilter || t == ProgType::SchedCls || t == ProgType::SchedAct || t == ProgType::Xdp ||
         t == ProgType::CgroupSkb || t == ProgType::RawTracepoint || t == ProgType::FlowDissector;
}

class KernelEngine final : public Engine {
 public:
  std::string name() const override { return "kernel"; }
  Status available() const override { return kernel_bpf_available(); }
  Result<RunResult> run(const RunRequest& req) override;

 private:
  Result<int> load(const isa::Program& prog, const std::vector<int>& map_fds, Fds& fds, std::map<const isa::Program*, int>& loaded,
                   Runtime& rt, const std::vector<MapSnapshot>& initial);
};

// With the object's BTF when it describes the map (spin locks need it), else without.
Result<int> create_map(const isa::MapDef& d, Fds& fds, int btf_fd) {
  LIBBPF_OPTS(bpf_map_create_opts, opts);
  opts.map_flags = d.flags | (d.read_only ? kRdonlyProg : 0);
  if (btf_fd >= 0 && d.btf_value_type_id != 0) {
    opts.btf_fd = static_cast<uint32_t>(btf_fd);
    opts.btf_key_type_id = d.btf_key_type_id;
    opts.btf_value_type_id = d.btf_value_type_id;
  }
  std::string name = d.name.substr(0, BPF_OBJ_NAME_LEN - 1);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.') c = '_';
  int fd = bpf_map_create(static_cast<enum bpf_map_type>(d.type), name.c_str(), d.key_size, d.value_size,
                          d.max_entries, &opts);
  if (fd < 0 && opts.btf_fd != 0) {
    opts.btf_fd = opts.btf_key_type_id = opts.btf_value_type_id = 0;
    fd = bpf_map_create(static_cast<enum bpf_map_type>(d.type), name.c_str(), d.key_size, d.value_size,
                        d.max_entries, &opts);
  }
  if (fd < 0) return Error{"kernel engine: cannot create map '" + d.name + "': " + errno_text(errno)};
  return fds.keep(fd);
}

std::vector<uint8_t> kernel_value(const MapSnapshot& s, const std::vector<uint8_t>& mock, int ncpus) {
  if (s.cpus <= 1) return mock;
  const uint32_t stride = (s.value_size + 7) & ~7u;
  std::vector<uint8_t> v(uint64_t(stride) * ncpus, 0);
  for (uint32_t c = 0; c < s.cpus && c < static_cast<uint32_t>(ncpus); ++c)
    std::memcpy(v.data() + uint64_t(c) * stride, mock.data() + uint64_t(c) * s.value_size, s.value_size);
  return v;
}

Status fill_map(int fd, const isa::MapDef& d, const MapSnapshot& s, int ncpus) {
  for (const auto& [k, v] : s.entries) {
    const auto kv = kernel_value(s, v, ncpus);
    if (bpf_map_update_elem(fd, k.data(), kv.data(), BPF_ANY) != 0)
      return Error{"kernel engine: cannot fill map '" + d.name + "': " + errno_text(errno)};
  }
  for (const auto& v : s.values)
    if (bpf_map_update_elem(fd, nullptr, v.data(), BPF_ANY) != 0)
      return Error{"kernel engine: cannot fill map '" + d.name + "': " + errno_text(errno)};
  return Ok{};
}

MapSnapshot read_map(int fd, const isa::MapDef& d, int ncpus) {
  MapSnapshot s;
  s.name = d.name;
  s.type = d.type;
  s.key_size = d.key_size;
  s.value_size = d.value_size;
  const bool percpu = d.type == MapType::PercpuArray || d.type == MapType::PercpuHash || d.type == MapType::LruPercpuHash;
  s.cpus = percpu ? kSimulatedCpus : 1;
  const uint32_t stride = (d.value_size + 7) & ~7u;
  std::vector<uint8_t> buf(percpu ? uint64_t(stride) * ncpus : d.value_size);
  auto to_mock = [&]() {
    if (!percpu) return buf;
    std::vector<uint8_t> v;
    for (uint32_t c = 0; c < kSimulatedCpus; ++c) {
      if (c < static_cast<uint32_t>(ncpus)) v.insert(v.end(), buf.begin() + c * stride, buf.begin() + c * stride + d.value_size);
      else v.insert(v.end(), d.value_size, 0);
    }
    return v;
  };
  if (d.type == MapType::Array || d.type == MapType::PercpuArray) {
    for (uint32_t i = 0; i < d.max_entries; ++i) {
      if (bpf_map_lookup_elem(fd, &i, buf.data()) != 0) continue;
      auto v = to_mock();
      if (d.max_entries > 64 && std::all_of(v.begin(), v.end(), [](uint8_t b) { return b == 0; })) continue;
      std::vector<uint8_t> k(4);
      std::memcpy(k.data(), &i, 4);
      s.entries.emplace_back(k, std::move(v));
    }
  } else if (d.type == MapType::Queue || d.type == MapType::Stack) {
    while (bpf_map_lookup_and_delete_elem(fd, nullptr, buf.data()) == 0) s.values.push_back(buf);
  } else if (d.type == MapType::Hash || d.type == MapType::PercpuHash || d.type == MapType::LruHash ||
             d.type == MapType::LruPercpuHash || d.type == MapType::LpmTrie) {
    std::vector<uint8_t> key(d.key_size), next(d.key_size);
    const void* prev = nullptr;
    while (bpf_map_get_next_key(fd, prev, next.data()) == 0) {
      key = next;
      prev = key.data();
      if (bpf_map_lookup_elem(fd, key.data(), buf.data()) == 0) s.entries.emplace_back(key, to_mock());
      if (s.entries.size() > d.max_entries) break;
    }
    std::sort(s.entries.begin(), s.entries.end());
  }
  return s;
}

int ringbuf_sample(void* ctx, void* data, size_t size) {
  auto* out = static_cast<std::vector<std::vector<uint8_t>>*>(ctx);
  const auto* p = static_cast<const uint8_t*>(data);
  out->emplace_back(p, p + size);
  return 0;
}

}  // namespace

Status kernel_bpf_available() {
  static const Status cached = [] () -> Status {
    const struct bpf_insn insns[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
    };
    const int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bpfvet_probe", "GPL", insns, 2, nullptr);
    if (fd >= 0) {
      close(fd);
      return Ok{};
    }
    const int err = errno;
    if (err == EPERM || err == EACCES)
      return Error{"kernel engine unavailable: bpf() is not permitted (" + errno_text(err) + "; needs root or CAP_BPF)"};
    if (err == ENOSYS) return Error{"kernel engine unavailable: this kernel has no bpf() system call"};
    return Error{"kernel engine unavailable: loading a trivial program failed: " + errno_text(err)};
  }();
  return cached;
}

Result<int> KernelEngine::load(const isa::Program& prog, const std::vector<int>& map_fds, Fds& fds,
                               std::map<const isa::Program*, int>& loaded, Runtime& rt,
                               const std::vector<MapSnapshot>& initial) {
  if (auto it = loaded.find(&prog); it != loaded.end()) return it->second;
  std::vector<isa::RawInsn> raw = prog.raw;
  for (size_t i = 0; i + 1 < raw.size(); ++i) {
    if (raw[i].code != (BPF_LD | BPF_IMM | BPF_DW)) continue;
    const uint8_t src = raw[i].src();
    if (src == BPF_PSEUDO_MAP_IDX || src == BPF_PSEUDO_MAP_IDX_VALUE || src == BPF_PSEUDO_MAP_FD ||
        src == BPF_PSEUDO_MAP_VALUE) {
      const uint32_t idx = static_cast<uint32_t>(raw[i].imm);
      if (idx >= map_fds.size()) return Error{"kernel engine: insn " + std::to_string(i) + " references an unknown map"};
      const bool value = src == BPF_PSEUDO_MAP_IDX_VALUE || src == BPF_PSEUDO_MAP_VALUE;
      raw[i] = isa::RawInsn::make(raw[i].code, raw[i].dst(), value ? BPF_PSEUDO_MAP_VALUE : BPF_PSEUDO_MAP_FD, 0,
                                  map_fds[idx]);
    }
    ++i;
  }
  std::vector<char> log(kLogSize);
  auto try_load = [&](bool with_btf) -> int {
    LIBBPF_OPTS(bpf_prog_load_opts, opts);
    int btf_fd = -1;
    if (with_btf) {
      btf_fd = bpf_btf_load(prog.btf.data(), prog.btf.size(), nullptr);
      if (btf_fd < 0) return -1;
      fds.keep(btf_fd);
      opts.prog_btf_fd = btf_fd;
      opts.func_info = prog.func_info.data();
      opts.func_info_cnt = static_cast<uint32_t>(prog.func_info.size());
      opts.func_info_rec_size = sizeof(isa::FuncInfo);
      opts.line_info = prog.line_info.data();
      opts.line_info_cnt = static_cast<uint32_t>(prog.line_info.size());
      opts.line_info_rec_size = sizeof(isa::LineInfo);
    }
    opts.log_buf = log.data();
    opts.log_size = static_cast<uint32_t>(log.size());
    opts.log_level = 0;
    opts.kern_version = prog.kern_version;
    const std::string license = prog.license.empty() ? "GPL" : prog.license;
    std::string name = prog.name.substr(0, BPF_OBJ_NAME_LEN - 1);
    for (char& c : name)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
    const auto type = prog.type == ProgType::Raw ? BPF_PROG_TYPE_SOCKET_FILTER
                                                 : static_cast<enum bpf_prog_type>(isa::kernel_prog_type(prog.type));
    return bpf_prog_load(type, name.c_str(), license.c_str(), reinterpret_cast<const struct bpf_insn*>(raw.data()),
                         raw.size(), &opts);
  };
  int fd = -1;
  if (!prog.btf.empty() && !prog.func_info.empty()) fd = try_load(true);
  if (fd < 0) fd = try_load(false);
  if (fd < 0) {
    const int err = errno;
    // Ask again with a log to say why.
    LIBBPF_OPTS(bpf_prog_load_opts, opts);
    opts.log_buf = log.data();
    opts.log_size = static_cast<uint32_t>(log.size());
    opts.log_level = 1;
    const auto type = prog.type == ProgType::Raw ? BPF_PROG_TYPE_SOCKET_FILTER
                                                 : static_cast<enum bpf_prog_type>(isa::kernel_prog_type(prog.type));
    const int fd2 = bpf_prog_load(type, "bpfvet", prog.license.empty() ? "GPL" : prog.license.c_str(),
                                  reinterpret_cast<const struct bpf_insn*>(raw.data()), raw.size(), &opts);
    if (fd2 >= 0) close(fd2);
    std::string text(log.data());
    while (!text.empty() && text.back() == '\n') text.pop_back();
    const size_t nl = text.rfind('\n', text.size() > 400 ? text.size() - 400 : 0);
    if (nl != std::string::npos && text.size() > 400) text = text.substr(nl + 1);
    for (char& c : text)
      if (c == '\n') c = ' ';
    return Error{"kernel engine: the kernel rejected '" + prog.name + "': " + errno_text(err) +
                 (text.empty() ? "" : " (" + text + ")")};
  }
  fds.keep(fd);
  loaded[&prog] = fd;
  // Prog arrays: load their targets and store the fds.
  for (size_t mi = 0; mi < prog.maps.size() && mi < map_fds.size(); ++mi) {
    if (prog.maps[mi].type != MapType::ProgArray) continue;
    for (uint32_t k = 0; k < prog.maps[mi].max_entries; ++k) {
      const isa::Program* target = rt.tail_call_target(rt.map_handle(mi), k);
      if (target == nullptr) continue;
      auto tfd = load(*target, map_fds, fds, loaded, rt, initial);
      if (!tfd) return tfd.error();
      const int v = *tfd;
      if (bpf_map_update_elem(map_fds[mi], &k, &v, BPF_ANY) != 0)
        return Error{"kernel engine: cannot fill prog array '" + prog.maps[mi].name + "': " + errno_text(errno)};
    }
  }
  return fd;
}

Result<RunResult> KernelEngine::run(const RunRequest& req) {
  if (auto st = kernel_bpf_available(); !st) return st.error();
  const isa::Program& prog = *req.program;
  const ProgType type = req.input.type;
  if (!kernel_runnable(type))
    return Error{std::string("kernel engine unavailable: BPF_PROG_TEST_RUN does not run ") + isa::prog_type_name(type) +
                 " programs"};
  auto rt = Runtime::create(req);  // validates the input exactly as the mock does
  if (!rt) return rt.error();
  const std::vector<MapSnapshot> initial = (*rt)->collect(0).maps;
  const int ncpus = libbpf_num_possible_cpus();
  if (ncpus <= 0) return Error{"kernel engine unavailable: cannot count possible CPUs"};
  Fds fds;
  std::vector<int> map_fds;
  const int btf_fd = prog.btf.empty() ? -1 : bpf_btf_load(prog.btf.data(), prog.btf.size(), nullptr);
  if (btf_fd >= 0) fds.keep(btf_fd);
  for (const auto& d : prog.maps) {
    auto fd = create_map(d, fds, btf_fd);
    if (!fd) return fd.error();
    map_fds.push_back(*fd);
    if (d.global_data && !d.initial.empty()) {
      std::vector<uint8_t> v(d.value_size, 0);
      std::memcpy(v.data(), d.initial.data(), std::min<size_t>(v.size(), d.initial.size()));
      const uint32_t zero = 0;
      if (bpf_map_update_elem(*fd, &zero, v.data(), BPF_ANY) != 0)
        return Error{"kernel engine: cannot initialise '" + d.name + "': " + errno_text(errno)};
    }
    if (d.read_only && bpf_map_freeze(*fd) != 0)
      return Error{"kernel engine: cannot freeze '" + d.name + "': " + errno_text(errno)};
  }
  for (const auto& s : initial) {
    size_t i = 0;
    while (i < prog.maps.size() && prog.maps[i].name != s.name) ++i;
    if (i == prog.maps.size() || prog.maps[i].type == MapType::ProgArray) continue;
    if (prog.maps[i].global_data) continue;
    if (auto st = fill_map(map_fds[i], prog.maps[i], s, ncpus); !st) return st.error();
  }
  std::map<const isa::Program*, int> loaded;
  auto prog_fd = load(prog, map_fds, fds, loaded, **rt, initial);
  if (!prog_fd) return prog_fd.error();

  MockContext& mc = (*rt)->context();
  mc.reset();
  LIBBPF_OPTS(bpf_test_run_opts, opts);
  std::vector<uint8_t> data_in, data_out, ctx_in;
  if (mc.has_packet()) {
    data_in = req.input.data.empty() ? std::vector<uint8_t>(64, 0) : req.input.data;
    data_out.resize(data_in.size() + kDataOutSlack);
    opts.data_in = data_in.data();
    opts.data_size_in = static_cast<uint32_t>(data_in.size());
    opts.data_out = data_out.data();
    opts.data_size_out = static_cast<uint32_t>(data_out.size());
  }
  if (type == ProgType::RawTracepoint) {
    ctx_in.resize(std::max<size_t>(1, req.input.ctx.args.size()) * 8, 0);
    for (size_t i = 0; i < req.input.ctx.args.size(); ++i) std::memcpy(ctx_in.data() + 8 * i, &req.input.ctx.args[i], 8);
  } else if (!req.input.ctx.fields.empty() && mc.has_packet()) {
    // Only the fields given: the kernel refuses non-zero values in the others.
    ctx_in.assign(mc.is_skb() ? sizeof(struct __sk_buff) : sizeof(struct xdp_md), 0);
    for (const auto& [fname, value] : req.input.ctx.fields)
      for (const auto& f : ctx_fields(type))
        if (fname == f.name) std::memcpy(ctx_in.data() + f.offset, &value, f.size);
  }
  if (!ctx_in.empty()) {
    opts.ctx_in = ctx_in.data();
    opts.ctx_size_in = static_cast<uint32_t>(ctx_in.size());
  }
  // Raw tracepoints take no repeat count (nor data): run them one by one.
  const uint32_t repeat = std::max<uint32_t>(1, req.repeat);
  const bool one_by_one = type == ProgType::RawTracepoint;
  opts.repeat = one_by_one ? 0 : static_cast<int>(repeat);
  int rc = 0;
  double raw_tp_ns = 0;
  {
    PinCpu0 pin;
    for (uint32_t i = 0; i < (one_by_one ? repeat : 1) && rc == 0; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      rc = bpf_prog_test_run_opts(*prog_fd, &opts);
      raw_tp_ns += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    }
  }
  if (rc != 0) return Error{"kernel engine: BPF_PROG_TEST_RUN failed: " + errno_text(errno)};

  RunResult res;
  res.engine = name();
  res.retval = opts.retval;
  res.retval_32 = true;
  res.output_ringbuf_only = true;
  res.runs = repeat;
  res.ns_per_run = one_by_one ? raw_tp_ns / repeat : opts.duration;
  if (one_by_one) res.notes.push_back("raw tracepoint timing includes the bpf() system call");
  if (mc.has_packet()) res.data_out.assign(data_out.begin(), data_out.begin() + opts.data_size_out);
  for (size_t i = 0; i < prog.maps.size(); ++i) {
    const auto& d = prog.maps[i];
    if (d.type == MapType::Ringbuf) {
      std::vector<std::vector<uint8_t>> records;
      struct ring_buffer* rb = ring_buffer__new(map_fds[i], ringbuf_sample, &records, nullptr);
      if (rb != nullptr) {
        ring_buffer__consume(rb);
        ring_buffer__free(rb);
      }
      for (auto& r : records) res.output.push_back({"ringbuf", d.name, "", std::move(r), 0, 0});
      continue;
    }
    if (d.type == MapType::PerfEventArray || d.type == MapType::ProgArray) continue;
    if (d.global_data && d.read_only) continue;
    res.maps.push_back(read_map(map_fds[i], d, ncpus));
  }
  res.notes.push_back("trace_printk, perf_event and redirect output is not captured from the kernel");
  return res;
}

std::unique_ptr<Engine> make_kernel_engine() { return std::make_unique<KernelEngine>(); }

}  // namespace bpfvet::jit
