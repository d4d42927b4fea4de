// Mock maps, helpers, tail calls, callbacks, bpf-to-bpf calls and contexts: each case
// runs on every engine (interpreter, x86_64 JIT, arm64 JIT under unicorn) with its own
// expectations (pinned r0, a check of the result) and, for the JITs, a RunResult equal
// to the interpreter's; where bpf() works and the case is kernel-comparable, on the
// kernel too with compare_results() required to be empty.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <tuple>

#include "tests/support/map_def.h"
#include "isa/assembler.h"
#include "jit/engine.h"
#include "jit/interp.h"
#include "jit/kernel_engine.h"

namespace bpfvet::jit {
namespace {

using isa::MapType;

isa::MapDef map(const char* name, MapType t, uint32_t k, uint32_t v, uint32_t n, uint32_t flags = 0) {
  return bpfvet::testsupport::map_def(name, t, k, v, n, flags);
}

MapBytes u(uint64_t v) { return MapBytes{{}, v}; }
MapBytes b(std::vector<uint8_t> v) { return MapBytes{std::move(v), std::nullopt}; }

const MapSnapshot* find_map(const RunResult& r, const std::string& name) {
  for (const auto& m : r.maps)
    if (m.name == name) return &m;
  return nullptr;
}
uint64_t value_at(const MapSnapshot& m, uint32_t key) {
  for (const auto& [k, v] : m.entries) {
    uint32_t kk = 0;
    std::memcpy(&kk, k.data(), std::min<size_t>(4, k.size()));
    if (kk == key) {
      uint64_t x = 0;
      std::memcpy(&x, v.data(), std::min<size_t>(8, v.size()));
      return x;
    }
  }
  return ~0ull;
}

// BPF text for the map calls the cases make: the argument set-up (key at r10-4, or
// r10-8 for queues and stacks; value at r10-16) every call would otherwise repeat.
std::string key_call(int map, int helper, int key_off = -4) {
  return "r1 = map_idx(" + std::to_string(map) + ") ll\nr2 = r10\nr2 += " + std::to_string(key_off) +
         "\ncall " + std::to_string(helper) + "\n";
}
std::string lookup(int map) { return key_call(map, 1); }  // bpf_map_lookup_elem(map, fp-4)
std::string del(int map) { return key_call(map, 3); }  // bpf_map_delete_elem(map, fp-4)
// bpf_map_update_elem(map, fp-4, fp-16, BPF_ANY)
std::string update(int map) {
  return "r1 = map_idx(" + std::to_string(map) + ") ll\nr2 = r10\nr2 += -4\nr3 = r10\nr3 += -16\nr4 = 0\ncall 2\n";
}
// bpf_map_push_elem(map, fp-8, 0)
std::string push(int map) {
  return "r1 = map_idx(" + std::to_string(map) + ") ll\nr2 = r10\nr2 += -8\nr3 = 0\ncall 87\n";
}
// *(u32 *)(r10 -4) = v, through r1
std::string key(uint64_t v) { return "r1 = " + std::to_string(v) + "\n*(u32 *)(r10 -4) = r1\n"; }

struct Case {
  std::string name;
  isa::ProgType type = isa::ProgType::SocketFilter;
  std::vector<isa::MapDef> maps;
  std::string text;
  std::vector<MapInput> input;
  uint64_t retval = 0;
  std::function<void(const RunResult&)> check;
  bool kernel = true;  // compare with the kernel
  uint32_t repeat = 1;  // runs; maps persist across them
};

std::vector<Case> cases() {
  std::vector<Case> c;
  c.push_back({"hash_update_lookup_delete", isa::ProgType::SocketFilter,
               {map("h", MapType::Hash, 4, 8, 4)},
               key(1) + R"(r1 = 42
*(u64 *)(r10 -16) = r1
)" + update(0) + lookup(0) + R"(if r0 == 0 goto miss
r6 = *(u64 *)(r0 +0)
)" + key(2) + del(0) + R"(r0 = r6
r0 <<= 8
exit
miss:
r0 = 1
exit
)",
               {}, 0, [](const RunResult& r) {
                 const auto* m = find_map(r, "h");
                 ASSERT_NE(m, nullptr);
                 EXPECT_EQ(m->entries.size(), 1u);
                 EXPECT_EQ(value_at(*m, 1), 42u);
               }});
  c.back().retval = 42u << 8;
  c.push_back({"hash_delete_missing_is_enoent", isa::ProgType::SocketFilter,
               {map("h", MapType::Hash, 4, 8, 4)},
               key(7) + del(0) + R"(exit
)",
               {}, static_cast<uint64_t>(-2), nullptr});
  c.push_back({"array_from_maps_input", isa::ProgType::SocketFilter,
               {map("a", MapType::Array, 4, 8, 4)},
               key(2) + lookup(0) + R"(if r0 == 0 goto out
r1 = *(u64 *)(r0 +0)
r1 += 1
*(u64 *)(r0 +0) = r1
r0 = r1
exit
out:
r0 = 99
exit
)",
               {MapInput{"a", "array", {{u(2), u(0x10), {}, ""}}}}, 0x11, [](const RunResult& r) {
                 EXPECT_EQ(value_at(*find_map(r, "a"), 2), 0x11u);
               }});
  c.push_back({"array_index_out_of_range", isa::ProgType::SocketFilter,
               {map("a", MapType::Array, 4, 8, 4)},
               key(4) + lookup(0) + R"(if r0 == 0 goto out
r0 = 1
exit
out:
r0 = 7
exit
)",
               {}, 7, nullptr});
  c.push_back({"percpu_array_current_cpu", isa::ProgType::SocketFilter,
               {map("pc", MapType::PercpuArray, 4, 8, 1)},
               key(0) + lookup(0) + R"(if r0 == 0 goto out
r1 = 5
lock *(u64 *)(r0 +0) += r1
r0 = *(u64 *)(r0 +0)
exit
out:
r0 = 0
exit
)",
               {MapInput{"pc", "", {{u(0), {}, {u(100), u(200)}, ""}}}}, 105, [](const RunResult& r) {
                 const auto* m = find_map(r, "pc");
                 ASSERT_EQ(m->entries.size(), 1u);
                 ASSERT_EQ(m->cpus, kSimulatedCpus);
                 uint64_t c0, c1;
                 std::memcpy(&c0, m->entries[0].second.data(), 8);
                 std::memcpy(&c1, m->entries[0].second.data() + 8, 8);
                 EXPECT_EQ(c0, 105u);
                 EXPECT_EQ(c1, 200u);
               }});
  const std::string push_pop = R"(r1 = 1
*(u64 *)(r10 -8) = r1
)" + push(0) + R"(r1 = 2
*(u64 *)(r10 -8) = r1
)" + push(0) + key_call(0, 88, -8) + R"(r0 = *(u64 *)(r10 -8)
exit
)";
  c.push_back({"queue_is_fifo", isa::ProgType::SocketFilter, {map("q", MapType::Queue, 0, 8, 4)}, push_pop,
               {MapInput{"q", "", {{{}, u(9), {}, ""}}}}, 9, [](const RunResult& r) {
                 EXPECT_EQ(find_map(r, "q")->values.size(), 2u);
               }});
  c.push_back({"stack_is_lifo", isa::ProgType::SocketFilter, {map("s", MapType::Stack, 0, 8, 4)}, push_pop,
               {MapInput{"s", "", {{{}, u(9), {}, ""}}}}, 2, [](const RunResult& r) {
                 EXPECT_EQ(find_map(r, "s")->values.size(), 2u);
               }});
  // LPM: 10.0.0.0/8 -> 8, 10.1.0.0/16 -> 16; lookup 10.1.2.3/32 gives 16.
  c.push_back({"lpm_longest_prefix", isa::ProgType::SocketFilter,
               {map("lpm", MapType::LpmTrie, 8, 4, 8, 1)},
               R"(r1 = 32
*(u32 *)(r10 -8) = r1
r1 = 0x0302010a
*(u32 *)(r10 -4) = r1
)" + key_call(0, 1, -8) + R"(if r0 == 0 goto out
r0 = *(u32 *)(r0 +0)
exit
out:
r0 = 0
exit
)",
               {MapInput{"lpm", "lpm_trie", {{b({8, 0, 0, 0, 10, 0, 0, 0}), u(8), {}, ""},
                                             {b({16, 0, 0, 0, 10, 1, 0, 0}), u(16), {}, ""}}}},
               16, nullptr});
  // LRU: max 2; insert 1, 2, touch 1, insert 3: 2 is evicted (exact LRU in the mock;
  // the kernel's LRU is approximate, so not compared).
  c.push_back({"lru_evicts_least_recently_used", isa::ProgType::SocketFilter,
               {map("l", MapType::LruHash, 4, 8, 2)},
               key(1) + lookup(0) + key(3) + R"(*(u64 *)(r10 -16) = r1
)" + update(0) + R"(exit
)",
               {MapInput{"l", "", {{u(1), u(11), {}, ""}, {u(2), u(22), {}, ""}}}}, 0,
               [](const RunResult& r) {
                 const auto* m = find_map(r, "l");
                 EXPECT_EQ(m->entries.size(), 2u);
                 EXPECT_EQ(value_at(*m, 1), 11u);
                 EXPECT_EQ(value_at(*m, 3), 3u);
                 EXPECT_EQ(value_at(*m, 2), ~0ull);
               },
               false});
  c.push_back({"ringbuf_submit_and_discard", isa::ProgType::SocketFilter,
               {map("rb", MapType::Ringbuf, 0, 0, 4096)},
               R"(r1 = map_idx(0) ll
r2 = 8
r3 = 0
call 131
if r0 == 0 goto out
r1 = 0x1122334455667788 ll
*(u64 *)(r0 +0) = r1
r1 = r0
r2 = 0
call 132
r1 = map_idx(0) ll
r2 = 16
r3 = 0
call 131
if r0 == 0 goto out
r1 = r0
r2 = 0
call 133
r0 = 1
exit
out:
r0 = 0
exit
)",
               {}, 1, [](const RunResult& r) {
                 ASSERT_EQ(r.output.size(), 1u);
                 EXPECT_EQ(r.output[0].kind, "ringbuf");
                 EXPECT_EQ(r.output[0].data, (std::vector<uint8_t>{0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}));
               }});
  // A program that tail-calls itself: 1 + 33 executions (MAX_TAIL_CALL_CNT).
  c.push_back({"tail_call_limit_33", isa::ProgType::SocketFilter,
               {map("jt", MapType::ProgArray, 4, 4, 1), map("cnt", MapType::Array, 4, 8, 1)},
               R"(r6 = r1
)" + key(0) + lookup(1) + R"(if r0 == 0 goto out
r1 = 1
lock *(u64 *)(r0 +0) += r1
r1 = r6
r2 = map_idx(0) ll
r3 = 0
call 12
out:
r0 = 3
exit
)",
               {MapInput{"jt", "", {{u(0), {}, {}, "prog"}}}}, 3, [](const RunResult& r) {
                 EXPECT_EQ(value_at(*find_map(r, "cnt"), 0), 34u);
               }});
  c.push_back({"bpf_loop_callback", isa::ProgType::SocketFilter, {},
               R"(r1 = 0
*(u64 *)(r10 -8) = r1
r1 = 10
r2 = func(cb) ll
r3 = r10
r3 += -8
r4 = 0
call 181
r1 = *(u64 *)(r10 -8)
r0 <<= 16
r0 |= r1
exit
cb:
r3 = *(u64 *)(r2 +0)
r3 += r1
*(u64 *)(r2 +0) = r3
r0 = 0
exit
)",
               {}, (10u << 16) | 45, nullptr, false});  // the kernel wants BTF func_info for callbacks
  // "%d %u %x\n" with -5, 7, 255: returns the formatted length (8).
  c.push_back({"trace_printk_formats", isa::ProgType::SocketFilter, {},
               R"(r1 = 0x7825207525206425 ll
*(u64 *)(r10 -16) = r1
r1 = 0x0a
*(u64 *)(r10 -8) = r1
r1 = r10
r1 += -16
r2 = 10
r3 = -5
r4 = 7
r5 = 255
call 6
exit
)",
               {}, 8, [](const RunResult& r) {
                 ASSERT_EQ(r.output.size(), 1u);
                 EXPECT_EQ(r.output[0].kind, "trace_printk");
                 EXPECT_EQ(r.output[0].text, "-5 7 ff");
               },
               false});
  c.push_back({"xdp_adjust_head_grows_packet", isa::ProgType::Xdp, {},
               R"(r6 = r1
r2 = -4
call 44
if r0 != 0 goto out
r2 = *(u32 *)(r6 +0)
r3 = *(u32 *)(r6 +4)
r1 = r2
r1 += 4
if r1 > r3 goto out
r1 = 0x0badcafe
*(u32 *)(r2 +0) = r1
r0 = r3
r0 -= r2
exit
out:
r0 = 0
exit
)",
               {}, 68, [](const RunResult& r) {
                 ASSERT_EQ(r.data_out.size(), 68u);
                 EXPECT_EQ(r.data_out[0], 0xfe);
               }});
  // Metadata in front of the packet and a grown tail: BPF_PROG_TEST_RUN returns both.
  c.push_back({"xdp_adjust_meta_and_tail", isa::ProgType::Xdp, {},
               R"(r6 = r1
r2 = -8
call 54
if r0 != 0 goto out
r2 = *(u32 *)(r6 +8)
r3 = *(u32 *)(r6 +0)
r4 = r2
r4 += 8
if r4 > r3 goto out
r1 = 0x1122334455667788 ll
*(u64 *)(r2 +0) = r1
r1 = r6
r2 = 20
call 65
r0 = 2
exit
out:
r0 = 1
exit
)",
               {}, 2, [](const RunResult& r) {
                 ASSERT_EQ(r.data_out.size(), 8u + 64u + 20u);
                 EXPECT_EQ(r.data_out[0], 0x88);
                 EXPECT_EQ(r.data_out.back(), 0);
               }});
  // Reading unmapped memory fails with -EFAULT and zeroes the destination, like the
  // kernel; reading the context succeeds.  r0 = (ret & 0xff) << 8 | first byte read.
  c.push_back({"probe_read_unmapped_is_efault_and_zeroes", isa::ProgType::Kprobe, {},
               R"(r6 = r1
r1 = -1
*(u64 *)(r10 -8) = r1
r1 = r10
r1 += -8
r2 = 8
r3 = 16
call 113
r0 &= 0xff
r0 <<= 8
r1 = *(u8 *)(r10 -8)
r0 |= r1
exit
)",
               {}, (0xf2u << 8) | 0, nullptr, false});
  c.push_back({"probe_read_str_stops_at_nul", isa::ProgType::Kprobe, {},
               R"(r1 = 0x006948 ll
*(u64 *)(r10 -16) = r1
r1 = r10
r1 += -8
r2 = 8
r3 = r10
r3 += -16
call 115
exit
)",
               {}, 3, nullptr, false});
  c.push_back({"tail_call_empty_slot_falls_through", isa::ProgType::SocketFilter,
               {map("jt", MapType::ProgArray, 4, 4, 2)},
               R"(r2 = map_idx(0) ll
r3 = 1
call 12
r0 = 77
exit
)",
               {}, 77, nullptr});
  // The callback returns 1 on its seventh call (index 6): bpf_loop reports 7 calls.
  c.push_back({"bpf_loop_stops_early", isa::ProgType::SocketFilter, {},
               R"(r1 = 100
r2 = func(cb) ll
r3 = 0
r4 = 0
call 181
exit
cb:
r0 = 0
if r1 != 6 goto +1
r0 = 1
exit
)",
               {}, 7, nullptr, false});  // the kernel wants BTF func_info for callbacks
  // The callee clobbers r6-r9 and its own frame's fp-8; the caller's survive.
  c.push_back({"bpf2bpf_keeps_r6_r9_and_frames", isa::ProgType::SocketFilter, {},
               R"(r6 = 6
r7 = 7
r8 = 8
r9 = 9
r1 = 5
*(u64 *)(r10 -8) = r1
r1 = 3
call f
r1 = *(u64 *)(r10 -8)
r0 += r1
r0 += r6
r0 += r7
r0 += r8
r0 += r9
exit
f:
r6 = 100
r7 = 100
r8 = 100
r9 = 100
r2 = 40
*(u64 *)(r10 -8) = r2
r0 = *(u64 *)(r10 -8)
r0 += r1
exit
)",
               {}, 43 + 5 + 30, nullptr, false});  // the kernel wants BTF func_info for subprograms
  // Five runs over one map: the first inserts 1, each later one adds 1 atomically.
  c.push_back({"hash_counts_across_runs", isa::ProgType::SocketFilter,
               {map("h", MapType::Hash, 4, 8, 4)},
               key(7) + lookup(0) + R"(if r0 != 0 goto hit
r1 = 1
*(u64 *)(r10 -16) = r1
)" + update(0) + R"(r0 = 1
exit
hit:
r1 = 1
r1 = atomic_fetch_add((u64 *)(r0 +0), r1)
r0 = r1
r0 += 1
exit
)",
               {}, 5, [](const RunResult& r) { EXPECT_EQ(value_at(*find_map(r, "h"), 7), 5u); }, true, 5});
  return c;
}

std::vector<uint8_t> packet() {
  std::vector<uint8_t> p(64);
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<uint8_t>(i);
  return p;
}

// The program and request of a case: its text assembled for its type, its maps and
// their initial contents, a 64-byte counting packet for packet programs.
struct Prepared {
  isa::Program prog;
  RunRequest req;
};

void prepare(const Case& c, Prepared& out) {
  auto raw = isa::assemble(c.text, c.name);
  ASSERT_TRUE(raw) << raw.message();
  auto p = isa::program_from_raw(std::move(*raw), c.type, "prog");
  ASSERT_TRUE(p) << p.message();
  out.prog = std::move(*p);
  out.prog.maps = c.maps;
  out.req.program = &out.prog;
  out.req.input.type = c.type;
  if (c.type == isa::ProgType::Xdp || c.type == isa::ProgType::SocketFilter) out.req.input.data = packet();
  out.req.input.maps = c.input;
  out.req.repeat = c.repeat;
}

using EngineCase = std::tuple<Case, std::string>;  // case, engine name

class RuntimeCase : public testing::TestWithParam<EngineCase> {
 protected:
  void SetUp() override { prepare(std::get<0>(GetParam()), p_); }
  Prepared p_;
};

TEST_P(RuntimeCase, PinnedResultOnEveryEngine) {
  const auto& [c, engine_name] = GetParam();
  auto engine = make_engine(engine_name);
  ASSERT_TRUE(engine) << engine.message();
  if (auto st = (*engine)->available(); !st) GTEST_SKIP() << st.message();
  auto r = (*engine)->run(p_.req);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->retval, c.retval);
  EXPECT_EQ(r->runs, c.repeat);
  if (c.check) c.check(*r);
  if (engine_name != "interp") {
    auto ref = make_interp_engine()->run(p_.req);
    ASSERT_TRUE(ref) << ref.message();
    EXPECT_EQ(compare_results(*ref, *r), "");
  }
  if (r->emulated) {  // arm64 under unicorn: the deterministic cost is reported
    ASSERT_TRUE(r->a64_insns_per_run);
    EXPECT_GT(*r->a64_insns_per_run, 0u);
    EXPECT_TRUE(r->est_cycles_per_run) << (r->notes.empty() ? "" : r->notes.back());
  }
}

INSTANTIATE_TEST_SUITE_P(Runtime, RuntimeCase,
                         testing::Combine(testing::ValuesIn(cases()), testing::Values("interp", "x86_64", "arm64")),
                         [](const testing::TestParamInfo<EngineCase>& i) {
                           return std::get<0>(i.param).name + "_" + std::get<1>(i.param);
                         });

class KernelCase : public testing::TestWithParam<Case> {
 protected:
  void SetUp() override { prepare(GetParam(), p_); }
  Prepared p_;
};

TEST_P(KernelCase, KernelAgrees) {
  const Case& c = GetParam();
  if (!c.kernel) GTEST_SKIP() << "not comparable with the kernel";
  if (auto st = kernel_bpf_available(); !st) GTEST_SKIP() << st.message();
  auto mine = make_interp_engine()->run(p_.req);
  ASSERT_TRUE(mine) << mine.message();
  auto theirs = make_kernel_engine()->run(p_.req);
  ASSERT_TRUE(theirs) << theirs.message();
  EXPECT_EQ(compare_results(*mine, *theirs), "");
}

INSTANTIATE_TEST_SUITE_P(Runtime, KernelCase, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& i) { return i.param.name; });

}  // namespace
}  // namespace bpfvet::jit
