// Differential test: the running kernel is the ground truth.  Every verifier case
// (tests/data/verifier/*.txt) is loaded with BPF_PROG_LOAD and the kernel's verdict
// compared with bpfvet's.  Skipped where bpf() is unavailable.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/verifier_case_format.h"
#include "tests/verifier_kernel_loader.h"
#include "verifier/verifier.h"

namespace bpfvet::testing {
namespace {

std::vector<VerifierCase> diff_cases() {
  std::vector<VerifierCase> cases;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(BPFVET_SOURCE_DIR "/tests/data/verifier"))
    if (e.path().extension() == ".txt") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files)
    for (auto& c : parse_verifier_cases(f.string()))
      if (c.differential && c.kernel == "latest" && !c.unpriv && c.caps == "full") cases.push_back(c);
  return cases;
}

class KernelDiffTest : public ::testing::TestWithParam<VerifierCase> {};

TEST_P(KernelDiffTest, SameVerdictAsKernel) {
  if (!kernel_bpf_available()) GTEST_SKIP() << "bpf() is not available here";
  const VerifierCase& c = GetParam();
  auto prog = build_case_program(c);
  ASSERT_TRUE(prog.ok()) << prog.message();
  auto k = kernel_load(*prog);
  if (!k) GTEST_SKIP() << "could not create the case's maps";
  verifier::VerifyOptions opts;
  verifier::VerifyResult r = verifier::verify(*prog, opts);
  EXPECT_EQ(r.accepted, k->accepted) << c.name << "\nbpfvet: "
                                     << (r.error ? r.error->kernel_message + " at insn " + std::to_string(r.error->insn)
                                                 : std::string("accepted"))
                                     << "\nkernel log:\n" << k->log;
  if (!r.accepted && !k->accepted && r.error)
    EXPECT_NE(k->log.find(r.error->kernel_message), std::string::npos)
        << c.name << ": kernel wording differs\nbpfvet: " << r.error->kernel_message << "\nkernel log:\n" << k->log;
}

INSTANTIATE_TEST_SUITE_P(Cases, KernelDiffTest, ::testing::ValuesIn(diff_cases()),
                         [](const ::testing::TestParamInfo<VerifierCase>& info) { return info.param.name; });

}  // namespace
}  // namespace bpfvet::testing
