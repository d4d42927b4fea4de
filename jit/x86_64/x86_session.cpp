// The x86_64 JIT session: entry stub, trampolines, callbacks, faults (see x86_session.h).
#include "jit/x86_64/x86_session.h"

#include <cstring>
#include <sstream>

#include "jit/code_buffer.h"
#include "jit/x86_64/x86_encoder.h"
#include "jit/x86_64/x86_lowerer.h"
#include "verifier/verifier.h"

namespace bpfvet::jit::x86 {

namespace {

constexpr uint32_t kMaxCallFrames = 8;
constexpr uint64_t kCheckedBudget = 500'000'000;  // backward jumps in an unverified run

std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

Session* session_of(JitState* st) { return static_cast<Session*>(st->session); }

// The trampolines: plain functions with the System V ABI the generated code calls.
uint64_t helper_tramp(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, JitState* st) {
  return session_of(st)->helper(st, r1, r2, r3, r4, r5);
}
uint64_t tail_tramp(JitState* st, uint64_t map, uint64_t index) { return session_of(st)->tail_call(st, map, index); }
uint64_t check_tramp(JitState* st, uint64_t addr, uint32_t desc) { return session_of(st)->check(st, addr, desc); }
uint64_t legacy_tramp(JitState* st, int64_t off, uint32_t size) { return session_of(st)->legacy(st, off, size); }

uint64_t fn_addr(auto* f) { return reinterpret_cast<uint64_t>(f); }

// uint64_t stub(JitState* st, uint64_t target): saves the callee-saved registers and
// the previous unwind point, loads the BPF entry registers, calls `target`.  `unwind`
// (recorded in JitState::unwind) is where generated code jumps to stop the run.
Result<std::unique_ptr<ExecMemory>> build_stub(uint64_t* unwind_offset) {
  CodeBuffer buf;
  Encoder e(buf);
  const Reg saved[] = {Reg::Rbp, Reg::Rbx, Reg::R12, Reg::R13, Reg::R14, Reg::R15};
  for (Reg r : saved) e.push(r);
  const Mem entry_rsp{Reg::Rdi, static_cast<int32_t>(offsetof(JitState, entry_rsp))};
  e.push_m(entry_rsp);
  e.alu_ri(AluKind::Sub, Width::Q64, Reg::Rsp, 8);  // eight pushes in all: the body runs 16-byte aligned
  e.store(Width::Q64, entry_rsp, Reg::Rsp);
  e.mov_rr(Width::Q64, kState, Reg::Rdi);
  e.mov_rr(Width::Q64, Reg::R11, Reg::Rsi);
  const Reg args[] = {Reg::Rdi, Reg::Rsi, Reg::Rdx, Reg::Rcx, Reg::R8};
  for (int i = 0; i < 5; ++i) e.load(Width::Q64, args[i], Mem{kState, static_cast<int32_t>(offsetof(JitState, args) + 8 * i)});
  e.load(Width::Q64, Reg::Rbp, JIT_STATE(fp));
  for (Reg r : {Reg::Rax, Reg::Rbx, Reg::R13, Reg::R14, Reg::R15}) e.alu_rr(AluKind::Xor, Width::D32, r, r);
  e.call_r(Reg::R11);
  Label after = buf.new_label();
  buf.bind(after);
  e.alu_ri(AluKind::Add, Width::Q64, Reg::Rsp, 8);
  e.pop_m(JIT_STATE(entry_rsp));
  for (int i = 5; i >= 0; --i) e.pop(saved[i]);
  e.ret();
  *unwind_offset = buf.size();
  e.load(Width::Q64, Reg::Rsp, JIT_STATE(entry_rsp));
  e.alu_rr(AluKind::Xor, Width::D32, Reg::Rax, Reg::Rax);
  e.jmp(after);
  if (auto st = buf.resolve(); !st) return st.error();
  return ExecMemory::create(buf.bytes());
}

}  // namespace

Result<std::unique_ptr<Session>> Session::create(Runtime& rt, bool checked) {
  std::unique_ptr<Session> s(new Session(rt, checked));
  uint64_t unwind = 0;
  auto stub = build_stub(&unwind);
  if (!stub) return stub.error();
  s->stub_ = std::move(*stub);
  s->stub_entry_ = s->stub_->addr();
  s->st_.unwind = s->stub_->addr(unwind);
  s->st_.session = s.get();
  Session* raw = s.get();
  rt.invoke_callback = [raw](uint64_t fn, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
    return raw->callback(fn, a, b, c, d);
  };
  return s;
}

Result<uint32_t> Session::compile(const isa::Program& prog) {
  if (auto it = by_program_.find(&prog); it != by_program_.end()) return it->second;
  LowerEnv env;
  // The entry program was verified by the caller (unless the session is checked); the
  // runtime verified each tail-call target on its own, as the kernel verifies each
  // program it puts in a prog array, and only a rejected one is compiled with access checks.
  env.checked = checked_ || (&prog != &rt_.program() && !rt_.target_verified(prog));
  env.module = static_cast<uint32_t>(modules_.size());
  env.ld_imm64 = [this](const isa::Insn& in) { return rt_.ld_imm64(in); };
  env.helper_fn = fn_addr(&helper_tramp);
  env.tail_fn = fn_addr(&tail_tramp);
  env.check_fn = fn_addr(&check_tramp);
  env.legacy_fn = fn_addr(&legacy_tramp);
  auto code = compile_program(prog, env);
  if (!code) return code.error();
  auto mem = ExecMemory::create(code->code);
  if (!mem) return mem.error();
  modules_.push_back(Module{&prog, std::move(*mem), std::move(code->insn_offset), code->compile_us});
  by_program_[&prog] = env.module;
  return env.module;
}

uint64_t Session::enter(uint64_t target) {
  using Stub = uint64_t (*)(JitState*, uint64_t);
  return reinterpret_cast<Stub>(stub_entry_)(&st_, target);
}

Result<uint64_t> Session::run() {
  if (entry_ == kNoModule) {
    auto id = compile(rt_.program());
    if (!id) return id.error();
    entry_ = *id;
  }
  const uint32_t* id = &entry_;
  error_.clear();
  rt_.clear_error();
  st_.failed = 0;
  st_.fault_kind = 0;
  st_.tail_calls = 0;
  st_.module = *id;
  st_.loops = kMayGotoLoops;
  st_.budget = kCheckedBudget;
  st_.fp = rt_.frame_pointer(0);
  st_.min_fp = rt_.frame_pointer(kMaxCallFrames - 1);
  st_.lowest_fp = st_.fp;
  st_.args[0] = rt_.r1();
  st_.args[1] = rt_.r2();
  st_.args[2] = st_.args[3] = st_.args[4] = 0;
  st_.entry_rsp = 0;
  const uint64_t r0 = enter(modules_[*id].code->addr());
  rt_.note_frame_used(static_cast<uint32_t>((rt_.frame_pointer(0) - st_.lowest_fp) / kStackFrameSize));
  if (st_.failed == kFailLegacy) return uint64_t{0};
  if (st_.failed == kFailError) {
    describe_fault();
    return Error{error_.empty() ? "x86_64 JIT: run stopped without a reason" : error_};
  }
  if (rt_.failed()) return Error{rt_.error()};
  return r0;
}

void Session::fail_at(uint32_t pc, const std::string& what) {
  if (!error_.empty()) return;
  error_ = "insn " + std::to_string(pc) + ": " + what;
  if (st_.module < modules_.size() && st_.module != 0)
    error_ += " (in tail-called program '" + modules_[st_.module].program->name + "')";
}

void Session::describe_fault() {
  switch (static_cast<FaultKind>(st_.fault_kind)) {
    case FaultKind::FellOff: fail_at(st_.fault_pc, "execution fell off the end of the program"); break;
    case FaultKind::CallDepth:
      fail_at(st_.fault_pc, "call depth exceeds " + std::to_string(kMaxCallFrames) + " frames");
      break;
    case FaultKind::Budget:
      fail_at(st_.fault_pc, "more than " + std::to_string(kCheckedBudget) +
                                " backward jumps executed (endless loop in an unverified program?)");
      break;
    case FaultKind::None: break;
  }
  st_.fault_kind = 0;
}

uint64_t Session::helper(JitState* st, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5) {
  const uint32_t pc = st->fault_pc;
  const uint64_t r0 = rt_.call_helper(st->helper_id, r1, r2, r3, r4, r5);
  if (rt_.failed() || st->failed == kFailError) {
    fail_at(pc, rt_.error());
    st->failed = kFailError;
  }
  return r0;
}

uint64_t Session::tail_call(JitState* st, uint64_t map, uint64_t index) {
  const int64_t slot = rt_.tail_call_slot(map, index);
  if (slot < 0 || st->tail_calls >= kMaxTailCalls) return 0;  // a failed tail call falls through
  const auto s = static_cast<size_t>(slot);
  if (s >= target_code_.size()) {
    target_code_.resize(s + 1, 0);
    target_module_.resize(s + 1, kNoModule);
  }
  if (target_code_[s] == 0) {
    const isa::Program& target = rt_.tail_target(s);
    auto id = compile(target);
    if (!id) {
      fail_at(st->fault_pc, "tail call target '" + target.name + "': " + id.message());
      st->failed = kFailError;
      return 0;
    }
    target_module_[s] = *id;
    target_code_[s] = modules_[*id].code->addr();
  }
  ++st->tail_calls;
  st->loops = kMayGotoLoops;
  st->module = target_module_[s];
  return target_code_[s];
}

uint64_t Session::check(JitState* st, uint64_t addr, uint32_t desc) {
  const uint32_t size = desc & 0xf;
  const bool write = (desc & kAccessWrite) != 0;
  const uint32_t pc = desc >> kAccessPcShift;
  if (!rt_.regions().check(addr, size, write)) {
    std::string what = std::string("invalid ") + (write ? "write" : "read") + " of " + std::to_string(size) +
                       " bytes at " + hex(addr);
    if (const Region* r = rt_.regions().containing(addr)) {
      if (write && !r->writable) what += ": " + r->name + " is read-only";
      else what += ": runs past the end of " + r->name + " (" + hex(r->base) + ", " + std::to_string(r->size) + " bytes)";
    } else {
      what += ": not inside the stack, context, packet or any map value";
    }
    fail_at(pc, what);
    st->failed = kFailError;
    return 0;
  }
  if ((desc & kAccessAtomic) != 0 && addr % size != 0) {
    fail_at(pc, "misaligned atomic access at " + hex(addr));
    st->failed = kFailError;
    return 0;
  }
  return 1;
}

uint64_t Session::legacy(JitState* st, int64_t off, uint32_t size) {
  Packet& p = rt_.context().packet();
  const uint64_t len = p.end - p.data;
  if (!rt_.context().is_skb() || off < 0 || static_cast<uint64_t>(off) + size > len) {
    st->failed = kFailLegacy;
    return 0;
  }
  const auto* b = reinterpret_cast<const uint8_t*>(p.data + off);
  uint64_t v = 0;
  for (uint32_t i = 0; i < size; ++i) v = (v << 8) | b[i];
  return v;
}

uint64_t Session::callback(uint64_t fn, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4) {
  const uint32_t id = static_cast<uint32_t>((fn >> 32) & 0xffffff);
  const uint32_t pc = static_cast<uint32_t>(fn);
  if ((fn & 0xff00000000000000ull) != kFuncTag || id >= modules_.size() ||
      pc >= modules_[id].program->insns.size()) {
    rt_.fail("callback argument " + hex(fn) + " is not a function loaded with lddw");
    return 0;
  }
  const uint32_t depth = static_cast<uint32_t>((rt_.frame_pointer(0) - st_.cur_fp) / kStackFrameSize);
  if (depth + 1 >= kMaxCallFrames) {
    rt_.fail("callback nesting exceeds " + std::to_string(kMaxCallFrames) + " frames");
    return 0;
  }
  const JitState saved = st_;
  st_.args[0] = r1;
  st_.args[1] = r2;
  st_.args[2] = r3;
  st_.args[3] = r4;
  st_.args[4] = 0;
  st_.fp = rt_.frame_pointer(depth + 1);
  st_.min_fp = rt_.frame_pointer(std::min(depth + kMaxCallFrames, kMaxFrames - 1));
  st_.loops = kMayGotoLoops;
  st_.module = id;
  st_.lowest_fp = std::min(saved.lowest_fp, st_.fp);
  const uint64_t r0 = enter(modules_[id].code->addr(modules_[id].insn_offset[pc]));
  const uint32_t failed = st_.failed;
  if (failed == kFailError) describe_fault();
  const uint64_t lowest = st_.lowest_fp;
  const uint32_t tail_calls = st_.tail_calls;
  const uint64_t budget = st_.budget;
  st_ = saved;
  st_.lowest_fp = lowest;
  st_.tail_calls = tail_calls;
  st_.budget = budget;
  if (failed == kFailError) {
    st_.failed = kFailError;
    rt_.fail(error_);
    return 0;
  }
  return failed == kFailLegacy ? 0 : r0;  // a legacy load out of bounds ends only the callback
}

}  // namespace bpfvet::jit::x86
