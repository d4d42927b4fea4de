// `bpfvet run` / `bench` through the built binary: exit codes, JSON shape, and bad
// --ctx / --maps / --data input reported as exit 2 with a clear message.  Skipped when
// the binary has not been built (jit_tests does not depend on it).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

const std::string kBinary = std::string(BPFVET_BINARY_DIR) + "/bpfvet";

struct Outcome {
  int status = -1;
  std::string out;  // stdout and stderr
};

Outcome run(const std::string& args) {
  Outcome o;
  FILE* p = popen((kBinary + " " + args + " 2>&1").c_str(), "r");
  if (p == nullptr) return o;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) o.out.append(buf, n);
  const int st = pclose(p);
  o.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return o;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const fs::path path = fs::path(testing::TempDir()) / ("bpfvet_run_" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

struct CliCase {
  std::string name;
  std::string args;     // after the binary; {prog}, {ctx}, {maps}, {pkt} are substituted
  std::string ctx, maps;
  int status;
  std::string needle;   // must appear in the output
};

std::vector<CliCase> cli_cases() {
  return {
      {"ok_json", "run {prog} --type socket_filter --data {pkt} --no-verify --format json", "", "", 0, "\"retval\": 9"},
      {"ctx_field", "run {prog} --type sched_cls --data {pkt} --no-verify --ctx {ctx}", "{\"mark\": 5, \"cb\": [1]}", "", 0, "retval"},
      {"ctx_malformed", "run {prog} --type socket_filter --data {pkt} --no-verify --ctx {ctx}", "{\"mark\": ", "", 2, "malformed JSON"},
      {"ctx_unknown_field", "run {prog} --type socket_filter --data {pkt} --no-verify --ctx {ctx}", "{\"marks\": 1}", "", 2, "unknown field 'marks'"},
      {"ctx_not_object", "run {prog} --type socket_filter --data {pkt} --no-verify --ctx {ctx}", "[1, 2]", "", 2, "must be a JSON object"},
      {"ctx_negative", "run {prog} --type socket_filter --data {pkt} --no-verify --ctx {ctx}", "{\"mark\": -1}", "", 2, "non-negative"},
      {"ctx_wrong_type_for_field", "run {prog} --type xdp --data {pkt} --no-verify --ctx {ctx}", "{\"regs\": {\"di\": 1}}", "", 2, "valid: ingress_ifindex"},
      {"data_too_short", "run {prog} --type xdp --data {ctx} --no-verify", "abc", "", 2, "shorter than an Ethernet header"},
      {"unknown_engine", "run {prog} --type socket_filter --data {pkt} --engine qemu", "", "", 2, "unknown engine 'qemu'"},
      {"bad_format", "run {prog} --type socket_filter --data {pkt} --format yaml --no-verify", "", "", 2, "--format"},
      {"missing_input", "run /nonexistent/prog.o", "", "", 2, "no such file"},
  };
}

class CliRun : public testing::TestWithParam<CliCase> {};

TEST_P(CliRun, ExitCodeAndMessage) {
  if (!fs::exists(kBinary)) GTEST_SKIP() << kBinary << " not built";
  const auto& c = GetParam();
  const std::string prog = write_temp("prog.s", "r0 = 9\nexit\n");
  std::string pkt_bytes(64, '\0');
  pkt_bytes[12] = 0x08;
  const std::string pkt = write_temp("pkt.bin", pkt_bytes);
  std::string args = c.args;
  auto sub = [&](const std::string& key, const std::string& value) {
    for (size_t at; (at = args.find(key)) != std::string::npos;) args.replace(at, key.size(), value);
  };
  sub("{prog}", prog);
  sub("{pkt}", pkt);
  sub("{ctx}", write_temp(c.name + ".ctx.json", c.ctx));
  const auto o = run(args);
  EXPECT_EQ(o.status, c.status) << o.out;
  EXPECT_NE(o.out.find(c.needle), std::string::npos) << o.out;
}

INSTANTIATE_TEST_SUITE_P(Cli, CliRun, testing::ValuesIn(cli_cases()),
                         [](const testing::TestParamInfo<CliCase>& i) { return i.param.name; });

// --maps needs a program with maps: an ELF object from the corpus.
struct MapsCase {
  std::string name;
  std::string maps;
  int status;
  std::string needle;
};

class CliMaps : public testing::TestWithParam<MapsCase> {};

TEST_P(CliMaps, ExitCodeAndMessage) {
  if (!fs::exists(kBinary)) GTEST_SKIP() << kBinary << " not built";
  const std::string obj = std::string(BPFVET_CORPUS_DIR) + "/xdp_service_lookup.o";
  if (!fs::exists(obj)) GTEST_SKIP() << obj << " not built";
  const auto& c = GetParam();
  const std::string maps = write_temp(c.name + ".maps.json", c.maps);
  const std::string pkt = std::string(BPFVET_SOURCE_DIR) + "/corpus/packets/tcp_syn_80.bin";
  const auto o = run("run " + obj + " --no-verify --data " + pkt + " --maps " + maps + " --format json");
  EXPECT_EQ(o.status, c.status) << o.out;
  EXPECT_NE(o.out.find(c.needle), std::string::npos) << o.out;
}

std::vector<MapsCase> maps_cases() {
  return {
      {"unknown_map", "{\"nosuch\": {\"entries\": []}}", 2, "no map 'nosuch' (maps: services)"},
      {"malformed", "{\"services\": ", 2, "malformed JSON"},
      {"wrong_key_size", "{\"services\": {\"entries\": [{\"key\": \"0102\", \"value\": 1}]}}", 2, "the map needs"},
      {"bad_hex", "{\"services\": {\"entries\": [{\"key\": \"zz\", \"value\": 1}]}}", 2, "not hex"},
      {"wrong_type", "{\"services\": {\"type\": \"array\", \"entries\": []}}", 2, "not array"},
      {"unknown_entry_key", "{\"services\": {\"entries\": [{\"kee\": 1}]}}", 2, "unknown key"},
      {"empty_ok", "{\"services\": {\"type\": \"hash\", \"entries\": []}}", 0, "\"services\""},
  };
}

INSTANTIATE_TEST_SUITE_P(Cli, CliMaps, testing::ValuesIn(maps_cases()),
                         [](const testing::TestParamInfo<MapsCase>& i) { return i.param.name; });

TEST(CliRunEngines, AllAgreesOnACorpusProgram) {
  if (!fs::exists(kBinary)) GTEST_SKIP() << kBinary << " not built";
  const std::string obj = std::string(BPFVET_CORPUS_DIR) + "/xdp_tx_reflect.o";
  if (!fs::exists(obj)) GTEST_SKIP() << obj << " not built";
  const std::string pkt = std::string(BPFVET_SOURCE_DIR) + "/corpus/packets/icmp_echo.bin";
  const auto o = run("run " + obj + " --no-verify --data " + pkt + " --engine all --format json");
  EXPECT_EQ(o.status, 0) << o.out;
  EXPECT_NE(o.out.find("\"agree\": true"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("\"results\""), std::string::npos) << o.out;
}

// The README's example stores bpf_ktime_get_ns() in a map: the in-process engines share
// the mock clock and agree exactly, the kernel is compared on everything but those 8
// bytes, and the JSON says what was left out and why.
TEST(CliRunEngines, KernelComparisonLeavesOutClockDerivedBytes) {
  if (!fs::exists(kBinary)) GTEST_SKIP() << kBinary << " not built";
  const std::string obj = std::string(BPFVET_CORPUS_DIR) + "/xdp_ddos_filter.o";
  if (!fs::exists(obj)) GTEST_SKIP() << obj << " not built";
  const std::string pkt = std::string(BPFVET_SOURCE_DIR) + "/corpus/packets/tcp_syn_80.bin";
  // In-process engines only: nothing is left out.
  const auto local = run("run " + obj + " --data " + pkt + " --engine interp,x86_64 --format json");
  ASSERT_EQ(local.status, 0) << local.out;
  const auto lj = nlohmann::json::parse(local.out);
  EXPECT_TRUE(lj["agree"].get<bool>());
  EXPECT_FALSE(lj.contains("not_compared")) << local.out;

  const auto all = run("run " + obj + " --data " + pkt + " --engine interp,kernel --format json");
  if (all.out.find("kernel engine unavailable") != std::string::npos) GTEST_SKIP() << "no bpf() here";
  ASSERT_EQ(all.status, 0) << all.out;
  const auto j = nlohmann::json::parse(all.out);
  EXPECT_TRUE(j["agree"].get<bool>()) << all.out;
  ASSERT_TRUE(j.contains("not_compared")) << all.out;
  EXPECT_EQ(j["not_compared"]["with"], "kernel");
  EXPECT_EQ(j["not_compared"]["helpers"], nlohmann::json::array({"bpf_ktime_get_ns"}));
  EXPECT_EQ(j["not_compared"]["parts"], nlohmann::json::array({"map 'rate_by_src' key 0a000001: value bytes 0-7"}));
  EXPECT_NE(j["not_compared"]["why"].get<std::string>().find("bpf_ktime_get_ns"), std::string::npos);
  // The kernel's timestamp really differs from the mock's: it was left out, not equal.
  std::string mock, kernel;
  for (const auto& r : j["results"])
    (r["engine"] == "kernel" ? kernel : mock) = r["maps"]["rate_by_src"].dump();
  EXPECT_NE(mock, kernel);
  const auto text = run("run " + obj + " --data " + pkt + " --engine interp,kernel");
  EXPECT_EQ(text.status, 0) << text.out;
  EXPECT_NE(text.out.find("engines agree (2 ran)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("not compared with the kernel"), std::string::npos) << text.out;
}

TEST(CliRunEngines, BenchListsUnavailableEnginesWithError) {
  if (!fs::exists(kBinary)) GTEST_SKIP() << kBinary << " not built";
  const std::string prog = write_temp("bench.s", "r0 = 2\nexit\n");
  const auto o = run("bench " + prog + " --type raw --engine all --repeat 100 --no-verify --format json");
  EXPECT_EQ(o.status, 0) << o.out;
  EXPECT_NE(o.out.find("\"ns_per_run\""), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("\"error\""), std::string::npos) << o.out;
}

// The deterministic cost keys: BPF instructions per run for every engine (counted by
// the interpreter), and for the emulated arm64 engine the A64 count and the cycle
// estimate with the core it is for; bench's table puts them side by side.
TEST(CliRunEngines, CostFiguresInJsonAndBenchTable) {
  if (!fs::exists(kBinary)) GTEST_SKIP() << kBinary << " not built";
  const std::string prog =
      write_temp("cost.s", "r0 = 0\nr1 = 10\nloop:\nr0 += r1\nr1 -= 1\nif r1 != 0 goto loop\nexit\n");
  const auto o = run("run " + prog + " --type socket_filter --engine interp,x86_64,arm64 --format json");
  ASSERT_EQ(o.status, 0) << o.out;
  const auto j = nlohmann::json::parse(o.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << o.out;
  ASSERT_EQ(j["results"].size(), 3u) << o.out;
  for (const auto& r : j["results"]) {
    if (r.contains("error")) continue;  // an engine this host cannot run
    EXPECT_EQ(r.value("bpf_insns_per_run", 0u), 2u + 10 * 3 + 1) << r.dump();
    if (r["engine"] == "arm64") {
      EXPECT_EQ(r.value("emulated", false), true) << r.dump();
      EXPECT_GT(r.value("a64_insns_per_run", 0u), 33u) << r.dump();
      EXPECT_GT(r.value("est_cycles_per_run", 0.0), 0.0) << r.dump();
      EXPECT_EQ(r.value("mca_cpu", ""), "thunderx2t99") << r.dump();
    } else {
      EXPECT_FALSE(r.contains("emulated")) << r.dump();
      EXPECT_FALSE(r.contains("a64_insns_per_run")) << r.dump();
    }
  }
  const auto text = run("run " + prog + " --type socket_filter --engine arm64");
  ASSERT_EQ(text.status, 0) << text.out;
  EXPECT_NE(text.out.find("ns/run (emulated)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("cost per run: 33 BPF insns, "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("cycles on thunderx2t99 (static estimate, LLVM MCA)"), std::string::npos) << text.out;
  const auto bench = run("bench " + prog + " --type socket_filter --engine interp,x86_64,arm64 --repeat 50");
  ASSERT_EQ(bench.status, 0) << bench.out;
  for (const char* needle : {"BPF insns/run", "A64 insns/run", "est. cycles/run", "* emulated (unicorn)",
                             "static estimate for thunderx2t99"})
    EXPECT_NE(bench.out.find(needle), std::string::npos) << needle << "\n" << bench.out;
}

}  // namespace
