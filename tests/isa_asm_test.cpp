// Assembler tests: every opcode form round-trips (encode -> print -> assemble),
// both the kernel-log and the LLVM spellings assemble to the expected bytes,
// labels resolve, and every class of bad input yields its one-line error.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "isa/assembler.h"
#include "isa/insn.h"
#include "isa/printer.h"
#include "tests/isa_forms.h"

namespace bpfvet::isa {
namespace {

using testing::all_forms;
using testing::hex_bytes;

// ---- Round trip over every form -----------------------------------------------

class RoundTrip : public ::testing::TestWithParam<Insn> {};

TEST_P(RoundTrip, PrintThenAssembleGivesTheSameBytes) {
  const Insn& in = GetParam();
  ASSERT_NE(in.kind, Kind::Invalid);
  const std::vector<RawInsn> expected = encode(in);
  const std::string text = print_insn(in, 0);
  auto got = assemble(text);
  ASSERT_TRUE(got.ok()) << text << ": " << got.message();
  EXPECT_EQ(hex_bytes(*got), hex_bytes(expected)) << text;

  // The listing line (index and opcode prefix) pastes back in too.
  const std::string line = disasm_line(in, 12);
  auto again = assemble(line);
  ASSERT_TRUE(again.ok()) << line << ": " << again.message();
  EXPECT_EQ(hex_bytes(*again), hex_bytes(expected)) << line;

  // Decoding the assembled bytes prints the same text.
  auto decoded = decode(*got);
  ASSERT_TRUE(decoded.ok()) << decoded.message();
  EXPECT_EQ(print_insn(decoded->front(), 0), text);
}

std::string form_name(const ::testing::TestParamInfo<Insn>& info) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%zu_op%02x", info.index, info.param.opcode);
  return buf;
}

INSTANTIATE_TEST_SUITE_P(AllForms, RoundTrip, ::testing::ValuesIn(all_forms()), form_name);

TEST(RoundTrip, CoversEveryOpcodeOfTheTable) {
  // Every opcode byte that decodes to some valid instruction appears among the forms.
  std::vector<bool> seen(256, false);
  for (const Insn& in : all_forms()) seen[in.opcode] = true;
  for (int op = 0; op < 256; ++op) {
    bool valid = false;
    const RawInsn hi{};
    for (int regs : {0x00, 0x10, 0x21, 0x40, 0x60})
      for (int16_t off : {0, 1, 8})
        for (int32_t imm : {0, 1, 16, 0x100, 0x110})
          valid =
              valid ||
              decode_one(RawInsn{static_cast<uint8_t>(op), static_cast<uint8_t>(regs), off, imm}, &hi).ok();
    if (valid) {
      EXPECT_TRUE(seen[op]) << "opcode 0x" << std::hex << op << " has no form in the round trip";
    }
  }
}

// ---- Spellings: kernel log, LLVM, ours -------------------------------------------

struct Spelling {
  const char* text;
  const char* hex;  // expected bytes
};

class Spellings : public ::testing::TestWithParam<Spelling> {};

TEST_P(Spellings, AssembleToTheExpectedBytes) {
  const Spelling& s = GetParam();
  auto got = assemble(s.text);
  ASSERT_TRUE(got.ok()) << s.text << ": " << got.message();
  EXPECT_EQ(hex_bytes(*got), s.hex) << s.text;
}

const Spelling kSpellings[] = {
    // Memory operands with and without spaces.
    {"r0 = *(u32 *)(r1 + 4)", "61 10 04 00 00 00 00 00"},
    {"r0 = *(u32 *)(r1 +4)", "61 10 04 00 00 00 00 00"},
    {"r0 = *(u32 *)(r1)", "61 10 00 00 00 00 00 00"},
    {"w0 = *(u8 *)(r1 + 0)", "71 10 00 00 00 00 00 00"},
    {"r0 = *(u64 *)(r10 - 8)", "79 a0 f8 ff 00 00 00 00"},
    {"r0 = *(u64 *)(r10 -0x8)", "79 a0 f8 ff 00 00 00 00"},
    {"r0 = *(u64 *)(r10 + -8)", "79 a0 f8 ff 00 00 00 00"},
    {"*(u8 *)(r1 + 0) = w2", "73 21 00 00 00 00 00 00"},
    {"*(u32 *)(r10 -4) = 0xffffffff", "62 0a fc ff ff ff ff ff"},
    // Jumps: kernel `pc+N`, LLVM `+N`, kernel hex immediates.
    {"goto pc+3", "05 00 03 00 00 00 00 00"},
    {"goto +3", "05 00 03 00 00 00 00 00"},
    {"goto pc-1", "05 00 ff ff 00 00 00 00"},
    {"if r1 > r2 goto pc+3", "2d 21 03 00 00 00 00 00"},
    {"if r1 > 0x5 goto pc+3", "25 01 03 00 05 00 00 00"},
    {"if r1 != 0xffffffff goto +1", "55 01 01 00 ff ff ff ff"},
    {"if w1 s< 5 goto -2", "c6 01 fe ff 05 00 00 00"},
    {"if r1 s> 5 goto +3", "65 01 03 00 05 00 00 00"},
    {"if r1 & 4 goto +1", "45 01 01 00 04 00 00 00"},
    {"gotol pc+5", "06 00 00 00 05 00 00 00"},
    {"may_goto pc+3", "e5 00 03 00 00 00 00 00"},
    // ALU.
    {"w1 += w2", "0c 21 00 00 00 00 00 00"},
    {"r1 += -8", "07 01 00 00 f8 ff ff ff"},
    {"r1 s>>= 3", "c7 01 00 00 03 00 00 00"},
    {"r1 = -r1", "87 01 00 00 00 00 00 00"},
    {"w1 = -w1", "84 01 00 00 00 00 00 00"},
    {"r1 = (s8)r2", "bf 21 08 00 00 00 00 00"},
    {"w1 = (s16)w2", "bc 21 10 00 00 00 00 00"},
    {"r1 s/= r2", "3f 21 01 00 00 00 00 00"},
    {"w1 s%= 3", "94 01 01 00 03 00 00 00"},
    {"r1 = be16 r1", "dc 01 00 00 10 00 00 00"},
    {"r1 = le64 r1", "d4 01 00 00 40 00 00 00"},
    {"r1 = bswap16 r1", "d7 01 00 00 10 00 00 00"},
    {"r1 = 0x7fffffff", "b7 01 00 00 ff ff ff 7f"},
    {"r1 = -2147483648", "b7 01 00 00 00 00 00 80"},
    // 64-bit immediates: LLVM decimal, hex, the kernel's (18) without `ll`.
    {"r1 = 0x1234 ll", "18 01 00 00 34 12 00 00 00 00 00 00 00 00 00 00"},
    {"r1 = 95073396068916 ll", "18 01 00 00 34 12 00 00 00 00 00 00 78 56 00 00"},
    {"r1 = -1 ll", "18 01 00 00 ff ff ff ff 00 00 00 00 ff ff ff ff"},
    {"r1 = 0xffffffffffffffff ll", "18 01 00 00 ff ff ff ff 00 00 00 00 ff ff ff ff"},
    {"r1 = -9223372036854775808 ll", "18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 80"},
    {"3: (18) r1 = 0x1234", "18 01 00 00 34 12 00 00 00 00 00 00 00 00 00 00"},
    {"r1 = map_fd(3) ll", "18 11 00 00 03 00 00 00 00 00 00 00 00 00 00 00"},
    {"r1 = map_value(3, 16) ll", "18 21 00 00 03 00 00 00 00 00 00 00 10 00 00 00"},
    {"r1 = map_idx(0) ll", "18 51 00 00 00 00 00 00 00 00 00 00 00 00 00 00"},
    {"r1 = map_idx_value(1, 8)", "18 61 00 00 01 00 00 00 00 00 00 00 08 00 00 00"},
    {"r1 = btf_id(7) ll", "18 31 00 00 07 00 00 00 00 00 00 00 00 00 00 00"},
    {"r1 = func(pc+4) ll", "18 41 00 00 04 00 00 00 00 00 00 00 00 00 00 00"},
    {"ld_pseudo r1, 1, 3", "18 11 00 00 03 00 00 00 00 00 00 00 00 00 00 00"},
    // Atomics: LLVM and kernel spellings.
    {"lock *(u64 *)(r1 + 0) += r2", "db 21 00 00 00 00 00 00"},
    {"lock *(u32 *)(r1 +0) += r2", "c3 21 00 00 00 00 00 00"},
    {"lock *(u32 *)(r1 - 8) ^= w2", "c3 21 f8 ff a0 00 00 00"},
    {"r2 = atomic_fetch_add((u64 *)(r1 + 8), r2)", "db 21 08 00 01 00 00 00"},
    {"r2 = atomic64_fetch_add((u64 *)(r1 +8), r2)", "db 21 08 00 01 00 00 00"},
    {"w2 = atomic_fetch_and((u32 *)(r1 + 8), w2)", "c3 21 08 00 51 00 00 00"},
    {"r2 = atomic_fetch_or((u32 *)(r1 +8), r2)", "c3 21 08 00 41 00 00 00"},
    {"r2 = xchg_64(r1 + 8, r2)", "db 21 08 00 e1 00 00 00"},
    {"w2 = xchg32_32(r1 + 8, w2)", "c3 21 08 00 e1 00 00 00"},
    {"r2 = atomic64_xchg((u64 *)(r1 +8), r2)", "db 21 08 00 e1 00 00 00"},
    {"r0 = cmpxchg_64(r1 + 8, r0, r2)", "db 21 08 00 f1 00 00 00"},
    {"w0 = cmpxchg32_32(r1 + 8, w0, w2)", "c3 21 08 00 f1 00 00 00"},
    {"r0 = atomic64_cmpxchg((u64 *)(r1 +8), r0, r2)", "db 21 08 00 f1 00 00 00"},
    {"r0 = load_acquire((u64 *)(r1 +0))", "db 10 00 00 00 01 00 00"},
    {"store_release((u8 *)(r1 +0), r2)", "d3 21 00 00 10 01 00 00"},
    // Calls and the rest.
    {"call 1", "85 00 00 00 01 00 00 00"},
    {"call bpf_map_lookup_elem#1", "85 00 00 00 01 00 00 00"},
    {"call pc+2", "85 10 00 00 02 00 00 00"},
    {"call kfunc(77)", "85 20 00 00 4d 00 00 00"},
    {"call kfunc(77, 2)", "85 20 02 00 4d 00 00 00"},
    {"call kernel-function#77", "85 20 00 00 4d 00 00 00"},
    {"call bpf_map_lookup_elem", "85 00 00 00 01 00 00 00"},
    {"call ktime_get_ns", "85 00 00 00 05 00 00 00"},
    {"call bpf_map_lookup_elem\nbpf_map_lookup_elem: exit",
     "85 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00"},
    {"call unknown#195896080", "85 00 00 00 10 23 ad 0b"},
    {"call -1", "85 00 00 00 ff ff ff ff"},
    {"exit", "95 00 00 00 00 00 00 00"},
    {"r0 = *(u8 *)skb[4]", "30 00 00 00 04 00 00 00"},
    {"r0 = *(u16 *)skb[r1]", "48 10 00 00 00 00 00 00"},
    {"r0 = *(u32 *)skb[r1 + 4]", "40 10 00 00 04 00 00 00"},
    {"r0 = *(u32 *)skb[r1 - 4]", "40 10 00 00 fc ff ff ff"},
    // Prefixes and comments as the kernel log and llvm-mc print them.
    {"12: (61) r2 = *(u32 *)(r1 +0)", "61 12 00 00 00 00 00 00"},
    {"12: (61) r2 = *(u32 *)(r1 +0) ; R1=ctx() R2_w=scalar()", "61 12 00 00 00 00 00 00"},
    {"(bf) r6 = r1", "bf 16 00 00 00 00 00 00"},
    {"\texit  # encoding: [0x95,0x00,0x00,0x00,0x00,0x00,0x00,0x00]", "95 00 00 00 00 00 00 00"},
    {"exit // done", "95 00 00 00 00 00 00 00"},
    {".text\nexit\r\n", "95 00 00 00 00 00 00 00"},
};

INSTANTIATE_TEST_SUITE_P(KernelAndLlvm, Spellings, ::testing::ValuesIn(kSpellings));

// ---- Labels ------------------------------------------------------------------------

TEST(Labels, ResolveForwardAndBackward) {
  const char* text = R"(
start:
    r0 = 0            ; slot 0
loop:                 // slot 1
    r0 += 1
    if r0 < 10 goto loop
    r1 = 0x1 ll       # slots 3-4
    if r0 == r1 goto done
    goto loop
    call helper_fn
done: exit
helper_fn:
    r0 = func(start) ll
    gotol done
    exit
)";
  auto a = assemble_listing(text, "prog.s");
  ASSERT_TRUE(a.ok()) << a.message();
  const auto& raw = a->insns;
  ASSERT_EQ(raw.size(), 13u);
  EXPECT_EQ(raw[2].off, -2);   // to loop (1) from 2
  EXPECT_EQ(raw[5].off, 2);    // to done (8) from 5
  EXPECT_EQ(raw[6].off, -6);   // to loop from 6
  EXPECT_EQ(raw[7].src(), 1);  // bpf-to-bpf call
  EXPECT_EQ(raw[7].imm, 1);    // to helper_fn (9) from 7
  EXPECT_EQ(raw[9].imm, -10);  // func(start) from 9
  EXPECT_EQ(raw[11].imm, -4);  // gotol done from 11
  EXPECT_EQ(a->lines[0], 3u);
  EXPECT_EQ(a->lines[3], 7u);
  EXPECT_EQ(a->lines[4], 7u);
  ASSERT_EQ(a->labels.size(), 4u);
  EXPECT_EQ(a->labels[3], (std::pair<std::string, size_t>{"helper_fn", 9}));
  EXPECT_EQ(a->call_targets, (std::vector<size_t>{0, 9}));
}

TEST(Labels, LlvmStyleLocalLabels) {
  auto a = assemble(".LBB0_1:\n  r1 += 1\n  if r1 != 0 goto .LBB0_1\n  exit\n");
  ASSERT_TRUE(a.ok()) << a.message();
  EXPECT_EQ((*a)[1].off, -2);
}

// ---- Kernel verifier logs paste back in ------------------------------------------

// Every `IDX: (OP) text` line of a log assembles, and to an instruction with that opcode
// (the assembler checks the prefix); lddw takes two slots, everything else one.
void expect_log_lines_assemble(const std::vector<std::string>& lines, const std::string& where) {
  static const std::regex insn_line(R"(^\d+: \(([0-9a-f]{2})\) )");
  size_t n = 0;
  for (const std::string& l : lines) {
    std::smatch m;
    if (!std::regex_search(l, m, insn_line)) continue;
    auto r = assemble(l, where);
    ASSERT_TRUE(r.ok()) << l << "\n" << r.message();
    EXPECT_EQ(r->size(), m[1] == "18" ? 2u : 1u) << l;
    ++n;
  }
  EXPECT_GT(n, 0u) << where;
}

TEST(KernelLog, RecordedLinesPasteBack) {
  std::ifstream f(std::string(BPFVET_SOURCE_DIR) + "/tests/data/asm/kernel_log_lines.txt");
  std::vector<std::string> lines;
  for (std::string l; std::getline(f, l);) lines.push_back(l);
  ASSERT_GT(lines.size(), 100u);
  expect_log_lines_assemble(lines, "kernel_log_lines.txt");
}

// ---- Bad input -----------------------------------------------------------------------

struct BadInput {
  const char* text;
  const char* message;  // expected substring of the error, which starts with "bad.s:LINE: "
  int line;
};

class BadInputs : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputs, GiveOneLineErrorWithFileAndLine) {
  const BadInput& b = GetParam();
  auto r = assemble(b.text, "bad.s");
  ASSERT_FALSE(r.ok()) << b.text;
  const std::string& m = r.message();
  const std::string prefix = "bad.s:" + std::to_string(b.line) + ": ";
  EXPECT_EQ(m.rfind(prefix, 0), 0u) << m;
  EXPECT_NE(m.find(b.message), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
}

const BadInput kBadInputs[] = {
    {"r1 = r2 r3", "unexpected 'r3' after the instruction", 1},
    {"exit\nfoo r1", "unknown instruction 'foo'", 2},
    {"r11 = 1", "invalid register 'r11'", 1},
    {"r1 += r16", "invalid register 'r16'", 1},
    {"w1 += r2", "mismatched register widths 'w1' and 'r2'", 1},
    {"if r1 > w2 goto +1", "mismatched register widths", 1},
    {"w0 = *(u64 *)(r1 +0)", "a u64 load needs an r register", 1},
    {"r0 = *(u32 *)(w1 +0)", "address register must be an r register", 1},
    {"*(u64 *)(r1 +0) = w2", "u64 store needs an r register", 1},
    {"lock *(u64 *)(r1 +0) += w2", "u64 atomic operand must be an r register", 1},
    {"lock *(u8 *)(r1 +0) += r2", "u32 or u64", 1},
    {"goto nowhere", "unknown label 'nowhere'", 1},
    {"exit\n\n  if r1 == 0 goto missing\n", "unknown label 'missing'", 3},
    {"call undefined_fn", "unknown label 'undefined_fn'", 1},
    {"goto bpf_map_lookup_elem", "unknown label 'bpf_map_lookup_elem'", 1},
    {"call bpf_map_lookup_elem#2", "helper 'bpf_map_lookup_elem' is #1, not #2", 1},
    {"a: exit\na: exit", "label 'a' is defined twice", 2},
    {"r1: exit", "register name", 1},
    {"r1 = 4294967296", "does not fit in 32 bits", 1},
    {"r1 = -2147483649", "does not fit in 32 bits", 1},
    {"r1 += 0x100000000", "does not fit in 32 bits", 1},
    {"r1 = 18446744073709551616 ll", "does not fit in 64 bits", 1},
    {"r1 = -9223372036854775809 ll", "does not fit in 64 bits", 1},
    {"r0 = *(u32 *)(r1 +32768)", "does not fit in 16 bits", 1},
    {"goto -32769", "does not fit in 16 bits", 1},
    {"gotol +2147483648", "out of range", 1},
    {"r1 = 12ab", "invalid number '12ab'", 1},
    {"r1 = 0x", "invalid number '0x'", 1},
    {"r1 = @", "unexpected character '@'", 1},
    {"r1 = \x01", "unexpected character 0x01", 1},
    {"r1 =", "expected a value after '=', found end of line", 1},
    {"r1 = *(u128 *)(r1 +0)", "expected an access size", 1},
    {"r1 = *(s64 *)(r1 +0)", "no sign-extending u64 load", 1},
    {"w1 = *(s8 *)(r1 +0)", "sign-extending load writes all 64 bits", 1},
    {"w1 = (s32)w2", "s8 or s16", 1},
    {"r1 = (u8)r2", "expected s8, s16 or s32", 1},
    {"r1 = be24 r1", "byte swaps are", 1},
    {"r1 = be16 r2", "byte swaps work in place", 1},
    {"r1 = -r2", "negation works in place", 1},
    {"r1 = atomic_fetch_add((u64 *)(r2 +0), r3)", "old value is returned in the source register", 1},
    {"r1 = cmpxchg_64(r2 +0, r0, r3)", "compares with r0", 1},
    {"r1 = atomic64_fetch_add((u32 *)(r2 +0), r1)", "u64 operand", 1},
    {"r1 = atomic_frob((u64 *)(r2 +0), r1)", "unknown atomic operation", 1},
    {"w1 = 1 ll", "needs an r register", 1},
    {"r1 = map_fd(1", "expected ')'", 1},
    {"ld_pseudo r1, 9, 1", "unknown lddw pseudo source 9", 1},
    {"r1 = *(u8 *)skb[4]", "always write r0", 1},
    {"r0 = *(u64 *)skb[4]", "u8, u16 or u32", 1},
    {"if r1 ~ r2 goto +1", "expected a comparison", 1},
    {"if r1 > r2 +1", "expected 'goto' after the condition, found '+'", 1},
    {"goto r1", "found register 'r1'", 1},
    {"12: (62) r2 = *(u32 *)(r1 +0)",
     "opcode prefix (62) does not match the instruction, which encodes as (61)", 1},
    {"(61)", "missing instruction after the opcode prefix", 1},
    {"(zz) exit", "expected an opcode prefix", 1},
    {".section foo", "unsupported directive '.section'", 1},
    {"r1 = map[id:5]", "map_fd(N)", 1},
    {"call kfunc(1, 40000)", "does not fit in 16 bits", 1},
    {"store_release((s8 *)(r1 +0), r2)", "unsigned access size", 1},
};

INSTANTIATE_TEST_SUITE_P(EveryErrorClass, BadInputs, ::testing::ValuesIn(kBadInputs));

TEST(BadInputs, EmptyInputIsAnError) {
  for (const char* text : {"", "\n\n", "; only a comment\n", "lonely_label:\n"}) {
    auto r = assemble(text, "empty.s");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.message(), "empty.s: no instructions in the input");
  }
}

TEST(BadInputs, JumpToFarLabelIsOutOfRange) {
  std::string body;
  for (int i = 0; i < 40000; ++i) body += "r0 = 0\n";
  body += "far: exit\n";
  auto r = assemble("goto far\n" + body, "far.s");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("far.s:1: jump to 'far' is out of range"), std::string::npos) << r.message();
  auto ok = assemble("gotol far\n" + body, "far.s");  // gotol reaches it
  ASSERT_TRUE(ok.ok()) << ok.message();
  EXPECT_EQ((*ok)[0].imm, 40000);
}

TEST(BadInputs, ProgramLongerThanTheKernelLoadsStopsAtTheLimit) {
  std::string body;
  body.reserve((kMaxAssemblySlots + 1) * 7);
  for (size_t i = 0; i < kMaxAssemblySlots; ++i) body += "r0 = 0\n";
  auto at_limit = assemble(body, "big.s");
  ASSERT_TRUE(at_limit.ok()) << at_limit.message();
  EXPECT_EQ(at_limit->size(), kMaxAssemblySlots);
  auto over = assemble(body + "exit\n", "big.s");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.message(), "big.s:" + std::to_string(kMaxAssemblySlots + 1) +
                                ": program has more than 1000000 instructions, more than the kernel loads");
}

// Random lines built from the grammar's own vocabulary and from random bytes:
// every one either assembles or fails with a single-line "file:line: " error.
TEST(Fuzz, RandomInputNeverCrashes) {
  const char* words[] = {"r1",
                         "w2",
                         "r10",
                         "r11",
                         "=",
                         "+=",
                         "s>>=",
                         "*",
                         "(",
                         ")",
                         "u8",
                         "u64",
                         "s8",
                         "+",
                         "-",
                         "0x7fffffffffffffff",
                         "99999999999999999999999",
                         "1",
                         "goto",
                         "if",
                         "lock",
                         "call",
                         "exit",
                         "ll",
                         "skb",
                         "[",
                         "]",
                         ",",
                         "pc",
                         "kfunc",
                         "map_value",
                         "atomic_fetch_add",
                         "xchg_64",
                         "cmpxchg32_32",
                         "load_acquire",
                         "store_release",
                         "be16",
                         "bswap64",
                         ":",
                         "lbl",
                         "#",
                         ";",
                         "(61)",
                         "12:",
                         "ld_pseudo",
                         "func",
                         "gotol",
                         "may_goto",
                         "&",
                         "s<",
                         "==",
                         ".text"};
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string text;
    const int lines = 1 + static_cast<int>(rng() % 4);
    for (int l = 0; l < lines; ++l) {
      const int n = static_cast<int>(rng() % 10);
      for (int i = 0; i < n; ++i) {
        if (rng() % 16 == 0)
          text += static_cast<char>(rng() % 256);
        else
          text += words[rng() % std::size(words)];
        text += rng() % 3 == 0 ? "" : " ";
      }
      text += '\n';
    }
    auto r = assemble(text, "fuzz.s");
    if (!r.ok()) {
      EXPECT_EQ(r.message().rfind("fuzz.s:", 0), 0u) << r.message();
      EXPECT_EQ(r.message().find('\n'), std::string::npos) << r.message();
    } else {
      EXPECT_TRUE(decode(*r).ok()) << text;  // whatever assembles is a valid program
    }
  }
}

}  // namespace
}  // namespace bpfvet::isa
