// Pruning like the kernel's: programs whose processed-instruction count depends on
// precision marks and stack liveness (tests/data/precision/pruning.txt) must be
// processed in exactly as many instructions as Linux 6.18 processes them (recorded
// below), and, where bpf() works, as many as the running kernel reports.
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "tests/verifier_case_format.h"
#include "tests/verifier_kernel_loader.h"
#include "verifier/verifier.h"

namespace bpfvet::testing {
namespace {

// "processed N insns" of Linux 6.18 for each case.
const std::map<std::string, uint64_t> kKernelProcessed = {
    {"prec_imprecise_join", 104},  {"prec_decided_branch", 111}, {"prec_ptr_offset", 120},
    {"prec_through_spill", 122},   {"prec_spill_unused", 111},   {"live_slot_overwritten", 106},
    {"live_slot_read", 111},       {"prec_helper_size", 117},    {"prec_loop_counter", 47},
};

std::vector<VerifierCase> precision_cases() {
  return parse_verifier_cases(BPFVET_SOURCE_DIR "/tests/data/precision/pruning.txt");
}

class PrecisionPruning : public ::testing::TestWithParam<VerifierCase> {};

TEST_P(PrecisionPruning, ProcessesAsManyInsnsAsTheKernel) {
  const VerifierCase& c = GetParam();
  auto prog = build_case_program(c);
  ASSERT_TRUE(prog.ok()) << prog.message();
  verifier::VerifyOptions opts;
  opts.log_level = 2;
  const verifier::VerifyResult r = verifier::verify(*prog, opts);
  EXPECT_EQ(r.accepted, c.expect_accept) << (r.error ? r.error->kernel_message : "") << "\n" << r.log;
  auto expected = kKernelProcessed.find(c.name);
  ASSERT_NE(expected, kKernelProcessed.end()) << c.name << " has no recorded kernel count";
  EXPECT_EQ(r.stats.processed_insns, expected->second) << c.name << "\n" << r.log;
  if (!kernel_bpf_available()) GTEST_SKIP() << "bpf() unavailable: compared with the recorded count only";
  auto k = kernel_load(*prog, true);
  ASSERT_TRUE(k.has_value());
  std::smatch m;
  ASSERT_TRUE(std::regex_search(k->log, m, std::regex(R"(processed (\d+) insns)"))) << k->log;
  EXPECT_EQ(r.stats.processed_insns, std::stoull(m[1].str())) << c.name << ": kernel log\n" << k->log;
  EXPECT_EQ(k->accepted, r.accepted) << k->log;
}

INSTANTIATE_TEST_SUITE_P(Cases, PrecisionPruning, ::testing::ValuesIn(precision_cases()),
                         [](const ::testing::TestParamInfo<VerifierCase>& i) { return i.param.name; });

}  // namespace
}  // namespace bpfvet::testing
