// Table-driven verifier cases: every case in tests/data/verifier/*.txt must get its
// expected verdict, error code, instruction index and (when given) kernel wording.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/verifier_case_format.h"
#include "verifier/verifier.h"

namespace bpfvet::testing {
namespace {

std::vector<VerifierCase> all_cases() {
  std::vector<VerifierCase> cases;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(BPFVET_SOURCE_DIR "/tests/data/verifier"))
    if (e.path().extension() == ".txt") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto more = parse_verifier_cases(f.string());
    cases.insert(cases.end(), more.begin(), more.end());
  }
  return cases;
}

class VerifierCaseTest : public ::testing::TestWithParam<VerifierCase> {};

TEST_P(VerifierCaseTest, Verdict) {
  const VerifierCase& c = GetParam();
  auto prog = build_case_program(c);
  ASSERT_TRUE(prog.ok()) << prog.message();
  verifier::VerifyOptions opts;
  opts.kernel = c.kernel;
  opts.unpriv = c.unpriv;
  opts.caps = *isa::parse_caps(c.caps);
  opts.log_level = 2;
  verifier::VerifyResult r = verifier::verify(*prog, opts);
  if (c.expect_accept) {
    EXPECT_TRUE(r.accepted) << c.name << ": rejected with " << (r.error ? r.error->kernel_message : "?") << " at insn "
                            << (r.error ? r.error->insn : -1) << "\n" << r.log;
    EXPECT_GT(r.stats.processed_insns, 0u);
    return;
  }
  ASSERT_FALSE(r.accepted) << c.name << " was accepted\n" << r.log;
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(verifier::error_code_id(r.error->code), c.code) << r.error->kernel_message << "\n" << r.log;
  if (c.insn >= 0) EXPECT_EQ(r.error->insn, c.insn) << r.error->kernel_message << "\n" << r.log;
  if (!c.message.empty())
    EXPECT_NE(r.error->kernel_message.find(c.message), std::string::npos) << r.error->kernel_message;
  EXPECT_FALSE(r.error->explanation.empty());
  EXPECT_FALSE(r.error->hint.empty());
}

INSTANTIATE_TEST_SUITE_P(Cases, VerifierCaseTest, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<VerifierCase>& info) { return info.param.name; });

TEST(VerifierCaseFormat, CoversEveryCheck) {
  auto cases = all_cases();
  EXPECT_GE(cases.size(), 80u);
  std::set<std::string> names;
  for (const auto& c : cases) EXPECT_TRUE(names.insert(c.name).second) << "duplicate case " << c.name;
}

}  // namespace
}  // namespace bpfvet::testing
