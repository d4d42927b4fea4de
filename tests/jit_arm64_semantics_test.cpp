// The semantics suite on the arm64 engine: every case of tests/data/semantics/*.txt
// compiled by the ARM64 JIT and run in unicorn, checked and unchecked, with LSE
// atomics and with the LL/SC fallback, must return the pinned r0 (as the interpreter
// does, tests/jit_semantics_test.cpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "isa/assembler.h"
#include "tests/support/semantics_cases.h"
#include "jit/arm64/arm64_emulator.h"

namespace bpfvet::jit {
namespace {

using Case = testsupport::SemanticsCase;

std::vector<Case> load_cases() { return testsupport::load_semantics_cases(); }

RunRequest request(const isa::Program& p) { return testsupport::semantics_request(p); }

class Arm64Semantics : public testing::TestWithParam<Case> {};

TEST_P(Arm64Semantics, EmulatedArm64MatchesPinnedResult) {
  if (auto st = arm64::emulator_available(); !st) GTEST_SKIP() << st.message();
  const Case& c = GetParam();
  auto prog = testsupport::build_semantics_program(c);
  ASSERT_TRUE(prog) << prog.message();
  for (bool checked : {false, true}) {
    for (bool lse : {true, false}) {
      auto s = arm64::Arm64Session::create(request(*prog), checked, lse);
      ASSERT_TRUE(s) << s.message();
      auto r0 = (*s)->run();
      ASSERT_TRUE(r0) << r0.message() << "\n" << c.text;
      EXPECT_EQ(*r0, c.expect) << (checked ? "checked" : "unchecked") << (lse ? ", LSE" : ", LL/SC")
                               << " run of\n"
                               << c.text;
      EXPECT_GT((*s)->executed(), 0u);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Suite, Arm64Semantics, testing::ValuesIn(load_cases()), testsupport::semantics_case_name);

}  // namespace
}  // namespace bpfvet::jit
