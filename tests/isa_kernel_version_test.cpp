// Kernel profiles: parsing --kernel values, the features of the named releases,
// and helper / map type availability per release.
#include <gtest/gtest.h>

#include <string>

#include "isa/helper_ids.h"
#include "isa/helpers.h"
#include "isa/kernel_version.h"
#include "isa/maps.h"

namespace bpfvet::isa {
namespace {

struct ProfileCase {
  const char* text;
  KernelVersion version;
  uint32_t max_insns;
  bool bounded_loops;
  int isa_version;
  bool atomics_fetch;
  bool ringbuf;
  bool may_goto;
};

class KernelProfiles : public ::testing::TestWithParam<ProfileCase> {};

TEST_P(KernelProfiles, NamedReleases) {
  const ProfileCase& c = GetParam();
  auto k = parse_kernel_version(c.text);
  ASSERT_TRUE(k.ok()) << k.message();
  EXPECT_EQ(k->name, c.text);
  EXPECT_EQ(k->version, c.version);
  EXPECT_EQ(k->max_insns, c.max_insns);
  EXPECT_EQ(k->max_insns_unpriv, 4096u);
  EXPECT_EQ(k->bounded_loops, c.bounded_loops);
  EXPECT_EQ(k->isa_version, c.isa_version);
  EXPECT_EQ(k->jmp32, c.isa_version >= 3);
  EXPECT_EQ(k->atomics_fetch, c.atomics_fetch);
  EXPECT_EQ(k->ringbuf, c.ringbuf);
  EXPECT_EQ(k->may_goto, c.may_goto);
  EXPECT_EQ(k->gotol, c.isa_version >= 4);
  EXPECT_EQ(k->sdiv_smod, c.isa_version >= 4);
  EXPECT_EQ(k->max_stack, 512u);
}

INSTANTIATE_TEST_SUITE_P(Releases, KernelProfiles,
                         ::testing::Values(ProfileCase{"4.14", {4, 14}, 4096, false, 2, false, false, false},
                                           ProfileCase{"5.4", {5, 4}, 1000000, true, 3, false, false, false},
                                           ProfileCase{"5.10", {5, 10}, 1000000, true, 3, false, true, false},
                                           ProfileCase{"5.15", {5, 15}, 1000000, true, 3, true, true, false},
                                           ProfileCase{"6.1", {6, 1}, 1000000, true, 3, true, true, false},
                                           ProfileCase{"6.6", {6, 6}, 1000000, true, 4, true, true, false},
                                           ProfileCase{"latest", kLatestKernel, 1000000, true, 4, true, true,
                                                       true}),
                         [](const auto& info) {
                           std::string s = info.param.text;
                           for (char& c : s)
                             if (c == '.') c = '_';
                           return s;
                         });

TEST(KernelVersionParse, OtherReleasesGetTheFeaturesUpToThem) {
  auto k = parse_kernel_version("5.2");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->max_insns, 1000000u);
  EXPECT_FALSE(k->bounded_loops);  // 5.3
  auto v = parse_kernel_version("v5.8.12");
  ASSERT_TRUE(v.ok()) << v.message();
  EXPECT_EQ(v->version, (KernelVersion{5, 8}));
  EXPECT_TRUE(v->ringbuf);
  EXPECT_FALSE(v->atomics_fetch);
  auto old = parse_kernel_version("4.9");
  ASSERT_TRUE(old.ok());
  EXPECT_FALSE(old->bpf_to_bpf_calls);
  EXPECT_EQ(old->isa_version, 1);
  EXPECT_EQ(old->max_tail_calls, 32u);
  EXPECT_EQ(latest_kernel_profile().max_tail_calls, 33u);
  EXPECT_EQ(latest_kernel_profile().name, "latest");
}

class KernelVersionErrors : public ::testing::TestWithParam<const char*> {};

TEST_P(KernelVersionErrors, AreOneLineErrors) {
  auto k = parse_kernel_version(GetParam());
  ASSERT_FALSE(k.ok()) << GetParam();
  const std::string want = std::string("unknown kernel version '") + GetParam() + "'";
  EXPECT_EQ(k.message().rfind(want, 0), 0u) << k.message();
  EXPECT_EQ(k.message().find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Bad, KernelVersionErrors,
                         ::testing::Values("3.2", "", "abc", "5", "5.", ".5", "5.x", "5.20", "4.21", "6.99",
                                           "7.0", "2.6.32", "5.10-generic", "5.10.", "500.1", "-5.4", "5..4",
                                           "latest ", "5.4.1.1"));

TEST(KernelVersionStr, Formats) {
  EXPECT_EQ((KernelVersion{5, 10}).str(), "5.10");
  EXPECT_LT((KernelVersion{5, 9}), (KernelVersion{5, 10}));
  EXPECT_LT((KernelVersion{4, 20}), (KernelVersion{5, 0}));
  EXPECT_NE(known_kernel_versions().find("5.10"), std::string_view::npos);
}

TEST(KernelAvailability, Helpers) {
  auto k414 = *parse_kernel_version("4.14");
  auto k58 = *parse_kernel_version("5.8");
  const HelperProto& ringbuf_output = *find_helper(fn::ringbuf_output);
  EXPECT_FALSE(helper_available(k414, ringbuf_output));
  EXPECT_TRUE(helper_available(k58, ringbuf_output));
  EXPECT_TRUE(helper_available(k414, *find_helper(fn::map_lookup_elem)));
  EXPECT_TRUE(helper_available(k414, *find_helper(fn::redirect_map)));
  EXPECT_FALSE(helper_available(k414, *find_helper(fn::xdp_adjust_meta)));
  EXPECT_FALSE(helper_available(*parse_kernel_version("5.15"), *find_helper(fn::loop)));
  EXPECT_TRUE(helper_available(*parse_kernel_version("5.17"), *find_helper(fn::loop)));
  EXPECT_EQ(kernel_version_of_helper(ringbuf_output), "bpf_ringbuf_output is available since Linux 5.8");
  for (const HelperProto& h : all_helpers())
    EXPECT_TRUE(helper_available(latest_kernel_profile(), h)) << h.name;
}

TEST(KernelAvailability, MapTypes) {
  auto k414 = *parse_kernel_version("4.14");
  EXPECT_FALSE(map_type_available(k414, MapType::Ringbuf));
  EXPECT_TRUE(map_type_available(k414, MapType::Hash));
  EXPECT_TRUE(map_type_available(k414, MapType::Devmap));
  EXPECT_FALSE(map_type_available(k414, MapType::Queue));
  EXPECT_TRUE(map_type_available(*parse_kernel_version("5.8"), MapType::Ringbuf));
  EXPECT_FALSE(map_type_available(latest_kernel_profile(), MapType::Unspec));
  EXPECT_FALSE(map_type_available(latest_kernel_profile(), static_cast<MapType>(99)));
  EXPECT_EQ(kernel_version_of_map_type(MapType::Ringbuf),
            "BPF_MAP_TYPE_RINGBUF is available since Linux 5.8");
}

}  // namespace
}  // namespace bpfvet::isa

namespace bpfvet::isa {
namespace {

TEST(KernelAvailability, WhitelistsPerRelease) {
  const KernelProfile k54 = *parse_kernel_version("5.4");
  const KernelProfile k58 = *parse_kernel_version("5.8");
  const KernelProfile k61 = *parse_kernel_version("6.1");
  const KernelProfile k66 = *parse_kernel_version("6.6");
  const KernelProfile latest = latest_kernel_profile();
  EXPECT_FALSE(helper_allowed(ProgType::Xdp, fn::ringbuf_output, k54));
  EXPECT_TRUE(helper_allowed(ProgType::Xdp, fn::ringbuf_output, k58));
  // Moved into the shared base set in 6.12; tracing programs always had it.
  EXPECT_FALSE(helper_allowed(ProgType::Xdp, fn::get_current_comm, k61));
  EXPECT_TRUE(helper_allowed(ProgType::Xdp, fn::get_current_comm, latest));
  EXPECT_TRUE(helper_allowed(ProgType::Kprobe, fn::get_current_comm, k54));
  EXPECT_TRUE(helper_allowed(ProgType::CgroupSock, fn::get_current_uid_gid, k61));
  EXPECT_FALSE(helper_allowed(ProgType::SocketFilter, fn::get_current_pid_tgid, k66));
  EXPECT_TRUE(helper_allowed(ProgType::SocketFilter, fn::get_current_pid_tgid, latest, false));
  EXPECT_FALSE(helper_allowed(ProgType::RawTracepoint, fn::get_attach_cookie, k66));
  EXPECT_FALSE(helper_allowed(ProgType::Xdp, 0, latest));
  EXPECT_FALSE(helper_allowed(ProgType::Xdp, 9999, latest));
  for (int t = 0; t <= static_cast<int>(ProgType::Raw); ++t)
    for (const HelperProto& h : all_helpers())
      for (bool priv : {false, true})
        ASSERT_EQ(helper_allowed(static_cast<ProgType>(t), h.id, latest, priv),
                  helper_allowed(static_cast<ProgType>(t), h.id, priv))
            << h.name << " " << prog_type_name(static_cast<ProgType>(t));
}

}  // namespace
}  // namespace bpfvet::isa

namespace bpfvet::isa {
namespace {

// ---- per-release, per-type helper whitelists, with the loader's capabilities ---------

struct WhitelistRow {
  ProgType type;
  int32_t helper;
  Caps caps;
  const char* kernel;
  bool allowed;
};

class WhitelistHistory : public ::testing::TestWithParam<WhitelistRow> {};

TEST_P(WhitelistHistory, AsTheReleaseHadIt) {
  const WhitelistRow& r = GetParam();
  EXPECT_EQ(helper_allowed(r.type, r.helper, *parse_kernel_version(r.kernel), r.caps), r.allowed)
      << find_helper(r.helper)->name << " for " << prog_type_name(r.type) << " under " << r.kernel << " with caps "
      << caps_name(r.caps);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, WhitelistHistory,
    ::testing::Values(
        // The base set's CAP_PERFMON tier (5.8): task and probe_read helpers for everyone.
        WhitelistRow{ProgType::Xdp, fn::get_current_task, Caps::Full, "5.4", false},
        WhitelistRow{ProgType::Xdp, fn::get_current_task, Caps::Full, "5.10", true},
        WhitelistRow{ProgType::SchedCls, fn::probe_read_kernel, Caps::Full, "5.5", false},
        WhitelistRow{ProgType::SchedCls, fn::probe_read_kernel, Caps::Full, "5.8", true},
        WhitelistRow{ProgType::Kprobe, fn::probe_read_kernel, Caps::Full, "5.5", true},
        WhitelistRow{ProgType::SocketFilter, fn::get_current_task_btf, Caps::Full, "5.15", false},
        WhitelistRow{ProgType::SocketFilter, fn::get_current_task_btf, Caps::Full, "6.1", true},
        WhitelistRow{ProgType::Tracepoint, fn::get_current_task_btf, Caps::Full, "5.11", true},
        // The current cgroup ids reached every type in 6.1; tracing always had them.
        WhitelistRow{ProgType::Xdp, fn::get_current_cgroup_id, Caps::Full, "5.15", false},
        WhitelistRow{ProgType::Xdp, fn::get_current_cgroup_id, Caps::Full, "6.1", true},
        WhitelistRow{ProgType::Kprobe, fn::get_current_cgroup_id, Caps::Full, "5.4", true},
        // Socket storage for LSM programs from 5.11.
        WhitelistRow{ProgType::Lsm, fn::sk_storage_get, Caps::Full, "5.10", false},
        WhitelistRow{ProgType::Lsm, fn::sk_storage_get, Caps::Full, "5.15", true},
        // Helpers newer than the release.
        WhitelistRow{ProgType::SocketFilter, fn::ringbuf_output, Caps::Full, "5.4", false},
        WhitelistRow{ProgType::Xdp, fn::loop, Caps::Full, "5.15", false},
        WhitelistRow{ProgType::Xdp, fn::loop, Caps::Full, "6.1", true},
        WhitelistRow{ProgType::Kprobe, fn::for_each_map_elem, Caps::Full, "5.10", false},
        WhitelistRow{ProgType::Kprobe, fn::for_each_map_elem, Caps::Full, "5.15", true},
        // Capabilities: CAP_BPF opens the second tier, CAP_PERFMON the third.
        WhitelistRow{ProgType::SocketFilter, fn::loop, Caps::BpfOnly, "latest", true},
        WhitelistRow{ProgType::SocketFilter, fn::loop, Caps::None, "latest", false},
        WhitelistRow{ProgType::SocketFilter, fn::spin_lock, Caps::BpfOnly, "latest", true},
        WhitelistRow{ProgType::SocketFilter, fn::trace_printk, Caps::BpfOnly, "latest", false},
        WhitelistRow{ProgType::SocketFilter, fn::trace_printk, Caps::Full, "latest", true},
        WhitelistRow{ProgType::SocketFilter, fn::probe_read_kernel, Caps::BpfOnly, "latest", false},
        WhitelistRow{ProgType::SocketFilter, fn::skc_to_tcp_sock, Caps::BpfOnly, "latest", false},
        WhitelistRow{ProgType::SocketFilter, fn::skc_to_tcp_sock, Caps::Full, "latest", true},
        WhitelistRow{ProgType::SocketFilter, fn::map_lookup_elem, Caps::None, "4.14", true},
        WhitelistRow{ProgType::SocketFilter, fn::ringbuf_output, Caps::None, "5.8", true}));

TEST(WhitelistHistory, FirstReleaseThatAllowsIt) {
  EXPECT_EQ(helper_allowed_since(ProgType::Xdp, fn::get_current_task, Caps::Full), (KernelVersion{5, 8}));
  EXPECT_EQ(helper_allowed_since(ProgType::Kprobe, fn::get_current_task, Caps::Full), (KernelVersion{4, 8}));
  EXPECT_EQ(helper_allowed_since(ProgType::SchedCls, fn::loop, Caps::Full), (KernelVersion{5, 17}));
  EXPECT_EQ(helper_allowed_since(ProgType::SchedCls, fn::get_current_cgroup_id, Caps::Full), (KernelVersion{6, 1}));
  EXPECT_EQ(helper_allowed_since(ProgType::SocketFilter, fn::get_current_pid_tgid, Caps::None),
            (KernelVersion{6, 10}));
  EXPECT_EQ(helper_allowed_since(ProgType::SocketFilter, fn::trace_printk, Caps::BpfOnly), std::nullopt);
  EXPECT_EQ(helper_allowed_since(ProgType::Xdp, fn::skb_store_bytes, Caps::Full), std::nullopt);
  EXPECT_EQ(helper_allowed_since(ProgType::Xdp, 9999, Caps::Full), std::nullopt);
}

// Whitelists only grow: once a release allows a helper, every later named release does,
// and more capabilities never allow less.
TEST(WhitelistHistory, MonotonicInReleasesAndCapabilities) {
  const char* releases[] = {"4.14", "5.4", "5.10", "5.15", "6.1", "6.6", "latest"};
  for (int t = 1; t <= static_cast<int>(ProgType::Raw); ++t)
    for (const HelperProto& h : all_helpers()) {
      const auto type = static_cast<ProgType>(t);
      bool before[3] = {false, false, false};
      for (const char* k : releases) {
        const KernelProfile p = *parse_kernel_version(k);
        bool now[3];
        for (Caps c : {Caps::None, Caps::BpfOnly, Caps::Full})
          now[static_cast<int>(c)] = helper_allowed(type, h.id, p, c);
        for (int c = 0; c < 3; ++c)
          ASSERT_TRUE(!before[c] || now[c]) << h.name << " " << prog_type_name(type) << " lost at " << k;
        ASSERT_TRUE(!now[0] || now[1]) << h.name << " " << prog_type_name(type) << " " << k;
        ASSERT_TRUE(!now[1] || now[2]) << h.name << " " << prog_type_name(type) << " " << k;
        std::copy(std::begin(now), std::end(now), std::begin(before));
      }
    }
}

// ---- program types per release and per capability -----------------------------------

TEST(ProgTypeHistory, FirstRelease) {
  EXPECT_FALSE(prog_type_available(*parse_kernel_version("5.4"), ProgType::Lsm));
  EXPECT_TRUE(prog_type_available(*parse_kernel_version("5.7"), ProgType::Lsm));
  EXPECT_FALSE(prog_type_available(*parse_kernel_version("4.14"), ProgType::FlowDissector));
  EXPECT_TRUE(prog_type_available(*parse_kernel_version("4.20"), ProgType::FlowDissector));
  EXPECT_FALSE(prog_type_available(*parse_kernel_version("4.14"), ProgType::SkMsg));
  EXPECT_FALSE(prog_type_available(*parse_kernel_version("4.14"), ProgType::CgroupSockAddr));
  EXPECT_TRUE(prog_type_available(*parse_kernel_version("4.14"), ProgType::SkSkb));
  EXPECT_TRUE(prog_type_available(*parse_kernel_version("4.14"), ProgType::SockOps));
  EXPECT_EQ(kernel_version_of_prog_type(ProgType::Lsm), "BPF_PROG_TYPE_LSM is available since Linux 5.7");
  EXPECT_EQ(kernel_version_of_prog_type(ProgType::Kretprobe), "BPF_PROG_TYPE_KPROBE is available since Linux 4.1");
  for (int t = 1; t < static_cast<int>(ProgType::Raw); ++t) {
    const auto type = static_cast<ProgType>(t);
    EXPECT_TRUE(prog_type_available(latest_kernel_profile(), type)) << prog_type_name(type);
    EXPECT_GE(prog_type_since(type), (KernelVersion{3, 19})) << prog_type_name(type);
  }
}

TEST(ProgTypeHistory, LoadableByCapabilities) {
  for (int t = 1; t < static_cast<int>(ProgType::Raw); ++t) {
    const auto type = static_cast<ProgType>(t);
    const bool unpriv = type == ProgType::SocketFilter || type == ProgType::CgroupSkb;
    EXPECT_EQ(prog_type_loadable(type, Caps::None), unpriv) << prog_type_name(type);
    EXPECT_TRUE(prog_type_loadable(type, Caps::Full)) << prog_type_name(type);
    if (unpriv) EXPECT_TRUE(prog_type_loadable(type, Caps::BpfOnly)) << prog_type_name(type);
  }
  // Networking types need CAP_NET_ADMIN, tracing types CAP_PERFMON.
  EXPECT_FALSE(prog_type_loadable(ProgType::Xdp, Caps::BpfOnly));
  EXPECT_FALSE(prog_type_loadable(ProgType::Kprobe, Caps::BpfOnly));
  EXPECT_FALSE(prog_type_loadable(ProgType::CgroupSockAddr, Caps::BpfOnly));
}

TEST(CapsNames, RoundTrip) {
  for (Caps c : {Caps::None, Caps::BpfOnly, Caps::Full}) EXPECT_EQ(parse_caps(caps_name(c)), c);
  EXPECT_EQ(parse_caps("root"), std::nullopt);
  EXPECT_EQ(parse_caps(""), std::nullopt);
}

}  // namespace
}  // namespace bpfvet::isa
