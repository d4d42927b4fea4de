// Agreement with LLVM 14: our printed text assembles with llvm-mc-14 to our bytes,
// LLVM's MC disassembly of our bytes is the same instruction (its text assembled
// by our assembler gives the bytes back), llvm14_support() is exact, and every
// program section of the corpus objects decodes the same way in both.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "isa/assembler.h"
#include "isa/insn.h"
#include "isa/llvm_disasm.h"
#include "isa/printer.h"
#include "tests/isa_forms.h"
#include "tests/support/llvm_object_sections.h"

namespace bpfvet::isa {
namespace {

namespace fs = std::filesystem;
using testing::all_forms;
using testing::hex_bytes;

std::optional<std::string> find_llvm_mc() {
  for (const char* p : {"/usr/bin/llvm-mc-14", "/usr/lib/llvm-14/bin/llvm-mc"})
    if (::access(p, X_OK) == 0) return std::string(p);
  return std::nullopt;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs llvm-mc over one instruction per line; returns each line's encoding, or the
// error llvm-mc gave for it.
struct McLine {
  std::string error;
  std::vector<uint8_t> bytes;
};

std::vector<McLine> run_llvm_mc(const std::string& mc, const std::vector<std::string>& lines) {
  char dir_template[] = "/tmp/bpfvet_llvm_mc_XXXXXX";
  const char* dir = ::mkdtemp(dir_template);
  if (dir == nullptr) return {};
  const fs::path in = fs::path(dir) / "in.s", out = fs::path(dir) / "out.txt",
                 err = fs::path(dir) / "err.txt";
  {
    std::ofstream f(in);
    for (const auto& l : lines) f << l << '\n';
  }
  const std::string cmd = mc + " -triple bpfel -mattr=+alu32 -show-encoding " + in.string() + " > " +
                          out.string() + " 2> " + err.string();
  (void)std::system(cmd.c_str());
  std::vector<McLine> result(lines.size());
  std::vector<bool> failed(lines.size(), false);
  std::istringstream errs(read_file(err));
  for (std::string l; std::getline(errs, l);) {
    // "/tmp/.../in.s:LINE:COL: error: message"
    const size_t at = l.find("in.s:");
    if (at == std::string::npos || l.find("error:") == std::string::npos) continue;
    const size_t n = std::strtoul(l.c_str() + at + 5, nullptr, 10);
    if (n >= 1 && n <= lines.size()) {
      failed[n - 1] = true;
      result[n - 1].error = l.substr(l.find("error:"));
    }
  }
  std::istringstream outs(read_file(out));
  size_t next = 0;
  for (std::string l; std::getline(outs, l);) {
    const size_t enc = l.find("# encoding: [");
    if (enc == std::string::npos) continue;
    while (next < lines.size() && failed[next]) ++next;
    if (next >= lines.size()) break;
    std::string list = l.substr(enc + 13);
    for (size_t p = list.find("0x"); p != std::string::npos; p = list.find("0x", p + 2))
      result[next].bytes.push_back(static_cast<uint8_t>(std::strtoul(list.c_str() + p, nullptr, 16)));
    ++next;
  }
  fs::remove_all(dir);
  return result;
}

std::vector<Insn> forms_with(std::initializer_list<Llvm14Support> levels) {
  std::vector<Insn> out;
  for (const Insn& in : all_forms())
    for (Llvm14Support l : levels)
      if (llvm14_support(in) == l) out.push_back(in);
  return out;
}

TEST(LlvmMc, AssemblesOurTextToOurBytes) {
  const auto mc = find_llvm_mc();
  if (!mc) GTEST_SKIP() << "llvm-mc-14 is not installed";
  const auto forms = forms_with({Llvm14Support::Full});
  ASSERT_GT(forms.size(), 500u);
  std::vector<std::string> lines;
  for (const Insn& in : forms) lines.push_back(print_insn(in, 0));
  const auto got = run_llvm_mc(*mc, lines);
  ASSERT_EQ(got.size(), lines.size());
  for (size_t i = 0; i < forms.size(); ++i) {
    EXPECT_EQ(got[i].error, "") << lines[i];
    if (!got[i].error.empty()) continue;
    EXPECT_EQ(
        hex_bytes(raw_from_bytes(got[i].bytes).ok() ? *raw_from_bytes(got[i].bytes) : std::vector<RawInsn>{}),
        hex_bytes(encode(forms[i])))
        << lines[i];
  }
}

TEST(LlvmMc, CannotAssembleWhatIsNotClassifiedFull) {
  // The other half of llvm14_support()'s exactness: for every form not classified
  // Full, llvm-mc rejects our text or encodes something else.
  const auto mc = find_llvm_mc();
  if (!mc) GTEST_SKIP() << "llvm-mc-14 is not installed";
  const auto forms = forms_with({Llvm14Support::None, Llvm14Support::DisasmOnly});
  std::vector<std::string> lines;
  for (const Insn& in : forms) lines.push_back(print_insn(in, 0));
  const auto got = run_llvm_mc(*mc, lines);
  ASSERT_EQ(got.size(), lines.size());
  for (size_t i = 0; i < forms.size(); ++i)
    EXPECT_FALSE(got[i].error.empty() && got[i].bytes == bytes_from_raw(encode(forms[i])))
        << lines[i] << " assembles with llvm-mc-14 but is not classified Full";
}

TEST(LlvmMc, AssemblesTheDisasmListingLines) {
  // The `IDX: (OPCODE)` prefix is ours; the TEXT after it is what LLVM must accept,
  // including the kernel's memory-offset spelling `(r10 -8)`.
  const auto mc = find_llvm_mc();
  if (!mc) GTEST_SKIP() << "llvm-mc-14 is not installed";
  const std::vector<Insn> forms = {make::load(4, false, 2, 1, 0), make::store_reg(8, 10, 1, -8),
                                   make::atomic(AtomicOp::Add, 8, 10, 1, -8), make::ld_imm64(1, 0x1234)};
  std::vector<std::string> lines;
  for (const Insn& in : forms) {
    const std::string line = disasm_line(in, 12);
    lines.push_back(line.substr(line.find(") ") + 2));
  }
  EXPECT_EQ(lines[0], "r2 = *(u32 *)(r1 +0)");
  EXPECT_EQ(lines[1], "*(u64 *)(r10 -8) = r1");
  const auto got = run_llvm_mc(*mc, lines);
  for (size_t i = 0; i < forms.size(); ++i) {
    EXPECT_EQ(got[i].error, "") << lines[i];
    EXPECT_EQ(got[i].bytes, bytes_from_raw(encode(forms[i]))) << lines[i];
  }
}

class LlvmMcApi : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = LlvmDisassembler::create();
    ASSERT_TRUE(d.ok()) << d.message();
    disasm_ = std::move(*d);
  }
  std::unique_ptr<LlvmDisassembler> disasm_;
};

TEST_F(LlvmMcApi, DisassemblesOurBytesToTheSameInstruction) {
  size_t checked = 0;
  for (const Insn& in : forms_with({Llvm14Support::Full, Llvm14Support::DisasmOnly})) {
    const auto raw = encode(in);
    const auto bytes = bytes_from_raw(raw);
    const auto llvm = disasm_->disassemble(bytes);
    const std::string ours = print_insn(in, 0);
    ASSERT_EQ(llvm.size(), 1u) << ours;
    ASSERT_TRUE(llvm[0].valid) << ours << " (" << hex_bytes(raw) << ") is invalid for LLVM";
    EXPECT_EQ(llvm[0].size, bytes.size()) << ours;
    auto back = assemble(llvm[0].text);
    ASSERT_TRUE(back.ok()) << "LLVM's '" << llvm[0].text << "' for our '" << ours << "': " << back.message();
    EXPECT_EQ(hex_bytes(*back), hex_bytes(raw)) << "LLVM: " << llvm[0].text << " ours: " << ours;
    ++checked;
  }
  EXPECT_GT(checked, 600u);
}

TEST_F(LlvmMcApi, SupportClassificationIsExact) {
  // A form classified None must really be unknown to LLVM 14: either rejected, or
  // decoded as a different instruction.
  for (const Insn& in : forms_with({Llvm14Support::None})) {
    const auto raw = encode(in);
    const auto llvm = disasm_->disassemble(bytes_from_raw(raw));
    if (llvm.empty() || !llvm[0].valid) continue;
    auto back = assemble(llvm[0].text);
    const bool same = back.ok() && hex_bytes(*back) == hex_bytes(raw) && llvm.size() == 1;
    EXPECT_FALSE(same) << print_insn(in, 0) << " is classified None, but LLVM 14 decodes it as "
                       << llvm[0].text;
  }
}

TEST_F(LlvmMcApi, GoldenTexts) {
  struct Row {
    Insn in;
    const char* llvm;
  };
  const Row rows[] = {
      {make::alu(AluOp::Add, false, 1, 2), "w1 += w2"},
      {make::load(1, false, 0, 1, 0), "w0 = *(u8 *)(r1 + 0)"},
      {make::ld_imm64(1, 0x1234), "r1 = 4660 ll"},
      {make::atomic(AtomicOp::FetchAdd, 8, 1, 2, 0), "r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)"},
      {make::atomic(AtomicOp::CmpXchg, 4, 1, 2, 8), "w0 = cmpxchg32_32(r1 + 8, w0, w2)"},
      {make::ld_imm64(1, 3, Pseudo::MapFd), "ld_pseudo r1, 1, 3"},
      {make::jmp_imm(JmpOp::Jslt, false, 1, 5, -2), "if w1 s< 5 goto -2"},
  };
  for (const Row& r : rows) {
    const auto llvm = disasm_->disassemble(bytes_from_raw(encode(r.in)));
    ASSERT_EQ(llvm.size(), 1u);
    EXPECT_EQ(llvm[0].text, r.llvm);
  }
  const uint8_t junk[] = {0xff, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3};
  const auto llvm = disasm_->disassemble(junk);
  ASSERT_EQ(llvm.size(), 3u);
  EXPECT_FALSE(llvm[0].valid);
  EXPECT_EQ(llvm[1].text, "exit");
  EXPECT_FALSE(llvm[2].valid);
  EXPECT_EQ(llvm[2].size, 3u);
}

// Every program section of every corpus object: our decoder and LLVM agree.
TEST_F(LlvmMcApi, CorpusObjectsDecodeTheSame) {
  const fs::path dir = BPFVET_CORPUS_DIR;
  std::vector<fs::path> objects;
  std::error_code ec;
  if (fs::is_directory(dir, ec))
    for (const auto& e : fs::recursive_directory_iterator(dir, ec))
      if (e.path().extension() == ".o") objects.push_back(e.path());
  if (objects.empty()) GTEST_SKIP() << "no corpus objects in " << dir;
  size_t sections = 0, compared = 0;
  for (const fs::path& path : objects) {
    std::vector<testsupport::LlvmExecSection> secs;
    std::string error;
    if (!testsupport::llvm_exec_sections(path.string(), secs, error)) {
      ADD_FAILURE() << path << ": not an object file: " << error;
      continue;
    }
    for (const auto& sec : secs) {
      const std::string where = path.filename().string() + ":" + sec.name;
      const std::span<const uint8_t> bytes(sec.bytes);
      auto raw = raw_from_bytes(bytes);
      ASSERT_TRUE(raw.ok()) << where << ": " << raw.message();
      auto ours = decode(*raw);
      ASSERT_TRUE(ours.ok()) << where << ": " << ours.message();
      const auto llvm = disasm_->disassemble(bytes);
      ++sections;
      size_t li = 0;
      for (size_t pc = 0; pc < ours->size(); ++pc) {
        const Insn& in = (*ours)[pc];
        if (in.kind == Kind::LdImm64Hi) continue;
        const auto slot_bytes = encode(in);
        // Our own text round-trips on real code.
        const std::string text = print_insn(in, static_cast<int64_t>(pc));
        auto back = assemble(text);
        ASSERT_TRUE(back.ok()) << where << " insn " << pc << ": " << text << ": " << back.message();
        EXPECT_EQ(hex_bytes(*back), hex_bytes(slot_bytes)) << where << " insn " << pc << ": " << text;
        // LLVM walks the same instruction boundaries.
        while (li < llvm.size() && llvm[li].offset < pc * 8) ++li;
        ASSERT_LT(li, llvm.size()) << where << " insn " << pc;
        ASSERT_EQ(llvm[li].offset, pc * 8) << where << " insn " << pc;
        if (llvm14_support(in) == Llvm14Support::None) continue;
        ASSERT_TRUE(llvm[li].valid) << where << " insn " << pc << ": LLVM rejects " << text;
        EXPECT_EQ(llvm[li].size, slot_bytes.size() * 8) << where << " insn " << pc;
        auto from_llvm = assemble(llvm[li].text);
        ASSERT_TRUE(from_llvm.ok()) << where << " insn " << pc << ": LLVM's " << llvm[li].text << ": "
                                    << from_llvm.message();
        EXPECT_EQ(hex_bytes(*from_llvm), hex_bytes(slot_bytes))
            << where << " insn " << pc << ": LLVM " << llvm[li].text << " ours " << text;
        ++compared;
      }
    }
  }
  EXPECT_GT(sections, 0u);
  EXPECT_GT(compared, 0u);
}

}  // namespace
}  // namespace bpfvet::isa
