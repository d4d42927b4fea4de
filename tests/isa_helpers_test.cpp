// Helper table: the shape of every entry, agreement with the UAPI header and
// libbpf's generated helper declarations, well-known facts, per-type whitelists,
// and map/helper compatibility with the kernel's map creation checks.
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "isa/helper_ids.h"
#include "isa/helpers.h"
#include "isa/maps.h"

#include <linux/bpf.h>

namespace bpfvet::isa {
namespace {

// ---- shape of every entry ------------------------------------------------------

// Parameterised by id: GetParam() hands out copies, and the table's addresses matter.
class HelperShape : public ::testing::TestWithParam<int32_t> {
 protected:
  const HelperProto& helper() const { return *find_helper(GetParam()); }
};

bool is_mem(const HelperArg& a) {
  return (a.type == ArgType::Mem || a.type == ArgType::UninitMem) && !a.fixed_size();
}
bool is_size(const HelperArg& a) {
  return a.type == ArgType::ConstSize || a.type == ArgType::ConstSizeOrZero;
}
bool returns_pointer_or_null(RetType r) {
  switch (r) {
    case RetType::MapValueOrNull:
    case RetType::SocketOrNull:
    case RetType::TcpSockOrNull:
    case RetType::SockCommonOrNull:
    case RetType::AllocMemOrNull:
    case RetType::MemOrBtfIdOrNull:
    case RetType::BtfIdOrNull:
    case RetType::DynptrMemOrNull:
      return true;
    default:
      return false;
  }
}

TEST_P(HelperShape, EntryIsWellFormed) {
  ASSERT_NE(find_helper(GetParam()), nullptr);
  const HelperProto& h = helper();
  SCOPED_TRACE(h.name);
  ASSERT_NE(h.name, nullptr);
  EXPECT_EQ(std::string(h.name).rfind("bpf_", 0), 0u) << "names start with bpf_";
  EXPECT_EQ(find_helper(h.id), &h) << "the table is indexed by id";
  EXPECT_EQ(find_helper(h.name), &h);
  EXPECT_EQ(find_helper(h.short_name()), &h);

  // Arguments are contiguous: nothing after the first None.
  const int n = h.nargs();
  for (int i = n; i < 5; ++i) EXPECT_EQ(h.args[i].type, ArgType::None) << "arg " << i;

  for (int i = 0; i < n; ++i) {
    const HelperArg& a = h.args[i];
    SCOPED_TRACE("arg " + std::to_string(i + 1));
    // A variable-size buffer is followed by its size; a size follows a buffer.
    if (is_mem(a)) {
      ASSERT_LT(i + 1, n);
      EXPECT_TRUE(is_size(h.args[i + 1]));
    }
    if (is_size(a)) {
      ASSERT_GT(i, 0);
      EXPECT_TRUE(is_mem(h.args[i - 1]));
    }
    if (a.fixed_size()) {
      EXPECT_GT(a.size, 0);
    }
    if (a.type == ArgType::Long) {
      EXPECT_TRUE(a.fixed_size() && a.size == 8);
    }
    if (a.type == ArgType::Int) {
      EXPECT_TRUE(a.fixed_size() && a.size == 4);
    }
    // A BTF pointer names its struct, except bpf_kptr_xchg's new value (any kptr type).
    if (a.type == ArgType::BtfId && h.id != fn::kptr_xchg) {
      EXPECT_NE(a.btf, nullptr);
    }
    if (a.type != ArgType::BtfId) {
      EXPECT_EQ(a.btf, nullptr);
    }
    if (a.maybe_null()) {
      EXPECT_TRUE(a.is_pointer());
    }
  }

  if (h.acquires) {
    EXPECT_TRUE(returns_pointer_or_null(h.ret)) << "an acquired reference may be null";
  }
  if (h.releases >= 0) {
    ASSERT_LT(h.releases, n);
    EXPECT_TRUE(h.args[h.releases].is_pointer());
    EXPECT_TRUE(h.args[h.releases].release());
  }
  if (h.ret == RetType::AllocMemOrNull || h.ret == RetType::DynptrMemOrNull) {
    ASSERT_GE(h.ret_size_arg, 0);
    ASSERT_LT(h.ret_size_arg, n);
    EXPECT_EQ(h.args[h.ret_size_arg].type, ArgType::ConstAllocSizeOrZero);
  } else {
    EXPECT_EQ(h.ret_size_arg, -1);
  }
  if ((h.ret == RetType::PtrToBtfId || h.ret == RetType::BtfIdOrNull) && h.id != fn::kptr_xchg) {
    EXPECT_NE(h.ret_btf, nullptr);
  }
  if (h.pkt_access) {
    bool has_buffer = false;
    for (int i = 0; i < n; ++i) has_buffer |= helper_accepts_packet(h, i);
    EXPECT_TRUE(has_buffer) << "pkt_access without a buffer argument";
  }

  EXPECT_GE(h.since, (KernelVersion{3, 19}));
  EXPECT_LE(h.since, kLatestKernel);
  // Helper ids were handed out in merge order, so releases never go backwards.
  if (const HelperProto* prev = find_helper(h.id - 1)) {
    EXPECT_LE(prev->since, h.since);
  }
}

// Helpers of program types bpfvet does not model, with the type that has them.
const std::set<int32_t> kOnlyForOtherTypes = {
    fn::lwt_push_encap,
    fn::lwt_seg6_store_bytes,
    fn::lwt_seg6_adjust_srh,
    fn::lwt_seg6_action,
    fn::rc_repeat,
    fn::rc_keydown,
    fn::rc_pointer_rel,       // lirc_mode2
    fn::sk_select_reuseport,  // sk_reuseport
    fn::sysctl_get_name,
    fn::sysctl_get_current_value,
    fn::sysctl_get_new_value,
    fn::sysctl_set_new_value,  // cgroup_sysctl
    fn::tcp_send_ack,          // struct_ops (tcp_congestion_ops)
    fn::seq_printf,
    fn::seq_write,
    fn::seq_printf_btf,  // tracing iterators
    fn::sys_bpf,
    fn::btf_find_by_name_kind,
    fn::sys_close,
    fn::kallsyms_lookup_name,  // syscall
    fn::ima_inode_hash,
    fn::ima_file_hash,  // sleepable lsm
};

TEST_P(HelperShape, SomeProgramTypeMayCallIt) {
  const HelperProto& h = helper();
  bool any = false;
  for (int t = 0; t <= static_cast<int>(ProgType::Raw); ++t)
    any |= helper_allowed(static_cast<ProgType>(t), h.id);
  EXPECT_EQ(any, !kOnlyForOtherTypes.count(h.id)) << h.name;
}

INSTANTIATE_TEST_SUITE_P(AllHelpers, HelperShape, ::testing::Range(1, max_helper_id() + 1),
                         [](const auto& info) { return std::string(find_helper(info.param)->short_name()); });

// ---- agreement with the UAPI header and libbpf -----------------------------------

TEST(HelperTable, CoversEveryUapiHelperWithTheSameId) {
  struct Row {
    int id;
    const char* name;
  };
  const Row rows[] = {
#define BPFVET_ROW(x) Row{BPF_FUNC_##x, "bpf_" #x}
      __BPF_FUNC_MAPPER(BPFVET_ROW)
#undef BPFVET_ROW
  };
  int checked = 0;
  for (const Row& r : rows) {
    if (r.id == 0) continue;  // BPF_FUNC_unspec
    const HelperProto* h = find_helper(r.id);
    ASSERT_NE(h, nullptr) << r.name;
    EXPECT_STREQ(h->name, r.name);
    ++checked;
  }
  EXPECT_EQ(checked, __BPF_FUNC_MAX_ID - 1);
  EXPECT_GE(max_helper_id(), __BPF_FUNC_MAX_ID - 1);
  EXPECT_EQ(max_helper_id(), 211);
}

// helper_ids.h must say what the UAPI enum says.
struct IdPair {
  int uapi;
  int ours;
};
constexpr IdPair kIdPairs[] = {
#define BPFVET_PAIR(x) \
  IdPair { BPF_FUNC_##x, fn::x }
    __BPF_FUNC_MAPPER(BPFVET_PAIR)
#undef BPFVET_PAIR
};
static_assert(
    [] {
      for (const IdPair& p : kIdPairs)
        if (p.uapi != p.ours) return false;
      return true;
    }(),
    "helper_ids.h disagrees with <linux/bpf.h>");

TEST(HelperTable, AgreesWithLibbpfHelperDeclarations) {
  std::ifstream in("/usr/include/bpf/bpf_helper_defs.h");
  if (!in) GTEST_SKIP() << "libbpf's bpf_helper_defs.h is not installed";
  // static long (*bpf_map_update_elem)(void *map, const void *key, ...) = (void *) 2;
  const std::regex decl(R"(^static .*\(\*(bpf_\w+)\)\((.*)\) = \(void \*\) (\d+);)");
  std::string line;
  int seen = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, decl)) continue;
    const int id = std::stoi(m[3]);
    const HelperProto* h = find_helper(id);
    ASSERT_NE(h, nullptr) << m[1];
    EXPECT_EQ(h->name, m[1].str());
    std::string params = m[2];
    int count = 0;
    if (params != "void") {
      count = 1;
      for (char c : params) count += c == ',';
      if (params.find("...") != std::string::npos) --count;  // bpf_trace_printk
    }
    EXPECT_EQ(h->nargs(), count) << h->name << "(" << params << ")";
    ++seen;
  }
  EXPECT_GE(seen, 200);
}

// ---- well-known facts ----------------------------------------------------------

TEST(HelperFacts, MapLookupElem) {
  const HelperProto* h = find_helper(1);
  ASSERT_NE(h, nullptr);
  EXPECT_STREQ(h->name, "bpf_map_lookup_elem");
  EXPECT_EQ(h->nargs(), 2);
  EXPECT_EQ(h->args[0].type, ArgType::ConstMapPtr);
  EXPECT_EQ(h->args[1].type, ArgType::MapKey);
  EXPECT_EQ(h->ret, RetType::MapValueOrNull);
  EXPECT_FALSE(h->gpl_only);
  EXPECT_EQ(h->since, (KernelVersion{3, 19}));
  EXPECT_EQ(find_helper("map_lookup_elem"), h);
  EXPECT_EQ(find_helper("bpf_map_lookup_elem"), h);
}

TEST(HelperFacts, Flags) {
  EXPECT_TRUE(find_helper(fn::trace_printk)->gpl_only);
  EXPECT_TRUE(find_helper(fn::probe_read_kernel)->gpl_only);
  EXPECT_TRUE(find_helper(fn::perf_event_output)->gpl_only);
  EXPECT_FALSE(find_helper(fn::ktime_get_ns)->gpl_only);
  EXPECT_FALSE(find_helper(fn::ringbuf_output)->gpl_only);

  const HelperProto* reserve = find_helper("bpf_ringbuf_reserve");
  EXPECT_TRUE(reserve->acquires);
  EXPECT_EQ(reserve->ret, RetType::AllocMemOrNull);
  EXPECT_EQ(reserve->ret_size_arg, 1);
  EXPECT_EQ(find_helper("ringbuf_submit")->releases, 0);
  EXPECT_EQ(find_helper("ringbuf_discard")->releases, 0);
  EXPECT_EQ(find_helper("sk_release")->releases, 0);
  EXPECT_TRUE(find_helper("sk_lookup_tcp")->acquires);
  EXPECT_TRUE(find_helper("skc_lookup_tcp")->acquires);
  EXPECT_FALSE(find_helper("sk_fullsock")->acquires);
  EXPECT_EQ(find_helper("kptr_xchg")->releases, 1);
  EXPECT_TRUE(find_helper("copy_from_user")->might_sleep);
  EXPECT_FALSE(find_helper("probe_read_user")->might_sleep);
  EXPECT_EQ(find_helper("tail_call")->ret, RetType::Void);
  EXPECT_EQ(find_helper("spin_lock")->args[0].type, ArgType::SpinLock);
  EXPECT_EQ(find_helper("strtol")->args[3].type, ArgType::Long);
  EXPECT_EQ(find_helper("check_mtu")->args[2].type, ArgType::Int);
  EXPECT_EQ(find_helper("loop")->args[1].type, ArgType::Func);
  EXPECT_TRUE(find_helper("csum_diff")->args[0].maybe_null());
  EXPECT_TRUE(find_helper("skb_store_bytes")->args[2].read_only());
  EXPECT_EQ(find_helper("get_current_task_btf")->ret, RetType::PtrToBtfId);
  EXPECT_STREQ(find_helper("get_current_task_btf")->ret_btf, "task_struct");
  EXPECT_EQ(find_helper("ringbuf_output")->since, (KernelVersion{5, 8}));
  EXPECT_EQ(find_helper("loop")->since, (KernelVersion{5, 17}));
}

TEST(HelperFacts, UnknownIdsAndNames) {
  EXPECT_EQ(find_helper(0), nullptr);
  EXPECT_EQ(find_helper(-1), nullptr);
  EXPECT_EQ(find_helper(212), nullptr);
  EXPECT_EQ(find_helper(INT32_MAX), nullptr);
  EXPECT_EQ(find_helper("bpf_no_such_helper"), nullptr);
  EXPECT_EQ(find_helper(""), nullptr);
  EXPECT_EQ(find_helper("bpf_"), nullptr);
  EXPECT_FALSE(helper_allowed(ProgType::Xdp, 0));
  EXPECT_FALSE(helper_allowed(ProgType::Xdp, 212));
  EXPECT_FALSE(helper_allowed(ProgType::Unspec, fn::map_lookup_elem));
}

// ---- per-type whitelists ---------------------------------------------------------

struct Allowed {
  const char* helper;
  ProgType type;
  bool privileged;
  bool expected;
};

class HelperWhitelist : public ::testing::TestWithParam<Allowed> {};

TEST_P(HelperWhitelist, MatchesKernelFuncProto) {
  const Allowed& a = GetParam();
  const HelperProto* h = find_helper(a.helper);
  ASSERT_NE(h, nullptr) << a.helper;
  EXPECT_EQ(helper_allowed(a.type, h->id, a.privileged), a.expected)
      << a.helper << " for " << prog_type_name(a.type) << (a.privileged ? "" : " (unprivileged)");
}

using P = ProgType;
INSTANTIATE_TEST_SUITE_P(
    Kernel, HelperWhitelist,
    ::testing::Values(
        // Packet rewriting is for skb programs; XDP has its own helpers.
        Allowed{"skb_store_bytes", P::SchedCls, true, true},
        Allowed{"skb_store_bytes", P::SchedAct, true, true}, Allowed{"skb_store_bytes", P::SkSkb, true, true},
        Allowed{"skb_store_bytes", P::Xdp, true, false},
        Allowed{"skb_store_bytes", P::SocketFilter, true, false},
        Allowed{"skb_store_bytes", P::CgroupSkb, true, false}, Allowed{"xdp_adjust_head", P::Xdp, true, true},
        Allowed{"xdp_adjust_head", P::SchedCls, true, false}, Allowed{"xdp_load_bytes", P::Xdp, true, true},
        Allowed{"redirect_map", P::Xdp, true, true}, Allowed{"redirect_map", P::SchedCls, true, false},
        Allowed{"skb_load_bytes", P::SocketFilter, true, true},
        Allowed{"skb_load_bytes", P::FlowDissector, true, true},
        Allowed{"skb_load_bytes", P::Xdp, true, false}, Allowed{"skb_load_bytes", P::Kprobe, true, false},
        // Base helpers everywhere; the privileged tiers need CAP_BPF / CAP_PERFMON.
        Allowed{"map_lookup_elem", P::SocketFilter, false, true},
        Allowed{"ktime_get_ns", P::CgroupSock, true, true},
        Allowed{"ringbuf_output", P::SocketFilter, false, true},
        Allowed{"spin_lock", P::SocketFilter, false, false},
        Allowed{"spin_lock", P::SocketFilter, true, true}, Allowed{"trace_printk", P::Xdp, true, true},
        Allowed{"trace_printk", P::SocketFilter, false, false},
        Allowed{"probe_read_kernel", P::SchedCls, true, true},
        Allowed{"probe_read_kernel", P::CgroupSkb, false, false},
        Allowed{"skc_to_tcp_sock", P::SchedCls, true, true},
        Allowed{"skc_to_tcp_sock", P::SchedCls, false, false},
        Allowed{"skc_to_tcp_sock", P::CgroupSock, true, false},
        Allowed{"ktime_get_coarse_ns", P::Xdp, true, true},
        Allowed{"ktime_get_coarse_ns", P::Kprobe, true, false},
        // Tracing.
        Allowed{"probe_read", P::Kprobe, true, true}, Allowed{"probe_read", P::Xdp, true, false},
        Allowed{"get_current_comm", P::Tracepoint, true, true},
        Allowed{"get_current_comm", P::Xdp, true, true},  // base, CAP_PERFMON tier (6.12)
        Allowed{"get_current_comm", P::Xdp, false, false},
        Allowed{"get_current_comm", P::CgroupSkb, true, true},
        Allowed{"override_return", P::Kprobe, true, true},
        Allowed{"override_return", P::Kretprobe, true, true},
        Allowed{"override_return", P::Tracepoint, true, false}, Allowed{"get_func_ip", P::Kprobe, true, true},
        Allowed{"get_func_ip", P::Tracepoint, true, false}, Allowed{"get_func_ip", P::Lsm, true, false},
        Allowed{"perf_prog_read_value", P::PerfEvent, true, true},
        Allowed{"perf_prog_read_value", P::Kprobe, true, false},
        Allowed{"read_branch_records", P::PerfEvent, true, true},
        Allowed{"get_attach_cookie", P::RawTracepoint, true, true},
        Allowed{"get_attach_cookie", P::Xdp, true, false},
        Allowed{"get_attach_cookie", P::Uprobe, true, true},
        Allowed{"get_stackid", P::RawTracepoint, true, true},
        Allowed{"perf_event_output", P::Kprobe, true, true}, Allowed{"perf_event_output", P::Xdp, true, true},
        Allowed{"perf_event_output", P::SocketFilter, true, true},
        Allowed{"send_signal", P::Uprobe, true, true}, Allowed{"copy_from_user", P::Kprobe, true, true},
        Allowed{"d_path", P::Lsm, true, true}, Allowed{"d_path", P::Kprobe, true, false},
        // LSM.
        Allowed{"inode_storage_get", P::Lsm, true, true},
        Allowed{"inode_storage_get", P::Kprobe, true, false}, Allowed{"bprm_opts_set", P::Lsm, true, true},
        Allowed{"task_storage_get", P::Lsm, true, true}, Allowed{"ima_inode_hash", P::Lsm, true, false},
        Allowed{"get_func_arg", P::Lsm, true, true}, Allowed{"get_func_arg", P::Kprobe, true, false},
        // Sockets and cgroups.
        Allowed{"sk_lookup_tcp", P::SchedCls, true, true}, Allowed{"sk_lookup_tcp", P::Xdp, true, true},
        Allowed{"sk_lookup_tcp", P::CgroupSkb, false, true},
        Allowed{"sk_lookup_tcp", P::SocketFilter, true, false},
        Allowed{"sk_fullsock", P::CgroupSkb, true, true},
        Allowed{"get_local_storage", P::CgroupSkb, true, true},
        Allowed{"get_local_storage", P::SockOps, true, true},
        Allowed{"get_local_storage", P::SchedCls, true, false},
        Allowed{"get_retval", P::CgroupSock, true, true}, Allowed{"get_retval", P::CgroupSkb, true, false},
        Allowed{"get_current_uid_gid", P::CgroupSock, true, true},
        Allowed{"get_current_uid_gid", P::SockOps, true, true},  // base since 6.12
        Allowed{"get_current_uid_gid", P::SocketFilter, false, true},
        Allowed{"task_storage_get", P::Xdp, true, true}, Allowed{"task_storage_get", P::Xdp, false, false},
        Allowed{"get_socket_cookie", P::CgroupSockAddr, true, true},
        Allowed{"bind", P::CgroupSockAddr, true, true}, Allowed{"bind", P::CgroupSock, true, false},
        Allowed{"setsockopt", P::SockOps, true, true}, Allowed{"setsockopt", P::SchedCls, true, false},
        Allowed{"sock_map_update", P::SockOps, true, true}, Allowed{"sk_redirect_map", P::SkSkb, true, true},
        Allowed{"sk_redirect_map", P::SkMsg, true, false}, Allowed{"msg_redirect_map", P::SkMsg, true, true},
        Allowed{"msg_push_data", P::SkMsg, true, true}, Allowed{"msg_push_data", P::SkSkb, true, false},
        Allowed{"skb_adjust_room", P::SkSkb, true, true}, Allowed{"tcp_sock", P::SockOps, true, true},
        Allowed{"load_hdr_opt", P::SockOps, true, true}, Allowed{"load_hdr_opt", P::SchedCls, true, false},
        Allowed{"get_netns_cookie", P::SkMsg, true, true}, Allowed{"fib_lookup", P::SchedCls, true, true},
        Allowed{"fib_lookup", P::SocketFilter, true, false}, Allowed{"csum_diff", P::Xdp, true, true},
        Allowed{"csum_diff", P::SocketFilter, true, false},
        // bpfvet's raw programs get the base set.
        Allowed{"map_lookup_elem", P::Raw, true, true}, Allowed{"skb_load_bytes", P::Raw, true, false}));

// ---- maps ---------------------------------------------------------------------------

TEST(MapTypes, TableIsIndexedByKernelValue) {
  for (uint32_t v = 0; v <= static_cast<uint32_t>(MapType::Arena); ++v) {
    const MapTypeInfo& m = map_type_info(static_cast<MapType>(v));
    EXPECT_EQ(static_cast<uint32_t>(m.type), v);
    std::string upper = std::string("BPF_MAP_TYPE_") + map_type_name(m.type);
    for (char& c : upper) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(m.name, upper);
    if (v != 0) {
      EXPECT_GE(m.since, (KernelVersion{3, 19}));
      EXPECT_LE(m.since, kLatestKernel);
    }
    if (m.key_is_u32_index) {
      EXPECT_FALSE(m.no_key);
    }
  }
  EXPECT_EQ(map_type_info(static_cast<MapType>(999)).type, MapType::Unspec);
  EXPECT_EQ(map_type_info(MapType::Ringbuf).since, (KernelVersion{5, 8}));
  EXPECT_TRUE(map_type_info(MapType::PercpuArray).per_cpu);
  EXPECT_TRUE(map_type_info(MapType::Array).key_is_u32_index);
  EXPECT_TRUE(map_type_info(MapType::Hash).lookup_may_be_null);
}

TEST(MapTypes, HelperCompatibilityBothWays) {
  EXPECT_TRUE(map_helper_compatible(MapType::Ringbuf, fn::ringbuf_output));
  EXPECT_TRUE(map_helper_compatible(MapType::Ringbuf, fn::ringbuf_reserve));
  EXPECT_FALSE(map_helper_compatible(MapType::Ringbuf, fn::map_lookup_elem));
  EXPECT_FALSE(map_helper_compatible(MapType::Hash, fn::ringbuf_output));
  EXPECT_TRUE(map_helper_compatible(MapType::ProgArray, fn::tail_call));
  EXPECT_FALSE(map_helper_compatible(MapType::ProgArray, fn::map_lookup_elem));
  EXPECT_FALSE(map_helper_compatible(MapType::Array, fn::tail_call));
  EXPECT_TRUE(map_helper_compatible(MapType::PerfEventArray, fn::perf_event_output));
  EXPECT_TRUE(map_helper_compatible(MapType::PerfEventArray, fn::perf_event_read));
  EXPECT_FALSE(map_helper_compatible(MapType::PerfEventArray, fn::map_update_elem));
  EXPECT_FALSE(map_helper_compatible(MapType::Hash, fn::perf_event_output));
  EXPECT_TRUE(map_helper_compatible(MapType::Hash, fn::map_lookup_elem));
  EXPECT_TRUE(map_helper_compatible(MapType::Array, fn::map_update_elem));
  EXPECT_TRUE(map_helper_compatible(MapType::Queue, fn::map_push_elem));
  EXPECT_FALSE(map_helper_compatible(MapType::Queue, fn::map_lookup_elem));
  EXPECT_FALSE(map_helper_compatible(MapType::Hash, fn::map_pop_elem));
  EXPECT_TRUE(map_helper_compatible(MapType::BloomFilter, fn::map_peek_elem));
  EXPECT_FALSE(map_helper_compatible(MapType::BloomFilter, fn::map_pop_elem));
  EXPECT_TRUE(map_helper_compatible(MapType::Devmap, fn::redirect_map));
  EXPECT_FALSE(map_helper_compatible(MapType::Hash, fn::redirect_map));
  EXPECT_TRUE(map_helper_compatible(MapType::StackTrace, fn::get_stackid));
  EXPECT_TRUE(map_helper_compatible(MapType::PercpuArray, fn::map_lookup_percpu_elem));
  EXPECT_FALSE(map_helper_compatible(MapType::Array, fn::map_lookup_percpu_elem));
  EXPECT_TRUE(map_helper_compatible(MapType::SkStorage, fn::sk_storage_get));
  EXPECT_FALSE(map_helper_compatible(MapType::Hash, fn::sk_storage_get));
}

struct MapCase {
  const char* what;
  MapDef def;
  bool ok;
  const char* message_part;
};

MapDef def(MapType t, uint32_t key, uint32_t value, uint32_t entries, uint32_t flags = 0) {
  MapDef m;
  m.name = "m";
  m.type = t;
  m.key_size = key;
  m.value_size = value;
  m.max_entries = entries;
  m.flags = flags;
  return m;
}

class MapCreation : public ::testing::TestWithParam<MapCase> {};

TEST_P(MapCreation, KernelRules) {
  const MapCase& c = GetParam();
  Status s = check_map_def(c.def);
  EXPECT_EQ(s.ok(), c.ok) << c.what << (s.ok() ? "" : ": " + s.message());
  if (!s.ok()) {
    EXPECT_NE(s.message().find(c.message_part), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("'m'"), std::string::npos) << "names the map: " << s.message();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Kernel, MapCreation,
    ::testing::Values(
        MapCase{"hash", def(MapType::Hash, 8, 16, 1024), true, ""},
        MapCase{"hash without entries", def(MapType::Hash, 8, 16, 0), false, "max_entries"},
        MapCase{"hash key too big", def(MapType::Hash, 513, 16, 10), false, "key_size"},
        MapCase{"array", def(MapType::Array, 4, 64, 1), true, ""},
        MapCase{"array key 8", def(MapType::Array, 8, 64, 1), false, "key_size must be 4"},
        MapCase{"array no value", def(MapType::Array, 4, 0, 1), false, "value_size"},
        MapCase{"mmapable array", def(MapType::Array, 4, 8, 1, 1u << 10), true, ""},
        MapCase{"mmapable hash", def(MapType::Hash, 4, 8, 1, 1u << 10), false, "flags"},
        MapCase{"percpu value too big", def(MapType::PercpuArray, 4, 40000, 1), false, "value_size"},
        MapCase{"prog array", def(MapType::ProgArray, 4, 4, 8), true, ""},
        MapCase{"prog array value 8", def(MapType::ProgArray, 4, 8, 8), false, "value_size"},
        MapCase{"ringbuf", def(MapType::Ringbuf, 0, 0, 4096 * 64), true, ""},
        MapCase{"ringbuf not power of 2", def(MapType::Ringbuf, 0, 0, 1000), false, "power of 2"},
        MapCase{"ringbuf with key", def(MapType::Ringbuf, 4, 0, 4096), false, "key_size"},
        MapCase{"lpm trie", def(MapType::LpmTrie, 8, 4, 100, 1), true, ""},
        MapCase{"lpm trie prealloc", def(MapType::LpmTrie, 8, 4, 100), false, "BPF_F_NO_PREALLOC"},
        MapCase{"queue", def(MapType::Queue, 0, 8, 16), true, ""},
        MapCase{"queue with key", def(MapType::Queue, 4, 8, 16), false, "key_size must be 0"},
        MapCase{"stack trace", def(MapType::StackTrace, 4, 127 * 8, 16), true, ""},
        MapCase{"stack trace odd", def(MapType::StackTrace, 4, 12, 16), false, "multiple of 8"},
        MapCase{"sk storage", def(MapType::SkStorage, 4, 8, 0, 1), true, ""},
        MapCase{"sk storage entries", def(MapType::SkStorage, 4, 8, 10, 1), false, "max_entries must be 0"},
        MapCase{"lru no prealloc", def(MapType::LruHash, 4, 8, 10, 1), false, "LRU"},
        MapCase{"unknown flag", def(MapType::Hash, 4, 8, 10, 1u << 30), false, "unknown flags"},
        MapCase{"unspec", def(MapType::Unspec, 4, 8, 10), false, "unknown map type"},
        MapCase{"cpumap", def(MapType::Cpumap, 4, 4, 64), true, ""},
        MapCase{"cpumap too big", def(MapType::Cpumap, 4, 4, 100000), false, "NR_CPUS"},
        MapCase{"out of range", def(static_cast<MapType>(77), 4, 8, 10), false, "unknown map type"}),
    [](const auto& info) {
      std::string s = info.param.what;
      for (char& c : s)
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      return s;
    });

}  // namespace
}  // namespace bpfvet::isa

// ---- the running kernel ---------------------------------------------------------

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bpfvet::isa {
namespace {

// Loads a call of helper `id` as `type` and reports whether the kernel's
// func_proto for that type knows the helper: it says so before checking any
// argument ("program of this type cannot use helper ..."), so arguments being
// garbage does not matter.
struct KernelVerdict {
  bool loaded_or_checked_args;  // the helper passed the whitelist
  std::string log;
};

std::optional<KernelVerdict> kernel_whitelist(ProgType type, int32_t id, const char* license = "GPL",
                                              bool zero_args = false) {
  // With zero_args, r1..r5 = 0 first, so the argument checks report the first
  // argument that must be a non-null pointer.  Then: call, r0 = 0, exit.
  std::vector<struct bpf_insn> insns;
  for (uint8_t r = BPF_REG_1; zero_args && r <= BPF_REG_5; ++r)
    insns.push_back({BPF_ALU64 | BPF_MOV | BPF_K, r, 0, 0, 0});
  insns.push_back({BPF_JMP | BPF_CALL, 0, 0, 0, id});
  insns.push_back({BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0});
  insns.push_back({BPF_JMP | BPF_EXIT, 0, 0, 0, 0});
  static char log[1 << 16];
  log[0] = 0;
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  opts.log_buf = log;
  opts.log_size = sizeof log;
  opts.log_level = 1;
  if (type == ProgType::CgroupSockAddr) opts.expected_attach_type = BPF_CGROUP_INET4_CONNECT;
  if (type == ProgType::CgroupSock) opts.expected_attach_type = BPF_CGROUP_INET_SOCK_CREATE;
  const auto kernel_type = static_cast<bpf_prog_type>(kernel_prog_type(type));
  int fd = bpf_prog_load(kernel_type, "probe", license, insns.data(), insns.size(), &opts);
  if (fd >= 0) {
    close(fd);
    return KernelVerdict{true, ""};
  }
  if (errno == EPERM || errno == ENOSYS) return std::nullopt;
  const std::string text = log;
  const bool rejected_helper = text.find("cannot use helper") != std::string::npos ||
                               text.find("unknown func") != std::string::npos ||
                               text.find("not supported for program type") != std::string::npos;
  return KernelVerdict{!rejected_helper, text};
}

// Helpers a kernel's build or boot configuration can withdraw.
const std::set<int32_t> kConfigDependent = {
    fn::probe_write_user,  // lockdown=integrity
    fn::override_return,   // CONFIG_BPF_KPROBE_OVERRIDE
};

TEST(HelperWhitelistLive, MatchesTheRunningKernel) {
  if (!kernel_whitelist(ProgType::SocketFilter, fn::ktime_get_ns))
    GTEST_SKIP() << "bpf() is not available: " << std::strerror(errno);
  int mismatches = 0;
  for (int t = 1; t < static_cast<int>(ProgType::Raw); ++t) {
    const auto type = static_cast<ProgType>(t);
    if (type == ProgType::Lsm) continue;  // needs a BTF attach target
    for (const HelperProto& h : all_helpers()) {
      if (kConfigDependent.count(h.id)) continue;
      auto v = kernel_whitelist(type, h.id);
      ASSERT_TRUE(v.has_value());
      if (v->loaded_or_checked_args != helper_allowed(type, h.id)) {
        ++mismatches;
        ADD_FAILURE() << prog_type_name(type) << " " << h.name << ": kernel "
                      << (v->loaded_or_checked_args ? "accepts" : "rejects") << "; log: " << v->log;
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace bpfvet::isa

namespace bpfvet::isa {
namespace {

// A program type whose whitelist has the helper (and that the live test can load).
std::optional<ProgType> some_type_for(int32_t id) {
  for (int t = 1; t < static_cast<int>(ProgType::Raw); ++t) {
    const auto type = static_cast<ProgType>(t);
    if (type != ProgType::Lsm && helper_allowed(type, id)) return type;
  }
  return std::nullopt;
}

TEST(HelperProtosLive, GplOnlyFlagsMatchTheRunningKernel) {
  if (!kernel_whitelist(ProgType::SocketFilter, fn::ktime_get_ns)) GTEST_SKIP() << "bpf() is not available";
  int checked = 0;
  for (const HelperProto& h : all_helpers()) {
    auto type = some_type_for(h.id);
    if (!type || kConfigDependent.count(h.id)) continue;
    auto v = kernel_whitelist(*type, h.id, "Proprietary");
    ASSERT_TRUE(v.has_value());
    // The sleepability check comes first and needs a sleepable program.
    if (v->log.find("might sleep") != std::string::npos) {
      EXPECT_TRUE(h.might_sleep) << h.name;
      continue;
    }
    const bool gpl = v->log.find("GPL-restricted") != std::string::npos;
    EXPECT_EQ(gpl, h.gpl_only) << h.name << " as " << prog_type_name(*type) << ": " << v->log.substr(0, 200);
    ++checked;
  }
  EXPECT_GT(checked, 170);
}

// With every argument register holding 0, the kernel names the first argument
// that must be a non-null pointer: "R2 type=scalar expected=map_ptr".
TEST(HelperProtosLive, FirstPointerArgumentMatchesTheRunningKernel) {
  if (!kernel_whitelist(ProgType::SocketFilter, fn::ktime_get_ns)) GTEST_SKIP() << "bpf() is not available";
  const std::regex complaint(R"(R([1-5]) type=scalar expected=([a-z_]+))");
  int checked = 0;
  for (const HelperProto& h : all_helpers()) {
    auto type = some_type_for(h.id);
    if (!type || kConfigDependent.count(h.id)) continue;
    auto v = kernel_whitelist(*type, h.id, "GPL", /*zero_args=*/true);
    ASSERT_TRUE(v.has_value());
    std::smatch m;
    if (!std::regex_search(v->log, m, complaint)) continue;
    const int reg = std::stoi(m[1]);
    const std::string expected = m[2];
    SCOPED_TRACE(std::string(h.name) + " as " + prog_type_name(*type) + ": " + m[0].str());
    ASSERT_LE(reg, h.nargs());
    const HelperArg& a = h.args[reg - 1];
    EXPECT_TRUE(a.is_pointer() && !a.maybe_null()) << arg_type_name(a.type);
    // Every earlier argument accepted a zero.
    for (int i = 0; i < reg - 1; ++i)
      EXPECT_TRUE(!h.args[i].is_pointer() || h.args[i].maybe_null()) << "arg " << i + 1;
    EXPECT_EQ(expected == "ctx", a.type == ArgType::Ctx) << arg_type_name(a.type);
    EXPECT_EQ(expected == "map_ptr", a.type == ArgType::ConstMapPtr) << arg_type_name(a.type);
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

}  // namespace
}  // namespace bpfvet::isa

namespace bpfvet::isa {
namespace {

// BPF_MAP_CREATE says yes or no to the same definitions check_map_def judges.
// Storage maps need BTF for their value and are left to the table-driven cases.
TEST(MapCreationLive, MatchesTheRunningKernel) {
  int probe = bpf_map_create(BPF_MAP_TYPE_ARRAY, "probe", 4, 4, 1, nullptr);
  if (probe < 0) GTEST_SKIP() << "bpf() is not available";
  close(probe);
  struct Def {
    MapType type;
    uint32_t key, value, entries, flags;
  };
  std::vector<Def> defs;
  for (uint32_t t = 1; t <= static_cast<uint32_t>(MapType::Arena); ++t) {
    const auto type = static_cast<MapType>(t);
    if (type == MapType::SkStorage || type == MapType::InodeStorage || type == MapType::TaskStorage ||
        type == MapType::CgrpStorage || type == MapType::StructOps || type == MapType::CgroupStorage ||
        type == MapType::PercpuCgroupStorage)
      continue;
    for (uint32_t key : {0u, 4u, 8u, 16u})
      for (uint32_t value : {0u, 4u, 8u, 12u, 64u})
        for (uint32_t entries : {0u, 1u, 4096u})
          for (uint32_t flags : {0u, 1u /*NO_PREALLOC*/, 1u << 10 /*MMAPABLE*/})
            defs.push_back({type, key, value, entries, flags});
  }
  int mismatches = 0;
  for (const Def& d : defs) {
    MapDef m;
    m.name = "m";
    m.type = d.type;
    m.key_size = d.key;
    m.value_size = d.value;
    m.max_entries = d.entries;
    m.flags = d.flags;
    const bool ours = check_map_def(m).ok();
    LIBBPF_OPTS(bpf_map_create_opts, opts);
    opts.map_flags = d.flags;
    int inner = -1;
    // A cpumap holds at most CONFIG_NR_CPUS entries, which differs between builds.
    if (d.type == MapType::Cpumap && d.entries > 256) continue;
    if (d.type == MapType::ArrayOfMaps || d.type == MapType::HashOfMaps) {
      inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "inner", 4, 4, 1, nullptr);
      opts.inner_map_fd = inner;
    }
    int fd = bpf_map_create(static_cast<bpf_map_type>(d.type), "m", d.key, d.value, d.entries, &opts);
    const int err = errno;
    if (inner >= 0) close(inner);
    if (fd >= 0) close(fd);
    const bool theirs = fd >= 0;
    if (ours != theirs) {
      ++mismatches;
      if (mismatches <= 40)
        ADD_FAILURE() << map_type_info(d.type).name << " key " << d.key << " value " << d.value << " entries "
                      << d.entries << " flags " << d.flags << ": kernel "
                      << (theirs ? "accepts" : std::string("rejects (") + std::strerror(err) + ")")
                      << (ours ? "" : "; ours: " + check_map_def(m).message());
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << defs.size();
}

}  // namespace
}  // namespace bpfvet::isa
