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

TEST(LintMatrix, BadVersionInTheListIsExit2) {
  const auto r = run_bpfvet({"lint", corpus("xdp_ddos_filter"), "--kernel", "5.4,3.1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown kernel version '3.1'"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

}  // namespace
}  // namespace bpfvet::clitest
