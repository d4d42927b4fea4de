// Golden verifier logs: each tests/data/verifier/golden/NAME.s (header lines `; TYPE:`,
// `; LEVEL:`, `; MAP: NAME TYPE KEY VALUE ENTRIES`) is verified at its log level and the
// log compared with NAME.log.  BPFVET_BLESS=1 rewrites the .log files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "isa/assembler.h"
#include "tests/verifier_case_format.h"
#include "verifier/verifier.h"

namespace bpfvet::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> golden_names() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(BPFVET_SOURCE_DIR "/tests/data/verifier/golden"))
    if (e.path().extension() == ".s") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class GoldenLogTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenLogTest, MatchesGolden) {
  const fs::path dir = BPFVET_SOURCE_DIR "/tests/data/verifier/golden";
  const std::string text = read_file(dir / (GetParam() + ".s"));
  VerifierCase c;
  c.program = text;
  c.name = GetParam();
  int level = 1;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("; TYPE:", 0) == 0) c.type = trim(line.substr(7));
    if (line.rfind("; LEVEL:", 0) == 0) level = std::stoi(trim(line.substr(8)));
    if (line.rfind("; MAP:", 0) == 0) {
      std::istringstream ms(line.substr(6));
      isa::MapDef m;
      std::string type;
      ms >> m.name >> type >> m.key_size >> m.value_size >> m.max_entries;
      m.type = parse_map_type(type);
      c.maps.push_back(m);
    }
  }
  auto prog = build_case_program(c);
  ASSERT_TRUE(prog.ok()) << prog.message();
  verifier::VerifyOptions opts;
  opts.log_level = level;
  verifier::VerifyResult r = verifier::verify(*prog, opts);
  ASSERT_FALSE(r.log.empty());
  const fs::path golden = dir / (GetParam() + ".log");
  const char* bless = std::getenv("BPFVET_BLESS");
  if (bless && std::string(bless) == "1") {
    std::ofstream(golden) << r.log;
    GTEST_SKIP() << "blessed " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << "missing " << golden << " (run with BPFVET_BLESS=1)";
  EXPECT_EQ(r.log, read_file(golden));
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenLogTest, ::testing::ValuesIn(golden_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace bpfvet::testing
