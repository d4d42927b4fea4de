// What a run derived from the clock, random numbers or the task (jit/nondeterminism.h):
// found by re-running the interpreter, described, and blanked before a comparison with
// the kernel.  No bpf() needed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "isa/program.h"
#include "jit/engine.h"
#include "jit/interp.h"
#include "jit/nondeterminism.h"

namespace bpfvet::jit {
namespace {

namespace fs = std::filesystem;

// The one program of assembly `text`, loaded as the CLI loads a .s file.
isa::Program assembled(const std::string& text, const std::string& name, isa::ProgType type = isa::ProgType::SocketFilter) {
  const fs::path path = fs::path(::testing::TempDir()) / ("bpfvet_nondet_" + name + ".s");
  std::ofstream(path) << text;
  isa::LoadOptions lo;
  lo.type = type;
  auto obj = isa::load_object(path.string(), lo);
  if (!obj || obj->programs.size() != 1) {
    ADD_FAILURE() << name << ": " << (obj ? "not one program" : obj.message());
    return isa::Program{};
  }
  return obj->programs[0];
}

RunRequest request_for(const isa::Program& prog, const isa::Object* object = nullptr) {
  RunRequest req;
  req.program = &prog;
  req.object = object;
  req.input.type = prog.type;
  req.input.data.assign(64, 0);
  return req;
}

struct ReturnCase {
  const char* name;
  const char* text;
  std::vector<std::string> helpers;  // what nondeterministic_helpers() must name
  bool retval_varies;
};

void PrintTo(const ReturnCase& c, std::ostream* os) { *os << c.name; }

class ReturnValue : public ::testing::TestWithParam<ReturnCase> {};

// The return value of small programs: a timestamp, a duration (two clock reads: the
// mock's steady 1 us step differs from the variants' constant answers), a random
// number and the pid vary; a constant, or a clock read that is thrown away, does not.
TEST_P(ReturnValue, VariesExactlyWhenDerivedFromTheClockOrRandom) {
  const ReturnCase& c = GetParam();
  const isa::Program prog = assembled(c.text, c.name);
  EXPECT_EQ(nondeterministic_helpers(prog, nullptr), c.helpers);
  auto parts = find_volatile_parts(request_for(prog));
  ASSERT_TRUE(parts) << parts.message();
  EXPECT_EQ(parts->retval, c.retval_varies);
  EXPECT_EQ(parts->empty(), !c.retval_varies);
  EXPECT_EQ(parts->helpers, c.helpers);
  const auto lines = parts->describe();
  EXPECT_EQ(std::find(lines.begin(), lines.end(), "return value") != lines.end(), c.retval_varies);
}

INSTANTIATE_TEST_SUITE_P(
    Programs, ReturnValue,
    ::testing::Values(ReturnCase{"constant", "r0 = 7\nexit\n", {}, false},
                      ReturnCase{"timestamp", "call 5\nexit\n", {"bpf_ktime_get_ns"}, true},
                      ReturnCase{"duration", "call 5\nr6 = r0\ncall 5\nr0 -= r6\nexit\n", {"bpf_ktime_get_ns"}, true},
                      ReturnCase{"boot_time_seconds", "call 125\nr0 /= 1000000000\nexit\n", {"bpf_ktime_get_boot_ns"}, true},
                      ReturnCase{"random", "call 7\nexit\n", {"bpf_get_prandom_u32"}, true},
                      ReturnCase{"clock_ignored", "call 5\nr0 = 1\nexit\n", {"bpf_ktime_get_ns"}, false}),
    [](const auto& info) { return std::string(info.param.name); });

// Packet bytes: a timestamp written into the packet varies in exactly its 8 bytes.
TEST(Nondeterminism, PacketBytesOfAStoredTimestamp) {
  const isa::Program prog = assembled(
      "r6 = r1\n"
      "call 5\n"
      "r2 = *(u32 *)(r6 + 0)\n"  // xdp_md->data
      "r3 = *(u32 *)(r6 + 4)\n"  // xdp_md->data_end
      "r4 = r2\n"
      "r4 += 24\n"
      "if r4 > r3 goto +1\n"
      "*(u64 *)(r2 + 16) = r0\n"
      "r0 = 2\n"
      "exit\n",
      "stamp", isa::ProgType::Xdp);
  const isa::Program& xdp = prog;
  auto parts = find_volatile_parts(request_for(xdp));
  ASSERT_TRUE(parts) << parts.message();
  EXPECT_FALSE(parts->retval);
  ASSERT_EQ(parts->data_out.size(), 64u);
  for (size_t i = 0; i < 64; ++i) EXPECT_EQ(parts->data_out[i], i >= 16 && i < 24) << "byte " << i;
  EXPECT_EQ(parts->describe(), std::vector<std::string>{"packet bytes 16-23"});

  // strip() blanks those bytes only: results differing there compare equal, elsewhere not.
  RunResult a, b;
  a.engine = "interp";
  b.engine = "kernel";
  a.retval = b.retval = 2;
  a.data_out.assign(64, 0x11);
  b.data_out = a.data_out;
  for (size_t i = 16; i < 24; ++i) b.data_out[i] = static_cast<uint8_t>(i);
  EXPECT_FALSE(compare_results(a, b).empty());
  EXPECT_EQ(compare_results(strip(a, *parts), strip(b, *parts)), "");
  b.data_out[3] = 0x22;
  EXPECT_NE(compare_results(strip(a, *parts), strip(b, *parts)), "");
}

fs::path corpus_object(const std::string& name) { return fs::path(BPFVET_CORPUS_DIR) / (name + ".o"); }

// The README's example: the DDoS filter keeps {window_start = now, packets} per source;
// only window_start (value bytes 0-7) comes from the clock.
TEST(Nondeterminism, DdosFilterWindowStartOnly) {
  const fs::path obj_path = corpus_object("xdp_ddos_filter");
  if (!fs::exists(obj_path)) GTEST_SKIP() << "corpus not built";
  auto obj = isa::load_object(obj_path.string());
  ASSERT_TRUE(obj) << obj.message();
  std::ifstream in(fs::path(BPFVET_SOURCE_DIR) / "corpus/packets/tcp_syn_80.bin", std::ios::binary);
  RunRequest req = request_for(obj->programs[0], &*obj);
  req.input.data.assign(std::istreambuf_iterator<char>(in), {});
  req.repeat = 2;
  auto parts = find_volatile_parts(req);
  ASSERT_TRUE(parts) << parts.message();
  EXPECT_EQ(parts->helpers, std::vector<std::string>{"bpf_ktime_get_ns"});
  EXPECT_FALSE(parts->retval);
  EXPECT_TRUE(parts->data_out.empty());
  ASSERT_EQ(parts->maps.size(), 1u);
  const auto& m = parts->maps[0];
  EXPECT_EQ(m.name, "rate_by_src");
  EXPECT_FALSE(m.keys_vary);
  ASSERT_EQ(m.values.size(), 1u);
  const std::vector<bool> window(m.values[0].second.begin(), m.values[0].second.begin() + 8);
  EXPECT_EQ(window, std::vector<bool>(8, true));
  for (size_t i = 8; i < m.values[0].second.size(); ++i) EXPECT_FALSE(m.values[0].second[i]) << "byte " << i;
  EXPECT_EQ(parts->describe(), std::vector<std::string>{"map 'rate_by_src' key 0a000001: value bytes 0-7"});
}

}  // namespace
}  // namespace bpfvet::jit
