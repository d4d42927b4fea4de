// The x86_64 JIT against the semantics suite: every case of tests/data/semantics/*.txt
// runs compiled, with and without the unverified mode's checks, and must return the
// pinned r0, as the interpreter does (jit_semantics_test.cpp); the whole RunResult
// (packet, maps, output) must equal the interpreter's.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "isa/assembler.h"
#include "tests/support/semantics_cases.h"
#include "jit/interp.h"
#include "jit/x86_64/x86_64_engine.h"
#include "jit/x86_64/x86_session.h"

namespace bpfvet::jit {
namespace {

using Case = testsupport::SemanticsCase;

std::vector<Case> load_cases() { return testsupport::load_semantics_cases(); }

RunRequest request(const isa::Program& p) {
  RunRequest req;
  req.program = &p;
  req.input.type = isa::ProgType::SocketFilter;
  req.input.data.resize(64);
  for (size_t i = 0; i < req.input.data.size(); ++i) req.input.data[i] = static_cast<uint8_t>(i);
  return req;
}

class X86Semantics : public testing::TestWithParam<Case> {};

TEST_P(X86Semantics, CheckedAndUncheckedReturnThePinnedValue) {
  const Case& c = GetParam();
  auto raw = isa::assemble(c.text, c.file + ":" + c.name);
  ASSERT_TRUE(raw) << raw.message();
  auto prog = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "sem");
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

TEST_P(X86Semantics, WholeResultEqualsTheInterpreters) {
  const Case& c = GetParam();
  auto raw = isa::assemble(c.text, c.file + ":" + c.name);
  ASSERT_TRUE(raw) << raw.message();
  auto prog = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "sem");
  ASSERT_TRUE(prog) << prog.message();
  const RunRequest req = request(*prog);
  auto a = make_interp_engine()->run(req);
  auto b = make_x86_64_engine()->run(req);
  ASSERT_TRUE(a) << a.message();
  ASSERT_TRUE(b) << b.message();
  EXPECT_EQ(compare_results(*a, *b), "") << c.text;
}

// Division and modulo by constants are strength-reduced (shift, mask, multiply by a
// reciprocal): every operation x width x divisor x dividend, in every register
// (r0 and r3 live in rax/rdx, which multiplication and division use), must equal the
// interpreter's result.
TEST(X86DivConst, StrengthReducedDivisionEqualsTheInterpreter) {
  const char* ops[] = {"/=", "%=", "s/=", "s%="};
  const int32_t divisors[] = {1, 2, 3, 5, 7, 10, 16, 25, 641, 1000, 65535, 65536, 0x7fffffff, -1, -3, -7,
                              INT32_MIN, -65536};
  const uint64_t dividends[] = {0, 1, 6, 7, 99, 0xffffffffull, 0x80000000ull, 0x123456789abcdefull,
                                0xffffffffffffffffull, 0x8000000000000000ull, 1000000007ull};
  int n = 0;
  for (const char* op : ops)
    for (bool is64 : {true, false})
      for (int32_t d : divisors)
        for (uint64_t x : dividends) {
          const int r = n++ % 10;  // rotate the destination register (r0 = rax, r3 = rdx), never r10
          const std::string reg = (is64 ? "r" : "w") + std::to_string(r);
          const std::string text = "r3 = 0x3333 ll\nr0 = 0x1111 ll\nr" + std::to_string(r) + " = " +
                                   std::to_string(x) + " ll\n" + reg + " " + op + " " + std::to_string(d) +
                                   "\nr9 = r0\nr9 ^= r3\nr0 = r" + std::to_string(r) + "\nr0 += r9\nexit\n";
          auto raw = isa::assemble(text, "divconst");
          ASSERT_TRUE(raw) << raw.message();
          auto prog = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "divconst");
          ASSERT_TRUE(prog) << prog.message();
          const RunRequest req = request(*prog);
          auto a = make_interp_engine()->run(req);
          auto b = make_x86_64_engine()->run(req);
          ASSERT_TRUE(a) << a.message();
          ASSERT_TRUE(b) << b.message();
          EXPECT_EQ(a->retval, b->retval) << text;
        }
}

std::string case_name(const testing::TestParamInfo<Case>& info) {
  std::string s = info.param.file + "_" + info.param.name;
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Suite, X86Semantics, testing::ValuesIn(load_cases()), case_name);

}  // namespace
}  // namespace bpfvet::jit
