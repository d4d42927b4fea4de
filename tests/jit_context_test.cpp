// Mock contexts per program type (fields from --ctx, packet-derived fields, task
// info), their input errors, and the unverified mode's fault reports.
#include <gtest/gtest.h>

#include "isa/assembler.h"
#include "isa/context.h"
#include "jit/interp.h"
#include "jit/kernel_engine.h"

namespace bpfvet::jit {
namespace {

using isa::ProgType;

struct CtxCase {
  std::string name;
  ProgType type;
  CtxInput ctx;
  std::string text;
  uint64_t expect;
  bool kernel = false;  // BPF_PROG_TEST_RUN can run it with the same input
  std::optional<std::vector<uint8_t>> mem = std::nullopt;
};

std::vector<uint8_t> packet() {
  std::vector<uint8_t> p(64, 0);
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<uint8_t>(i + 0x10);
  p[12] = 0x08;  // IPv4 ethertype
  p[13] = 0x00;
  p[0] = 0x02;   // a unicast destination that is not ours: PACKET_OTHERHOST
  return p;
}

Result<RunResult> run_interp(const isa::Program& prog, ProgType type, const CtxInput& ctx,
                             std::optional<std::vector<uint8_t>> mem = std::nullopt, bool with_packet = true) {
  RunRequest req;
  req.program = &prog;
  req.input.type = type;
  req.input.ctx = ctx;
  req.input.mem = std::move(mem);
  const bool pkt = type == ProgType::Xdp || type == ProgType::SocketFilter || type == ProgType::SchedCls ||
                   type == ProgType::CgroupSkb;
  if (pkt && with_packet) req.input.data = packet();
  return make_interp_engine()->run(req);
}

isa::Program assemble_or_die(const std::string& text, ProgType type) {
  auto raw = isa::assemble(text, "t");
  EXPECT_TRUE(raw) << raw.message();
  auto p = isa::program_from_raw(raw ? *raw : std::vector<isa::RawInsn>{}, type, "t");
  EXPECT_TRUE(p) << p.message();
  return p ? *p : isa::Program{};
}

CtxInput fields(std::vector<std::pair<std::string, uint64_t>> f) {
  CtxInput c;
  c.fields = std::move(f);
  return c;
}

std::vector<CtxCase> ctx_cases() {
  std::vector<CtxCase> v;
  v.push_back({"kprobe_regs_di", ProgType::Kprobe, fields({{"di", 0x1234}}), "r0 = *(u64 *)(r1 +112)\nexit\n", 0x1234});
  v.push_back({"kprobe_regs_rsi_alias", ProgType::Kprobe, fields({{"rsi", 77}}), "r0 = *(u64 *)(r1 +104)\nexit\n", 77});
  v.push_back({"perf_event_sample_period", ProgType::PerfEvent, fields({{"sample_period", 1000}}),
               "r0 = *(u64 *)(r1 +168)\nexit\n", 1000});
  CtxInput args;
  args.args = {5, 7};
  v.push_back({"raw_tracepoint_args", ProgType::RawTracepoint, args, "r0 = *(u64 *)(r1 +8)\nexit\n", 7, true});
  v.push_back({"lsm_args", ProgType::Lsm, args, "r0 = *(u64 *)(r1 +0)\nexit\n", 5});
  CtxInput buf;
  buf.buffer = std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8};
  v.push_back({"tracepoint_buffer", ProgType::Tracepoint, buf, "r0 = *(u32 *)(r1 +4)\nexit\n", 0x08070605});
  v.push_back({"skb_mark_from_ctx", ProgType::SocketFilter, fields({{"mark", 7}}), "r0 = *(u32 *)(r1 +8)\nexit\n", 7, true});
  v.push_back({"skb_len_from_network_header", ProgType::SocketFilter, {}, "r0 = *(u32 *)(r1 +0)\nexit\n", 50, true});
  v.push_back({"skb_protocol", ProgType::SocketFilter, {}, "r0 = *(u32 *)(r1 +16)\nexit\n", 0x0008, true});
  v.push_back({"skb_pkt_type_otherhost", ProgType::SocketFilter, {}, "r0 = *(u32 *)(r1 +4)\nexit\n", 3, true});
  v.push_back({"skb_cb_from_ctx", ProgType::SchedCls, fields({{"cb2", 99}}), "r0 = *(u32 *)(r1 +56)\nexit\n", 99, true});
  v.push_back({"tc_data_end_minus_data", ProgType::SchedCls, {},
               "r2 = *(u32 *)(r1 +76)\nr0 = *(u32 *)(r1 +80)\nr0 -= r2\nexit\n", 64, true});
  v.push_back({"xdp_data_end_minus_data", ProgType::Xdp, {},
               "r2 = *(u32 *)(r1 +0)\nr0 = *(u32 *)(r1 +4)\nr0 -= r2\nexit\n", 64, true});
  v.push_back({"xdp_ingress_ifindex_loopback", ProgType::Xdp, {}, "r0 = *(u32 *)(r1 +12)\nexit\n", 1, true});
  v.push_back({"xdp_packet_bytes_through_data", ProgType::Xdp, {},
               "r2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto +2\n"
               "r0 = *(u16 *)(r2 +12)\nexit\nr0 = 0\nexit\n",
               0x0008, true});
  CtxInput task;
  task.task = TaskInput{42, 43, 1000, 1001, "bash"};
  v.push_back({"task_pid_tgid", ProgType::Kprobe, task, "call 14\nexit\n", (43ull << 32) | 42});
  v.push_back({"task_uid_gid", ProgType::Kprobe, task, "call 15\nexit\n", (1001ull << 32) | 1000});
  v.push_back({"task_comm", ProgType::Kprobe, task,
               "r1 = r10\nr1 += -16\nr2 = 16\ncall 16\nr0 = *(u32 *)(r10 -16)\nexit\n", 0x68736162});
  v.push_back({"raw_mem_and_length", ProgType::Raw, {}, "r0 = *(u8 *)(r1 +2)\nr0 <<= 8\nr0 += r2\nexit\n",
               (0x33 << 8) + 4, false, std::vector<uint8_t>{0x11, 0x22, 0x33, 0x44}});
  return v;
}

class Context : public testing::TestWithParam<CtxCase> {};

TEST_P(Context, InterpreterSeesTheField) {
  const auto& c = GetParam();
  const auto prog = assemble_or_die(c.text, c.type);
  auto r = run_interp(prog, c.type, c.ctx, c.mem);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->retval, c.expect);
}

TEST_P(Context, KernelAgrees) {
  const auto& c = GetParam();
  if (!c.kernel) GTEST_SKIP() << "BPF_PROG_TEST_RUN cannot run this program type";
  if (auto st = kernel_bpf_available(); !st) GTEST_SKIP() << st.message();
  const auto prog = assemble_or_die(c.text, c.type);
  RunRequest req;
  req.program = &prog;
  req.input.type = c.type;
  req.input.ctx = c.ctx;
  if (c.type != ProgType::RawTracepoint) req.input.data = packet();
  auto r = make_kernel_engine()->run(req);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->retval, c.expect & 0xffffffff);
}

INSTANTIATE_TEST_SUITE_P(Ctx, Context, testing::ValuesIn(ctx_cases()),
                         [](const testing::TestParamInfo<CtxCase>& i) { return i.param.name; });

// Input that does not fit the program: an Error naming the problem.
struct BadInput {
  std::string name;
  ProgType type;
  CtxInput ctx;
  std::string needle;
  bool with_packet = true;
  std::optional<std::vector<uint8_t>> mem = std::nullopt;
};

std::vector<BadInput> bad_inputs() {
  CtxInput args;
  args.args = {1};
  CtxInput buf;
  buf.buffer = std::vector<uint8_t>{1};
  return {
      {"unknown_skb_field_lists_valid", ProgType::SocketFilter, fields({{"bogus", 1}}), "unknown field 'bogus'"},
      {"unknown_field_names_mark", ProgType::SchedCls, fields({{"ifidx", 1}}), "mark"},
      {"unknown_regs_field", ProgType::Kprobe, fields({{"xyz", 1}}), "valid: r15"},
      {"value_too_wide", ProgType::SocketFilter, fields({{"mark", 1ull << 32}}), "does not fit in 4 bytes"},
      {"args_on_xdp", ProgType::Xdp, args, "'args' is only for raw_tracepoint"},
      {"buffer_on_kprobe", ProgType::Kprobe, buf, "'buffer' is only for tracepoint"},
      {"mem_on_xdp", ProgType::Xdp, {}, "--mem", true, std::vector<uint8_t>{1}},
  };
}

class BadContext : public testing::TestWithParam<BadInput> {};

TEST_P(BadContext, IsAnError) {
  const auto& c = GetParam();
  const auto prog = assemble_or_die("r0 = 0\nexit\n", c.type);
  auto r = run_interp(prog, c.type, c.ctx, c.mem, c.with_packet);
  ASSERT_FALSE(r);
  EXPECT_NE(r.message().find(c.needle), std::string::npos) << r.message();
}

INSTANTIATE_TEST_SUITE_P(Ctx, BadContext, testing::ValuesIn(bad_inputs()),
                         [](const testing::TestParamInfo<BadInput>& i) { return i.param.name; });

TEST(BadPacket, ShorterThanAnEthernetHeaderIsAnError) {
  const auto prog = assemble_or_die("r0 = 0\nexit\n", ProgType::Xdp);
  RunRequest req;
  req.program = &prog;
  req.input.type = ProgType::Xdp;
  req.input.data = {1, 2, 3};
  auto r = make_interp_engine()->run(req);
  ASSERT_FALSE(r);
  EXPECT_NE(r.message().find("shorter than an Ethernet header"), std::string::npos) << r.message();
}

// Unverified programs: a bad access stops the run with the instruction and address.
struct Fault {
  std::string name;
  ProgType type;
  std::string text;
  std::string needle;
};

std::vector<Fault> faults() {
  return {
      {"null_deref", ProgType::SocketFilter, "r1 = 0\nr0 = *(u64 *)(r1 +0)\nexit\n", "insn 1: invalid read of 8 bytes at 0x0"},
      {"past_ctx_end", ProgType::Xdp, "r0 = *(u32 *)(r1 +24)\nexit\n", "insn 0: invalid read of 4 bytes"},
      {"read_at_data_end", ProgType::Xdp, "r2 = *(u32 *)(r1 +4)\nr0 = *(u8 *)(r2 +0)\nexit\n", "insn 1: invalid read of 1 bytes"},
      {"below_stack", ProgType::SocketFilter, "r1 = 1\n*(u64 *)(r10 -8200) = r1\nr0 = 0\nexit\n", "insn 1: invalid write of 8 bytes"},
      {"write_task_struct", ProgType::Kprobe, "call 35\nr1 = 1\n*(u64 *)(r0 +0) = r1\nr0 = 0\nexit\n", "is read-only"},
      {"unsupported_helper", ProgType::SocketFilter, "call 999\nexit\n", "unsupported helper"},
      {"helper_bad_pointer", ProgType::SocketFilter, "r1 = 0\nr2 = 16\nr3 = 0\ncall 4\nexit\n", "argument r1 = 0x0 is not writable"},
      {"call_depth", ProgType::SocketFilter, "call f\nexit\nf:\ncall f\nexit\n", "call depth exceeds 8 frames"},
      {"endless_loop", ProgType::SocketFilter, "r0 = 0\ngoto -1\n", "instructions executed"},
      {"fall_off_end", ProgType::SocketFilter, "r0 = 0\n", "fell off the end"},
      {"ld_abs_without_skb", ProgType::Xdp, "r6 = r1\nr0 = *(u8 *)skb[0]\nexit\n", "needs a socket buffer"},
  };
}

class Faults : public testing::TestWithParam<Fault> {};

TEST_P(Faults, StopTheRunWithAClearError) {
  const auto& c = GetParam();
  const auto prog = assemble_or_die(c.text, c.type);
  auto r = run_interp(prog, c.type, {});
  ASSERT_FALSE(r) << "retval " << r->retval;
  EXPECT_NE(r.message().find(c.needle), std::string::npos) << r.message();
}

INSTANTIATE_TEST_SUITE_P(Unverified, Faults, testing::ValuesIn(faults()),
                         [](const testing::TestParamInfo<Fault>& i) { return i.param.name; });

}  // namespace
}  // namespace bpfvet::jit

namespace bpfvet::jit {
namespace {

// The mock lays contexts out from the UAPI structs; the verifier's tables must agree on
// where every settable field is.
class LayoutAgreesWithIsa : public testing::TestWithParam<ProgType> {};

TEST_P(LayoutAgreesWithIsa, FieldOffsets) {
  int checked = 0;
  for (const auto& f : ctx_fields(GetParam())) {
    std::string name = f.name;
    if (name.rfind("cb", 0) == 0 && name.size() == 3) name = "cb";  // cb0..cb4 are elements of cb[5]
    const isa::CtxField* g = isa::find_ctx_field(GetParam(), name.c_str());
    if (g == nullptr) continue;  // opaque contexts (pt_regs) have no named fields there
    ++checked;
    EXPECT_GE(f.offset, g->offset) << f.name;
    EXPECT_LE(f.offset + f.size, g->offset + g->size) << f.name;
  }
  if (GetParam() != ProgType::Kprobe && GetParam() != ProgType::PerfEvent) {
    EXPECT_GT(checked, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Ctx, LayoutAgreesWithIsa,
                         testing::Values(ProgType::Xdp, ProgType::SocketFilter, ProgType::SchedCls,
                                         ProgType::CgroupSkb, ProgType::CgroupSock, ProgType::Kprobe,
                                         ProgType::PerfEvent),
                         [](const testing::TestParamInfo<ProgType>& i) { return isa::prog_type_name(i.param); });

}  // namespace
}  // namespace bpfvet::jit
