// disasm: golden listings for corpus objects and assembly programs, and the
// disasm | asm round trip over every program of every corpus object.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "isa/prog_type.h"
#include "isa/program.h"
#include "tests/cli_helpers.h"

namespace bpfvet::clitest {
namespace {

namespace fs = std::filesystem;

fs::path data_dir() { return fs::path(source_dir()) / "tests/data/cli"; }

// Compares `actual` with the golden file, or rewrites it under BPFVET_BLESS=1.
void check_golden(const fs::path& golden, const std::string& actual) {
  if (blessing()) {
    write_file(golden, actual);
    return;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing: run with BPFVET_BLESS=1 to create it";
  EXPECT_EQ(read_file(golden), actual)
      << "golden " << golden << " differs; if the change is intended, re-bless with BPFVET_BLESS=1";
}

struct GoldenCase {
  const char* name;
  bool from_corpus;  // <build>/corpus/NAME.o, else tests/data/cli/NAME.s
};

class DisasmGolden : public testing::TestWithParam<GoldenCase> {};

TEST_P(DisasmGolden, MatchesListing) {
  const auto& c = GetParam();
  const fs::path input = c.from_corpus ? fs::path(corpus_dir()) / (std::string(c.name) + ".o")
                                       : data_dir() / (std::string(c.name) + ".s");
  const auto r = run_bpfvet({"disasm", input.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  check_golden(data_dir() / "golden" / (std::string(c.name) + ".disasm"), r.out);
}

INSTANTIATE_TEST_SUITE_P(
    Cli, DisasmGolden,
    testing::Values(GoldenCase{"xdp_off_by_one", true}, GoldenCase{"tc_bpf2bpf_calls", true},
                    GoldenCase{"xdp_global_vars", true}, GoldenCase{"branches", false},
                    GoldenCase{"memory", false}, GoldenCase{"subprog", false}, GoldenCase{"isa_v4", false}),
    [](const testing::TestParamInfo<GoldenCase>& i) { return std::string(i.param.name); });

// Listing lines have the kernel log's shape: `IDX: (OPCODE) TEXT`, indices increasing,
// an lddw taking two of them; everything else is a `;` comment.
TEST(Disasm, LineShape) {
  const auto r = run_bpfvet({"disasm", (fs::path(corpus_dir()) / "xdp_global_vars.o").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream is(r.out);
  long expected = 0;
  size_t insns = 0;
  for (std::string line; std::getline(is, line);) {
    if (line.empty() || line[0] == ';') continue;
    unsigned idx = 0, opcode = 0;
    char text[256] = {0};
    ASSERT_EQ(std::sscanf(line.c_str(), "%u: (%2x) %255[^\n]", &idx, &opcode, text), 3) << line;
    EXPECT_EQ(static_cast<long>(idx), expected) << line;
    expected = idx + (opcode == 0x18 ? 2 : 1);
    ++insns;
  }
  EXPECT_GT(insns, 0u);
}

// Every program of every corpus object: disasm --section S --program P, then asm,
// gives exactly the program's bytes.
TEST(Disasm, RoundTripsThroughAsmOnEveryCorpusObject) {
  const auto objects = corpus_objects();
  ASSERT_FALSE(objects.empty()) << "no corpus objects in " << corpus_dir();
  ScratchDir dir;
  size_t checked = 0;
  for (const auto& obj : objects) {
    isa::LoadOptions opts;
    if (auto t = corpus_type(obj); !t.empty()) opts.type = isa::parse_prog_type(t);
    auto loaded = isa::load_object(obj.string(), opts);
    ASSERT_TRUE(loaded) << loaded.message();
    for (const auto& prog : loaded->programs) {
      SCOPED_TRACE(obj.filename().string() + ":" + prog.section + ":" + prog.name);
      const auto listing = run_bpfvet(
          with_corpus_type({"disasm", obj.string(), "--section", prog.section, "--program", prog.name}, obj));
      ASSERT_EQ(listing.status, 0) << listing.err;
      const auto s_path = dir / "prog.s", bin_path = dir / "prog.bin";
      write_file(s_path, listing.out);
      const auto as = run_bpfvet({"asm", s_path.string(), "-o", bin_path.string()});
      ASSERT_EQ(as.status, 0) << as.err;
      const auto bytes = isa::bytes_from_raw(prog.raw);
      EXPECT_EQ(read_file(bin_path), std::string(bytes.begin(), bytes.end()));
      ++checked;
    }
  }
  EXPECT_GE(checked, objects.size());
}

// asm then disasm of the test programs: the raw bytes disassemble to the same
// instruction lines as the text did.
TEST(Disasm, RawBytesListLikeTheirSource) {
  ScratchDir dir;
  for (const char* name : {"branches", "memory", "subprog", "isa_v4"}) {
    SCOPED_TRACE(name);
    const auto src = data_dir() / (std::string(name) + ".s");
    const auto bin = dir / (std::string(name) + ".bin");
    ASSERT_EQ(run_bpfvet({"asm", src.string(), "-o", bin.string()}).status, 0);
    const auto from_text = run_bpfvet({"disasm", src.string()});
    const auto from_raw = run_bpfvet({"disasm", bin.string()});
    ASSERT_EQ(from_text.status, 0) << from_text.err;
    ASSERT_EQ(from_raw.status, 0) << from_raw.err;
    auto insn_lines = [](const std::string& out) {
      std::string keep;
      std::istringstream is(out);
      for (std::string l; std::getline(is, l);)
        if (!l.empty() && l[0] != ';') keep += l + "\n";
      return keep;
    };
    EXPECT_EQ(insn_lines(from_text.out), insn_lines(from_raw.out));
  }
}

}  // namespace
}  // namespace bpfvet::clitest

namespace bpfvet::clitest {
namespace {

size_t count_headers(const std::string& listing) {
  size_t n = 0;
  for (size_t pos = 0; (pos = listing.find("; section ", pos)) != std::string::npos; ++pos) ++n;
  return n;
}

// --section is repeatable, --program picks by function name, --type accepts the tc
// alias, --input-format overrides detection by name.
TEST(InputSelection, SectionProgramTypeAndFormat) {
  const auto obj = (fs::path(corpus_dir()) / "xdp_meta_to_tc.o").string();
  const auto all = run_bpfvet({"disasm", obj});
  ASSERT_EQ(all.status, 0) << all.err;
  EXPECT_EQ(count_headers(all.out), 2u) << all.out;
  const auto one = run_bpfvet({"disasm", obj, "--section", "xdp"});
  ASSERT_EQ(one.status, 0) << one.err;
  EXPECT_EQ(count_headers(one.out), 1u);
  EXPECT_EQ(one.out.rfind("; section xdp, program xdp_meta_store, ", 0), 0u) << one.out;
  const auto both = run_bpfvet({"disasm", obj, "--section", "xdp", "--section", "tc"});
  EXPECT_EQ(count_headers(both.out), 2u);
  const auto by_name = run_bpfvet({"disasm", obj, "--program", "tc_meta_read"});
  ASSERT_EQ(by_name.status, 0) << by_name.err;
  EXPECT_EQ(by_name.out.rfind("; section tc, program tc_meta_read, ", 0), 0u) << by_name.out;

  ScratchDir dir;
  write_file(dir / "ok.s", "r0 = 0\nexit\n");
  const auto tc = run_bpfvet({"verify", (dir / "ok.s").string(), "--type", "tc", "--format", "json"});
  ASSERT_NE(tc.status, 2) << tc.err;
  EXPECT_EQ(nlohmann::json::parse(tc.out)["programs"][0]["type"], "sched_cls");

  // Raw bytes in a file named like assembly: detection would say asm, the flag says raw.
  write_file(dir / "raw.s", std::string("\xb7\x00\x00\x00\x00\x00\x00\x00\x95\x00\x00\x00\x00\x00\x00\x00", 16));
  const auto raw = run_bpfvet({"disasm", (dir / "raw.s").string(), "--input-format", "raw"});
  ASSERT_EQ(raw.status, 0) << raw.err;
  EXPECT_NE(raw.out.find("0: (b7) r0 = 0\n1: (95) exit\n"), std::string::npos) << raw.out;
}

}  // namespace
}  // namespace bpfvet::clitest
