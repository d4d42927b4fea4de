// What the runtime restores between runs and when it trusts helper arguments: each
// case runs verified (trusted session, reset limited to what the code can write) and
// unverified (everything checked and restored) on every engine, several times, and the
// results must be the same and as pinned; the scan's verdict is pinned too.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "isa/assembler.h"
#include "jit/engine.h"
#include "jit/interp.h"
#include "jit/runtime.h"
#include "verifier/verifier.h"

namespace bpfvet::jit {
namespace {

using isa::MapType;

struct ResetCase {
  std::string name;
  isa::ProgType type;
  std::string text;
  bool unwritten;         // the runtime's scan: no run can change ctx or packet
  uint64_t retval;        // every run
  int packet_byte0 = -1;  // data_out[0] after the runs, when pinned
};

// Packet pointers of an XDP program into r2 (data) and r3 (data_end), 16 bytes checked.
const char* kXdpBounds = R"(r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 16
if r4 > r3 goto out
)";

std::vector<ResetCase> cases() {
  const std::string xdp = kXdpBounds;
  return {
      {"reads_packet", isa::ProgType::Xdp, xdp + R"(r5 = 7
*(u64 *)(r10 -8) = r5
r0 = *(u8 *)(r2 +13)
r1 = *(u64 *)(r10 -8)
r0 += r1
exit
out:
r0 = 0
exit
)",
       true, 13 + 7, 0},
      // The packet byte grows by one per run only if the packet is not restored.
      {"writes_packet", isa::ProgType::Xdp, xdp + R"(r0 = *(u8 *)(r2 +0)
r0 += 1
*(u8 *)(r2 +0) = r0
exit
out:
r0 = 0
exit
)",
       false, 1, 1},
      // Atomics based on r10 stay on the stack.
      {"stack_atomic", isa::ProgType::Xdp, R"(r1 = 5
*(u64 *)(r10 -8) = r1
lock *(u64 *)(r10 -8) += r1
r0 = *(u64 *)(r10 -8)
exit
)",
       true, 10, 0},
      // skb->cb[0] (offset 48): the context is restored every run.
      {"writes_ctx", isa::ProgType::SocketFilter, R"(r0 = *(u32 *)(r1 +48)
r0 += 3
*(u32 *)(r1 +48) = r0
exit
)",
       false, 3},
      // A stack store through a copy of r10 counts as a possible write elsewhere.
      {"stack_through_copy", isa::ProgType::Xdp, R"(r2 = r10
r2 += -8
r3 = 9
*(u64 *)(r2 +0) = r3
r0 = *(u64 *)(r10 -8)
exit
)",
       false, 9},
      // bpf_xdp_adjust_head takes the context: it moves the packet, so all is restored.
      {"adjust_head", isa::ProgType::Xdp, R"(r6 = r1
r2 = -4
call 44
r2 = *(u32 *)(r6 +0)
r3 = *(u32 *)(r6 +4)
r0 = r3
r0 -= r2
exit
)",
       false, 68, 0},
      // bpf_skb_load_bytes (ctx argument, writes its buffer) is assumed to write.
      {"skb_load_bytes", isa::ProgType::SocketFilter, R"(r2 = 0
r3 = r10
r3 += -8
r4 = 4
call 26
r0 = *(u8 *)(r10 -6)
exit
)",
       false, 16},
      // bpf_get_prandom_u32 and bpf_ktime_get_ns write nothing: nothing is restored.
      {"pure_helpers", isa::ProgType::Xdp, R"(call 7
call 5
r0 = 2
exit
)",
       true, 2, 0},
  };
}

std::vector<uint8_t> counting_packet() {
  std::vector<uint8_t> p(64);
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<uint8_t>(i);
  return p;
}

using Param = std::tuple<ResetCase, std::string>;

class ResetCaseTest : public testing::TestWithParam<Param> {};

TEST_P(ResetCaseTest, VerifiedAndUncheckedRunsAgree) {
  const auto& [c, engine_name] = GetParam();
  auto engine = make_engine(engine_name);
  ASSERT_TRUE(engine) << engine.message();
  if (auto st = (*engine)->available(); !st) GTEST_SKIP() << st.message();
  auto raw = isa::assemble(c.text, c.name);
  ASSERT_TRUE(raw) << raw.message();
  auto prog = isa::program_from_raw(std::move(*raw), c.type, c.name);
  ASSERT_TRUE(prog) << prog.message();
  auto verified = verifier::verify_for_execution(*prog, {});
  ASSERT_TRUE(verified) << verified.message();
  RunRequest req;
  req.program = &*prog;
  req.input.type = c.type;
  req.input.data = counting_packet();
  req.repeat = 3;
  req.verified = &*verified;

  auto rt = Runtime::create(req);
  ASSERT_TRUE(rt) << rt.message();
  EXPECT_TRUE((*rt)->trusted());
  EXPECT_EQ((*rt)->context().unwritten(), c.unwritten);

  auto trusted = (*engine)->run(req);
  ASSERT_TRUE(trusted) << trusted.message();
  EXPECT_EQ(trusted->retval, c.retval);
  if (c.packet_byte0 >= 0) {
    ASSERT_FALSE(trusted->data_out.empty());
    EXPECT_EQ(trusted->data_out[0], c.packet_byte0);
  }
  req.verified = nullptr;
  auto unchecked = Runtime::create(req);
  ASSERT_TRUE(unchecked) << unchecked.message();
  EXPECT_FALSE((*unchecked)->trusted());
  EXPECT_FALSE((*unchecked)->context().unwritten());
  auto checked = (*engine)->run(req);
  ASSERT_TRUE(checked) << checked.message();
  EXPECT_EQ(compare_results(*checked, *trusted), "");
}

INSTANTIATE_TEST_SUITE_P(Reset, ResetCaseTest,
                         testing::Combine(testing::ValuesIn(cases()), testing::Values("interp", "x86_64", "arm64")),
                         [](const testing::TestParamInfo<Param>& i) {
                           return std::get<0>(i.param).name + "_" + std::get<1>(i.param);
                         });

// Unverified code keeps the helper argument checks: a key pointer into nowhere is an
// error naming the helper and the argument, on every engine.
class HelperArgCheck : public testing::TestWithParam<std::string> {};

TEST_P(HelperArgCheck, UnverifiedBadPointerIsAnError) {
  auto engine = make_engine(GetParam());
  ASSERT_TRUE(engine) << engine.message();
  if (auto st = (*engine)->available(); !st) GTEST_SKIP() << st.message();
  auto raw = isa::assemble("r1 = map_idx(0) ll\nr2 = 16\ncall 1\nr0 = 0\nexit\n", "bad_key");
  ASSERT_TRUE(raw) << raw.message();
  auto prog = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "bad_key");
  ASSERT_TRUE(prog) << prog.message();
  isa::MapDef m;
  m.name = "h";
  m.type = MapType::Hash;
  m.key_size = 4;
  m.value_size = 8;
  m.max_entries = 4;
  prog->maps = {m};
  RunRequest req;
  req.program = &*prog;
  req.input.type = prog->type;
  req.input.data = counting_packet();
  auto r = (*engine)->run(req);
  ASSERT_FALSE(r);
  EXPECT_NE(r.message().find("bpf_map_lookup_elem: argument r2 = 0x10 is not readable memory of 4 bytes"),
            std::string::npos)
      << r.message();
}

INSTANTIATE_TEST_SUITE_P(Reset, HelperArgCheck, testing::Values("interp", "x86_64", "arm64"));

}  // namespace
}  // namespace bpfvet::jit
