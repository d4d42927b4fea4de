// The verifier's context checks follow the expected attach type the program's
// section implies: a cgroup/post_bind4 program may read bpf_sock->src_port, a
// cgroup/sock_create one may not; cgroup/connect6 has user_ip6 but not user_ip4.
// Each row is also loaded into the running kernel with that expected_attach_type.
#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "isa/program.h"
#include "verifier/verifier.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cerrno>

namespace bpfvet::testing {
namespace {

namespace mk = isa::make;

struct Row {
  const char* section;
  bool write;
  int16_t off;
  uint8_t size;
  bool accepted;
};

// r0 = *(size *)(r1 + off), or *(size *)(r1 + off) = r2; then return 1.
std::vector<isa::RawInsn> body(const Row& r) {
  std::vector<isa::Insn> v;
  if (r.write) {
    v.push_back(mk::alu_imm(isa::AluOp::Mov, true, 2, 0));
    v.push_back(mk::store_reg(r.size, 1, 2, r.off));
  } else {
    v.push_back(mk::load(r.size, false, 0, 1, r.off));
  }
  v.push_back(mk::alu_imm(isa::AluOp::Mov, true, 0, 1));
  v.push_back(mk::exit());
  std::vector<isa::RawInsn> out;
  for (const isa::Insn& i : v)
    for (const isa::RawInsn& w : isa::encode(i)) out.push_back(w);
  return out;
}

class AttachCtx : public ::testing::TestWithParam<Row> {};

TEST_P(AttachCtx, VerdictFollowsTheSection) {
  const Row& r = GetParam();
  const auto type = isa::prog_type_from_section(r.section);
  ASSERT_TRUE(type.has_value()) << r.section;
  const std::vector<isa::RawInsn> raw = body(r);
  auto prog = isa::program_from_raw(raw, *type, "attach_ctx");
  ASSERT_TRUE(static_cast<bool>(prog));
  prog->section = r.section;
  prog->license = "GPL";
  const verifier::VerifyResult res = verifier::verify(*prog, verifier::VerifyOptions{});
  const std::string what = std::string(r.section) + (r.write ? " write " : " read ") + std::to_string(r.size) +
                           " at " + std::to_string(r.off);
  EXPECT_EQ(res.accepted, r.accepted) << what << (res.error ? ": " + res.error->kernel_message : "");
  if (!r.accepted && res.error) {
    EXPECT_NE(res.error->kernel_message.find("invalid bpf_context access off=" + std::to_string(r.off)),
              std::string::npos)
        << res.error->kernel_message;
  }

  // The running kernel, loaded the way libbpf would for this section.
  std::vector<struct bpf_insn> k(raw.size());
  static_assert(sizeof(isa::RawInsn) == sizeof(struct bpf_insn));
  std::memcpy(k.data(), raw.data(), raw.size() * sizeof(struct bpf_insn));
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  opts.expected_attach_type =
      static_cast<bpf_attach_type>(isa::kernel_attach_type(isa::attach_type_from_section(r.section)));
  const int fd = bpf_prog_load(static_cast<bpf_prog_type>(isa::kernel_prog_type(*type)), "attach_ctx", "GPL",
                               k.data(), k.size(), &opts);
  if (fd < 0 && (errno == EPERM || errno == ENOSYS)) GTEST_SKIP() << "bpf() is not available";
  if (fd >= 0) close(fd);
  EXPECT_EQ(fd >= 0, r.accepted) << "kernel disagrees on " << what;
}

INSTANTIATE_TEST_SUITE_P(
    Sections, AttachCtx,
    ::testing::Values(Row{"cgroup/post_bind4", false, 44, 4, true},   // src_port
                      Row{"cgroup/post_bind6", false, 44, 2, true},   // src_port, narrow
                      Row{"cgroup/sock_create", false, 44, 4, false},
                      Row{"cgroup/sock", false, 44, 4, false},
                      Row{"cgroup/post_bind4", false, 24, 4, true},   // src_ip4
                      Row{"cgroup/post_bind6", false, 24, 4, false},
                      Row{"cgroup/post_bind6", false, 32, 4, true},   // src_ip6[1]
                      Row{"cgroup/post_bind4", true, 16, 4, false},   // mark: create/release only
                      Row{"cgroup/sock_release", true, 16, 4, true},
                      Row{"cgroup/sock_create", true, 0, 4, true},    // bound_dev_if
                      Row{"cgroup/connect6", false, 4, 4, false},     // user_ip4
                      Row{"cgroup/connect6", true, 8, 8, true},       // user_ip6[0..1]
                      Row{"cgroup/connect4", false, 8, 4, false},     // user_ip6
                      Row{"cgroup/sendmsg4", true, 40, 4, true},      // msg_src_ip4
                      Row{"cgroup/connect4", false, 40, 4, false},
                      Row{"cgroup/sendmsg6", false, 48, 8, true},     // msg_src_ip6[1..2]
                      Row{"cgroup/bind4", false, 24, 2, true}));      // user_port

}  // namespace
}  // namespace bpfvet::testing
