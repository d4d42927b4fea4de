// lint over several --kernel values: one verdict per (program, kernel), tagged reports,
// the text matrix, the JSON "kernels" list, and exit 2 for a bad version in the list.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli_helpers.h"

namespace bpfvet::clitest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string corpus(const std::string& name) { return (fs::path(corpus_dir()) / (name + ".o")).string(); }

// tp_openat_monitor uses ring buffers (Linux 5.8): rejected under 5.4, accepted from 5.10 on.
TEST(LintMatrix, VerdictPerKernelInJson) {
  const auto r = run_bpfvet({"lint", corpus("tp_openat_monitor"), corpus("xdp_ddos_filter"), "--kernel",
                             "5.4,5.10", "--kernel", "latest", "--format", "json"});
  ASSERT_EQ(r.status, 1) << r.err;  // rejected under 5.4
  const auto doc = json::parse(r.out);
  EXPECT_EQ(doc.at("kernels"), json({"5.4", "5.10", "latest"}));
  const auto& progs = doc.at("programs");
  ASSERT_EQ(progs.size(), 6u);  // 2 programs x 3 kernels, grouped by program
  const char* kernels[] = {"5.4", "5.10", "latest"};
  for (size_t i = 0; i < progs.size(); ++i) EXPECT_EQ(progs[i].at("kernel"), kernels[i % 3]) << i;
  EXPECT_EQ(progs[0].at("name"), "tp_openat_monitor");
  EXPECT_EQ(progs[0].at("verdict"), "rejected");
  EXPECT_EQ(progs[0].at("error").at("code"), "NOT_SUPPORTED_BY_KERNEL");
  EXPECT_EQ(progs[1].at("verdict"), "accepted");
  EXPECT_EQ(progs[2].at("verdict"), "accepted");
  for (size_t i = 3; i < 6; ++i) EXPECT_EQ(progs[i].at("verdict"), "accepted") << i;
}

TEST(LintMatrix, TextEndsWithTheMatrix) {
  const auto r = run_bpfvet({"lint", corpus("tp_openat_monitor"), "--kernel", "5.4,latest"});
  ASSERT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("[kernel 5.4]: rejected"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[kernel latest]: accepted"), std::string::npos) << r.out;
  const auto m = r.out.find("kernel matrix:");
  ASSERT_NE(m, std::string::npos) << r.out;
  const std::string matrix = r.out.substr(m);
  EXPECT_NE(matrix.find("NOT_SUPPORTED_BY_KERNEL"), std::string::npos) << matrix;
  EXPECT_NE(matrix.find(" ok "), std::string::npos) << matrix;
}

TEST(LintMatrix, OneKernelKeepsThePlainContractShape) {
  const auto r = run_bpfvet({"lint", corpus("xdp_ddos_filter"), "--kernel", "6.1", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto doc = json::parse(r.out);
  EXPECT_FALSE(doc.contains("kernels"));
  EXPECT_FALSE(doc.at("programs").at(0).contains("kernel"));
}

// Per-release rules, one row each: the program, the kernel that rejects it (with the
// code and a note naming what is missing and since when) and one that accepts it.
struct ReleaseRow {
  const char* program;     // corpus object
  const char* old_kernel;  // rejects
  const char* new_kernel;  // accepts
  const char* code;
  const char* note;  // substring of the rejection's notes or explanation
};

class LintReleaseRules : public ::testing::TestWithParam<ReleaseRow> {};

TEST_P(LintReleaseRules, OldKernelRejectsNewAccepts) {
  const ReleaseRow& row = GetParam();
  const auto r = run_bpfvet({"lint", corpus(row.program), "--kernel", std::string(row.old_kernel) + "," + row.new_kernel,
                             "--format", "json"});
  ASSERT_EQ(r.status, 1) << r.err;
  const auto progs = json::parse(r.out).at("programs");
  ASSERT_EQ(progs.size(), 2u) << r.out;
  EXPECT_EQ(progs[0].at("kernel"), row.old_kernel);
  EXPECT_EQ(progs[0].at("verdict"), "rejected") << progs[0].dump(2);
  const auto& err = progs[0].at("error");
  EXPECT_EQ(err.at("code"), row.code) << err.dump(2);
  const std::string words = progs[0].value("notes", json::array()).dump() + err.at("explanation").get<std::string>() +
                            err.at("kernel_message").get<std::string>();
  EXPECT_NE(words.find(row.note), std::string::npos) << progs[0].dump(2);
  EXPECT_EQ(progs[1].at("verdict"), "accepted") << progs[1].dump(2);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, LintReleaseRules,
    ::testing::Values(
        ReleaseRow{"tp_bpf_loop", "5.10", "5.17", "NOT_SUPPORTED_BY_KERNEL", "bpf_loop is available since Linux 5.17"},
        ReleaseRow{"tp_bpf_loop", "5.15", "latest", "NOT_SUPPORTED_BY_KERNEL", "since Linux 5.17"},
        ReleaseRow{"tp_ringbuf_output", "5.4", "5.8", "NOT_SUPPORTED_BY_KERNEL",
                   "BPF_MAP_TYPE_RINGBUF is available since Linux 5.8"},
        ReleaseRow{"lsm_file_open", "5.4", "5.10", "NOT_SUPPORTED_BY_KERNEL",
                   "BPF_PROG_TYPE_LSM is available since Linux 5.7"},
        ReleaseRow{"kprobe_core_exec_info", "5.4", "latest", "NOT_SUPPORTED_BY_KERNEL",
                   "map 'events' of type BPF_MAP_TYPE_RINGBUF cannot be created on Linux 5.4"}),
    [](const auto& info) {
      return std::string(info.param.program) + "_" + std::to_string(info.index);
    });

// --caps: the loader's capabilities.  A tracepoint program needs CAP_PERFMON.
TEST(LintCaps, CapBpfAloneCannotLoadTracingPrograms) {
  const auto r = run_bpfvet({"lint", corpus("tp_ringbuf_output"), "--caps", "bpf", "--format", "json"});
  ASSERT_EQ(r.status, 1) << r.err;
  const auto prog = json::parse(r.out).at("programs").at(0);
  EXPECT_EQ(prog.at("error").at("code"), "UNPRIVILEGED_NOT_ALLOWED") << prog.dump(2);
  EXPECT_NE(prog.at("error").at("kernel_message").get<std::string>().find("only CAP_BPF"), std::string::npos);
  const auto full = run_bpfvet({"lint", corpus("tp_ringbuf_output"), "--caps", "full"});
  EXPECT_EQ(full.status, 0) << full.out << full.err;
}

TEST(LintCaps, UnknownCapsIsExit2) {
  const auto r = run_bpfvet({"lint", corpus("tp_ringbuf_output"), "--caps", "root"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--caps"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(LintMatrix, BadVersionInTheListIsExit2) {
  const auto r = run_bpfvet({"lint", corpus("xdp_ddos_filter"), "--kernel", "5.4,3.1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown kernel version '3.1'"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

}  // namespace
}  // namespace bpfvet::clitest
