// Runtime session: guest memory, maps from --maps, map handles, results.
#include "jit/runtime.h"

#include <cstring>
#include <sstream>

#include "isa/helpers.h"
#include "verifier/verifier.h"

#include <linux/bpf.h>

namespace bpfvet::jit {

using isa::MapType;

namespace {
constexpr uint32_t kHandleStride = 16;
constexpr uint64_t kMockTaskSize = 8192;

std::string hex_of(const std::vector<uint8_t>& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) { s += d[x >> 4]; s += d[x & 15]; }
  return s;
}

// Bytes of a --maps key or value at the expected width.
Result<std::vector<uint8_t>> sized(const MapBytes& b, uint32_t size, const std::string& what) {
  if (b.integer) {
    if (size != 1 && size != 2 && size != 4 && size != 8)
      return Error{what + ": an integer needs a 1, 2, 4 or 8 byte field, this one is " + std::to_string(size) +
                   " bytes (give hex bytes)"};
    if (size < 8 && (*b.integer >> (8 * size)) != 0)
      return Error{what + ": " + std::to_string(*b.integer) + " does not fit in " + std::to_string(size) + " bytes"};
    std::vector<uint8_t> v(size);
    std::memcpy(v.data(), &*b.integer, size);
    return v;
  }
  if (b.bytes.size() != size)
    return Error{what + ": " + std::to_string(b.bytes.size()) + " bytes given (" + hex_of(b.bytes) +
                 "), the map needs " + std::to_string(size)};
  return b.bytes;
}
// Whether helper `id` can only write the stack or map values: no context argument (but
// for the few that only read through it) and no writable pointer argument, which could
// point into the packet.
bool helper_spares_ctx_and_packet(int32_t id) {
  if (id == BPF_FUNC_tail_call || id == BPF_FUNC_perf_event_output || id == BPF_FUNC_get_socket_cookie) return true;
  const isa::HelperProto* h = isa::find_helper(id);
  if (h == nullptr) return false;
  for (const isa::HelperArg& a : h->args) {
    switch (a.type) {
      case isa::ArgType::Ctx: return false;
      case isa::ArgType::ConstMapPtr: case isa::ArgType::MapKey: case isa::ArgType::MapValue:
      case isa::ArgType::ConstStr: case isa::ArgType::Func: case isa::ArgType::SpinLock:
      case isa::ArgType::Timer:
        break;  // map pointers, map keys/values, code
      default:
        if (a.is_pointer() && !a.read_only()) return false;
    }
  }
  return true;
}

// Whether verified program `prog` may write memory other than its stack and map values:
// a store or atomic not based on r10 (read-only in verified code, so always the stack),
// a kfunc call, or a helper that may write the context or the packet.
bool may_write_ctx_or_packet(const isa::Program& prog) {
  for (const isa::Insn& in : prog.insns) {
    switch (in.kind) {
      case isa::Kind::Store: case isa::Kind::StoreReg: case isa::Kind::Atomic:
        if (in.dst != 10) return true;
        break;
      case isa::Kind::Call:
        if (in.call == isa::CallKind::Kfunc) return true;
        if (in.call == isa::CallKind::Helper && !helper_spares_ctx_and_packet(in.imm)) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<Runtime>> Runtime::create(const RunRequest& req) {
  if (req.program == nullptr) return Error{"no program to run"};
  std::unique_ptr<Runtime> rt(new Runtime());
  rt->program_ = req.program;
  rt->seed_ = req.input.seed;
  rt->task_info_ = req.input.ctx.task.value_or(TaskInput{});
  auto stack = LowBlock::create(uint64_t(kMaxFrames) * kStackFrameSize);
  if (!stack) return stack.error();
  rt->stack_ = std::move(*stack);
  rt->regions_.add(rt->stack_->addr(), rt->stack_->size(), true, "stack");
  auto task = LowBlock::create(kMockTaskSize);
  if (!task) return task.error();
  rt->task_ = std::move(*task);
  rt->regions_.add(rt->task_->addr(), kMockTaskSize, false, "task_struct (mock)");
  auto handles = LowBlock::create(std::max<size_t>(1, req.program->maps.size() * kHandleStride));
  if (!handles) return handles.error();
  rt->handles_ = std::move(*handles);  // not a region: map pointers are not dereferenceable
  auto ctx = MockContext::create(req.input, rt->regions_);
  if (!ctx) return ctx.error();
  rt->ctx_ = std::move(*ctx);
  if (auto st = rt->load_maps(req); !st) return st.error();
  // A verified program alone in its session touches only the stack bytes the verifier
  // saw it use in frame 0 (the rest stays zero from the mapping); tail-call targets and
  // unverified programs may use the whole frame.
  const bool alone = req.object == nullptr || req.object->programs.size() <= 1;
  if (req.verified != nullptr && alone)
    rt->frame0_clear_ = std::min<uint32_t>(kStackFrameSize, (req.verified->stack_depth() + 7) & ~7u);
  // Tail-call targets are verified on their own, as the kernel verifies each program
  // put in a prog array; the session is trusted when all of them pass.
  rt->trusted_ = req.verified != nullptr && rt->ctx_->mocked();
  for (const isa::Program* t : rt->tail_targets_) {
    bool ok = t == rt->program_ && req.verified != nullptr;
    for (size_t i = 0; i < rt->target_verified_.size() && !ok; ++i)
      if (rt->tail_targets_[i] == t) ok = rt->target_verified_[i];
    if (!ok && t != rt->program_) ok = verifier::verify_for_execution(*t, {}).ok();
    rt->target_verified_.push_back(ok);
    rt->trusted_ = rt->trusted_ && ok;
  }
  // A trusted session whose programs write neither context nor packet needs neither
  // restored between runs (when in doubt, they are).
  if (rt->trusted_) {
    bool unwritten = !may_write_ctx_or_packet(*rt->program_);
    for (const isa::Program* t : rt->tail_targets_) unwritten = unwritten && !may_write_ctx_or_packet(*t);
    rt->ctx_->set_unwritten(unwritten);
  }
  rt->rng_ = rt->seed_;
  rt->clock_ns_ = req.input.clock_start_ns;
  rt->clock_step_ = req.input.clock_step_ns;
  return rt;
}

Status Runtime::load_maps(const RunRequest& req) {
  for (const auto& def : program_->maps) {
    auto m = MockMap::create(def, kSimulatedCpus, regions_);
    if (!m) return m.error();
    maps_.push_back(std::move(*m));
  }
  for (const auto& in : req.input.maps) {
    size_t idx = 0;
    while (idx < maps_.size() && maps_[idx]->def().name != in.name) ++idx;
    if (idx == maps_.size()) {
      std::string names;
      for (const auto& m : maps_) names += (names.empty() ? "" : ", ") + m->def().name;
      return Error{"--maps: the program has no map '" + in.name + "' (maps: " + (names.empty() ? "none" : names) + ")"};
    }
    MockMap& m = *maps_[idx];
    const auto& def = m.def();
    const std::string who = "--maps: map '" + in.name + "'";
    if (!in.type.empty()) {
      const std::string actual = isa::map_type_name(def.type);
      if (in.type != actual && "BPF_MAP_TYPE_" + in.type != actual) {
        // Accept lower-case short names ("hash", "percpu_array") for upper-case table names.
        std::string upper;
        for (char ch : in.type) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (upper != actual && "BPF_MAP_TYPE_" + upper != actual)
          return Error{who + " is declared " + actual + ", not " + in.type};
      }
    }
    for (size_t i = 0; i < in.entries.size(); ++i) {
      const auto& e = in.entries[i];
      const std::string at = who + " entry " + std::to_string(i);
      if (def.type == MapType::Queue || def.type == MapType::Stack) {
        auto v = sized(e.value, def.value_size, at + " value");
        if (!v) return v.error();
        if (m.push(v->data(), 0) != 0) return Error{at + ": more entries than max_entries"};
        continue;
      }
      if (def.type == MapType::Ringbuf || def.type == MapType::PerfEventArray)
        return Error{at + ": " + isa::map_type_name(def.type) + " maps take no initial entries"};
      auto key = sized(e.key, def.key_size, at + " key");
      if (!key) return key.error();
      if (def.type == MapType::ProgArray) {
        if (e.program.empty()) return Error{at + ": a prog_array value names a program (\"value\": \"name\")"};
        const isa::Program* target = nullptr;
        if (req.object != nullptr)
          for (const auto& p : req.object->programs)
            if (p.name == e.program || p.section == e.program) target = &p;
        if (target == nullptr && (e.program == program_->name || e.program == program_->section)) target = program_;
        if (target == nullptr) return Error{at + ": no program named '" + e.program + "' in the object"};
        uint32_t k;
        std::memcpy(&k, key->data(), 4);
        if (k >= def.max_entries) return Error{at + ": index " + std::to_string(k) + " >= max_entries"};
        m.set_fd(k, static_cast<int64_t>(tail_targets_.size()));
        tail_targets_.push_back(target);
        continue;
      }
      std::vector<uint8_t> value;
      if (m.per_cpu()) {
        if (!e.per_cpu.empty()) {
          if (e.per_cpu.size() != kSimulatedCpus)
            return Error{at + ": per-CPU value list has " + std::to_string(e.per_cpu.size()) + " entries, " +
                         std::to_string(kSimulatedCpus) + " CPUs are simulated"};
          for (const auto& pv : e.per_cpu) {
            auto v = sized(pv, def.value_size, at + " value");
            if (!v) return v.error();
            v->resize(m.stride(), 0);
            value.insert(value.end(), v->begin(), v->end());
          }
        } else {
          auto v = sized(e.value, def.value_size, at + " value");
          if (!v) return v.error();
          v->resize(m.stride(), 0);
          for (uint32_t c = 0; c < kSimulatedCpus; ++c) value.insert(value.end(), v->begin(), v->end());
        }
      } else {
        if (!e.per_cpu.empty()) return Error{at + ": per-CPU values given for a map that is not per-CPU"};
        uint32_t vsize = def.value_size;
        auto v = sized(e.value, vsize, at + " value");
        if (!v) return v.error();
        value = std::move(*v);
      }
      const int64_t rc = m.update(key->data(), value.data(), kBpfAny, 0, true);
      if (rc != 0) return Error{at + ": cannot insert (error " + std::to_string(rc) + ", map full or bad key)"};
    }
  }
  return Ok{};
}

void Runtime::begin_run() {
  ctx_->reset();
  // Frame f occupies [frame_pointer(f) - 512, frame_pointer(f)): zero the ones used last
  // time, and of frame 0 alone only the bytes the program can reach.
  const uint64_t low = frames_used_ > 1 ? frame_pointer(frames_used_ - 1) - kStackFrameSize
                                        : frame_pointer(0) - frame0_clear_;
  // Never memset 0 bytes here: glibc's AVX-512 memset then issues a masked store at the
  // end of the mapping, which costs a microcode assist of ~150 ns on some CPUs.
  if (low < frame_pointer(0)) std::memset(reinterpret_cast<void*>(low), 0, frame_pointer(0) - low);
  frames_used_ = 1;
}

MockMap* Runtime::map_of(uint64_t handle) const {
  const uint64_t base = handles_->addr();
  if (handle < base || (handle - base) % kHandleStride != 0) return nullptr;
  const uint64_t idx = (handle - base) / kHandleStride;
  return idx < maps_.size() ? maps_[idx].get() : nullptr;
}

Result<uint64_t> Runtime::ld_imm64(const isa::Insn& insn) const {
  switch (insn.pseudo) {
    case isa::Pseudo::Imm: return insn.imm64;
    case isa::Pseudo::MapFd:
    case isa::Pseudo::MapIdx: {
      const uint32_t idx = static_cast<uint32_t>(insn.imm);
      if (idx >= maps_.size())
        return Error{"lddw references map " + std::to_string(idx) + " but the program defines " +
                     std::to_string(maps_.size()) + " maps"};
      return handles_->addr() + uint64_t(idx) * kHandleStride;
    }
    case isa::Pseudo::MapValue:
    case isa::Pseudo::MapIdxValue: {
      const uint32_t idx = static_cast<uint32_t>(insn.imm);
      const uint32_t off = static_cast<uint32_t>(insn.imm64 >> 32);
      if (idx >= maps_.size())
        return Error{"lddw references map " + std::to_string(idx) + " but the program defines " +
                     std::to_string(maps_.size()) + " maps"};
      const MockMap& m = *maps_[idx];
      if (m.def().type != MapType::Array || off >= m.def().value_size)
        return Error{"lddw map value of map '" + m.def().name + "' needs an array map and an offset inside its value"};
      return m.array_slot(0, 0) + off;
    }
    default:
      return Error{std::string("lddw with pseudo source ") + isa::pseudo_text(insn.pseudo) +
                   " is not supported by the runtime"};
  }
}

int64_t Runtime::tail_call_slot(uint64_t map_handle, uint64_t index) const {
  MockMap* m = map_of(map_handle);
  if (m == nullptr || m->def().type != MapType::ProgArray || index >= m->def().max_entries) return -1;
  return m->fd_at(static_cast<uint32_t>(index));
}

bool Runtime::bad_arg(uint64_t addr, uint64_t size, bool write, const char* helper, int arg) {
  std::ostringstream h;
  h << std::hex << addr;
  fail(std::string(helper != nullptr ? helper : helper_cname(helper_id_)) + ": argument r" + std::to_string(arg) + " = 0x" + h.str() + " is not " +
       (write ? "writable" : "readable") + " memory of " + std::to_string(size) + " bytes");
  return false;
}

bool Runtime::target_verified(const isa::Program& prog) const {
  for (size_t i = 0; i < tail_targets_.size(); ++i)
    if (tail_targets_[i] == &prog) return target_verified_[i];
  return false;
}

RunResult Runtime::collect(uint64_t retval) const {
  RunResult r;
  r.retval = retval;
  r.data_out = ctx_->data_out();
  r.mem_out = ctx_->mem_out();
  for (const auto& m : maps_) {
    // Ring buffer and perf records are output events; prog arrays hold programs, not data.
    if (m->def().type == MapType::Ringbuf || m->def().type == MapType::PerfEventArray ||
        m->def().type == MapType::ProgArray)
      continue;
    if (m->def().global_data && m->def().read_only) continue;
    r.maps.push_back(m->snapshot(kSimulatedCpus));
  }
  r.output = output_;
  return r;
}

}  // namespace bpfvet::jit
