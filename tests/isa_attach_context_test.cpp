// Attach-type-specific context rules: the expected attach type a section name
// implies, and what each cgroup_sock / cgroup_sock_addr attach type may read and
// write, row by row and against the running kernel (loaded with that
// expected_attach_type).
#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <string>

#include "isa/context.h"
#include "isa/prog_type.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace bpfvet::isa {
namespace {

using A = AttachType;

// ---- section names -------------------------------------------------------------

struct SectionRow {
  const char* section;
  AttachType want;
};

class AttachFromSection : public ::testing::TestWithParam<SectionRow> {};

TEST_P(AttachFromSection, FollowsLibbpfSectionTable) {
  const SectionRow& r = GetParam();
  EXPECT_EQ(attach_type_from_section(r.section), r.want) << r.section;
  if (r.want != A::Default) {
    // The attach type belongs to the program type the section implies.
    EXPECT_EQ(prog_type_from_section(r.section), attach_prog_type(r.want)) << r.section;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sections, AttachFromSection,
    ::testing::Values(SectionRow{"cgroup/sock_create", A::SockCreate}, SectionRow{"cgroup/sock", A::SockCreate},
                      SectionRow{"?cgroup/connect4", A::Connect4},  // not autoloaded, same hook
                      SectionRow{"cgroup/sock_release", A::SockRelease},
                      SectionRow{"cgroup/post_bind4", A::PostBind4}, SectionRow{"cgroup/post_bind6", A::PostBind6},
                      SectionRow{"cgroup/bind4", A::Bind4}, SectionRow{"cgroup/bind6", A::Bind6},
                      SectionRow{"cgroup/connect4", A::Connect4}, SectionRow{"cgroup/connect6", A::Connect6},
                      SectionRow{"cgroup/connect_unix", A::ConnectUnix},
                      SectionRow{"cgroup/sendmsg4", A::SendMsg4}, SectionRow{"cgroup/sendmsg6", A::SendMsg6},
                      SectionRow{"cgroup/sendmsg_unix", A::SendMsgUnix},
                      SectionRow{"cgroup/recvmsg4", A::RecvMsg4}, SectionRow{"cgroup/recvmsg6", A::RecvMsg6},
                      SectionRow{"cgroup/recvmsg_unix", A::RecvMsgUnix},
                      SectionRow{"cgroup/getpeername4", A::GetPeerName4},
                      SectionRow{"cgroup/getpeername6", A::GetPeerName6},
                      SectionRow{"cgroup/getpeername_unix", A::GetPeerNameUnix},
                      SectionRow{"cgroup/getsockname4", A::GetSockName4},
                      SectionRow{"cgroup/getsockname6", A::GetSockName6},
                      SectionRow{"cgroup/getsockname_unix", A::GetSockNameUnix},
                      // Not attach-specific, or not a name libbpf knows.
                      SectionRow{"cgroup/skb", A::Default}, SectionRow{"cgroup_skb/egress", A::Default},
                      SectionRow{"xdp", A::Default}, SectionRow{"", A::Default},
                      SectionRow{"cgroup/", A::Default}, SectionRow{"cgroup/connect4/x", A::Default},
                      SectionRow{"cgroup/post_bind", A::Default}, SectionRow{"cgroup/connect46", A::Default},
                      SectionRow{"cgroup/post_bind4 ", A::Default}, SectionRow{"CGROUP/connect4", A::Default},
                      SectionRow{"post_bind4", A::Default}));

TEST(AttachType, KernelNumbersMatchTheUapiHeader) {
  EXPECT_EQ(kernel_attach_type(A::Default), 0u);
  EXPECT_EQ(kernel_attach_type(A::SockCreate), uint32_t{BPF_CGROUP_INET_SOCK_CREATE});
  EXPECT_EQ(kernel_attach_type(A::SockRelease), uint32_t{BPF_CGROUP_INET_SOCK_RELEASE});
  EXPECT_EQ(kernel_attach_type(A::PostBind4), uint32_t{BPF_CGROUP_INET4_POST_BIND});
  EXPECT_EQ(kernel_attach_type(A::PostBind6), uint32_t{BPF_CGROUP_INET6_POST_BIND});
  EXPECT_EQ(kernel_attach_type(A::Bind4), uint32_t{BPF_CGROUP_INET4_BIND});
  EXPECT_EQ(kernel_attach_type(A::Bind6), uint32_t{BPF_CGROUP_INET6_BIND});
  EXPECT_EQ(kernel_attach_type(A::Connect4), uint32_t{BPF_CGROUP_INET4_CONNECT});
  EXPECT_EQ(kernel_attach_type(A::Connect6), uint32_t{BPF_CGROUP_INET6_CONNECT});
  EXPECT_EQ(kernel_attach_type(A::SendMsg4), uint32_t{BPF_CGROUP_UDP4_SENDMSG});
  EXPECT_EQ(kernel_attach_type(A::SendMsg6), uint32_t{BPF_CGROUP_UDP6_SENDMSG});
  EXPECT_EQ(kernel_attach_type(A::RecvMsg4), uint32_t{BPF_CGROUP_UDP4_RECVMSG});
  EXPECT_EQ(kernel_attach_type(A::RecvMsg6), uint32_t{BPF_CGROUP_UDP6_RECVMSG});
  EXPECT_EQ(kernel_attach_type(A::GetPeerName4), uint32_t{BPF_CGROUP_INET4_GETPEERNAME});
  EXPECT_EQ(kernel_attach_type(A::GetPeerName6), uint32_t{BPF_CGROUP_INET6_GETPEERNAME});
  EXPECT_EQ(kernel_attach_type(A::GetSockName4), uint32_t{BPF_CGROUP_INET4_GETSOCKNAME});
  EXPECT_EQ(kernel_attach_type(A::GetSockName6), uint32_t{BPF_CGROUP_INET6_GETSOCKNAME});
  // The unix attach types postdate the installed header (6.1); the live sweep
  // below checks them against the running kernel.
  EXPECT_STREQ(attach_type_name(A::PostBind6), "post_bind6");
  EXPECT_STREQ(attach_type_name(A::Default), "default");
  EXPECT_EQ(attach_prog_type(A::Default), ProgType::Unspec);
  EXPECT_EQ(attach_type_name(static_cast<A>(200)), std::string("default"));
}

// ---- access rules per attach type -----------------------------------------------

enum class Op { Read, Write };
struct Row {
  AttachType attach;
  Op op;
  uint32_t off;
  uint32_t size;
  bool ok;
};

bool ours(ProgType t, AttachType a, Op op, uint32_t off, uint32_t size, const CtxField** field) {
  *field = find_ctx_field(t, a, off, size);
  if (!*field) return false;
  return op == Op::Read ? (*field)->read_ok(off, size) : (*field)->write_ok(off, size);
}

class AttachAccess : public ::testing::TestWithParam<Row> {};

TEST_P(AttachAccess, FollowsIsValidAccess) {
  const Row& r = GetParam();
  const ProgType t = attach_prog_type(r.attach);
  const CtxField* f = nullptr;
  EXPECT_EQ(ours(t, r.attach, r.op, r.off, r.size, &f), r.ok)
      << attach_type_name(r.attach) << (r.op == Op::Read ? " read " : " write ") << r.size << " at " << r.off
      << (f ? std::string(" (") + f->name + ")" : " (no field)");
}

constexpr Op R = Op::Read;
constexpr Op W = Op::Write;
#define SK(f) static_cast<uint32_t>(offsetof(struct bpf_sock, f))
#define SA(f) static_cast<uint32_t>(offsetof(struct bpf_sock_addr, f))

INSTANTIATE_TEST_SUITE_P(
    CgroupSock, AttachAccess,
    ::testing::Values(
        // sock_create / sock_release: bound_dev_if, mark, priority read-write; no source address.
        Row{A::SockCreate, R, SK(bound_dev_if), 4, true}, Row{A::SockCreate, W, SK(mark), 4, true},
        Row{A::SockRelease, W, SK(priority), 4, true}, Row{A::SockRelease, W, SK(priority), 2, false},
        Row{A::SockCreate, R, SK(src_port), 4, false}, Row{A::SockCreate, R, SK(src_ip4), 4, false},
        Row{A::SockRelease, R, SK(src_ip6), 4, false},
        // post_bind4: src_ip4 and src_port read-only; no writes at all.
        Row{A::PostBind4, R, SK(src_port), 4, true}, Row{A::PostBind4, R, SK(src_port), 2, true},
        Row{A::PostBind4, R, SK(src_port) + 2, 2, false},  // narrow only at the field's first byte
        Row{A::PostBind4, W, SK(src_port), 4, false}, Row{A::PostBind4, R, SK(src_ip4), 4, true},
        Row{A::PostBind4, R, SK(src_ip4) + 3, 1, true}, Row{A::PostBind4, W, SK(src_ip4), 4, false},
        Row{A::PostBind4, R, SK(src_ip6), 4, false}, Row{A::PostBind4, R, SK(bound_dev_if), 4, false},
        Row{A::PostBind4, W, SK(mark), 4, false}, Row{A::PostBind4, R, SK(priority), 4, false},
        Row{A::PostBind4, R, SK(family), 4, true}, Row{A::PostBind4, R, SK(dst_port), 2, true},
        // post_bind6: src_ip6 and src_port, not src_ip4.
        Row{A::PostBind6, R, SK(src_ip6), 4, true}, Row{A::PostBind6, R, SK(src_ip6) + 12, 4, true},
        Row{A::PostBind6, R, SK(src_ip6) + 13, 1, true}, Row{A::PostBind6, R, SK(src_ip6), 8, false},
        Row{A::PostBind6, R, SK(src_ip4), 4, false}, Row{A::PostBind6, R, SK(src_port), 4, true},
        Row{A::PostBind6, W, SK(src_ip6), 4, false}, Row{A::PostBind6, W, SK(bound_dev_if), 4, false}));

INSTANTIATE_TEST_SUITE_P(
    CgroupSockAddr, AttachAccess,
    ::testing::Values(
        // IPv4 hooks: user_ip4, not user_ip6; msg_src_ip4 only for sendmsg4.
        Row{A::Connect4, R, SA(user_ip4), 4, true}, Row{A::Connect4, W, SA(user_ip4), 4, true},
        Row{A::Connect4, R, SA(user_ip6), 4, false}, Row{A::Connect4, W, SA(user_ip6), 8, false},
        Row{A::Bind4, W, SA(user_port), 4, true}, Row{A::Bind4, R, SA(user_port) + 2, 2, true},
        Row{A::RecvMsg4, R, SA(user_ip4) + 1, 1, true}, Row{A::GetPeerName4, R, SA(user_ip6), 4, false},
        Row{A::Connect4, R, SA(msg_src_ip4), 4, false}, Row{A::SendMsg4, R, SA(msg_src_ip4), 4, true},
        Row{A::SendMsg4, W, SA(msg_src_ip4), 4, true}, Row{A::SendMsg4, W, SA(msg_src_ip4), 2, false},
        Row{A::SendMsg4, R, SA(msg_src_ip6), 4, false},
        // IPv6 hooks: user_ip6 (8-byte halves too), not user_ip4; msg_src_ip6 only for sendmsg6.
        Row{A::Connect6, R, SA(user_ip6), 8, true}, Row{A::Connect6, W, SA(user_ip6) + 8, 8, true},
        Row{A::Connect6, W, SA(user_ip6) + 4, 8, false}, Row{A::Bind6, R, SA(user_ip4), 4, false},
        Row{A::GetSockName6, R, SA(user_ip6) + 12, 4, true}, Row{A::SendMsg6, R, SA(msg_src_ip6), 4, true},
        Row{A::SendMsg6, W, SA(msg_src_ip6) + 4, 8, true}, Row{A::SendMsg6, R, SA(msg_src_ip6), 8, false},
        Row{A::SendMsg6, R, SA(msg_src_ip4), 4, false}, Row{A::RecvMsg6, R, SA(msg_src_ip6), 4, false},
        // unix hooks: no IP addresses at all; port, family and sk stay.
        Row{A::ConnectUnix, R, SA(user_ip4), 4, false}, Row{A::SendMsgUnix, R, SA(user_ip6), 4, false},
        Row{A::SendMsgUnix, R, SA(msg_src_ip4), 4, false}, Row{A::GetSockNameUnix, R, SA(user_family), 4, true},
        Row{A::RecvMsgUnix, R, SA(sk), 8, true}, Row{A::GetPeerNameUnix, W, SA(family), 4, false}));

TEST(AttachAccessTable, DefaultAndForeignAttachTypesKeepTheProgTypeView) {
  for (ProgType t : {ProgType::CgroupSock, ProgType::CgroupSockAddr, ProgType::Xdp}) {
    const auto base = prog_type_info(t).fields;
    EXPECT_EQ(ctx_fields(t, A::Default).data(), base.data()) << prog_type_name(t);
  }
  // An attach type of another program type changes nothing.
  EXPECT_EQ(ctx_fields(ProgType::Xdp, A::PostBind4).data(), prog_type_info(ProgType::Xdp).fields.data());
  EXPECT_EQ(ctx_fields(ProgType::CgroupSockAddr, A::PostBind4).data(),
            prog_type_info(ProgType::CgroupSockAddr).fields.data());
  EXPECT_EQ(find_ctx_field(ProgType::CgroupSock, A::Connect4, SK(src_port), 4), nullptr);
  EXPECT_EQ(find_ctx_field(ProgType::CgroupSock, A::PostBind4, SK(src_port), 0), nullptr);
  // The default views: sock_create, and connect with both families.
  EXPECT_EQ(find_ctx_field(ProgType::CgroupSock, SK(src_port), 4), nullptr);
  EXPECT_NE(find_ctx_field(ProgType::CgroupSockAddr, SA(user_ip4), 4), nullptr);
  EXPECT_NE(find_ctx_field(ProgType::CgroupSockAddr, SA(user_ip6), 4), nullptr);
  // Each attach view names its fields with UAPI offsets.
  const CtxField* port = find_ctx_field(ProgType::CgroupSock, A::PostBind6, SK(src_port), 4);
  ASSERT_NE(port, nullptr);
  EXPECT_STREQ(port->name, "src_port");
  const CtxField* src6 = find_ctx_field(ProgType::CgroupSockAddr, A::SendMsg6, SA(msg_src_ip6) + 8, 4);
  ASSERT_NE(src6, nullptr);
  EXPECT_STREQ(src6->name, "msg_src_ip6");
  EXPECT_EQ(src6->size, sizeof(((struct bpf_sock_addr*)nullptr)->msg_src_ip6));
}

// ---- the running kernel ---------------------------------------------------------

// Loads one context access as `attach`'s program type with that expected attach
// type; whether the kernel accepted it, nullopt when bpf() is unavailable.
std::optional<bool> kernel_access(AttachType attach, Op op, int16_t off, uint32_t size) {
  const uint8_t sz = size == 1 ? BPF_B : size == 2 ? BPF_H : size == 4 ? BPF_W : BPF_DW;
  std::vector<struct bpf_insn> insns;
  if (op == Op::Read) {
    insns.push_back({static_cast<uint8_t>(BPF_LDX | BPF_MEM | sz), BPF_REG_0, BPF_REG_1, off, 0});
  } else {
    insns.push_back({BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 0});
    insns.push_back({static_cast<uint8_t>(BPF_STX | BPF_MEM | sz), BPF_REG_1, BPF_REG_2, off, 0});
  }
  insns.push_back({BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1});  // 1: allowed by every hook
  insns.push_back({BPF_JMP | BPF_EXIT, 0, 0, 0, 0});
  static char log[1 << 14];
  log[0] = 0;
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  opts.log_buf = log;
  opts.log_size = sizeof log;
  opts.log_level = 1;
  opts.expected_attach_type = static_cast<bpf_attach_type>(kernel_attach_type(attach));
  const int fd = bpf_prog_load(static_cast<bpf_prog_type>(kernel_prog_type(attach_prog_type(attach))), "ctx",
                               "GPL", insns.data(), insns.size(), &opts);
  if (fd >= 0) {
    close(fd);
    return true;
  }
  if (errno == EPERM || errno == ENOSYS) return std::nullopt;
  const std::string text = log;
  if (text.find("invalid bpf_context access") != std::string::npos) return false;
  ADD_FAILURE() << attach_type_name(attach) << " off " << off << " size " << size << ": unexpected rejection (errno "
                << errno << "): " << text;
  return false;
}

TEST(AttachAccessLive, EveryAttachTypeOffsetAndSizeMatchesTheRunningKernel) {
  if (!kernel_access(A::SockCreate, Op::Read, 4, 4)) GTEST_SKIP() << "bpf() is not available";
  int mismatches = 0;
  for (int i = 1; i <= static_cast<int>(A::GetSockNameUnix); ++i) {
    const auto a = static_cast<AttachType>(i);
    const ProgType t = attach_prog_type(a);
    const uint32_t ctx_size = prog_type_info(t).ctx_size;
    for (uint32_t off = 0; off < ctx_size + 8; ++off) {
      for (uint32_t size : {1u, 2u, 4u, 8u}) {
        for (Op op : {Op::Read, Op::Write}) {
          const CtxField* f = nullptr;
          const bool mine = ours(t, a, op, off, size, &f);
          auto theirs = kernel_access(a, op, static_cast<int16_t>(off), size);
          ASSERT_TRUE(theirs.has_value());
          if (mine != *theirs && ++mismatches <= 40)
            ADD_FAILURE() << attach_type_name(a) << (op == Op::Read ? " read " : " write ") << size << " at " << off
                          << (f ? std::string(" (") + f->name + ")" : "") << ": kernel "
                          << (*theirs ? "accepts" : "rejects");
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace bpfvet::isa
