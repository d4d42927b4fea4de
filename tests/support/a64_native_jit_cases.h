// BPF programs compiled by the ARM64 JIT (arm64::compile) and run through NativeA64
// with a minimal handler (a fake helper, the Stop slot), checking that the JIT's
// real prologues, frame pointer arithmetic (x25), stack stores, bpf-to-bpf calls,
// helper calls, loops and divisions run natively and give the expected r0.  Shared
// by jit_tests (on AArch64 hosts) and scripts/a64_native_check.sh (qemu-user).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "isa/assembler.h"
#include "isa/program.h"
#include "jit/arm64/a64_native.h"
#include "jit/arm64/arm64_jit.h"
#include "tests/support/a64_native_cases.h"

namespace bpfvet::test {

namespace native_jit_cases {

// Helper 7 answers x0 * x1 + 1; everything else ends the run.
inline bool handle(void*, uint64_t slot, jit::arm64::NativeRegs& r) {
  if (slot == 7 * 4) {
    r.x[0] = r.x[0] * r.x[1] + 1;
    return true;
  }
  return false;
}

struct Case {
  const char* name;
  const char* text;
  uint64_t r0;
};

inline const std::vector<Case>& cases() {
  static const std::vector<Case> kCases = {
      {"return a constant", "r0 = 42\nexit\n", 42},
      {"helper call, callee-saved r6, stack round trip",
       "r6 = 10\nr1 = 3\nr2 = 4\ncall 7\nr0 += r6\n*(u64 *)(r10 - 8) = r0\nr0 = 0\nr0 = *(u64 *)(r10 - 8)\nexit\n",
       23},
      {"bpf-to-bpf call with its own frame",
       "r6 = 5\n*(u64 *)(r10 - 8) = r6\nr1 = 7\ncall f\nr1 = *(u64 *)(r10 - 8)\nr0 += r1\nexit\n"
       "f:\n*(u64 *)(r10 - 8) = r1\nr6 = 100\nr0 = *(u64 *)(r10 - 8)\nr0 *= 3\nexit\n",
       26},
      {"bounded loop and division by zero", "r0 = 0\nr1 = 10\nl:\nr0 += r1\nr1 -= 1\nif r1 != 0 goto l\n"
                                             "r2 = 0\nr3 = r0\nr3 /= r2\nr0 += r3\nexit\n",
       55},
  };
  return kCases;
}

}  // namespace native_jit_cases

/// Compiles and runs every case natively; a single failed result when the runner
/// cannot be created.
inline std::vector<NativeCaseResult> run_native_jit_cases() {
  using namespace native_jit_cases;
  auto runner = jit::arm64::NativeA64::create(&handle, nullptr);
  if (!runner) return {{"create", false, runner.message()}};
  std::vector<NativeCaseResult> out;
  alignas(16) static uint8_t stack[8 * 512];
  uint64_t offset = 0;
  for (const Case& c : cases()) {
    auto raw = isa::assemble(c.text);
    if (!raw) return {{c.name, false, raw.message()}};
    auto prog = isa::program_from_raw(*raw, isa::ProgType::SocketFilter);
    if (!prog) return {{c.name, false, prog.message()}};
    jit::arm64::Options opt;
    opt.base = jit::arm64::kCodeBase + offset;
    auto code = jit::arm64::compile(*prog, opt, [](const isa::Insn& in) -> Result<uint64_t> { return in.imm64; });
    if (!code) return {{c.name, false, code.message()}};
    if (auto st = (*runner)->load(offset, code->code); !st) return {{c.name, false, st.message()}};
    const uint64_t args[5] = {0, 0, 0, 0, 0};
    const uint64_t fp = reinterpret_cast<uint64_t>(stack + sizeof stack);
    out.push_back(native_cases::expect(std::string("JIT: ") + c.name, (*runner)->enter(opt.base, args, fp), c.r0));
    offset += (code->code.size() * 4 + 63) & ~uint64_t(63);
  }
  return out;
}

}  // namespace bpfvet::test
