// Printer golden table: rows of (bytes, expected text) in tests/data/asm/printer_golden.txt,
// one per representative form, plus the `IDX: (OPCODE) TEXT` listing format.
// Re-bless the golden file after an intended spelling change with
//   BPFVET_BLESS=1 build/tests/isa_tests --gtest_filter='PrinterGolden.*'
// and review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "isa/assembler.h"
#include "isa/insn.h"
#include "isa/printer.h"

namespace bpfvet::isa {
namespace {

const std::string kGolden = std::string(BPFVET_SOURCE_DIR) + "/tests/data/asm/printer_golden.txt";
constexpr std::string_view kArrow = " => ";

struct GoldenRow {
  int line = 0;
  std::string hex;   // "61 12 00 00 00 00 00 00" (16 bytes for lddw)
  std::string text;  // expected print_insn output
};

std::vector<uint8_t> parse_hex(const std::string& hex) {
  std::vector<uint8_t> out;
  std::istringstream in(hex);
  for (std::string byte; in >> byte;) out.push_back(static_cast<uint8_t>(std::stoul(byte, nullptr, 16)));
  return out;
}

// Lines are "HEX => TEXT"; '#' lines and blank lines are kept verbatim when blessing.
std::vector<std::string> read_lines() {
  std::ifstream f(kGolden);
  std::vector<std::string> lines;
  for (std::string l; std::getline(f, l);) lines.push_back(l);
  return lines;
}

std::string printed(const std::string& hex) {
  auto raw = raw_from_bytes(parse_hex(hex));
  if (!raw) return "<" + raw.message() + ">";
  auto insns = decode(*raw);
  if (!insns) return "<" + insns.message() + ">";
  return print_insn(insns->front(), 0);
}

TEST(PrinterGolden, EveryRowPrintsAsExpected) {
  const auto lines = read_lines();
  ASSERT_FALSE(lines.empty()) << "cannot read " << kGolden;
  const bool bless = std::getenv("BPFVET_BLESS") != nullptr;
  std::vector<std::string> blessed;
  size_t rows = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    const size_t arrow = l.find(kArrow);
    if (l.empty() || l[0] == '#' || arrow == std::string::npos) {
      blessed.push_back(l);
      continue;
    }
    const std::string hex = l.substr(0, arrow);
    const std::string want = l.substr(arrow + kArrow.size());
    const std::string got = printed(hex);
    blessed.push_back(hex + std::string(kArrow) + got);
    if (!bless) EXPECT_EQ(got, want) << kGolden << ":" << i + 1 << ": " << hex;
    ++rows;
  }
  EXPECT_GE(rows, 60u);
  if (bless) {
    std::ofstream out(kGolden);
    for (const auto& l : blessed) out << l << '\n';
  }
}

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// tests/data/asm/sample.s assembles; its listing matches sample.lst and assembles back.
TEST(PrinterGolden, SampleProgramListing) {
  const std::string dir = std::string(BPFVET_SOURCE_DIR) + "/tests/data/asm/";
  auto a = assemble(read_text(dir + "sample.s"), "sample.s");
  ASSERT_TRUE(a.ok()) << a.message();
  auto insns = decode(*a);
  ASSERT_TRUE(insns.ok()) << insns.message();
  std::string listing;
  for (size_t pc = 0; pc < insns->size(); ++pc) {
    const std::string line = disasm_line((*insns)[pc], static_cast<int64_t>(pc));
    if (!line.empty()) listing += line + "\n";
  }
  if (std::getenv("BPFVET_BLESS") != nullptr) std::ofstream(dir + "sample.lst") << listing;
  EXPECT_EQ(listing, read_text(dir + "sample.lst"));
  auto again = assemble(listing, "sample.lst");
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_EQ(*again, *a);
}

struct LineRow {
  Insn insn;
  int64_t pc;
  const char* line;
};

class DisasmLine : public ::testing::TestWithParam<LineRow> {};

TEST_P(DisasmLine, HasIndexOpcodeAndText) {
  EXPECT_EQ(disasm_line(GetParam().insn, GetParam().pc), GetParam().line);
}

INSTANTIATE_TEST_SUITE_P(
    Listing, DisasmLine,
    ::testing::Values(LineRow{make::load(4, false, 2, 1, 0), 12, "12: (61) r2 = *(u32 *)(r1 +0)"},
                      LineRow{make::alu(AluOp::Mov, true, 6, 1), 0, "0: (bf) r6 = r1"},
                      LineRow{make::exit(), 1234567, "1234567: (95) exit"},
                      LineRow{make::ld_imm64(1, 0xdeadbeef), 3, "3: (18) r1 = 0xdeadbeef ll"},
                      LineRow{make::jmp(JmpOp::Jgt, true, 1, 2, 3), 7, "7: (2d) if r1 > r2 goto +3"},
                      LineRow{make::store_imm(4, 10, -4, 0), 2, "2: (62) *(u32 *)(r10 -4) = 0"}));

TEST(DisasmLine, SecondSlotOfLddwIsSkipped) {
  Insn hi;
  hi.kind = Kind::LdImm64Hi;
  EXPECT_EQ(print_insn(hi, 4), "");
  EXPECT_EQ(disasm_line(hi, 4), "");
}

TEST(PrintInsn, JumpTextDoesNotDependOnPc) {
  // Offsets are relative in both the kernel's and LLVM's syntax.
  const Insn j = make::ja(-5);
  EXPECT_EQ(print_insn(j, 0), "goto -5");
  EXPECT_EQ(print_insn(j, 100), "goto -5");
  EXPECT_EQ(print_insn(make::call_local(-100), 100), "call pc-100");
}

}  // namespace
}  // namespace bpfvet::isa
