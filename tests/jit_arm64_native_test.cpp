// The native ARM64 runner (jit/arm64/a64_native.h): on an AArch64 host it runs the
// hand-assembled and the JIT-compiled cases directly; elsewhere it must refuse cleanly, and when the cross
// tools are installed the same cases run under qemu-aarch64-static.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "tests/support/a64_native_jit_cases.h"

namespace bpfvet::jit::arm64 {
namespace {

TEST(A64Native, RunsTheCasesOrRefusesOffAArch64) {
#if defined(__aarch64__)
  ASSERT_TRUE(native_available());
  for (const auto& r : test::run_native_cases()) EXPECT_TRUE(r.ok) << r.name << ": " << r.detail;
  for (const auto& r : test::run_native_jit_cases()) EXPECT_TRUE(r.ok) << r.name << ": " << r.detail;
#else
  const auto st = native_available();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.message(), "native ARM64 execution needs an ARM64 host");
  auto runner = NativeA64::create(&test::native_cases::handle, nullptr);
  ASSERT_FALSE(runner);
  EXPECT_EQ(runner.message(), st.message());
#endif
}

// Cross-compiles the runner cases for AArch64 and runs them under qemu-user (skips when
// the cross compiler or qemu-aarch64-static is missing; CI does not need them).  The
// JIT cases take a minute to cross-compile: scripts/a64_native_check.sh without --quick.
TEST(A64Native, CasesPassUnderQemuUser) {
#if defined(__aarch64__)
  GTEST_SKIP() << "AArch64 host: the cases ran natively";
#else
  const std::string out = std::string(BPFVET_BINARY_DIR) + "/a64_native_check";
  const std::string cmd = std::string(BPFVET_SOURCE_DIR) + "/scripts/a64_native_check.sh --quick " + out + " > " + out +
                          ".log 2>&1";
  const int rc = std::system(cmd.c_str());
  ASSERT_NE(rc, -1);
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 77) GTEST_SKIP() << "aarch64 cross compiler or qemu-aarch64-static missing";
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << "see " << out << ".log";
#endif
}

}  // namespace
}  // namespace bpfvet::jit::arm64
