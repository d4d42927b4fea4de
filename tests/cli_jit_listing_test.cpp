// `bpfvet jit --arch x86_64|arm64`: the listing interleaves every BPF instruction with
// its machine code, and every direct branch the disassembly prints lands on the first
// machine instruction of a BPF instruction or on the out-of-line code (never inside an
// instruction: that is how a wrong branch-target base shows up).
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "tests/cli_helpers.h"

namespace bpfvet::clitest {
namespace {

constexpr const char* kLoop = R"(r0 = 0
r2 = 10
loop:
r0 += r2
if r0 > 1000 goto out
r2 -= 1
if r2 != 0 goto loop
out:
exit
)";

struct Listing {
  std::map<uint64_t, int> insn_start;  // machine offset -> BPF pc whose code starts there
  std::set<uint64_t> starts;           // offset of every machine instruction
  std::vector<std::pair<uint64_t, uint64_t>> branches;  // (offset, printed target)
  std::map<int, uint64_t> bpf_first;   // BPF pc -> offset of its first machine instruction
};

Listing parse(const std::string& out, const std::regex& branch) {
  Listing l;
  std::istringstream is(out);
  const std::regex bpf_line(R"(^(\d+): \()");
  const std::regex mc_line(R"(^\s+([0-9a-f]+):\s)");
  int pc = -1;
  bool first = false;
  for (std::string line; std::getline(is, line);) {
    std::smatch m;
    if (std::regex_search(line, m, bpf_line)) {
      pc = std::stoi(m[1]);
      first = true;
    } else if (std::regex_search(line, m, mc_line)) {
      const uint64_t off = std::stoull(m[1], nullptr, 16);
      l.starts.insert(off);
      if (first && pc >= 0) l.bpf_first[pc] = off, first = false;
      std::smatch b;
      if (std::regex_search(line, b, branch)) l.branches.emplace_back(off, std::stoull(b[1], nullptr, 16));
    }
  }
  return l;
}

struct ArchCase {
  const char* arch;
  const char* branch;  // regex capturing the printed target of a direct branch
};

class JitListing : public testing::TestWithParam<ArchCase> {};

TEST_P(JitListing, EveryInsnListedAndBranchesLandOnInstructions) {
  ScratchDir dir;
  write_file(dir / "loop.s", kLoop);
  const auto r = run_bpfvet({"jit", (dir / "loop.s").string(), "--type", "socket_filter", "--arch", GetParam().arch});
  ASSERT_EQ(r.status, 0) << r.err;
  const Listing l = parse(r.out, std::regex(GetParam().branch));
  // Every BPF instruction of the program is in the listing (labels are not insns).
  for (int pc : {0, 1, 2, 3, 4, 5, 6}) EXPECT_NE(r.out.find(std::to_string(pc) + ": ("), std::string::npos) << pc;
  ASSERT_GE(l.branches.size(), 2u) << r.out;
  for (const auto& [at, target] : l.branches)
    EXPECT_TRUE(l.starts.count(target)) << "branch at 0x" << std::hex << at << " prints target 0x" << target
                                         << ", which is not the start of an instruction:\n" << r.out;
  // The backward `goto loop` (pc 5) reaches the code of pc 2, the loop head.
  ASSERT_TRUE(l.bpf_first.count(2)) << r.out;
  bool back = false;
  for (const auto& [at, target] : l.branches) back |= at > target && target == l.bpf_first.at(2);
  EXPECT_TRUE(back) << "no branch back to the loop head at 0x" << std::hex << l.bpf_first.at(2) << ":\n" << r.out;
}

INSTANTIATE_TEST_SUITE_P(Cli, JitListing,
                         testing::Values(ArchCase{"x86_64", R"(\s(?:j[a-z]+|callq)\s+0x([0-9a-f]+)\s*$)"},
                                         ArchCase{"arm64", R"(\s(?:b|b\.[a-z]+|cbn?z|tbn?z|bl)\s+(?:[wx]\d+,\s*(?:#\d+,\s*)?)?#?0x([0-9a-f]+)\s*$)"}),
                         [](const testing::TestParamInfo<ArchCase>& i) { return std::string(i.param.arch); });

}  // namespace
}  // namespace bpfvet::clitest
