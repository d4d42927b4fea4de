// The x86-64 lowering's layout decisions, read back from the machine code with LLVM's
// disassembler: small loops are kept inside one 64-byte line (NOP padding ahead of the
// head only when the loop would straddle two), and nothing else is padded.  That the
// padded code computes the right values is the semantics suite's job (loop_align.txt).
#include <gtest/gtest.h>

#include <string>

#include "isa/assembler.h"
#include "jit/x86_64/x86_disasm.h"
#include "jit/x86_64/x86_lower.h"

namespace bpfvet::jit::x86 {
namespace {

struct LoopCase {
  int before;  // four-byte adds ahead of the loop
  int body;    // loop slots, the backward jump included
};

// r1 = 0; r3 = 0; `before` x r3 += 1; loop: r3 += 1 x (body - 2); r1 += 1; if r1 < 9 goto loop.
std::string loop_program(const LoopCase& c) {
  std::string s = "r1 = 0\nr3 = 0\n";
  for (int i = 0; i < c.before; ++i) s += "r3 += 1\n";
  s += "loop:\n";
  for (int i = 0; i < c.body - 2; ++i) s += "r3 += 1\n";
  s += "r1 += 1\nif r1 < 9 goto loop\nr0 = r3\nexit\n";
  return s;
}

class X86LoopAlign : public testing::TestWithParam<LoopCase> {};

TEST_P(X86LoopAlign, SmallLoopStaysInOneLine) {
  const LoopCase& c = GetParam();
  auto raw = isa::assemble(loop_program(c), "loop");
  ASSERT_TRUE(raw) << raw.message();
  auto prog = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "loop");
  ASSERT_TRUE(prog) << prog.message();
  LowerEnv env;
  env.ld_imm64 = [](const isa::Insn&) -> Result<uint64_t> { return uint64_t{0}; };
  auto code = compile_program(*prog, env);
  ASSERT_TRUE(code) << code.message();
  auto dis = X86Disassembler::create();
  ASSERT_TRUE(dis) << dis.message();
  const size_t head_slot = 2 + c.before, jump_slot = head_slot + c.body - 1;
  const size_t slot_start = code->insn_offset[head_slot];
  const size_t loop_end = code->insn_offset[jump_slot + 1];
  // The head's own instruction starts after any NOPs listed with its slot.
  size_t head = slot_start, nops = 0;
  for (const auto& in : (*dis)->disassemble(code->code)) {
    if (in.offset < slot_start) continue;
    if (in.text.rfind("nop", 0) != 0) break;
    head = in.offset + in.size;
    ++nops;
  }
  const size_t size = loop_end - head;
  ASSERT_LE(size, 64u) << "the test's loops are small";
  EXPECT_LE(head % 64 + size, 64u) << "loop [" << head << ", " << loop_end << ") straddles a 64-byte line";
  if (slot_start % 64 + size <= 64) EXPECT_EQ(nops, 0u) << "a loop inside one line is not padded";
  else EXPECT_EQ(head % 64, 0u) << "a padded loop starts a line";
  // No NOPs anywhere else in the program.
  size_t total_nops = 0;
  for (const auto& in : (*dis)->disassemble(code->code)) total_nops += in.text.rfind("nop", 0) == 0;
  EXPECT_EQ(total_nops, nops);
}

std::vector<LoopCase> loop_cases() {
  std::vector<LoopCase> v;
  for (int before = 0; before < 20; ++before)
    for (int body : {2, 5, 9, 13}) v.push_back({before, body});
  return v;
}

INSTANTIATE_TEST_SUITE_P(Layouts, X86LoopAlign, testing::ValuesIn(loop_cases()),
                         [](const testing::TestParamInfo<LoopCase>& i) {
                           return "before" + std::to_string(i.param.before) + "_body" + std::to_string(i.param.body);
                         });

// A loop longer than a line is left where it falls: no padding at all.
TEST(X86LoopAlign, LoopLongerThanALineIsNotPadded) {
  auto raw = isa::assemble(loop_program({7, 30}), "long");
  ASSERT_TRUE(raw) << raw.message();
  auto prog = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "long");
  ASSERT_TRUE(prog) << prog.message();
  LowerEnv env;
  auto code = compile_program(*prog, env);
  ASSERT_TRUE(code) << code.message();
  auto dis = X86Disassembler::create();
  ASSERT_TRUE(dis) << dis.message();
  for (const auto& in : (*dis)->disassemble(code->code)) EXPECT_NE(in.text.rfind("nop", 0), 0u) << in.offset;
}

}  // namespace
}  // namespace bpfvet::jit::x86
