// The arm64 engine's cost figures: the static cycle model (LLVM MCA, a64_mca.h) on
// fixed blocks, the per-run estimate (deterministic, positive, growing with the trip
// count of a loop), the RunResult fields, and LSE against LL/SC atomics (both emitted,
// both run and costed).
#include <gtest/gtest.h>

#include <algorithm>

#include "isa/assembler.h"
#include "jit/arm64/a64_disasm.h"
#include "jit/arm64/a64_mca.h"
#include "jit/arm64/arm64_emulator.h"
#include "jit/arm64/arm64_engine.h"
#include "jit/interp.h"

namespace bpfvet::jit {
namespace {

// add x0, x1, x2; sdiv x0, x1, x2; ldr x1, [x2, #8]
const std::vector<uint32_t> kBlock = {0x8b020020, 0x9ac20c20, 0xf9400441};
constexpr uint32_t kLdaddal = 0xf8e20061;  // ldaddal x2, x1, [x3]

TEST(A64CostModel, MatchesLlvmMcaOnAFixedBlock) {
  auto m = a64::A64CostModel::create();
  ASSERT_TRUE(m) << m.message();
  EXPECT_EQ((*m)->cpu(), a64::kDefaultMcaCpu);
  // `llvm-mca-14 -mtriple=aarch64 -mcpu=thunderx2t99 -iterations=100` on the same
  // three instructions reports "Total Cycles: 2304".
  auto total = (*m)->simulate(kBlock, 100);
  ASSERT_TRUE(total) << total.message();
  EXPECT_EQ(*total, 2304u);
  auto per = (*m)->block_cycles(kBlock);
  ASSERT_TRUE(per) << per.message();
  EXPECT_DOUBLE_EQ(*per, 23.0);  // the SDIV's throughput dominates
  auto again = (*m)->block_cycles(kBlock);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *per);
  auto atomic = (*m)->block_cycles(std::vector<uint32_t>{kLdaddal});
  ASSERT_TRUE(atomic) << atomic.message();
  EXPECT_GT(*atomic, 0.0);
}

TEST(A64CostModel, ErrorsNameTheProblem) {
  auto bad = a64::A64CostModel::create("no-such-core");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.message().find("no-such-core"), std::string::npos);
  // LLVM 14's Cortex-A57 model (used for cortex-a72) does not describe LSE atomics.
  auto a72 = a64::A64CostModel::create("cortex-a72");
  ASSERT_TRUE(a72) << a72.message();
  auto ok = (*a72)->block_cycles(kBlock);
  ASSERT_TRUE(ok) << ok.message();
  EXPECT_DOUBLE_EQ(*ok, 35.0);
  auto lse = (*a72)->block_cycles(std::vector<uint32_t>{kLdaddal});
  ASSERT_FALSE(lse);
  EXPECT_NE(lse.message().find("unsupported instruction"), std::string::npos) << lse.message();
  const uint32_t unallocated = 0xffffffff;
  auto junk = (*a72)->block_cycles(std::vector<uint32_t>{unallocated});
  ASSERT_FALSE(junk);
  EXPECT_NE(junk.message().find("cannot decode A64 word 0xffffffff"), std::string::npos) << junk.message();
}

isa::Program loop_program(uint32_t trips) {
  const std::string text = "r0 = 0\nr1 = " + std::to_string(trips) +
                           "\nloop:\nr2 = r1\nr2 *= 3\nr0 += r2\nr1 -= 1\nif r1 != 0 goto loop\nexit\n";
  auto raw = isa::assemble(text, "loop");
  EXPECT_TRUE(raw) << raw.message();
  auto p = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "loop");
  EXPECT_TRUE(p) << p.message();
  return std::move(*p);
}

RunResult run_arm64(const isa::Program& p, bool bench = false) {
  RunRequest req;
  req.program = &p;
  req.input.type = isa::ProgType::SocketFilter;
  req.bench = bench;
  req.repeat = bench ? 20 : 1;
  auto r = make_arm64_engine()->run(req);
  EXPECT_TRUE(r) << r.message();
  return r ? *r : RunResult{};
}

TEST(Arm64Cost, EstimateIsDeterministicPositiveAndScalesWithTripCount) {
  if (auto st = arm64::emulator_available(); !st) GTEST_SKIP() << st.message();
  const isa::Program p10 = loop_program(10), p100 = loop_program(100);
  const RunResult a = run_arm64(p10), b = run_arm64(p10), c = run_arm64(p100), bench = run_arm64(p100, true);
  for (const RunResult* r : {&a, &b, &c, &bench}) {
    EXPECT_TRUE(r->emulated);
    ASSERT_TRUE(r->a64_insns_per_run);
    ASSERT_TRUE(r->est_cycles_per_run) << (r->notes.empty() ? "" : r->notes.back());
    EXPECT_GT(*r->est_cycles_per_run, 0.0);
    EXPECT_EQ(r->mca_cpu, a64::kDefaultMcaCpu);
  }
  EXPECT_EQ(*a.a64_insns_per_run, *b.a64_insns_per_run);
  EXPECT_EQ(*a.est_cycles_per_run, *b.est_cycles_per_run);
  EXPECT_EQ(*c.a64_insns_per_run, *bench.a64_insns_per_run);
  EXPECT_EQ(*c.est_cycles_per_run, *bench.est_cycles_per_run);
  // 90 more trips of a 6-instruction body (mov, mul via 3, add, sub, cmp, b.ne-ish):
  // the counts grow by a fixed amount per trip, the estimate by about as much.
  const uint64_t extra = *c.a64_insns_per_run - *a.a64_insns_per_run;
  EXPECT_EQ(extra % 90, 0u);
  EXPECT_GT(extra, 0u);
  const double ratio = *c.est_cycles_per_run / *a.est_cycles_per_run;
  EXPECT_GT(ratio, 5.0);
  EXPECT_LT(ratio, 10.5);
  // At least one cycle per trip on a core that retires a taken branch per cycle.
  EXPECT_GT(*c.est_cycles_per_run - *a.est_cycles_per_run, 90.0);
}

TEST(Arm64Cost, BlockCountsCoverEveryExecutedInstruction) {
  if (auto st = arm64::emulator_available(); !st) GTEST_SKIP() << st.message();
  const isa::Program p = loop_program(7);
  RunRequest req;
  req.program = &p;
  req.input.type = isa::ProgType::SocketFilter;
  auto s = arm64::Arm64Session::create(req, false);
  ASSERT_TRUE(s) << s.message();
  auto r0 = (*s)->run();
  ASSERT_TRUE(r0) << r0.message();
  EXPECT_EQ(*r0, 3u * (7 * 8 / 2));
  uint64_t insns = 0;
  for (const auto& [key, n] : (*s)->block_counts()) insns += n * ((key & 0xffffff) / 4);
  EXPECT_EQ(insns, (*s)->executed());
  auto model = a64::A64CostModel::create();
  ASSERT_TRUE(model) << model.message();
  auto cycles = (*s)->estimate_cycles((*s)->block_counts(), **model);
  ASSERT_TRUE(cycles) << cycles.message();
  EXPECT_GT(*cycles, 0.0);
  // A static model of a core that retires at most 4 instructions per cycle.
  EXPECT_GE(*cycles, double(insns) / 4);
}

isa::Program atomic_program() {
  auto raw = isa::assemble(R"(r1 = 5
*(u64 *)(r10 -8) = r1
r2 = 3
lock *(u64 *)(r10 -8) += r2
r3 = 10
r3 = atomic_fetch_add((u64 *)(r10 -8), r3)
r0 = 8
r4 = 100
r0 = cmpxchg_64(r10 - 8, r0, r4)
r5 = *(u64 *)(r10 -8)
r0 += r5
r0 += r3
exit
)",
                           "atomics");
  EXPECT_TRUE(raw) << raw.message();
  auto p = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "atomics");
  EXPECT_TRUE(p) << p.message();
  return std::move(*p);
}

// Both atomic lowerings are emitted (LSE: LDADDAL/CASAL; fallback: LDAXR/STLXR loops),
// both run on unicorn's "max" CPU (which implements LSE) with the interpreter's
// result, and both are costed by the default core's model.
TEST(Arm64Cost, LseAndLlScAtomicsAreEmittedRunAndCosted) {
  if (auto st = arm64::emulator_available(); !st) GTEST_SKIP() << st.message();
  const isa::Program p = atomic_program();
  RunRequest req;
  req.program = &p;
  req.input.type = isa::ProgType::SocketFilter;
  auto ref = make_interp_engine()->run(req);
  ASSERT_TRUE(ref) << ref.message();
  auto dis = a64::A64Disassembler::create();
  ASSERT_TRUE(dis) << dis.message();
  auto model = a64::A64CostModel::create();
  ASSERT_TRUE(model) << model.message();
  for (bool lse : {true, false}) {
    auto s = arm64::Arm64Session::create(req, false, lse);
    ASSERT_TRUE(s) << s.message();
    auto r0 = (*s)->run();
    ASSERT_TRUE(r0) << r0.message();
    EXPECT_EQ(*r0, ref->retval) << (lse ? "LSE" : "LL/SC");
    std::string text;
    for (const auto& line : (*dis)->disassemble((*s)->entry().code)) text += line + "\n";
    for (const char* m : {"ldaddal", "casal"})
      EXPECT_EQ(text.find(m) != std::string::npos, lse) << m << "\n" << text;
    for (const char* m : {"ldaxr", "stlxr"})
      EXPECT_EQ(text.find(m) != std::string::npos, !lse) << m << "\n" << text;
    auto cycles = (*s)->estimate_cycles((*s)->block_counts(), **model);
    ASSERT_TRUE(cycles) << cycles.message();
    EXPECT_GT(*cycles, 0.0);
  }
}

TEST(Arm64Cost, InterpreterCountsBpfInstructions) {
  const isa::Program p = loop_program(10);
  RunRequest req;
  req.program = &p;
  req.input.type = isa::ProgType::SocketFilter;
  auto n = count_bpf_insns(req);
  ASSERT_TRUE(n) << n.message();
  EXPECT_EQ(*n, 2u + 10 * 5 + 1);  // two movs, ten trips of five, exit
}

}  // namespace
}  // namespace bpfvet::jit
