// The corpus of real BPF programs (corpus/accepted, corpus/rejected, corpus/asm): every
// file carries its expectation block; this test checks that each block is well formed,
// that each C program was built, and, where bpf() works, that the running kernel's
// verifier agrees with the expectation (verdict, instruction index, message).  That
// last check is what keeps the expectations real rather than guessed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/support/kernel_loader.h"

namespace {

namespace fs = std::filesystem;
namespace ts = bpfvet::testsupport;

const std::set<std::string>& known_codes() {
  static const std::set<std::string> codes = {
#define ERROR_CODE(Name, id, meaning) id,
#include "verifier/error_codes.def"
  };
  return codes;
}

const std::set<std::string> kTypes = {"socket_filter", "kprobe",      "kretprobe",  "uprobe",
                                      "tracepoint",    "raw_tracepoint", "perf_event", "xdp",
                                      "sched_cls",     "tc",          "sched_act",  "cgroup_skb",
                                      "cgroup_sock",   "lsm"};

struct Expectation {
  std::map<std::string, std::string> fields;  // EXPECT, CODE, INSN, KERNEL, TYPE, SECTION
  std::vector<std::string> problems;          // why the block is malformed, if it is
  bool has(const std::string& k) const { return fields.count(k) != 0; }
  std::string get(const std::string& k) const {
    auto it = fields.find(k);
    return it == fields.end() ? "" : it->second;
  }
};

// Reads the block of `// KEY: value` (`; KEY: value` in .s) lines at the top of a file.
Expectation parse_expectation(const fs::path& path) {
  Expectation e;
  const std::string comment = path.extension() == ".s" ? ";" : "//";
  const std::regex line_re("^" + std::string(comment == ";" ? ";" : "//") +
                           R"(\s*(EXPECT|CODE|INSN|KERNEL|TYPE|SECTION):\s*(.*?)\s*$)");
  std::ifstream in(path);
  std::string line;
  bool in_block = false;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, line_re)) {
      if (e.fields.count(m[1])) e.problems.push_back("duplicate " + m[1].str());
      e.fields[m[1]] = m[2];
      in_block = true;
    } else if (in_block || line.rfind(comment, 0) != 0) {
      break;  // the block ends at the first other line
    }
  }
  const std::string verdict = e.get("EXPECT");
  if (verdict != "accepted" && verdict != "rejected")
    e.problems.push_back("EXPECT must be accepted or rejected, is '" + verdict + "'");
  if (verdict == "rejected") {
    if (!known_codes().count(e.get("CODE")))
      e.problems.push_back("CODE '" + e.get("CODE") + "' is not in verifier/error_codes.def");
    if (!std::regex_match(e.get("INSN"), std::regex(R"(-1|\d+)")))
      e.problems.push_back("INSN must be an instruction index (or -1 when the kernel names none)");
    if (e.get("KERNEL").empty()) e.problems.push_back("KERNEL must quote the kernel's error line");
  }
  if (verdict == "accepted")
    for (const char* k : {"CODE", "INSN", "KERNEL"})
      if (e.has(k)) e.problems.push_back(std::string(k) + " makes no sense for an accepted program");
  if (e.has("TYPE") && !kTypes.count(e.get("TYPE")))
    e.problems.push_back("unknown TYPE '" + e.get("TYPE") + "'");
  if (path.extension() == ".s" && !e.has("TYPE"))
    e.problems.push_back(".s files need a TYPE");
  return e;
}

std::vector<fs::path> corpus_files() {
  std::vector<fs::path> out;
  const fs::path root = fs::path(BPFVET_SOURCE_DIR) / "corpus";
  for (const char* dir : {"accepted", "rejected", "asm"}) {
    if (!fs::exists(root / dir)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      const auto ext = entry.path().extension();
      if (entry.is_regular_file() && (ext == ".c" || ext == ".s")) out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string test_name(const testing::TestParamInfo<fs::path>& info) {
  std::string s = info.param.parent_path().filename().string() + "_" + info.param.stem().string() +
                  (info.param.extension() == ".s" ? "_asm" : "");
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

class CorpusFile : public testing::TestWithParam<fs::path> {};

TEST_P(CorpusFile, ExpectationBlockIsWellFormed) {
  const Expectation e = parse_expectation(GetParam());
  for (const std::string& p : e.problems) ADD_FAILURE() << GetParam() << ": " << p;
  // Accepted programs live in accepted/, rejected ones in rejected/ (asm/ holds both).
  const std::string dir = GetParam().parent_path().filename().string();
  if (dir != "asm") {
    EXPECT_EQ(dir, e.get("EXPECT")) << GetParam();
  }
}

TEST_P(CorpusFile, IsBuiltIntoTheCorpusDirectory) {
  const fs::path& src = GetParam();
  const fs::path built = fs::path(BPFVET_CORPUS_DIR) /
                         (src.extension() == ".c" ? src.stem().string() + ".o" : src.filename().string());
  ASSERT_TRUE(fs::exists(built)) << built << " was not built (target `corpus`)";
  EXPECT_GT(fs::file_size(built), 0u);
}

TEST_P(CorpusFile, KernelAgreesWithTheExpectation) {
  static const bool available = ts::bpf_syscall_available();
  if (!available) GTEST_SKIP() << "bpf() is not available here (needs root and BPF support)";
  const fs::path& src = GetParam();
  const Expectation e = parse_expectation(src);
  ASSERT_TRUE(e.problems.empty()) << "malformed expectation block";

  const std::string object = src.extension() == ".s"
                                 ? src.string()
                                 : (fs::path(BPFVET_CORPUS_DIR) / (src.stem().string() + ".o")).string();
  const ts::ObjectVerdicts r = src.extension() == ".s" ? ts::load_assembly_file(object, e.get("TYPE"))
                                                       : ts::load_object_file(object, e.get("TYPE"));
  if (r.error.rfind("cannot assemble", 0) == 0) GTEST_SKIP() << r.error;
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_FALSE(r.programs.empty()) << "no programs in " << object;

  bool matched = false;
  for (const ts::KernelVerdict& v : r.programs) {
    const bool is_target = !e.has("SECTION") || e.get("SECTION") == v.section;
    if (v.error == -EPERM && v.log.empty() && v.section.rfind("lsm", 0) == 0)
      GTEST_SKIP() << "this kernel refuses BTF-attached (LSM) programs before verification (EPERM)";
    if (!is_target) {
      EXPECT_TRUE(v.accepted) << v.section << " (not the SECTION under test) was rejected: " << v.message;
      continue;
    }
    matched = true;
    SCOPED_TRACE("section " + v.section + ", program " + v.name);
    if (e.get("EXPECT") == "accepted") {
      EXPECT_TRUE(v.accepted) << "kernel rejected it at insn " << v.insn << ": " << v.message;
    } else {
      ASSERT_FALSE(v.accepted) << "kernel accepted it";
      EXPECT_EQ(std::to_string(v.insn), e.get("INSN")) << v.message;
      EXPECT_NE(v.message.find(e.get("KERNEL")), std::string::npos)
          << "kernel said: " << v.message << "\nexpected a line containing: " << e.get("KERNEL");
    }
  }
  EXPECT_TRUE(matched) << "no program in section " << e.get("SECTION");
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusFile, testing::ValuesIn(corpus_files()), test_name);

TEST(CorpusInventory, HasEnoughProgramsOfEveryKind) {
  int accepted = 0, rejected = 0, asm_files = 0;
  for (const fs::path& p : corpus_files()) {
    const Expectation e = parse_expectation(p);
    if (p.extension() == ".s") ++asm_files;
    else if (e.get("EXPECT") == "accepted") ++accepted;
    else if (e.get("EXPECT") == "rejected") ++rejected;
  }
  EXPECT_GE(accepted, 45);
  EXPECT_GE(rejected, accepted);
  EXPECT_GE(asm_files, 4);
}

// The contract's program type of a libbpf section name ("" when it says none).
std::string type_of_section(const std::string& sec) {
  static const std::pair<const char*, const char*> prefixes[] = {
      {"kretprobe/", "kretprobe"},     {"kprobe/", "kprobe"},       {"uretprobe", "uprobe"},
      {"uprobe", "uprobe"},            {"tracepoint/", "tracepoint"}, {"tp/", "tracepoint"},
      {"raw_tracepoint/", "raw_tracepoint"}, {"raw_tp/", "raw_tracepoint"},
      {"perf_event", "perf_event"},    {"xdp", "xdp"},              {"tc", "sched_cls"},
      {"classifier", "sched_cls"},     {"action", "sched_act"},     {"cgroup_skb/", "cgroup_skb"},
      {"cgroup/sock", "cgroup_sock"},  {"cgroup/post_bind", "cgroup_sock"}, {"lsm/", "lsm"},
      {"socket", "socket_filter"},     {"sockops", "sock_ops"},     {"cgroup/connect", "cgroup_sock_addr"},
      {"cgroup/bind", "cgroup_sock_addr"}, {"cgroup/sendmsg", "cgroup_sock_addr"}, {"sk_skb", "sk_skb"},
      {"sk_msg", "sk_msg"},            {"flow_dissector", "flow_dissector"},
  };
  for (const auto& [prefix, type] : prefixes)
    if (sec.rfind(prefix, 0) == 0) return type;
  return "";
}

TEST(CorpusInventory, CoversEveryProgramTypeOfTheContract) {
  std::set<std::string> accepted_types, rejected_types;
  const std::regex sec_re(R"re(^SEC\("([^"]+)"\))re");
  for (const fs::path& p : corpus_files()) {
    if (p.extension() != ".c") continue;
    const Expectation e = parse_expectation(p);
    std::ifstream in(p);
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (!std::regex_search(line, m, sec_re)) continue;
      std::string type = e.has("TYPE") ? e.get("TYPE") : type_of_section(m[1]);
      if (type.empty()) continue;
      (e.get("EXPECT") == "accepted" ? accepted_types : rejected_types).insert(type);
    }
  }
  for (const std::string& t : kTypes) {
    if (t == "tc") continue;  // alias of sched_cls
    EXPECT_TRUE(accepted_types.count(t)) << "no accepted " << t << " program";
    // This kernel refuses LSM programs before verification, so no rejected LSM example.
    if (t != "lsm") {
      EXPECT_TRUE(rejected_types.count(t)) << "no rejected " << t << " program";
    }
  }
  // Issue #4 adds the socket-layer types beyond the contract's list.
  for (const char* t : {"sock_ops", "cgroup_sock_addr", "sk_skb", "sk_msg", "flow_dissector"}) {
    EXPECT_TRUE(accepted_types.count(t)) << "no accepted " << t << " program";
    EXPECT_TRUE(rejected_types.count(t)) << "no rejected " << t << " program";
  }
}

TEST(CorpusExpectationParser, FlagsMalformedBlocks) {
  const fs::path dir = fs::temp_directory_path() / ("bpfvet-corpus-parser-" + std::to_string(getpid()));
  fs::create_directories(dir);
  struct Case { const char* text; bool ok; };
  const Case cases[] = {
      {"// EXPECT: accepted\nint x;\n", true},
      {"// EXPECT: rejected\n// CODE: PACKET_OUT_OF_BOUNDS\n// INSN: 3\n// KERNEL: invalid access to packet\n", true},
      {"// EXPECT: rejected\n// CODE: NOT_A_CODE\n// INSN: 3\n// KERNEL: x\n", false},
      {"// EXPECT: rejected\n// CODE: PACKET_OUT_OF_BOUNDS\n// KERNEL: x\n", false},
      {"// EXPECT: accepted\n// INSN: 4\n", false},
      {"// EXPECT: maybe\n", false},
      {"int main;\n// EXPECT: accepted\n", false},
      {"// EXPECT: accepted\n// TYPE: nonsense\n", false},
  };
  int i = 0;
  for (const Case& c : cases) {
    const fs::path p = dir / ("case" + std::to_string(i++) + ".c");
    std::ofstream(p) << c.text;
    EXPECT_EQ(parse_expectation(p).problems.empty(), c.ok) << c.text;
  }
  fs::remove_all(dir);
}

}  // namespace

namespace {

std::vector<unsigned char> read_packet(const std::string& name) {
  std::ifstream in(fs::path(BPFVET_SOURCE_DIR) / "corpus" / "packets" / name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

uint16_t ones_complement_sum(const unsigned char* p, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i + 1 < n; i += 2) s += (p[i] << 8) | p[i + 1];
  if (n % 2) s += p[n - 1] << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(s);
}

TEST(CorpusPackets, AreWellFormedEthernetFrames) {
  for (const char* name : {"tcp_syn_80.bin", "tcp_syn_22.bin", "udp_dns_query.bin", "icmp_echo.bin"}) {
    const auto pkt = read_packet(name);
    ASSERT_GE(pkt.size(), 14u + 20u) << name;
    EXPECT_EQ(pkt[12], 0x08) << name;  // EtherType IPv4
    EXPECT_EQ(pkt[13], 0x00) << name;
    EXPECT_EQ(ones_complement_sum(pkt.data() + 14, 20), 0xffff) << name << ": IPv4 header checksum";
    EXPECT_EQ(((pkt[16] << 8) | pkt[17]) + 14u, pkt.size()) << name << ": IPv4 total length";
  }
}

// The README's example, run in the kernel: the DDoS filter passes a first SYN, and the
// ICMP responder turns the bundled echo request into a valid echo reply.
TEST(CorpusPackets, KernelRunsTheBundledExamples) {
  if (!ts::bpf_syscall_available()) GTEST_SKIP() << "bpf() is not available here";
  const std::string dir = BPFVET_CORPUS_DIR;
  const auto syn = read_packet("tcp_syn_80.bin");
  ts::KernelRun r = ts::kernel_test_run(dir + "/xdp_ddos_filter.o", "xdp_ddos_filter", syn);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.retval, 2u);  // XDP_PASS
  EXPECT_EQ(r.data_out, syn);

  const auto ping = read_packet("icmp_echo.bin");
  r = ts::kernel_test_run(dir + "/xdp_icmp_echo.o", "xdp_icmp_echo", ping);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.retval, 3u);  // XDP_TX
  ASSERT_EQ(r.data_out.size(), ping.size());
  EXPECT_EQ(r.data_out[34], 0);  // ICMP echo reply
  EXPECT_EQ(ones_complement_sum(r.data_out.data() + 34, r.data_out.size() - 34), 0xffff);
  EXPECT_TRUE(std::equal(ping.begin(), ping.begin() + 6, r.data_out.begin() + 6));  // MACs swapped
  EXPECT_TRUE(std::equal(ping.begin() + 26, ping.begin() + 30, r.data_out.begin() + 30));  // IPs swapped

  const auto dns = read_packet("udp_dns_query.bin");
  r = ts::kernel_test_run(dir + "/xdp_parse_l4.o", "xdp_parse_l4", dns);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.retval, 2u);  // XDP_PASS
}

}  // namespace
