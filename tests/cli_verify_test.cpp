// verify, explain, lint: exit codes, the text line format, the contract's JSON shape,
// SARIF 2.1.0 structure, and the explain path reconstruction.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "cli/error_path.h"
#include "tests/cli_helpers.h"

namespace bpfvet::clitest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string corpus(const std::string& name) { return (fs::path(corpus_dir()) / (name + ".o")).string(); }

// Kept in the corpus with their expectations (corpus/accepted, corpus/rejected).
const char* kAccepted = "xdp_tx_reflect";
const char* kRejected = "xdp_off_by_one";  // PACKET_OUT_OF_BOUNDS at insn 5

std::set<std::string> keys_of(const json& o) {
  std::set<std::string> k;
  for (auto it = o.begin(); it != o.end(); ++it) k.insert(it.key());
  return k;
}

// Checks one entry of "programs" against the contract; returns its verdict.
std::string check_program_shape(const json& p) {
  for (const char* key : {"file", "section", "name", "type"}) EXPECT_TRUE(p.at(key).is_string()) << key;
  EXPECT_TRUE(p.at("insns").is_number_unsigned());
  const auto verdict = p.at("verdict").get<std::string>();
  EXPECT_TRUE(verdict == "accepted" || verdict == "rejected") << verdict;
  const auto& err = p.at("error");
  if (verdict == "accepted") {
    EXPECT_TRUE(err.is_null());
  } else {
    EXPECT_EQ(keys_of(err), (std::set<std::string>{"insn", "code", "message", "kernel_message", "source",
                                                   "explanation", "hint"}));
    EXPECT_TRUE(err.at("insn").is_number_integer());
    const auto code = err.at("code").get<std::string>();
    EXPECT_TRUE(std::regex_match(code, std::regex("[A-Z][A-Z0-9_]*"))) << code;
    for (const char* key : {"message", "kernel_message", "explanation", "hint"})
      EXPECT_TRUE(err.at(key).is_string()) << key;
    EXPECT_FALSE(err["message"].get<std::string>().empty());
    EXPECT_FALSE(err["kernel_message"].get<std::string>().empty());
    if (!err.at("source").is_null()) {
      EXPECT_EQ(keys_of(err["source"]), (std::set<std::string>{"file", "line", "text"}));
      EXPECT_TRUE(err["source"]["line"].is_number_unsigned());
    }
  }
  const auto& stats = p.at("stats");
  EXPECT_EQ(keys_of(stats), (std::set<std::string>{"processed_insns", "total_states", "peak_states",
                                                   "max_states_per_insn", "stack_depth", "time_us"}));
  for (auto it = stats.begin(); it != stats.end(); ++it) EXPECT_TRUE(it->is_number_unsigned()) << it.key();
  return verdict;
}

json parse_document(const std::string& out) {
  json doc = json::parse(out);
  EXPECT_EQ(doc.at("tool"), "bpfvet");
  EXPECT_EQ(doc.at("version"), BPFVET_VERSION);
  EXPECT_TRUE(doc.at("programs").is_array());
  return doc;
}

TEST(VerifyJson, AcceptedProgram) {
  const auto r = run_bpfvet({"verify", corpus(kAccepted), "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  const json doc = parse_document(r.out);
  ASSERT_EQ(doc["programs"].size(), 1u);
  const auto& p = doc["programs"][0];
  EXPECT_EQ(check_program_shape(p), "accepted");
  EXPECT_EQ(p["section"], "xdp");
  EXPECT_EQ(p["type"], "xdp");
  EXPECT_GT(p["stats"]["processed_insns"].get<uint64_t>(), 0u);
}

TEST(VerifyJson, RejectedProgram) {
  const auto r = run_bpfvet({"verify", corpus(kRejected), "--format", "json"});
  ASSERT_EQ(r.status, 1) << r.out << r.err;
  const json doc = parse_document(r.out);
  ASSERT_EQ(doc["programs"].size(), 1u);
  const auto& p = doc["programs"][0];
  EXPECT_EQ(check_program_shape(p), "rejected");
  EXPECT_EQ(p["name"], "xdp_off_by_one");
  EXPECT_EQ(p["error"]["code"], "PACKET_OUT_OF_BOUNDS");
  EXPECT_EQ(p["error"]["insn"], 5);
  ASSERT_FALSE(p["error"]["source"].is_null());
  EXPECT_NE(p["error"]["source"]["file"].get<std::string>().find("xdp_off_by_one.c"), std::string::npos);
}

// Every corpus object, in one `lint --jobs 2` run: a well-formed document, every
// program checked, and the exit code says whether any was rejected.
TEST(LintJson, ShapeOnEveryCorpusObject) {
  const auto objects = corpus_objects();
  ASSERT_FALSE(objects.empty());
  std::vector<std::string> args{"lint", "--jobs", "2", "--format", "json"};
  size_t linted = 0;
  for (const auto& o : objects) {
    if (!corpus_type(o).empty()) continue;  // needs its own --type
    args.push_back(o.string());
    ++linted;
  }
  const auto r = run_bpfvet(args, std::chrono::seconds(600));
  ASSERT_TRUE(r.status == 0 || r.status == 1) << r.status << " " << r.err;
  const json doc = parse_document(r.out);
  bool any_rejected = false;
  std::set<std::string> files;
  for (const auto& p : doc["programs"]) {
    SCOPED_TRACE(p.value("file", "?") + ":" + p.value("name", "?"));
    any_rejected |= check_program_shape(p) == "rejected";
    files.insert(p["file"].get<std::string>());
  }
  EXPECT_EQ(files.size(), linted);
  EXPECT_EQ(r.status, any_rejected ? 1 : 0);
}

TEST(VerifyText, OneLinePerProgram) {
  const auto ok = run_bpfvet({"verify", corpus(kAccepted)});
  ASSERT_EQ(ok.status, 0) << ok.err;
  EXPECT_TRUE(
      std::regex_match(ok.out, std::regex(".*:xdp:xdp_tx_reflect: accepted \\(\\d+ insns, processed \\d+, "
                                          "\\d+ us\\)\n")))
      << ok.out;
  const auto bad = run_bpfvet({"verify", corpus(kRejected)});
  ASSERT_EQ(bad.status, 1) << bad.err;
  std::istringstream is(bad.out);
  std::string head, source;
  std::getline(is, head);
  std::getline(is, source);
  EXPECT_TRUE(std::regex_match(
      head, std::regex(".*:xdp:xdp_off_by_one: rejected at insn 5 \\(PACKET_OUT_OF_BOUNDS\\): .+")))
      << head;
  EXPECT_EQ(source.rfind("  source: xdp_off_by_one.c:", 0), 0u) << source;
}

TEST(VerifyText, LogLevelPrintsKernelFormatLog) {
  const auto r = run_bpfvet({"verify", corpus(kRejected), "--log-level", "1"});
  ASSERT_EQ(r.status, 1) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("(^|\n)0: \\([0-9a-f]{2}\\) "))) << r.out;
}

TEST(VerifyOptions, KernelVersionsAndUnprivAreAccepted) {
  for (const char* k : {"4.14", "5.4", "5.10", "6.1", "latest"}) {
    const auto r = run_bpfvet({"verify", corpus(kAccepted), "--kernel", k, "--format", "json"});
    EXPECT_TRUE(r.status == 0 || r.status == 1) << k << ": " << r.err;
  }
  const auto r = run_bpfvet({"verify", corpus(kAccepted), "--unpriv", "--format", "json"});
  EXPECT_TRUE(r.status == 0 || r.status == 1) << r.err;
}

// --kernel x.y is also the LINUX_KERNEL_VERSION a __kconfig extern reads: the corpus
// program takes its bpf_loop branch only from 5.17 on, so under 5.10 the verifier walks
// the plain loop (and accepts) instead of rejecting bpf_loop as missing from 5.10.
TEST(VerifyOptions, KernelSetsLinuxKernelVersion) {
  const std::string obj = corpus("tp_kconfig_version_gate");
  for (const char* k : {"5.4", "5.10", "5.17", "6.1", "latest"}) {
    const auto r = run_bpfvet({"verify", obj, "--kernel", k, "--format", "json"});
    ASSERT_EQ(r.status, 0) << k << ": " << r.out << r.err;
    EXPECT_EQ(json::parse(r.out)["programs"][0]["verdict"], "accepted") << k;
  }
  // Under 5.10 the bpf_loop call is dead code; under 5.17 it is walked.
  const std::regex walked("(^|\n)\\d+: \\(85\\) call bpf_loop");
  const auto old_log = run_bpfvet({"verify", obj, "--kernel", "5.10", "--log-level", "2"});
  const auto new_log = run_bpfvet({"verify", obj, "--kernel", "5.17", "--log-level", "2"});
  EXPECT_FALSE(std::regex_search(old_log.out, walked)) << old_log.out;
  EXPECT_TRUE(std::regex_search(new_log.out, walked)) << new_log.out;
  // lint loads the object once per kernel, so each column sees its own version.
  const auto lint = run_bpfvet({"lint", obj, "--kernel", "5.10,5.17", "--format", "json"});
  ASSERT_EQ(lint.status, 0) << lint.out << lint.err;
  const json report = json::parse(lint.out);  // range-for over a temporary's member would dangle
  for (const auto& p : report["programs"]) EXPECT_EQ(p["verdict"], "accepted") << p.dump();
  const auto explain = run_bpfvet({"explain", obj, "--kernel", "5.10"});
  EXPECT_EQ(explain.status, 0) << explain.out << explain.err;
}

// CO-RE objects resolve against the running kernel's BTF, or the one --btf names.
TEST(VerifyOptions, BtfNamesTheCoreTarget) {
  if (!fs::exists("/sys/kernel/btf/vmlinux")) GTEST_SKIP() << "no /sys/kernel/btf/vmlinux";
  const auto host = run_bpfvet({"verify", corpus("kprobe_core_exec_info")});
  EXPECT_EQ(host.status, 0) << host.err;
  const auto same = run_bpfvet({"verify", corpus("kprobe_core_exec_info"), "--btf", "/sys/kernel/btf/vmlinux"});
  EXPECT_EQ(same.status, 0) << same.err;
  const auto missing = run_bpfvet({"verify", corpus("kprobe_core_exec_info"), "--btf", "/nonexistent/vmlinux"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("/nonexistent/vmlinux"), std::string::npos) << missing.err;
  const auto poisoned = run_bpfvet({"verify", corpus("kprobe_core_removed_field")});
  EXPECT_EQ(poisoned.status, 1);
  EXPECT_NE(poisoned.out.find("invalid func unknown#195896080"), std::string::npos) << poisoned.out;
  const auto why = run_bpfvet({"explain", corpus("kprobe_core_removed_field")});
  EXPECT_NE(why.out.find("CO-RE"), std::string::npos) << why.out;
}

TEST(VerifySarif, Structure) {
  const auto r = run_bpfvet({"verify", corpus(kRejected), "--format", "sarif"});
  ASSERT_EQ(r.status, 1) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc.at("version"), "2.1.0");
  EXPECT_TRUE(doc.at("$schema").is_string());
  ASSERT_EQ(doc.at("runs").size(), 1u);
  const auto& run = doc["runs"][0];
  const auto& driver = run.at("tool").at("driver");
  EXPECT_EQ(driver.at("name"), "bpfvet");
  const auto& rules = driver.at("rules");
  ASSERT_FALSE(rules.empty());
  std::set<std::string> ids;
  for (const auto& rule : rules) {
    ids.insert(rule.at("id").get<std::string>());
    EXPECT_TRUE(rule.at("shortDescription").at("text").is_string());
  }
  EXPECT_EQ(ids.size(), rules.size()) << "rule ids are unique";
  ASSERT_EQ(run.at("results").size(), 1u);
  const auto& res = run["results"][0];
  EXPECT_EQ(res.at("ruleId"), "PACKET_OUT_OF_BOUNDS");
  EXPECT_EQ(rules.at(res.at("ruleIndex").get<size_t>()).at("id"), res["ruleId"]);
  EXPECT_EQ(res.at("level"), "error");
  EXPECT_TRUE(res.at("message").at("text").is_string());
  const auto& loc = res.at("locations").at(0).at("physicalLocation");
  EXPECT_NE(loc.at("artifactLocation").at("uri").get<std::string>().find("xdp_off_by_one.c"),
            std::string::npos);
  EXPECT_EQ(loc.at("region").at("startLine").get<int>() > 0, true);
}

TEST(VerifySarif, AcceptedHasNoResults) {
  const auto r = run_bpfvet({"verify", corpus(kAccepted), "--format", "sarif"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(json::parse(r.out)["runs"][0]["results"].empty());
}

TEST(Explain, TextShowsPathWhyAndHint) {
  const auto r = run_bpfvet({"explain", corpus(kRejected)});
  ASSERT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("rejected at insn 5 (PACKET_OUT_OF_BOUNDS)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Path to the error:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(">>> 5: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("; xdp_off_by_one.c:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Why: "), std::string::npos) << r.out;
}

TEST(Explain, JsonCarriesThePath) {
  const auto r = run_bpfvet({"explain", corpus(kRejected), "--format", "json"});
  ASSERT_EQ(r.status, 1) << r.err;
  const json doc = parse_document(r.out);
  const auto& p = doc["programs"].at(0);
  EXPECT_EQ(check_program_shape(p), "rejected");
  const auto& path = p.at("path");
  ASSERT_FALSE(path.empty());
  EXPECT_EQ(path.back().at("insn"), p["error"]["insn"]);
  EXPECT_EQ(path.front().at("insn"), 0);
  for (const auto& step : path) EXPECT_FALSE(step.at("text").get<std::string>().empty());
}

TEST(Explain, AcceptedProgramSaysSo) {
  const auto r = run_bpfvet({"explain", corpus(kAccepted)});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("accepted"), std::string::npos);
}

TEST(Lint, ParallelResultsKeepInputOrder) {
  const std::vector<std::string> files{corpus(kRejected), corpus(kAccepted), corpus("tc_bpf2bpf_calls"),
                                       corpus("xdp_bounded_loop")};
  std::vector<std::string> args{"lint"};
  args.insert(args.end(), files.begin(), files.end());
  for (const char* jobs : {"1", "3"}) {
    auto a = args;
    a.insert(a.end(), {"--jobs", jobs, "--format", "json"});
    const auto r = run_bpfvet(a);
    ASSERT_EQ(r.status, 1) << r.err;
    const json doc = parse_document(r.out);
    std::vector<std::string> seen;
    for (const auto& p : doc["programs"]) {
      check_program_shape(p);
      if (seen.empty() || seen.back() != p["file"]) seen.push_back(p["file"]);
    }
    EXPECT_EQ(seen, files) << "jobs " << jobs;
  }
  const auto ok = run_bpfvet({"lint", corpus(kAccepted), corpus(kAccepted), "-j", "2"});
  EXPECT_EQ(ok.status, 0) << ok.out << ok.err;
  const auto sarif = run_bpfvet({"lint", corpus(kAccepted), corpus(kRejected), "--format", "sarif"});
  EXPECT_EQ(sarif.status, 1);
  EXPECT_EQ(json::parse(sarif.out)["runs"][0]["results"].size(), 1u);
}

// The failing path is rebuilt from the log: the last segment, prefixed by the segment
// that went through its branch instruction.
TEST(ErrorPath, FromKernelFormatLog) {
  const std::string log =
      "func#0 @0\n"
      "0: R1=ctx() R10=fp0\n"
      "0: (b7) r0 = 0\n"
      "1: (15) if r1 == 0x0 goto pc+3\n"
      "2: (07) r0 += 1\n"
      "3: (15) if r0 == 0x1 goto pc+1\n"
      "4: (95) exit\n"
      "from 3 to 5: R0=1\n"
      "5: (95) exit\n"
      "from 1 to 5: R0=0 R1=0\n"
      "5: (71) r2 = *(u8 *)(r1 +0)\n"
      "R1 invalid mem access 'scalar'\n";
  EXPECT_EQ(cli::path_from_log(log), (std::vector<uint32_t>{0, 1, 5}));
  const std::string nested =
      "0: (b7) r0 = 0\n1: (15) if r1 == 0x0 goto pc+3\n2: (07) r0 += 1\n3: (15) if r0 == 0x1 goto pc+1\n"
      "4: (95) exit\nfrom 3 to 5: R0=1\n5: (61) r2 = *(u32 *)(r1 +0)\n";
  EXPECT_EQ(cli::path_from_log(nested), (std::vector<uint32_t>{0, 1, 2, 3, 5}));
  EXPECT_TRUE(cli::path_from_log("").empty());
  EXPECT_TRUE(cli::path_from_log("processed 5 insns\n").empty());
}

}  // namespace
}  // namespace bpfvet::clitest
