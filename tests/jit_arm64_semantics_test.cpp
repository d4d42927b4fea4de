// The semantics suite on the arm64 engine: every case of tests/data/semantics/*.txt
// compiled by the ARM64 JIT and run in unicorn, checked and unchecked, with LSE
// atomics and with the LL/SC fallback, must return the pinned r0 (as the interpreter
// does, tests/jit_semantics_test.cpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "isa/assembler.h"
#include "jit/arm64/arm64_emulator.h"

namespace bpfvet::jit {
namespace {

struct Case {
  std::string file, name, text;
  uint64_t expect = 0;
};

std::vector<Case> load_cases() {
  std::vector<Case> out;
  const std::filesystem::path dir = std::filesystem::path(BPFVET_SOURCE_DIR) / "tests/data/semantics";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".txt") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    Case cur;
    while (std::getline(in, line)) {
      if (line.rfind("== ", 0) == 0) {
        cur = Case{f.stem().string(), line.substr(3), "", 0};
      } else if (line.rfind("=> ", 0) == 0) {
        cur.expect = std::stoull(line.substr(3), nullptr, 0);
        out.push_back(cur);
      } else if (!line.empty() && line[0] != '#') {
        cur.text += line + "\n";
      }
    }
  }
  return out;
}

RunRequest request(const isa::Program& p) {
  RunRequest req;
  req.program = &p;
  req.input.type = isa::ProgType::SocketFilter;
  req.input.data.resize(64);
  for (size_t i = 0; i < req.input.data.size(); ++i) req.input.data[i] = static_cast<uint8_t>(i);
  return req;
}

class Arm64Semantics : public testing::TestWithParam<Case> {};

TEST_P(Arm64Semantics, EmulatedArm64MatchesPinnedResult) {
  if (auto st = arm64::emulator_available(); !st) GTEST_SKIP() << st.message();
  const Case& c = GetParam();
  auto raw = isa::assemble(c.text, c.file + ":" + c.name);
  ASSERT_TRUE(raw) << raw.message();
  auto prog = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "sem");
  ASSERT_TRUE(prog) << prog.message();
  for (bool checked : {false, true}) {
    for (bool lse : {true, false}) {
      auto s = arm64::Arm64Session::create(request(*prog), checked, lse);
      ASSERT_TRUE(s) << s.message();
      auto r0 = (*s)->run();
      ASSERT_TRUE(r0) << r0.message() << "\n" << c.text;
      EXPECT_EQ(*r0, c.expect) << (checked ? "checked" : "unchecked") << (lse ? ", LSE" : ", LL/SC")
                               << " run of\n"
                               << c.text;
      EXPECT_GT((*s)->executed(), 0u);
    }
  }
}

std::string case_name(const testing::TestParamInfo<Case>& info) {
  std::string s = info.param.file + "_" + info.param.name;
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Suite, Arm64Semantics, testing::ValuesIn(load_cases()), case_name);

}  // namespace
}  // namespace bpfvet::jit
