// The x86_64 JIT against the semantics suite: every case of tests/data/semantics/*.txt
// runs compiled, with and without the unverified mode's checks, and must return the
// pinned r0, as the interpreter does (jit_semantics_test.cpp, which also compares
// every JIT engine's whole RunResult and division by constants with the interpreter).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "isa/assembler.h"
#include "tests/support/semantics_cases.h"
#include "jit/x86_64/x86_session.h"

namespace bpfvet::jit {
namespace {

using Case = testsupport::SemanticsCase;

std::vector<Case> load_cases() { return testsupport::load_semantics_cases(); }

RunRequest request(const isa::Program& p) { return testsupport::semantics_request(p); }

class X86Semantics : public testing::TestWithParam<Case> {};

TEST_P(X86Semantics, CheckedAndUncheckedReturnThePinnedValue) {
  const Case& c = GetParam();
  auto prog = testsupport::build_semantics_program(c);
  ASSERT_TRUE(prog) << prog.message();
  for (bool checked : {true, false}) {
    auto rt = Runtime::create(request(*prog));
    ASSERT_TRUE(rt) << rt.message();
    auto session = x86::Session::create(**rt, checked);
    ASSERT_TRUE(session) << session.message();
    for (int run = 0; run < 2; ++run) {  // a second run of the same session sees fresh state
      (*rt)->begin_run();
      auto r0 = (*session)->run();
      ASSERT_TRUE(r0) << r0.message() << "\n" << c.text;
      EXPECT_EQ(*r0, c.expect) << (checked ? "checked" : "unchecked") << " run of\n" << c.text;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Suite, X86Semantics, testing::ValuesIn(load_cases()), testsupport::semantics_case_name);

}  // namespace
}  // namespace bpfvet::jit
