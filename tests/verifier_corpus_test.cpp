// Corpus agreement: every program of corpus/{accepted,rejected,asm} verified by bpfvet
// must give the expectation written at the top of its source (EXPECT, CODE, INSN,
// KERNEL), which was derived from the running kernel.  One test per source file, plus
// a summary that prints how many agree.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "isa/program.h"
#include "verifier/verifier.h"

namespace bpfvet::testing {
namespace {

namespace fs = std::filesystem;

struct CorpusCase {
  std::string source;  // path of the .c/.s file
  std::map<std::string, std::string> expect;
  std::string get(const std::string& k) const {
    auto it = expect.find(k);
    return it == expect.end() ? "" : it->second;
  }
};

void PrintTo(const CorpusCase& c, std::ostream* os) { *os << fs::path(c.source).filename().string(); }

CorpusCase read_case(const fs::path& path) {
  CorpusCase c;
  c.source = path.string();
  const bool asm_file = path.extension() == ".s";
  const std::regex re(std::string("^") + (asm_file ? ";" : "//") +
                      R"(\s*(EXPECT|CODE|INSN|KERNEL|TYPE|SECTION):\s*(.*?)\s*$)");
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, re)) break;
    c.expect[m[1]] = m[2];
  }
  return c;
}

std::vector<CorpusCase> corpus_cases() {
  std::vector<CorpusCase> out;
  for (const char* dir : {"accepted", "rejected", "asm"}) {
    fs::path d = fs::path(BPFVET_SOURCE_DIR) / "corpus" / dir;
    if (!fs::exists(d)) continue;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(d))
      if (e.path().extension() == ".c" || e.path().extension() == ".s") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) out.push_back(read_case(f));
  }
  return out;
}

// The built object (or copied .s) of a corpus source.
fs::path built_path(const CorpusCase& c) {
  fs::path src(c.source);
  std::string name = src.stem().string() + (src.extension() == ".s" ? ".s" : ".o");
  return fs::path(BPFVET_CORPUS_DIR) / name;
}

// Verifies every selected program of the case; "" when all agree, else why not.
std::string check_case(const CorpusCase& c) {
  fs::path obj = built_path(c);
  if (!fs::exists(obj)) return "not built: " + obj.string();
  isa::LoadOptions lo;
  if (!c.get("TYPE").empty()) lo.type = isa::parse_prog_type(c.get("TYPE"));
  if (!c.get("SECTION").empty()) lo.sections.push_back(c.get("SECTION"));
  auto loaded = isa::load_object(obj.string(), lo);
  if (!loaded) return "load failed: " + loaded.message();
  if (loaded->programs.empty()) return "no programs";
  const bool want_accept = c.get("EXPECT") == "accepted";
  std::string problems;
  for (const auto& prog : loaded->programs) {
    verifier::VerifyOptions opts;
    verifier::VerifyResult r = verifier::verify(prog, opts);
    std::string where = prog.section + "/" + prog.name + ": ";
    if (want_accept) {
      if (!r.accepted)
        problems += where + "rejected at insn " + std::to_string(r.error->insn) + ": " + r.error->kernel_message + "\n";
      continue;
    }
    if (r.accepted) {
      problems += where + "accepted, kernel rejects with " + c.get("KERNEL") + "\n";
      continue;
    }
    const auto& e = *r.error;
    if (e.kernel_message.find(c.get("KERNEL")) == std::string::npos &&
        c.get("KERNEL").find(e.kernel_message) == std::string::npos)
      problems += where + "message '" + e.kernel_message + "' vs kernel '" + c.get("KERNEL") + "'\n";
    if (verifier::error_code_id(e.code) != c.get("CODE"))
      problems += where + "code " + verifier::error_code_id(e.code) + " vs " + c.get("CODE") + "\n";
    if (c.get("INSN") != "-1" && std::to_string(e.insn) != c.get("INSN"))
      problems += where + "insn " + std::to_string(e.insn) + " vs " + c.get("INSN") + "\n";
  }
  return problems;
}

// Programs bpfvet does not model yet, with the reason.  A listed program that starts
// agreeing fails the test, so the list only ever shrinks.
const std::map<std::string, std::string>& known_gaps() {
  static const std::map<std::string, std::string> gaps = {};
  return gaps;
}

class VerifierCorpusTest : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(VerifierCorpusTest, AgreesWithKernelExpectation) {
  const CorpusCase& c = GetParam();
  if (!fs::exists(built_path(c))) GTEST_SKIP() << "corpus object not built";
  std::string problems = check_case(c);
  auto gap = known_gaps().find(fs::path(c.source).filename().string());
  if (gap != known_gaps().end()) {
    ASSERT_FALSE(problems.empty()) << c.source << " now agrees: remove it from known_gaps()";
    GTEST_SKIP() << "known gap: " << gap->second << "\n" << problems;
  }
  EXPECT_TRUE(problems.empty()) << c.source << "\n" << problems;
}

INSTANTIATE_TEST_SUITE_P(Corpus, VerifierCorpusTest, ::testing::ValuesIn(corpus_cases()),
                         [](const ::testing::TestParamInfo<CorpusCase>& info) {
                           std::string n = fs::path(info.param.source).stem().string();
                           std::replace_if(n.begin(), n.end(), [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); }, '_');
                           return n;
                         });

TEST(VerifierCorpusSummary, ReportsAgreement) {
  auto cases = corpus_cases();
  size_t built = 0, agree = 0;
  std::string disagreements;
  for (const auto& c : cases) {
    if (!fs::exists(built_path(c))) continue;
    ++built;
    std::string p = check_case(c);
    if (p.empty()) ++agree;
    else disagreements += "  " + fs::path(c.source).filename().string() + "\n";
  }
  if (built == 0) GTEST_SKIP() << "corpus not built";
  std::cout << "[ corpus ] bpfvet agrees with the kernel on " << agree << " of " << built << " corpus programs\n"
            << disagreements;
  EXPECT_GT(agree, 0u);
}

}  // namespace
}  // namespace bpfvet::testing
