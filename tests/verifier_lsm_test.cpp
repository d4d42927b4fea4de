// BPF LSM programs: the hook named by the section decides the return range (int hooks
// 0 or -errno, bool hooks 0 or 1, void hooks anything; lsm_cgroup 0 or 1) and the range
// of the `ret` context argument after the hook's own arguments (isa/lsm_hooks.h).
// The running kernel refuses LSM loads here (EPERM), so the expectations follow the
// kernel's source (check_return_code, btf_ctx_access, bpf_lsm_get_retval_range).
#include <gtest/gtest.h>

#include "isa/lsm_hooks.h"
#include "tests/verifier_case_format.h"
#include "verifier/verifier.h"

namespace bpfvet::testing {
namespace {

struct LsmCase {
  const char* name;
  const char* section;
  const char* program;
  bool accept;
  const char* message;  // substring of the rejection's kernel message (rejections only)
};

const LsmCase kCases[] = {
    {"int_hook_returns_ret_arg", "lsm/bprm_check_security", "r0 = *(u64 *)(r1 +8)\nexit\n", true, ""},
    {"int_hook_returns_one", "lsm/bprm_check_security", "r0 = 1\nexit\n", false,
     "At program exit the register R0 has smin=1 smax=1 should have been in [-4095, 0]"},
    {"int_hook_returns_errno", "lsm/file_open", "r0 = -13\nexit\n", true, ""},
    {"int_hook_arg_past_ret", "lsm/bprm_check_security", "r0 = *(u64 *)(r1 +16)\nr0 = 0\nexit\n", false,
     "invalid bpf_context access off=16 size=8"},
    {"void_hook_returns_anything", "lsm/bprm_committed_creds", "r0 = 12345\nexit\n", true, ""},
    {"void_hook_returns_arg", "lsm/task_free", "r0 = *(u64 *)(r1 +0)\nexit\n", true, ""},
    {"bool_hook_returns_two", "lsm/inode_xattr_skipcap", "r0 = 2\nexit\n", false, "should have been in [0, 1]"},
    {"bool_hook_returns_ret_arg", "lsm/inode_xattr_skipcap", "r0 = *(u64 *)(r1 +8)\nexit\n", true, ""},
    {"cgroup_int_hook_returns_two", "lsm_cgroup/socket_bind", "r0 = 2\nexit\n", false,
     "should have been in [0, 1]"},
    {"unknown_hook_int_rules", "lsm/no_such_hook", "r0 = 1\nexit\n", false, "should have been in [-4095, 0]"},
};

class LsmHookRules : public ::testing::TestWithParam<LsmCase> {};

TEST_P(LsmHookRules, Verdict) {
  const LsmCase& c = GetParam();
  VerifierCase vc;
  vc.name = c.name;
  vc.type = "lsm";
  vc.program = c.program;
  auto prog = build_case_program(vc);
  ASSERT_TRUE(prog.ok()) << prog.message();
  prog->section = c.section;
  verifier::VerifyOptions opts;
  opts.log_level = 1;
  const verifier::VerifyResult r = verifier::verify(*prog, opts);
  ASSERT_EQ(r.accepted, c.accept) << (r.error ? r.error->kernel_message : "") << "\n" << r.log;
  if (!c.accept) {
    EXPECT_NE(r.error->kernel_message.find(c.message), std::string::npos) << r.error->kernel_message;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, LsmHookRules, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<LsmCase>& i) { return std::string(i.param.name); });

TEST(LsmHookRules, UnknownHookIsNotedInTheLog) {
  VerifierCase vc;
  vc.type = "lsm";
  vc.program = "r0 = 0\nexit\n";
  auto prog = build_case_program(vc);
  ASSERT_TRUE(prog.ok()) << prog.message();
  prog->section = "lsm/no_such_hook";
  verifier::VerifyOptions opts;
  opts.log_level = 1;
  const verifier::VerifyResult r = verifier::verify(*prog, opts);
  EXPECT_TRUE(r.accepted);
  EXPECT_NE(r.log.find("bpfvet: LSM hook 'no_such_hook' is not in bpfvet's hook table"), std::string::npos) << r.log;
  prog->section = "lsm/file_open";
  EXPECT_EQ(verifier::verify(*prog, opts).log.find("bpfvet:"), std::string::npos);
}

TEST(LsmHookTable, SortedAndComplete) {
  EXPECT_TRUE(isa::lsm_hooks_sorted());
  auto bprm = isa::find_lsm_hook("bprm_check_security");
  ASSERT_TRUE(bprm.has_value());
  EXPECT_EQ(bprm->ret, isa::LsmRet::Int);
  EXPECT_EQ(bprm->nargs, 1);
  auto creds = isa::find_lsm_hook("bprm_committed_creds");
  ASSERT_TRUE(creds.has_value());
  EXPECT_EQ(creds->ret, isa::LsmRet::Void);
  EXPECT_EQ(isa::find_lsm_hook("xfrm_state_pol_flow_match")->ret, isa::LsmRet::Bool);
  EXPECT_EQ(isa::find_lsm_hook("socket_connect")->nargs, 3);
  EXPECT_FALSE(isa::find_lsm_hook("no_such_hook").has_value());
  EXPECT_FALSE(isa::find_lsm_hook("").has_value());
  EXPECT_EQ(isa::lsm_hook_of_section("lsm/file_open"), "file_open");
  EXPECT_EQ(isa::lsm_hook_of_section("lsm.s/file_open"), "file_open");
  EXPECT_EQ(isa::lsm_hook_of_section("lsm_cgroup/socket_bind"), "socket_bind");
  EXPECT_EQ(isa::lsm_hook_of_section("kprobe/file_open"), "");
}

}  // namespace
}  // namespace bpfvet::testing
