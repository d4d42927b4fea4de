// The arm64 engine on the runtime's harder paths: tail calls (with the 33 limit),
// bpf_loop callbacks (nested on a second emulated CPU), bpf-to-bpf calls keeping
// r6-r9, map helpers across repeated runs, and the A64 instruction count.  Every case
// must give the pinned r0 and a RunResult equal to the interpreter's.
#include <gtest/gtest.h>

#include "isa/assembler.h"
#include "jit/arm64/arm64_emulator.h"
#include "jit/arm64/arm64_engine.h"
#include "jit/interp.h"

namespace bpfvet::jit {
namespace {

isa::MapDef map(const char* name, isa::MapType t, uint32_t k, uint32_t v, uint32_t n) {
  isa::MapDef d;
  d.name = name;
  d.type = t;
  d.key_size = k;
  d.value_size = v;
  d.max_entries = n;
  return d;
}

struct Case {
  const char* name;
  std::vector<isa::MapDef> maps;
  const char* text;
  std::vector<MapInput> input;
  uint64_t retval;
  uint32_t repeat = 1;
};

std::vector<Case> cases() {
  using isa::MapType;
  return {
      {"tail_call_limit_33",
       {map("jt", MapType::ProgArray, 4, 4, 1), map("cnt", MapType::Array, 4, 8, 1)},
       R"(r6 = r1
r1 = 0
*(u32 *)(r10 -4) = r1
r1 = map_idx(1) ll
r2 = r10
r2 += -4
call 1
if r0 == 0 goto out
r1 = 1
lock *(u64 *)(r0 +0) += r1
r1 = r6
r2 = map_idx(0) ll
r3 = 0
call 12
out:
r0 = 3
exit
)",
       {MapInput{"jt", "", {{MapBytes{{}, 0}, {}, {}, "prog"}}}},
       3},
      {"tail_call_empty_slot_falls_through",
       {map("jt", MapType::ProgArray, 4, 4, 2)},
       R"(r2 = map_idx(0) ll
r3 = 1
call 12
r0 = 77
exit
)",
       {},
       77},
      {"bpf_loop_callback",
       {},
       R"(r1 = 0
*(u64 *)(r10 -8) = r1
r1 = 10
r2 = func(cb) ll
r3 = r10
r3 += -8
r4 = 0
call 181
r1 = *(u64 *)(r10 -8)
r0 <<= 16
r0 |= r1
exit
cb:
r3 = *(u64 *)(r2 +0)
r3 += r1
*(u64 *)(r2 +0) = r3
r0 = 0
exit
)",
       {},
       (10u << 16) | 45},
      {"bpf_loop_stops_early",
       {},
       R"(r1 = 100
r2 = func(cb) ll
r3 = 0
r4 = 0
call 181
exit
cb:
r0 = 0
if r1 != 6 goto +1
r0 = 1
exit
)",
       {},
       7},
      {"bpf2bpf_keeps_r6_r9_and_frames",
       {},
       R"(r6 = 6
r7 = 7
r8 = 8
r9 = 9
r1 = 5
*(u64 *)(r10 -8) = r1
r1 = 3
call f
r1 = *(u64 *)(r10 -8)
r0 += r1
r0 += r6
r0 += r7
r0 += r8
r0 += r9
exit
f:
r6 = 100
r7 = 100
r8 = 100
r9 = 100
r2 = 40
*(u64 *)(r10 -8) = r2
r0 = *(u64 *)(r10 -8)
r0 += r1
exit
)",
       {},
       43 + 5 + 30},
      {"hash_counts_across_runs",
       {map("h", MapType::Hash, 4, 8, 4)},
       R"(r1 = 7
*(u32 *)(r10 -4) = r1
r1 = map_idx(0) ll
r2 = r10
r2 += -4
call 1
if r0 != 0 goto hit
r1 = 1
*(u64 *)(r10 -16) = r1
r1 = map_idx(0) ll
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
call 2
r0 = 1
exit
hit:
r1 = 1
r1 = atomic_fetch_add((u64 *)(r0 +0), r1)
r0 = r1
r0 += 1
exit
)",
       {},
       5,
       5},
  };
}

class Arm64Runtime : public testing::TestWithParam<Case> {};

TEST_P(Arm64Runtime, MatchesInterpreter) {
  if (auto st = arm64::emulator_available(); !st) GTEST_SKIP() << st.message();
  const Case& c = GetParam();
  auto raw = isa::assemble(c.text, c.name);
  ASSERT_TRUE(raw) << raw.message();
  auto p = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "prog");
  ASSERT_TRUE(p) << p.message();
  p->maps = c.maps;
  RunRequest req;
  req.program = &*p;
  req.input.type = isa::ProgType::SocketFilter;
  req.input.data.assign(64, 0x11);
  req.input.maps = c.input;
  req.repeat = c.repeat;
  auto a = make_interp_engine()->run(req);
  ASSERT_TRUE(a) << a.message();
  auto b = make_arm64_engine()->run(req);
  ASSERT_TRUE(b) << b.message();
  EXPECT_EQ(b->retval, c.retval);
  EXPECT_EQ(compare_results(*a, *b), "");
  EXPECT_EQ(b->runs, c.repeat);
  EXPECT_TRUE(b->emulated);
  ASSERT_TRUE(b->a64_insns_per_run);
  EXPECT_GT(*b->a64_insns_per_run, 0u);
  EXPECT_TRUE(b->est_cycles_per_run) << (b->notes.empty() ? "" : b->notes.back());
}

INSTANTIATE_TEST_SUITE_P(Cases, Arm64Runtime, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

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
