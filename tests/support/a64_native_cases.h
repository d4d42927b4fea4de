// Hand-assembled A64 programs run through NativeA64 (jit/arm64/a64_native.h): the
// entry state, a helper call through the trampoline (arguments in, result out, every
// other register preserved), a service that stops the run (the unverified mode's fault
// path) followed by a clean run, a nested enter() from inside a handler (callbacks),
// and an unidentifiable trampoline entry.  Shared by jit_tests (on AArch64 hosts) and
// scripts/a64_native_check.sh (a static AArch64 driver under qemu-aarch64-static), so
// both run exactly the same checks.  Only an AArch64 host can actually run them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "jit/arm64/a64_encoder.h"
#include "jit/arm64/a64_native.h"
#include "jit/arm64/arm64_jit.h"

namespace bpfvet::test {

/// One check's outcome: `detail` says what was expected and seen.
struct NativeCaseResult {
  std::string name;
  bool ok = false;
  std::string detail;
};

namespace native_cases {

using namespace jit::a64;
using jit::arm64::kCodeBase;

constexpr uint32_t kHelperMul = 3;     // x0 = x0 * x1 + 1000, x5 = 0xbad (scratch the stub restores)
constexpr uint32_t kHelperNested = 4;  // x0 = enter(program A) + 1
constexpr uint64_t kFp = 0x5000'0000ull;

struct State {
  jit::arm64::NativeA64* runner = nullptr;
  std::vector<uint64_t> slots;  // every slot offset the handler saw
  uint64_t seen_x0 = 0, seen_x1 = 0, seen_x25 = 0;
  uint64_t nested_entry = 0;
};

inline bool handle(void* user, uint64_t slot, jit::arm64::NativeRegs& r) {
  auto& s = *static_cast<State*>(user);
  s.slots.push_back(slot);
  if (slot == kHelperMul * 4) {
    s.seen_x0 = r.x[0];
    s.seen_x1 = r.x[1];
    s.seen_x25 = r.x[25];
    r.x[0] = r.x[0] * r.x[1] + 1000;
    return true;
  }
  if (slot == kHelperNested * 4) {
    const uint64_t args[5] = {0, 0, 0, 0, 0};
    r.x[0] = s.runner->enter(s.nested_entry, args, kFp - 512) + 1;
    return true;
  }
  return false;  // Stop, a Check service (a fault), or an unknown slot: end the run
}

// Code words placed at `offset` with BLs resolved against that address.
struct Prog {
  uint64_t offset;
  std::vector<uint32_t> words;
  uint64_t addr() const { return kCodeBase + offset; }
  void call(uint64_t target) {
    words.push_back(bl(static_cast<int64_t>(target) - static_cast<int64_t>(addr() + 4 * words.size())));
  }
};

inline NativeCaseResult expect(const std::string& name, uint64_t got, uint64_t want) {
  return {name, got == want, "expected " + std::to_string(want) + ", got " + std::to_string(got)};
}

}  // namespace native_cases

/// Runs every case; a single failed result when the runner cannot be created.
inline std::vector<NativeCaseResult> run_native_cases() {
  using namespace native_cases;
  using jit::arm64::helper_address;
  using jit::arm64::Service;
  using jit::arm64::service_address;
  State st;
  auto runner = jit::arm64::NativeA64::create(&handle, &st);
  if (!runner) return {{"create", false, runner.message()}};
  st.runner = runner->get();
  std::vector<NativeCaseResult> out;
  // A: r0 = 42, then RET into the Stop slot.
  Prog a{0x0, {movz(true, 7, 42, 0), ret()}};
  // E: r0 = fp + r5 (x25 and x4 as enter() set them).
  Prog e{0x100, {mov_reg(true, 7, 25), add_reg(true, 7, 7, 4), ret()}};
  // B: a helper call; x19 and x9 must survive it, x0 carries the result.
  Prog b{0x200, {stp_pre(29, 30, kSp, -16), movz(true, 0, 5, 0), movz(true, 1, 7, 0), movz(true, 19, 99, 0),
                 movz(true, 9, 1234, 0)}};
  b.call(helper_address(kHelperMul));
  for (uint32_t w : {add_reg(true, 7, 0, 19), add_reg(true, 7, 7, 9), ldp_post(29, 30, kSp, 16), ret()})
    b.words.push_back(w);
  // C: a failing access check stops the run with the r0 of that moment (7, not 1).
  Prog c{0x300, {stp_pre(29, 30, kSp, -16), movz(true, 7, 7, 0), movz(true, 10, 0xdead, 0)}};
  c.call(service_address(uint32_t(Service::Check) + 3));
  for (uint32_t w : {movz(true, 7, 1, 0), ldp_post(29, 30, kSp, 16), ret()}) c.words.push_back(w);
  // D: a helper that runs program A again from inside the handler (a callback).
  Prog d{0x400, {stp_pre(29, 30, kSp, -16)}};
  d.call(helper_address(kHelperNested));
  for (uint32_t w : {mov_reg(true, 7, 0), ldp_post(29, 30, kSp, 16), ret()}) d.words.push_back(w);
  // F: a BLR (not a BL) into the trampoline: the slot cannot be identified, the run stops.
  Prog f{0x500, {stp_pre(29, 30, kSp, -16), movz(true, 7, 9, 0), movz(true, 16, static_cast<uint16_t>(helper_address(kHelperMul)), 0),
                 movk(true, 16, static_cast<uint16_t>(helper_address(kHelperMul) >> 32), 2), blr(16),
                 movz(true, 7, 1, 0), ldp_post(29, 30, kSp, 16), ret()}};
  for (const Prog* p : {&a, &e, &b, &c, &d, &f})
    if (auto s = (*runner)->load(p->offset, p->words); !s) return {{"load", false, s.message()}};
  st.nested_entry = a.addr();
  const uint64_t args[5] = {1, 2, 3, 4, 5};
  const uint64_t stop = service_address(uint32_t(Service::Stop)) - jit::arm64::kTrampolineBase;

  st.slots.clear();
  out.push_back(expect("mov x7, #42; ret", (*runner)->enter(a.addr(), args, kFp), 42));
  out.push_back({"ret reaches the Stop slot", st.slots == std::vector<uint64_t>{stop}, ""});
  out.push_back(expect("entry state: x25 = fp, x4 = r5", (*runner)->enter(e.addr(), args, kFp), kFp + 5));
  st.slots.clear();
  out.push_back(expect("helper call result and preserved x19/x9", (*runner)->enter(b.addr(), args, kFp),
                       5 * 7 + 1000 + 99 + 1234));
  out.push_back({"helper saw x0/x1/x25", st.seen_x0 == 5 && st.seen_x1 == 7 && st.seen_x25 == kFp,
                 "x0 " + std::to_string(st.seen_x0) + " x1 " + std::to_string(st.seen_x1)});
  out.push_back({"helper id recovered from the BL",
                 st.slots == std::vector<uint64_t>{kHelperMul * 4, stop}, ""});
  st.slots.clear();
  out.push_back(expect("a failed check stops the run", (*runner)->enter(c.addr(), args, kFp), 7));
  out.push_back({"stopped at the Check slot",
                 st.slots == std::vector<uint64_t>{service_address(uint32_t(Service::Check) + 3) -
                                                   jit::arm64::kTrampolineBase},
                 ""});
  out.push_back(expect("a clean run after a stopped one", (*runner)->enter(a.addr(), args, kFp), 42));
  out.push_back(expect("nested enter from a handler", (*runner)->enter(d.addr(), args, kFp), 43));
  st.slots.clear();
  out.push_back(expect("BLR into the trampoline stops the run", (*runner)->enter(f.addr(), args, kFp), 9));
  out.push_back({"unknown slot reported", st.slots == std::vector<uint64_t>{~0ull}, ""});
  return out;
}

}  // namespace bpfvet::test
