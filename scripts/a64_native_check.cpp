// Static AArch64 driver for scripts/a64_native_check.sh: runs the native runner's
// cases (tests/support/a64_native_cases.h) and, unless built with
// BPFVET_NATIVE_RUNNER_ONLY, the JIT-compiled BPF cases (a64_native_jit_cases.h),
// printing one line per check.
#include <cstdio>

#include "tests/support/a64_native_cases.h"
#ifndef BPFVET_NATIVE_RUNNER_ONLY
#include "tests/support/a64_native_jit_cases.h"
#endif

int main() {
  auto results = bpfvet::test::run_native_cases();
#ifndef BPFVET_NATIVE_RUNNER_ONLY
  for (auto& r : bpfvet::test::run_native_jit_cases()) results.push_back(std::move(r));
#endif
  int failed = 0;
  for (const auto& r : results) {
    std::printf("%s  %s%s%s\n", r.ok ? "ok  " : "FAIL", r.name.c_str(), r.detail.empty() ? "" : ": ",
                r.detail.c_str());
    failed += r.ok ? 0 : 1;
  }
  std::printf(failed == 0 ? "all native A64 checks passed\n" : "%d native A64 checks failed\n", failed);
  return failed == 0 ? 0 : 1;
}
