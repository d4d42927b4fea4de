// Kfuncs: the table of KF_* flags and program-type sets, prototypes read from the host
// kernel's BTF, and corpus objects whose `__ksym` extern functions the loader turns
// into BPF_PSEUDO_KFUNC_CALL instructions carrying the kernel BTF id.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "isa/btf.h"
#include "isa/core_relo.h"
#include "isa/kfuncs.h"
#include "isa/program.h"

namespace bpfvet::testing {
namespace {

namespace fs = std::filesystem;
using isa::KfuncArgKind;
using isa::ProgType;

struct AllowedCase {
  const char* kfunc;
  ProgType type;
  bool allowed;  // as the running 6.18 kernel answered when loading a caller
};

class KfuncAllowed : public ::testing::TestWithParam<AllowedCase> {};

TEST_P(KfuncAllowed, MatchesTheKernelsIdSets) {
  const AllowedCase& c = GetParam();
  const isa::KfuncInfo* k = isa::find_kfunc(c.kfunc);
  ASSERT_NE(k, nullptr) << c.kfunc;
  EXPECT_EQ(isa::kfunc_allowed(c.type, *k), c.allowed) << c.kfunc << " for " << isa::prog_type_name(c.type);
}

INSTANTIATE_TEST_SUITE_P(
    Kernel618, KfuncAllowed,
    ::testing::Values(AllowedCase{"bpf_task_from_pid", ProgType::Xdp, true},
                      AllowedCase{"bpf_task_from_pid", ProgType::SchedCls, true},
                      AllowedCase{"bpf_task_from_pid", ProgType::Tracepoint, true},
                      AllowedCase{"bpf_task_from_pid", ProgType::PerfEvent, true},
                      AllowedCase{"bpf_task_from_pid", ProgType::SocketFilter, false},
                      AllowedCase{"bpf_task_from_pid", ProgType::Kprobe, false},
                      AllowedCase{"bpf_task_from_pid", ProgType::RawTracepoint, false},
                      AllowedCase{"bpf_task_from_pid", ProgType::SchedAct, false},
                      AllowedCase{"bpf_cpumask_create", ProgType::Tracepoint, true},
                      AllowedCase{"bpf_cpumask_create", ProgType::PerfEvent, true},
                      AllowedCase{"bpf_cpumask_create", ProgType::Xdp, false},
                      AllowedCase{"bpf_cpumask_create", ProgType::SchedCls, false},
                      AllowedCase{"bpf_cpumask_create", ProgType::Kprobe, false},
                      AllowedCase{"bpf_rcu_read_lock", ProgType::Kprobe, true},
                      AllowedCase{"bpf_rcu_read_lock", ProgType::SocketFilter, true},
                      AllowedCase{"bpf_iter_num_new", ProgType::RawTracepoint, true}));

TEST(KfuncTable, FlagsFollowTheKernel) {
  const isa::KfuncInfo* acquire = isa::find_kfunc("bpf_task_from_pid");
  ASSERT_NE(acquire, nullptr);
  EXPECT_TRUE(acquire->flags & isa::kKfAcquire);
  EXPECT_TRUE(acquire->flags & isa::kKfRetNull);
  const isa::KfuncInfo* release = isa::find_kfunc("bpf_task_release");
  ASSERT_NE(release, nullptr);
  EXPECT_EQ(release->flags, uint32_t{isa::kKfRelease});
  EXPECT_EQ(isa::find_kfunc("bpf_no_such_kfunc"), nullptr);
  std::set<std::string> names;
  for (const auto& k : isa::all_kfuncs()) EXPECT_TRUE(names.insert(k.name).second) << "duplicate " << k.name;
}

struct ProtoCase {
  const char* kfunc;
  std::vector<KfuncArgKind> params;
  KfuncArgKind ret;
  const char* ret_struct;  // "" when the return is not a struct pointer
};

class KfuncProtoFromBtf : public ::testing::TestWithParam<ProtoCase> {};

TEST_P(KfuncProtoFromBtf, ClassifiesParametersAndReturn) {
  const std::string path = isa::host_kernel_btf_path();
  if (path.empty()) GTEST_SKIP() << "no /sys/kernel/btf/vmlinux";
  auto btf = isa::load_target_btf(path);
  ASSERT_TRUE(btf) << btf.message();
  const ProtoCase& c = GetParam();
  auto p = isa::kfunc_proto_from_btf(**btf, c.kfunc);
  ASSERT_TRUE(p) << c.kfunc << ": " << p.message();
  EXPECT_GT(p->btf_id, 0);
  ASSERT_EQ(p->params.size(), c.params.size()) << c.kfunc;
  for (size_t i = 0; i < c.params.size(); ++i)
    EXPECT_EQ(static_cast<int>(p->params[i].kind), static_cast<int>(c.params[i])) << c.kfunc << " param " << i;
  EXPECT_EQ(static_cast<int>(p->ret.kind), static_cast<int>(c.ret)) << c.kfunc;
  EXPECT_EQ(p->ret.type_name, std::string(c.ret_struct)) << c.kfunc;
  if (p->ret.kind == KfuncArgKind::Struct) EXPECT_GT(p->ret.size, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    HostKernel, KfuncProtoFromBtf,
    ::testing::Values(
        ProtoCase{"bpf_task_from_pid", {KfuncArgKind::Scalar}, KfuncArgKind::Struct, "task_struct"},
        ProtoCase{"bpf_task_release", {KfuncArgKind::Struct}, KfuncArgKind::Void, ""},
        ProtoCase{"bpf_rcu_read_lock", {}, KfuncArgKind::Void, ""},
        ProtoCase{"bpf_cpumask_create", {}, KfuncArgKind::Struct, "bpf_cpumask"},
        ProtoCase{"bpf_cpumask_test_cpu", {KfuncArgKind::Scalar, KfuncArgKind::Struct}, KfuncArgKind::Scalar, ""},
        ProtoCase{"bpf_dynptr_slice",
                  {KfuncArgKind::Dynptr, KfuncArgKind::Scalar, KfuncArgKind::Mem, KfuncArgKind::Size},
                  KfuncArgKind::Mem, ""},
        ProtoCase{"bpf_dynptr_from_skb", {KfuncArgKind::Struct, KfuncArgKind::Scalar, KfuncArgKind::Dynptr},
                  KfuncArgKind::Scalar, ""},
        ProtoCase{"bpf_iter_num_new", {KfuncArgKind::Iter, KfuncArgKind::Scalar, KfuncArgKind::Scalar},
                  KfuncArgKind::Scalar, ""}));

TEST(KfuncProtoFromBtf, BpfCpumaskEmbedsCpumaskFirst) {
  const std::string path = isa::host_kernel_btf_path();
  if (path.empty()) GTEST_SKIP() << "no /sys/kernel/btf/vmlinux";
  auto btf = isa::load_target_btf(path);
  ASSERT_TRUE(btf) << btf.message();
  auto p = isa::kfunc_proto_from_btf(**btf, "bpf_cpumask_create");
  ASSERT_TRUE(p) << p.message();
  ASSERT_FALSE(p->ret.embeds.empty());
  EXPECT_EQ(p->ret.embeds.front(), "cpumask");
  auto missing = isa::kfunc_proto_from_btf(**btf, "bpf_no_such_kfunc");
  EXPECT_FALSE(missing);
}

TEST(KfuncLoad, ExternFunctionsBecomeKfuncCalls) {
  const std::string obj = std::string(BPFVET_CORPUS_DIR) + "/tc_task_from_pid.o";
  if (isa::host_kernel_btf_path().empty()) GTEST_SKIP() << "no /sys/kernel/btf/vmlinux";
  if (!fs::exists(obj)) GTEST_SKIP() << "corpus not built";
  auto o = isa::load_object(obj, isa::LoadOptions{});
  ASSERT_TRUE(o) << o.message();
  ASSERT_EQ(o->programs.size(), 1u);
  const isa::Program& p = o->programs[0];
  std::set<std::string> called;
  for (const auto& in : p.insns) {
    if (in.kind != isa::Kind::Call || in.call != isa::CallKind::Kfunc) continue;
    const isa::KfuncProto* k = p.kfunc_by_id(in.imm);
    ASSERT_NE(k, nullptr) << "kfunc call with unknown BTF id " << in.imm;
    called.insert(k->name);
  }
  EXPECT_EQ(called, (std::set<std::string>{"bpf_task_from_pid", "bpf_task_release"}));
}

TEST(KfuncLoad, UnknownKfuncIsLibbpfsError) {
  const std::string obj = std::string(BPFVET_CORPUS_DIR) + "/tc_task_from_pid.o";
  if (!fs::exists(obj)) GTEST_SKIP() << "corpus not built";
  // A target BTF without the kfunc: another object's BTF stands in for a kernel's.
  isa::LoadOptions lo;
  lo.target.btf_path = std::string(BPFVET_CORPUS_DIR) + "/xdp_ddos_filter.o";
  auto o = isa::load_object(obj, lo);
  ASSERT_FALSE(o);
  EXPECT_NE(o.message().find("extern (func ksym) 'bpf_task_"), std::string::npos) << o.message();
  EXPECT_NE(o.message().find("not found in kernel or module BTFs"), std::string::npos) << o.message();
}

}  // namespace
}  // namespace bpfvet::testing
