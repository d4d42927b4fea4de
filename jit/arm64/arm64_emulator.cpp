// The unicorn-backed AArch64 CPU behind the "arm64" engine (see arm64_emulator.h).
#include "jit/arm64/arm64_emulator.h"

#include <sys/mman.h>
#include <unicorn/unicorn.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <set>
#include <sstream>

namespace bpfvet::jit::arm64 {

namespace {

constexpr uint64_t kStackBase = 0x20'0000'0000ull;  // native stacks, one per CPU level
constexpr uint64_t kStackStride = 0x10'0000;
constexpr size_t kNativeStack = 256 * 1024;
constexpr uint32_t kMaxLevels = 8;  // callback nesting (MAX_CALL_FRAMES)
constexpr uint32_t kMaxCallFrames = 8;
constexpr uint64_t kBudget = 2'000'000'000ull;  // A64 instructions per run
constexpr uint64_t kPage = 4096;
constexpr uint32_t kRet = 0xd65f03c0u;

std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

uint8_t* host_map(size_t size) {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
}

uint64_t reg(uc_engine* uc, int r) {
  uint64_t v = 0;
  uc_reg_read(uc, r, &v);
  return v;
}
void set_reg(uc_engine* uc, int r, uint64_t v) { uc_reg_write(uc, r, &v); }

}  // namespace

struct Arm64Session::Cpu {
  Arm64Session* session = nullptr;
  uint32_t level = 0;
  uc_engine* uc = nullptr;
  uint8_t* stack = nullptr;
  std::set<std::pair<uint64_t, uint64_t>> seen;  // regions already mapped
  std::set<uint64_t> pages;                      // guest pages already mapped
  NativeRegs* regs = nullptr;  // natively: the registers of the current trampoline entry
  bool stopped = false;        // natively: the handler asked to end the run
  // Register xN (N <= 30) of whichever CPU runs the code.
  uint64_t x(int n) const {
    if (regs != nullptr) return regs->x[n];
    return reg(uc, n == 30 ? UC_ARM64_REG_LR : n == 29 ? UC_ARM64_REG_FP : UC_ARM64_REG_X0 + n);
  }
  void set_x(int n, uint64_t v) {
    if (regs != nullptr)
      regs->x[n] = v;
    else
      set_reg(uc, n == 30 ? UC_ARM64_REG_LR : n == 29 ? UC_ARM64_REG_FP : UC_ARM64_REG_X0 + n, v);
  }
  // Ends the run at the current trampoline entry.
  void stop() {
    stopped = true;
    if (uc != nullptr) uc_emu_stop(uc);
  }
  ~Cpu() {
    if (uc != nullptr) uc_close(uc);
    if (stack != nullptr) munmap(stack, kNativeStack);
  }
};

struct Hooks {
  static void trampoline(uc_engine*, uint64_t address, uint32_t, void* user) {
    auto* c = static_cast<Arm64Session::Cpu*>(user);
    c->session->on_trampoline(*c, address);
  }
  static void block(uc_engine* uc, uint64_t address, uint32_t size, void* user) {
    auto* c = static_cast<Arm64Session::Cpu*>(user);
    Arm64Session& s = *c->session;
    s.executed_ += size / 4;
    ++s.blocks_[Arm64Session::block_key(address, size)];
    if (s.executed_ > kBudget) {
      s.fail_at(reg(uc, UC_ARM64_REG_PC),
                "more than " + std::to_string(kBudget) +
                    " A64 instructions executed (endless loop in an unverified program?)");
      uc_emu_stop(uc);
    }
  }
  static bool invalid(uc_engine* uc, uc_mem_type type, uint64_t address, int size, int64_t, void* user) {
    auto* c = static_cast<Arm64Session::Cpu*>(user);
    Arm64Session& s = *c->session;
    const uint64_t pc = reg(uc, UC_ARM64_REG_PC);
    if (type == UC_MEM_FETCH_UNMAPPED || type == UC_MEM_FETCH_PROT) {
      s.fail_at(reg(uc, UC_ARM64_REG_LR) - 4, "control reached " + hex(address) + ", outside the program");
      return false;
    }
    const bool write = type == UC_MEM_WRITE_UNMAPPED || type == UC_MEM_WRITE_PROT;
    s.fail_at(pc, std::string("invalid ") + (write ? "write" : "read") + " of " + std::to_string(size) +
                      " bytes at " + hex(address) +
                      ": not inside the stack, context, packet or any map value");
    return false;
  }
};

Status emulator_available() {
  uc_engine* uc = nullptr;
  if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc) != UC_ERR_OK)
    return Error{"arm64 engine unavailable: unicorn cannot emulate AArch64 here"};
  uc_close(uc);
  return Ok{};
}

Result<std::unique_ptr<Arm64Session>> Arm64Session::create(const RunRequest& req, bool checked, bool lse,
                                                           bool native) {
  if (auto st = native ? native_available() : emulator_available(); !st) return st.error();
  auto rt = Runtime::create(req);
  if (!rt) return rt.error();
  std::unique_ptr<Arm64Session> s(new Arm64Session());
  s->rt_ = std::move(*rt);
  // Verified code may still load from a context the runtime has no struct for (r1 is
  // 0): such program types run checked, as on the other engines.
  s->checked_ = checked || !s->rt_->context().mocked();
  s->lse_ = lse;
  s->code_mem_ = host_map(kCodeSize);
  s->tramp_mem_ = host_map(kTrampolineSize);
  if (s->code_mem_ == nullptr || s->tramp_mem_ == nullptr)
    return Error{"arm64 engine: cannot allocate emulator memory"};
  for (uint32_t i = 0; i < kTrampolineSize / 4; ++i) std::memcpy(s->tramp_mem_ + 4 * i, &kRet, 4);
  Arm64Session* self = s.get();
  if (native) {
    auto n = NativeA64::create(&Arm64Session::on_native, self);
    if (!n) return n.error();
    s->native_ = std::move(*n);
  }
  s->rt_->invoke_callback = [self](uint64_t fn, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
    return self->callback(fn, a, b, c, d);
  };
  const auto t0 = std::chrono::steady_clock::now();
  auto entry = s->load(req.program != nullptr ? *req.program : s->rt_->program());
  if (!entry) return entry.error();
  s->compile_us_ = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

Arm64Session::~Arm64Session() {
  cpus_.clear();  // close the emulators before their memory goes
  if (code_mem_ != nullptr) munmap(code_mem_, kCodeSize);
  if (tramp_mem_ != nullptr) munmap(tramp_mem_, kTrampolineSize);
}

Result<const Arm64Session::Loaded*> Arm64Session::load(const isa::Program& prog) {
  for (const auto& l : programs_)
    if (l->program == &prog) return l.get();
  Options o;
  o.base = kCodeBase + code_used_;
  o.checked = checked_;
  o.lse = lse_;
  o.min_frame_pointer = rt_->frame_pointer(kMaxCallFrames - 1);
  Runtime* rt = rt_.get();
  auto c = compile(prog, o, [rt](const isa::Insn& in) { return rt->ld_imm64(in); });
  if (!c) return c.error();
  const size_t bytes = c->code.size() * 4;
  if (bytes > kCodeSize - code_used_) return Error{"arm64 engine: the code area is full"};
  std::memcpy(code_mem_ + code_used_, c->code.data(), bytes);
  if (native_ != nullptr)
    if (auto st = native_->load(code_used_, c->code); !st) return st.error();
  code_used_ += (bytes + 63) & ~size_t(63);
  auto l = std::make_unique<Loaded>();
  l->program = &prog;
  l->code = std::make_unique<Compiled>(std::move(*c));
  programs_.push_back(std::move(l));
  return programs_.back().get();
}

Result<Arm64Session::Cpu*> Arm64Session::cpu(uint32_t level) {
  while (cpus_.size() <= level) {
    auto c = std::make_unique<Cpu>();
    c->session = this;
    c->level = static_cast<uint32_t>(cpus_.size());
    if (native_ != nullptr) {  // the host CPU: nothing to set up
      cpus_.push_back(std::move(c));
      continue;
    }
    if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &c->uc) != UC_ERR_OK)
      return Error{"arm64 engine: uc_open failed"};
    uc_ctl_set_cpu_model(c->uc, UC_CPU_ARM64_MAX);
    c->stack = host_map(kNativeStack);
    const uint64_t stack_addr = kStackBase + c->level * kStackStride;
    uc_err e = c->stack == nullptr ? UC_ERR_NOMEM : UC_ERR_OK;
    if (e == UC_ERR_OK)
      e = uc_mem_map_ptr(c->uc, kTrampolineBase, kTrampolineSize, UC_PROT_READ | UC_PROT_EXEC, tramp_mem_);
    if (e == UC_ERR_OK)
      e = uc_mem_map_ptr(c->uc, kCodeBase, kCodeSize, UC_PROT_READ | UC_PROT_EXEC, code_mem_);
    if (e == UC_ERR_OK)
      e = uc_mem_map_ptr(c->uc, stack_addr, kNativeStack, UC_PROT_READ | UC_PROT_WRITE, c->stack);
    uc_hook h;
    if (e == UC_ERR_OK)
      e = uc_hook_add(c->uc, &h, UC_HOOK_CODE, reinterpret_cast<void*>(&Hooks::trampoline), c.get(),
                      kTrampolineBase, kTrampolineBase + kTrampolineSize - 1);
    if (e == UC_ERR_OK)
      e = uc_hook_add(c->uc, &h, UC_HOOK_BLOCK, reinterpret_cast<void*>(&Hooks::block), c.get(), kCodeBase,
                      kCodeBase + kCodeSize - 1);
    if (e == UC_ERR_OK)
      e = uc_hook_add(c->uc, &h, UC_HOOK_MEM_INVALID, reinterpret_cast<void*>(&Hooks::invalid), c.get(), 1,
                      0);
    if (e != UC_ERR_OK) return Error{std::string("arm64 engine: emulator set-up failed: ") + uc_strerror(e)};
    cpus_.push_back(std::move(c));
  }
  return cpus_[level].get();
}

void Arm64Session::sync_memory(Cpu& c) {
  if (c.uc == nullptr) return;  // natively every region is already host memory
  for (const Region& r : rt_->regions().regions()) {
    if (r.size == 0 || !c.seen.insert({r.base, r.size}).second) continue;
    const uint64_t lo = r.base & ~(kPage - 1);
    const uint64_t hi = (r.base + r.size + kPage - 1) & ~(kPage - 1);
    uint64_t run = 0;
    auto flush = [&](uint64_t end) {
      if (run != 0 && end > run)
        uc_mem_map_ptr(c.uc, run, end - run, UC_PROT_ALL, reinterpret_cast<void*>(run));
      run = 0;
    };
    for (uint64_t p = lo; p < hi; p += kPage) {
      if (c.pages.insert(p).second) {
        if (run == 0) run = p;
      } else {
        flush(p);
      }
    }
    flush(hi);
  }
}

std::string Arm64Session::where(uint64_t code_addr) const {
  for (const auto& l : programs_) {
    const Compiled& c = *l->code;
    if (code_addr < c.base || code_addr >= c.base + c.code.size() * 4) continue;
    int64_t slot = c.slot_at(code_addr);
    if (slot < 0) slot = static_cast<int64_t>(l->program->insns.size());
    return "insn " + std::to_string(slot) + ": ";
  }
  return "";
}

void Arm64Session::fail_at(uint64_t code_addr, const std::string& what) {
  if (!error_.empty()) return;
  error_ = where(code_addr) + what;
  for (const auto& l : programs_) {
    const Compiled& c = *l->code;
    if (code_addr >= c.base && code_addr < c.base + c.code.size() * 4 && l->program != &rt_->program())
      error_ += " (in tail-called program '" + l->program->name + "')";
  }
}

bool Arm64Session::on_native(void* session, uint64_t slot_offset, NativeRegs& regs) {
  auto& s = *static_cast<Arm64Session*>(session);
  Cpu& c = *s.cpus_[s.level_];
  c.regs = &regs;
  c.stopped = false;
  if (slot_offset == ~0ull) {
    s.fail_at(regs.x[30] - 4, "control reached the trampoline page other than by a call");
    return false;
  }
  s.on_trampoline(c, kTrampolineBase + slot_offset);
  return !c.stopped;
}

void Arm64Session::on_trampoline(Cpu& c, uint64_t address) {
  const uint64_t off = address - kTrampolineBase;
  if (off >= kServiceOffset) {
    on_service(c, static_cast<uint32_t>((off - kServiceOffset) / 4));
    return;
  }
  call_helper(c, static_cast<int32_t>(off / 4));
}

void Arm64Session::call_helper(Cpu& c, int32_t id) {
  const uint64_t call_site = c.x(30) - 4;
  const uint64_t r0 = rt_->call_helper(id, c.x(0), c.x(1), c.x(2), c.x(3), c.x(4));
  if (!error_.empty() || rt_->failed()) {
    fail_at(call_site, rt_->error());
    c.stop();
    return;
  }
  c.set_x(0, r0);
  sync_memory(c);
}

void Arm64Session::on_service(Cpu& c, uint32_t code) {
  const uint64_t call_site = c.x(30) - 4;
  const uint32_t ldabs = uint32_t(Service::LdAbs), check = uint32_t(Service::Check);
  if (code == uint32_t(Service::Stop)) {
    c.stop();
  } else if (code == uint32_t(Service::FellOff)) {
    fail_at(call_site, "execution fell off the end of the program");
    c.stop();
  } else if (code == uint32_t(Service::CallDepth)) {
    fail_at(call_site, "call depth exceeds " + std::to_string(kMaxCallFrames) + " frames");
    c.stop();
  } else if (code == uint32_t(Service::TailCall)) {
    uint64_t target_addr = 0;
    const isa::Program* target = rt_->tail_call_target(c.x(1), c.x(2));
    if (target != nullptr && tail_calls_ < kMaxTailCalls) {
      auto l = load(*target);
      if (!l) {
        fail_at(call_site, "tail call target '" + target->name + "': " + l.message());
        c.stop();
        return;
      }
      ++tail_calls_;
      target_addr = (*l)->code->base + (*l)->code->body;
    }
    c.set_x(10, target_addr);
  } else if (code == uint32_t(Service::Helper)) {
    call_helper(c, static_cast<int32_t>(c.x(10)));
  } else if (code >= ldabs && code < ldabs + 3) {
    const uint32_t size = 1u << (code - ldabs);
    if (!rt_->context().is_skb()) {
      fail_at(call_site, "legacy packet load (LD_ABS/LD_IND) needs a socket buffer context");
      c.stop();
      return;
    }
    const Packet& p = rt_->context().packet();
    const int64_t off = static_cast<int64_t>(c.x(10));
    const uint64_t len = p.end - p.data;
    if (off < 0 || static_cast<uint64_t>(off) + size > len) {
      early_exit_ = true;  // an out-of-bounds legacy load ends the program with r0 = 0
      c.stop();
      return;
    }
    uint64_t v = 0;
    for (uint32_t i = 0; i < size; ++i) v = (v << 8) | reinterpret_cast<const uint8_t*>(p.data + off)[i];
    c.set_x(7, v);
  } else if (code >= check && code < check + 16) {
    const uint32_t k = code - check;
    const uint32_t size = 1u << (k & 3);
    const bool write = (k & 4) != 0, atomic = (k & 8) != 0;
    const uint64_t a = c.x(10);
    if (!rt_->regions().check(a, size, write)) {
      std::string what = std::string("invalid ") + (write ? "write" : "read") + " of " +
                         std::to_string(size) + " bytes at " + hex(a);
      if (const Region* r = rt_->regions().containing(a)) {
        if (write && !r->writable)
          what += ": " + r->name + " is read-only";
        else
          what += ": runs past the end of " + r->name + " (" + hex(r->base) + ", " + std::to_string(r->size) +
                  " bytes)";
      } else {
        what += ": not inside the stack, context, packet or any map value";
      }
      fail_at(call_site, what);
      c.stop();
    } else if (atomic && a % size != 0) {
      fail_at(call_site, "misaligned atomic access at " + hex(a));
      c.stop();
    }
  } else {
    fail_at(call_site, "unknown service " + std::to_string(code));
    c.stop();
  }
}

uint64_t Arm64Session::enter(uint32_t level, uint64_t addr, const uint64_t args[5], uint64_t fp) {
  auto c = cpu(level);
  if (!c) {
    if (error_.empty()) error_ = c.message();
    return 0;
  }
  if (native_ != nullptr) return native_->enter(addr, args, fp);
  uc_engine* uc = (*c)->uc;
  sync_memory(**c);
  static const int kArgRegs[5] = {UC_ARM64_REG_X0, UC_ARM64_REG_X1, UC_ARM64_REG_X2, UC_ARM64_REG_X3,
                                  UC_ARM64_REG_X4};
  for (int i = 0; i < 5; ++i) set_reg(uc, kArgRegs[i], args[i]);
  for (int r : {UC_ARM64_REG_X7, UC_ARM64_REG_X19, UC_ARM64_REG_X20, UC_ARM64_REG_X21, UC_ARM64_REG_X22,
                UC_ARM64_REG_X26, UC_ARM64_REG_X27, UC_ARM64_REG_X29})
    set_reg(uc, r, 0);
  set_reg(uc, UC_ARM64_REG_X25, fp);
  const uint64_t stop = service_address(uint32_t(Service::Stop));
  set_reg(uc, UC_ARM64_REG_LR, stop);
  set_reg(uc, UC_ARM64_REG_SP, kStackBase + level * kStackStride + kNativeStack);
  const uc_err e = uc_emu_start(uc, addr, stop, 0, 0);
  if (e != UC_ERR_OK && error_.empty())
    fail_at(reg(uc, UC_ARM64_REG_PC), std::string("emulator: ") + uc_strerror(e));
  return reg(uc, UC_ARM64_REG_X7);
}

uint64_t Arm64Session::callback(uint64_t fn, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  bool known = false;
  for (const auto& l : programs_)
    for (uint32_t e : l->code->function_entries) known |= fn == l->code->base + e;
  if (!known) {
    rt_->fail("callback argument " + hex(fn) + " is not a function loaded with lddw");
    return 0;
  }
  // The caller is the innermost CPU currently running.
  const uint32_t level = level_;
  if (level + 1 >= kMaxLevels) {
    rt_->fail("callback nesting exceeds " + std::to_string(kMaxCallFrames) + " frames");
    return 0;
  }
  const uint64_t fp = cpus_[level]->x(25);
  const uint64_t args[5] = {a, b, c, d, 0};
  level_ = level + 1;
  const uint64_t r0 = enter(level + 1, fn, args, fp);
  level_ = level;
  if (!error_.empty()) rt_->fail(error_);
  if (early_exit_) {
    early_exit_ = false;
    return 0;
  }
  return r0;
}

Result<double> Arm64Session::estimate_cycles(const std::unordered_map<uint64_t, uint64_t>& counts,
                                             a64::A64CostModel& model) const {
  // Sum in address order so the floating-point total does not depend on hashing.
  std::vector<std::pair<uint64_t, uint64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end());
  double total = 0;
  for (const auto& [key, n] : sorted) {
    const uint64_t offset = key >> 24, size = key & 0xffffff;
    if (size % 4 != 0 || offset + size > code_used_) return Error{"arm64 engine: block outside the code area"};
    const auto* words = reinterpret_cast<const uint32_t*>(code_mem_ + offset);
    auto cycles = model.block_cycles(std::vector<uint32_t>(words, words + size / 4));
    if (!cycles) return Error{"no cycle estimate: " + where(kCodeBase + offset) + cycles.message()};
    total += double(n) * *cycles;
  }
  return total;
}

Result<uint64_t> Arm64Session::run() {
  rt_->begin_run();
  rt_->clear_error();
  error_.clear();
  early_exit_ = false;
  tail_calls_ = 0;
  executed_ = 0;
  blocks_.clear();
  level_ = 0;
  const Compiled& c = entry();
  const uint64_t args[5] = {rt_->r1(), rt_->r2(), 0, 0, 0};
  const uint64_t r0 = enter(0, c.base, args, rt_->frame_pointer(0) + kStackFrameSize);
  if (!error_.empty()) return Error{error_};
  if (rt_->failed()) return Error{rt_->error()};
  return early_exit_ ? 0 : r0;
}

}  // namespace bpfvet::jit::arm64
