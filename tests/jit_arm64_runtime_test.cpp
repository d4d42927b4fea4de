// What only the arm64 engine has: the deterministic A64 instruction count, far
// conditional branches in large programs, and the listing.  The runtime cases (tail
// calls, callbacks, bpf-to-bpf calls, maps across runs) run on every engine in
// tests/jit_runtime_test.cpp.
#include <gtest/gtest.h>

#include "isa/assembler.h"
#include "jit/arm64/arm64_emulator.h"
#include "jit/arm64/arm64_engine.h"

namespace bpfvet::jit {
namespace {

TEST(Arm64Runtime, InstructionCountIsDeterministic) {
  if (auto st = arm64::emulator_available(); !st) GTEST_SKIP() << st.message();
  auto raw =
      isa::assemble("r0 = 0\nr1 = 100\nloop:\nr0 += r1\nr1 -= 1\nif r1 != 0 goto loop\nexit\n", "count");
  ASSERT_TRUE(raw) << raw.message();
  auto p = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "count");
  ASSERT_TRUE(p) << p.message();
  RunRequest req;
  req.program = &*p;
  req.input.type = isa::ProgType::SocketFilter;
  uint64_t first = 0;
  for (int i = 0; i < 3; ++i) {
    auto s = arm64::Arm64Session::create(req, false);
    ASSERT_TRUE(s) << s.message();
    auto r0 = (*s)->run();
    ASSERT_TRUE(r0) << r0.message();
    EXPECT_EQ(*r0, 5050u);
    if (i == 0) first = (*s)->executed();
    EXPECT_EQ((*s)->executed(), first);
  }
  // prologue 6 + budget 1 + 2 movs + 100 * (add, sub, cmp, b.ne) + epilogue 5
  EXPECT_EQ(first, 6u + 1 + 2 + 400 + 5);
}

// Past kNearBranchSlots the JIT branches over a B: a jump across 20000 slots still lands.
TEST(Arm64Runtime, FarConditionalJumpsAndMayGoto) {
  if (auto st = arm64::emulator_available(); !st) GTEST_SKIP() << st.message();
  for (uint64_t skip : {0u, 1u}) {
    std::string text = "r0 = 0\nr1 = " + std::to_string(skip) + "\nif r1 == 1 goto end\n";
    for (int i = 0; i < 20000; ++i) text += "r0 += 1\n";
    text += "end:\nmay_goto +0\nexit\n";
    auto raw = isa::assemble(text, "far");
    ASSERT_TRUE(raw) << raw.message();
    auto p = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "far");
    ASSERT_TRUE(p) << p.message();
    RunRequest req;
    req.program = &*p;
    req.input.type = isa::ProgType::SocketFilter;
    auto r = make_arm64_engine()->run(req);
    ASSERT_TRUE(r) << r.message();
    EXPECT_EQ(r->retval, skip == 1 ? 0u : 20000u);
  }
}

TEST(Arm64Runtime, ListingShowsBpfAndA64) {
  auto raw = isa::assemble("r0 = 1\nexit\n", "list");
  ASSERT_TRUE(raw) << raw.message();
  auto p = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "list");
  ASSERT_TRUE(p) << p.message();
  auto text = arm64::listing(*p);
  ASSERT_TRUE(text) << text.message();
  EXPECT_NE(text->find("0: (b7) r0 = 1"), std::string::npos) << *text;
  EXPECT_NE(text->find("mov x7, #1"), std::string::npos) << *text;
  EXPECT_NE(text->find("stp x29, x30, [sp, #-64]!"), std::string::npos) << *text;
  EXPECT_NE(text->find("ret"), std::string::npos) << *text;
}

}  // namespace
}  // namespace bpfvet::jit
