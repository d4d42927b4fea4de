// Mock contexts of the socket and flow dissector program types (sock_ops,
// cgroup_sock_addr, sk_skb, sk_msg, flow_dissector): every field at its UAPI offset,
// the data/data_end bounds, ctx->sk and skb->flow_keys, the helpers these types call,
// and the --ctx / --data errors.
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "isa/assembler.h"
#include "isa/program.h"
#include "jit/interp.h"

namespace bpfvet::jit {
namespace {

using isa::ProgType;

struct TypeCase {
  std::string name;
  ProgType type;
  std::vector<std::pair<std::string, uint64_t>> fields;
  std::vector<uint8_t> data;
  std::string text;
  uint64_t expect;
};

std::string at(size_t off) { return std::to_string(off); }
std::string ld32(const std::string& dst, const std::string& src, size_t off) {
  return dst + " = *(u32 *)(" + src + " +" + at(off) + ")\n";
}
std::string ld64(const std::string& dst, const std::string& src, size_t off) {
  return dst + " = *(u64 *)(" + src + " +" + at(off) + ")\n";
}
std::vector<uint8_t> bytes(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(0x40 + i);
  return v;
}
std::vector<uint8_t> ipv4_frame() {
  std::vector<uint8_t> v(64, 0);
  v[12] = 0x08;
  return v;
}

Result<RunResult> run(ProgType type, const std::string& text, const std::vector<std::pair<std::string, uint64_t>>& f,
                      const std::vector<uint8_t>& data) {
  auto raw = isa::assemble(text, "t");
  if (!raw) return raw.error();
  auto prog = isa::program_from_raw(*raw, type, "t");
  if (!prog) return prog.error();
  RunRequest req;
  req.program = &*prog;
  req.input.type = type;
  req.input.ctx.fields = f;
  req.input.data = data;
  return make_interp_engine()->run(req);
}

#define OPS(f) offsetof(struct bpf_sock_ops, f)
#define ADDR(f) offsetof(struct bpf_sock_addr, f)
#define SKB(f) offsetof(struct __sk_buff, f)
#define MSG(f) offsetof(struct sk_msg_md, f)
#define SOCK(f) offsetof(struct bpf_sock, f)
#define KEYS(f) offsetof(struct bpf_flow_keys, f)

std::vector<TypeCase> cases() {
  const std::string x = "exit\n";
  const std::string len_of = ld32("r0", "r1", SKB(data_end)) + ld32("r2", "r1", SKB(data)) + "r0 -= r2\n" + x;
  const std::string msg_len = ld64("r0", "r1", MSG(data_end)) + ld64("r2", "r1", MSG(data)) + "r0 -= r2\n" + x;
  const std::string msg_first = ld64("r2", "r1", MSG(data)) + "r0 = *(u8 *)(r2 +0)\n" + x;
  auto call = [](int id) { return "call " + std::to_string(id) + "\n"; };
  std::vector<TypeCase> v = {
      // sock_ops: defaults, fields from --ctx, ctx->sk, cb flags.
      {"sock_ops_family", ProgType::SockOps, {}, {}, ld32("r0", "r1", OPS(family)) + x, 2},
      {"sock_ops_op", ProgType::SockOps, {{"op", 4}}, {}, ld32("r0", "r1", OPS(op)) + x, 4},
      {"sock_ops_args2", ProgType::SockOps, {{"args2", 9}}, {}, ld32("r0", "r1", OPS(args) + 8) + x, 9},
      {"sock_ops_remote_ip4", ProgType::SockOps, {}, {}, ld32("r0", "r1", OPS(remote_ip4)) + x, 0x0100007f},
      {"sock_ops_remote_port", ProgType::SockOps, {}, {}, ld32("r0", "r1", OPS(remote_port)) + x, 0x31d40000},
      {"sock_ops_local_port", ProgType::SockOps, {{"local_port", 8080}}, {}, ld32("r0", "r1", OPS(local_port)) + x, 8080},
      {"sock_ops_bytes_acked", ProgType::SockOps, {{"bytes_acked", 1ull << 40}}, {},
       ld64("r0", "r1", OPS(bytes_acked)) + x, 1ull << 40},
      {"sock_ops_sk_dst_port", ProgType::SockOps, {}, {}, ld64("r2", "r1", OPS(sk)) + ld32("r0", "r2", SOCK(dst_port)) + x,
       0x31d4},
      {"sock_ops_cb_flags_set_returns_unknown_bits", ProgType::SockOps, {}, {},
       "r2 = 0x1ff\n" + call(BPF_FUNC_sock_ops_cb_flags_set) + x, 0x180},
      {"sock_ops_cb_flags_set_updates_field", ProgType::SockOps, {}, {},
       "r6 = r1\nr2 = 3\n" + call(BPF_FUNC_sock_ops_cb_flags_set) + ld32("r0", "r6", OPS(bpf_sock_ops_cb_flags)) + x, 3},
      {"sock_ops_cb_flags_set_not_fullsock", ProgType::SockOps, {{"is_fullsock", 0}}, {},
       "r2 = 1\n" + call(BPF_FUNC_sock_ops_cb_flags_set) + x, static_cast<uint64_t>(-22)},
      // cgroup_sock_addr.
      {"sock_addr_user_ip4", ProgType::CgroupSockAddr, {}, {}, ld32("r0", "r1", ADDR(user_ip4)) + x, 0x0100007f},
      {"sock_addr_user_port", ProgType::CgroupSockAddr, {}, {}, ld32("r0", "r1", ADDR(user_port)) + x, 0x5000},
      {"sock_addr_user_port_ctx", ProgType::CgroupSockAddr, {{"user_port", 0xbb01}}, {},
       ld32("r0", "r1", ADDR(user_port)) + x, 0xbb01},
      {"sock_addr_protocol", ProgType::CgroupSockAddr, {}, {}, ld32("r0", "r1", ADDR(protocol)) + x, 6},
      {"sock_addr_sk_type", ProgType::CgroupSockAddr, {{"type", 2}}, {},
       ld64("r2", "r1", ADDR(sk)) + ld32("r0", "r2", SOCK(type)) + x, 2},
      {"sock_addr_bind", ProgType::CgroupSockAddr, {}, {},
       "r2 = 2\n*(u64 *)(r10 -16) = r2\nr2 = 0\n*(u64 *)(r10 -8) = r2\nr2 = r10\nr2 += -16\nr3 = 16\n" +
           call(BPF_FUNC_bind) + x, 0},
      {"sock_addr_bind_with_port", ProgType::CgroupSockAddr, {}, {},
       "r2 = 0x50000002\n*(u64 *)(r10 -16) = r2\nr2 = 0\n*(u64 *)(r10 -8) = r2\nr2 = r10\nr2 += -16\nr3 = 16\n" +
           call(BPF_FUNC_bind) + x, static_cast<uint64_t>(-22)},
      // sk_skb: stream data from byte 0, any length.
      {"sk_skb_data_bounds", ProgType::SkSkb, {}, bytes(5), len_of, 5},
      {"sk_skb_len", ProgType::SkSkb, {}, bytes(5), ld32("r0", "r1", SKB(len)) + x, 5},
      {"sk_skb_first_byte", ProgType::SkSkb, {}, bytes(5), ld32("r2", "r1", SKB(data)) + "r0 = *(u8 *)(r2 +0)\n" + x, 0x40},
      {"sk_skb_remote_ip4_ctx", ProgType::SkSkb, {{"remote_ip4", 0x0200000a}}, bytes(5),
       ld32("r0", "r1", SKB(remote_ip4)) + x, 0x0200000a},
      {"sk_skb_sk_family", ProgType::SkSkb, {}, {}, ld64("r2", "r1", SKB(sk)) + ld32("r0", "r2", SOCK(family)) + x, 2},
      // sk_msg: the message bytes, size, pull/push/pop.
      {"sk_msg_data_bounds", ProgType::SkMsg, {}, bytes(7), msg_len, 7},
      {"sk_msg_size", ProgType::SkMsg, {}, bytes(7), ld32("r0", "r1", MSG(size)) + x, 7},
      {"sk_msg_local_port", ProgType::SkMsg, {}, bytes(7), ld32("r0", "r1", MSG(local_port)) + x, 80},
      {"sk_msg_pull_narrows", ProgType::SkMsg, {}, bytes(7),
       "r6 = r1\nr2 = 2\nr3 = 5\nr4 = 0\n" + call(BPF_FUNC_msg_pull_data) + "r1 = r6\n" + msg_len, 3},
      {"sk_msg_pull_moves_data", ProgType::SkMsg, {}, bytes(7),
       "r6 = r1\nr2 = 2\nr3 = 5\nr4 = 0\n" + call(BPF_FUNC_msg_pull_data) + "r1 = r6\n" + msg_first, 0x42},
      {"sk_msg_pull_past_end", ProgType::SkMsg, {}, bytes(7),
       "r2 = 2\nr3 = 8\nr4 = 0\n" + call(BPF_FUNC_msg_pull_data) + x, static_cast<uint64_t>(-22)},
      {"sk_msg_push_grows", ProgType::SkMsg, {}, bytes(7),
       "r6 = r1\nr2 = 0\nr3 = 4\nr4 = 0\n" + call(BPF_FUNC_msg_push_data) + ld32("r0", "r6", MSG(size)) + x, 11},
      {"sk_msg_push_zeroes", ProgType::SkMsg, {}, bytes(7),
       "r6 = r1\nr2 = 0\nr3 = 4\nr4 = 0\n" + call(BPF_FUNC_msg_push_data) + "r1 = r6\n" + msg_first, 0},
      {"sk_msg_pop_shrinks", ProgType::SkMsg, {}, bytes(7),
       "r6 = r1\nr2 = 0\nr3 = 3\nr4 = 0\n" + call(BPF_FUNC_msg_pop_data) + "r1 = r6\n" + msg_first, 0x43},
      {"sk_msg_pop_past_end", ProgType::SkMsg, {}, bytes(7),
       "r2 = 5\nr3 = 3\nr4 = 0\n" + call(BPF_FUNC_msg_pop_data) + x, static_cast<uint64_t>(-22)},
      // flow_dissector: packet from the MAC header, keys as BPF_PROG_TEST_RUN sets them.
      {"flow_dissector_data_bounds", ProgType::FlowDissector, {}, ipv4_frame(), len_of, 64},
      {"flow_dissector_nhoff", ProgType::FlowDissector, {}, ipv4_frame(),
       ld64("r2", "r1", SKB(flow_keys)) + "r0 = *(u16 *)(r2 +" + at(KEYS(nhoff)) + ")\n" + x, 14},
      {"flow_dissector_thoff", ProgType::FlowDissector, {}, ipv4_frame(),
       ld64("r2", "r1", SKB(flow_keys)) + "r0 = *(u16 *)(r2 +" + at(KEYS(thoff)) + ")\n" + x, 14},
      {"flow_dissector_n_proto", ProgType::FlowDissector, {}, ipv4_frame(),
       ld64("r2", "r1", SKB(flow_keys)) + "r0 = *(u16 *)(r2 +" + at(KEYS(n_proto)) + ")\n" + x, 0x0008},
  };
  return v;
}

class CtxTypes : public testing::TestWithParam<TypeCase> {};

TEST_P(CtxTypes, InterpreterSeesTheValue) {
  const auto& c = GetParam();
  auto r = run(c.type, c.text, c.fields, c.data);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->retval, c.expect);
}

INSTANTIATE_TEST_SUITE_P(Ctx, CtxTypes, testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

struct BadCase {
  std::string name;
  ProgType type;
  std::vector<std::pair<std::string, uint64_t>> fields;
  std::vector<uint8_t> data;
  std::string needle;
};

class CtxTypesBad : public testing::TestWithParam<BadCase> {};

TEST_P(CtxTypesBad, IsAnError) {
  const auto& c = GetParam();
  auto r = run(c.type, "r0 = 0\nexit\n", c.fields, c.data);
  ASSERT_FALSE(r);
  EXPECT_NE(r.message().find(c.needle), std::string::npos) << r.message();
}

INSTANTIATE_TEST_SUITE_P(
    Ctx, CtxTypesBad,
    testing::ValuesIn(std::vector<BadCase>{
        {"sk_msg_unknown_field", ProgType::SkMsg, {{"mark", 1}}, {},
         "unknown field 'mark' for program type sk_msg (valid: family, remote_ip4"},
        {"sock_ops_field_too_wide", ProgType::SockOps, {{"op", 1ull << 32}}, {}, "does not fit in 4 bytes"},
        {"sock_addr_takes_no_packet", ProgType::CgroupSockAddr, {}, bytes(20), "takes no packet"},
        {"sock_ops_takes_no_packet", ProgType::SockOps, {}, bytes(20), "takes no packet"},
        {"flow_dissector_short_frame", ProgType::FlowDissector, {}, bytes(10), "shorter than an Ethernet header"},
        {"flow_dissector_has_no_fields", ProgType::FlowDissector, {{"mark", 1}}, ipv4_frame(), "unknown field 'mark'"},
    }),
    [](const auto& info) { return info.param.name; });

// The corpus's socket programs on the mock socket maps: sock_ops files the connection
// in a sockhash, sk_msg redirects through it (SK_PASS only when the key is there).
class SockCorpus : public testing::Test {
 protected:
  Result<RunResult> run_object(const std::string& stem, const std::vector<std::pair<std::string, uint64_t>>& f,
                               const std::vector<uint8_t>& data, std::vector<MapInput> maps = {}) {
    const std::string path = std::string(BPFVET_CORPUS_DIR) + "/" + stem + ".o";
    if (!std::filesystem::exists(path)) return Error{"not built"};
    obj_ = isa::load_object(path, isa::LoadOptions{});
    if (!obj_) return obj_.error();
    RunRequest req;
    req.program = &obj_->programs.at(0);
    req.object = &*obj_;
    req.input.type = req.program->type;
    req.input.ctx.fields = f;
    req.input.data = data;
    req.input.maps = std::move(maps);
    return make_interp_engine()->run(req);
  }
  Result<isa::Object> obj_ = Error{"unset"};
};

std::vector<uint8_t> le32s(std::initializer_list<uint32_t> words) {
  std::vector<uint8_t> out;
  for (uint32_t w : words)
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(w >> (8 * i)));
  return out;
}

TEST_F(SockCorpus, SockOpsEstablishedFilesTheSocketInTheSockhash) {
  auto r = run_object("sockops_established_map", {{"op", BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB}}, {});
  if (!r && r.message() == "not built") GTEST_SKIP() << "corpus needs clang";
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->retval, 1u);
  ASSERT_EQ(r->maps.size(), 1u);
  ASSERT_EQ(r->maps[0].entries.size(), 1u);
  // key {sip4, dip4, sport = local port, dport = ntohl(remote_port)}, value: the cookie.
  EXPECT_EQ(r->maps[0].entries[0].first, le32s({0x0100007f, 0x0100007f, 80, 0xd431}));
  EXPECT_EQ(r->maps[0].entries[0].second, le32s({0x1001, 0}));
  ASSERT_EQ(r->output.size(), 1u);
  EXPECT_EQ(r->output[0].kind, "sock_map_update");
  EXPECT_EQ(r->output[0].map, "sock_ops_map");
}

TEST_F(SockCorpus, SkMsgRedirectsOnlyToAFiledSocket) {
  const std::vector<uint8_t> get = {'G', 'E', 'T', ' ', '/', 'x'};
  auto miss = run_object("sk_msg_redirect_hash", {}, get);
  if (!miss && miss.message() == "not built") GTEST_SKIP() << "corpus needs clang";
  ASSERT_TRUE(miss) << miss.message();
  EXPECT_EQ(miss->retval, 0u);  // SK_DROP: no socket at the key
  EXPECT_TRUE(miss->output.empty());
  MapInput m;
  m.name = "sock_ops_map";
  MapEntryInput e;
  e.key.bytes = le32s({0x0100007f, 0x0100007f, 0xd431, 80});  // remote -> local, as the program builds it
  e.value.bytes = le32s({0x1001, 0});
  m.entries.push_back(e);
  auto hit = run_object("sk_msg_redirect_hash", {}, get, {m});
  ASSERT_TRUE(hit) << hit.message();
  EXPECT_EQ(hit->retval, 1u);  // SK_PASS
  ASSERT_EQ(hit->output.size(), 1u);
  EXPECT_EQ(hit->output[0].kind, "redirect");
  EXPECT_EQ(hit->output[0].data, e.key.bytes);
  EXPECT_EQ(hit->output[0].flags, uint64_t(BPF_F_INGRESS));
  EXPECT_EQ(hit->data_out, get);
}

}  // namespace
}  // namespace bpfvet::jit
