// `bpfvet run` on the socket and flow dissector program types: real runs on short
// stream data, --ctx fields, and the exit-2 errors of bad --ctx / --data input.
#include <gtest/gtest.h>

#include "tests/cli_helpers.h"

namespace bpfvet::clitest {
namespace {

struct CtxTypeRow {
  const char* name;
  std::vector<std::string> args;  // after "run {dir}/p.s"; "{dir}" is the scratch dir
  const char* ctx_json;           // written to {dir}/ctx.json when not null
  int status;
  const char* expect;             // substring of stdout (status 0) or of the stderr line
};

std::vector<CtxTypeRow> rows() {
  return {
      {"SkSkbShortStreamRuns", {"--type", "sk_skb", "--data", "{dir}/five.bin"}, nullptr, 0, "data_out (5 bytes)"},
      {"SkMsgShortMessageRuns", {"--type", "sk_msg", "--data", "{dir}/five.bin"}, nullptr, 0, "data_out (5 bytes)"},
      {"SockOpsCtxField", {"--type", "sock_ops", "--ctx", "{dir}/ctx.json"}, R"({"op": 4})", 0, "retval 0"},
      {"SockAddrCtxField", {"--type", "cgroup_sock_addr", "--ctx", "{dir}/ctx.json"}, R"({"user_port": 47873})", 0,
       "retval 0"},
      {"SkMsgUnknownField", {"--type", "sk_msg", "--ctx", "{dir}/ctx.json"}, R"({"mark": 1})", 2,
       "--ctx: unknown field 'mark' for program type sk_msg (valid: family, remote_ip4, local_ip4, remote_port, "
       "local_port, task)"},
      {"SockOpsFieldTooWide", {"--type", "sock_ops", "--ctx", "{dir}/ctx.json"}, R"({"op": 4294967296})", 2,
       "does not fit in 4 bytes"},
      {"SockAddrTakesNoPacket", {"--type", "cgroup_sock_addr", "--data", "{dir}/five.bin"}, nullptr, 2,
       "--data: program type cgroup_sock_addr takes no packet"},
      {"FlowDissectorShortFrame", {"--type", "flow_dissector", "--data", "{dir}/five.bin"}, nullptr, 2,
       "shorter than an Ethernet header"},
  };
}

class CtxTypesCli : public testing::TestWithParam<CtxTypeRow> {};

TEST_P(CtxTypesCli, RunsOrExitsTwo) {
  const auto& c = GetParam();
  ScratchDir dir;
  write_file(dir / "p.s", "r0 = 0\nexit\n");
  write_file(dir / "five.bin", "hello");
  if (c.ctx_json) write_file(dir / "ctx.json", c.ctx_json);
  std::vector<std::string> args = {"run", (dir / "p.s").string()};
  for (std::string a : c.args) {
    if (a.rfind("{dir}", 0) == 0) a = (dir / a.substr(6)).string();  // "{dir}/name"
    args.push_back(a);
  }
  const auto r = run_bpfvet(args, std::chrono::seconds(60));
  ASSERT_EQ(r.status, c.status) << "stdout: " << r.out << "\nstderr: " << r.err;
  if (c.status == 0) {
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << r.out;
  } else {
    const auto lines = r.err_lines();
    ASSERT_EQ(lines.size(), 1u) << r.err;
    EXPECT_EQ(lines[0].rfind("bpfvet: ", 0), 0u) << lines[0];
    EXPECT_NE(lines[0].find(c.expect), std::string::npos) << lines[0];
  }
}

INSTANTIATE_TEST_SUITE_P(Cli, CtxTypesCli, testing::ValuesIn(rows()),
                         [](const testing::TestParamInfo<CtxTypeRow>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace bpfvet::clitest
