// A64 encodings checked against LLVM's AArch64 disassembler: every row is an encoder
// call, the word we expect (hand-derived from the Arm ARM), and LLVM's text for it.
// Then whole-instruction lowerings (BPF instruction -> A64 sequence, as LLVM prints
// it), and every word the JIT emits for the semantics suite must decode.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "isa/assembler.h"
#include "jit/arm64/a64_disasm.h"
#include "jit/arm64/a64_encoder.h"
#include "jit/arm64/arm64_jit.h"

namespace bpfvet::jit::a64 {
namespace {

struct Row {
  const char* call;
  uint32_t (*emit)();
  uint32_t word;
  const char* text;
};

#define ROW(call, word, text)                                     \
  Row {                                                           \
#call, [] { return static_cast<uint32_t>(call); }, word, text \
  }

const Row kRows[] = {
    ROW(add_imm(true, 0, 1, 4095), 0x913ffc20, "add x0, x1, #4095"),
    ROW(add_imm(false, 7, 7, 1, true), 0x114004e7, "add w7, w7, #1, lsl #12"),
    ROW(sub_imm(true, 25, 25, 512), 0xd1080339, "sub x25, x25, #512"),
    ROW(add_imm(true, 29, kSp, 0), 0x910003fd, "mov x29, sp"),
    ROW(cmp_imm(true, 7, 5), 0xf10014ff, "cmp x7, #5"),
    ROW(cmp_imm(false, 0, 4095), 0x713ffc1f, "cmp w0, #4095"),
    ROW(cmn_imm(true, 1, 1), 0xb100043f, "cmn x1, #1"),
    ROW(movz(true, 10, 0x1234, 0), 0xd282468a, "mov x10, #4660"),
    ROW(movz(true, 10, 0x1234, 3), 0xd2e2468a, "mov x10, #1311673391471656960"),
    ROW(movz(false, 7, 0xffff, 1), 0x52bfffe7, "mov w7, #-65536"),
    ROW(movn(true, 11, 0, 0), 0x9280000b, "mov x11, #-1"),
    ROW(movn(false, 11, 0x8000, 1), 0x12b0000b, "mov w11, #2147483647"),
    ROW(movk(true, 10, 0xbeef, 2), 0xf2d7ddea, "movk x10, #48879, lsl #32"),
    ROW(lsl_imm(true, 0, 0, 3), 0xd37df000, "lsl x0, x0, #3"),
    ROW(lsl_imm(false, 1, 1, 31), 0x53010021, "lsl w1, w1, #31"),
    ROW(lsr_imm(true, 2, 2, 63), 0xd37ffc42, "lsr x2, x2, #63"),
    ROW(lsr_imm(false, 2, 2, 1), 0x53017c42, "lsr w2, w2, #1"),
    ROW(asr_imm(true, 19, 19, 7), 0x9347fe73, "asr x19, x19, #7"),
    ROW(asr_imm(false, 19, 19, 0), 0x13007e73, "asr w19, w19, #0"),
    ROW(sxtb(true, 7, 0), 0x93401c07, "sxtb x7, w0"),
    ROW(sxth(true, 7, 0), 0x93403c07, "sxth x7, w0"),
    ROW(sxtw(7, 0), 0x93407c07, "sxtw x7, w0"),
    ROW(sxtb(false, 7, 0), 0x13001c07, "sxtb w7, w0"),
    ROW(sxth(false, 7, 0), 0x13003c07, "sxth w7, w0"),
    ROW(uxtb(1, 2), 0x53001c41, "uxtb w1, w2"),
    ROW(uxth(1, 2), 0x53003c41, "uxth w1, w2"),
    ROW(add_reg(true, 7, 7, 0), 0x8b0000e7, "add x7, x7, x0"),
    ROW(add_reg(false, 7, 7, 0), 0x0b0000e7, "add w7, w7, w0"),
    ROW(sub_reg(true, 20, 21, 22), 0xcb1602b4, "sub x20, x21, x22"),
    ROW(cmp_reg(true, 7, 10), 0xeb0a00ff, "cmp x7, x10"),
    ROW(cmp_reg(false, 7, 10), 0x6b0a00ff, "cmp w7, w10"),
    ROW(neg(true, 0, 0), 0xcb0003e0, "neg x0, x0"),
    ROW(neg(false, 0, 0), 0x4b0003e0, "neg w0, w0"),
    ROW(and_reg(true, 1, 1, 2), 0x8a020021, "and x1, x1, x2"),
    ROW(orr_reg(false, 1, 1, 2), 0x2a020021, "orr w1, w1, w2"),
    ROW(eor_reg(true, 1, 1, 2), 0xca020021, "eor x1, x1, x2"),
    ROW(tst_reg(true, 3, 10), 0xea0a007f, "tst x3, x10"),
    ROW(tst_reg(false, 3, 10), 0x6a0a007f, "tst w3, w10"),
    ROW(mov_reg(true, 7, 0), 0xaa0003e7, "mov x7, x0"),
    ROW(mov_reg(false, 7, 7), 0x2a0703e7, "mov w7, w7"),
    ROW(mvn(true, 11, 1), 0xaa2103eb, "mvn x11, x1"),
    ROW(mov_sp(kFp, kSp), 0x910003fd, "mov x29, sp"),
    ROW(udiv(true, 7, 7, 1), 0x9ac108e7, "udiv x7, x7, x1"),
    ROW(udiv(false, 7, 7, 11), 0x1acb08e7, "udiv w7, w7, w11"),
    ROW(sdiv(true, 10, 7, 1), 0x9ac10cea, "sdiv x10, x7, x1"),
    ROW(sdiv(false, 10, 7, 1), 0x1ac10cea, "sdiv w10, w7, w1"),
    ROW(lslv(true, 0, 0, 1), 0x9ac12000, "lsl x0, x0, x1"),
    ROW(lsrv(false, 0, 0, 1), 0x1ac12400, "lsr w0, w0, w1"),
    ROW(asrv(true, 0, 0, 1), 0x9ac12800, "asr x0, x0, x1"),
    ROW(mul(true, 7, 7, 10), 0x9b0a7ce7, "mul x7, x7, x10"),
    ROW(mul(false, 7, 7, 10), 0x1b0a7ce7, "mul w7, w7, w10"),
    ROW(madd(true, 1, 2, 3, 4), 0x9b031041, "madd x1, x2, x3, x4"),
    ROW(msub(true, 7, 10, 1, 7), 0x9b019d47, "msub x7, x10, x1, x7"),
    ROW(msub(false, 7, 10, 11, 7), 0x1b0b9d47, "msub w7, w10, w11, w7"),
    ROW(rev16(false, 0, 0), 0x5ac00400, "rev16 w0, w0"),
    ROW(rev(false, 0, 0), 0x5ac00800, "rev w0, w0"),
    ROW(rev(true, 0, 0), 0xdac00c00, "rev x0, x0"),
    ROW(rev32(0, 0), 0xdac00800, "rev32 x0, x0"),
    ROW(csel(true, 0, 1, 2, Cond::Lt), 0x9a82b020, "csel x0, x1, x2, lt"),
    ROW(ldr_uimm(1, false, 7, 0, 0), 0x39400007, "ldrb w7, [x0]"),
    ROW(ldr_uimm(2, false, 7, 0, 14), 0x79401c07, "ldrh w7, [x0, #14]"),
    ROW(ldr_uimm(4, false, 7, 0, 16380), 0xb97ffc07, "ldr w7, [x0, #16380]"),
    ROW(ldr_uimm(8, false, 7, 25, 32760), 0xf97fff27, "ldr x7, [x25, #32760]"),
    ROW(ldr_uimm(1, true, 7, 0, 1), 0x39800407, "ldrsb x7, [x0, #1]"),
    ROW(ldr_uimm(2, true, 7, 0, 2), 0x79800407, "ldrsh x7, [x0, #2]"),
    ROW(ldr_uimm(4, true, 7, 0, 4), 0xb9800407, "ldrsw x7, [x0, #4]"),
    ROW(str_uimm(1, 1, 2, 4095), 0x393ffc41, "strb w1, [x2, #4095]"),
    ROW(str_uimm(2, 1, 2, 8190), 0x793ffc41, "strh w1, [x2, #8190]"),
    ROW(str_uimm(4, 11, 25, 0), 0xb900032b, "str w11, [x25]"),
    ROW(str_uimm(8, 11, 25, 8), 0xf900072b, "str x11, [x25, #8]"),
    ROW(ldur(8, false, 7, 25, -8), 0xf85f8327, "ldur x7, [x25, #-8]"),
    ROW(ldur(4, true, 7, 25, -256), 0xb8900327, "ldursw x7, [x25, #-256]"),
    ROW(ldur(2, false, 7, 25, 255), 0x784ff327, "ldurh w7, [x25, #255]"),
    ROW(ldur(1, true, 7, 25, -1), 0x389ff327, "ldursb x7, [x25, #-1]"),
    ROW(stur(8, 1, 25, -512 / 2), 0xf8100321, "stur x1, [x25, #-256]"),
    ROW(stur(4, 1, 25, -4), 0xb81fc321, "stur w1, [x25, #-4]"),
    ROW(stur(2, 1, 25, 3), 0x78003321, "sturh w1, [x25, #3]"),
    ROW(stur(1, 1, 25, -3), 0x381fd321, "sturb w1, [x25, #-3]"),
    ROW(ldr_reg(8, false, 7, 0, 12), 0xf86c6807, "ldr x7, [x0, x12]"),
    ROW(ldr_reg(4, true, 7, 0, 12), 0xb8ac6807, "ldrsw x7, [x0, x12]"),
    ROW(ldr_reg(1, false, 7, 0, 12), 0x386c6807, "ldrb w7, [x0, x12]"),
    ROW(str_reg(2, 11, 25, 12), 0x782c6b2b, "strh w11, [x25, x12]"),
    ROW(str_reg(8, 11, 25, 12), 0xf82c6b2b, "str x11, [x25, x12]"),
    ROW(stp_pre(kFp, kLr, kSp, -64), 0xa9bc7bfd, "stp x29, x30, [sp, #-64]!"),
    ROW(ldp_post(kFp, kLr, kSp, 64), 0xa8c47bfd, "ldp x29, x30, [sp], #64"),
    ROW(stp_off(19, 20, kSp, 16), 0xa90153f3, "stp x19, x20, [sp, #16]"),
    ROW(ldp_off(25, 27, kSp, 48), 0xa9436ff9, "ldp x25, x27, [sp, #48]"),
    ROW(ldar(1, 7, 10), 0x08dffd47, "ldarb w7, [x10]"),
    ROW(ldar(2, 7, 10), 0x48dffd47, "ldarh w7, [x10]"),
    ROW(ldar(4, 7, 10), 0x88dffd47, "ldar w7, [x10]"),
    ROW(ldar(8, 7, 10), 0xc8dffd47, "ldar x7, [x10]"),
    ROW(stlr(1, 1, 10), 0x089ffd41, "stlrb w1, [x10]"),
    ROW(stlr(8, 1, 10), 0xc89ffd41, "stlr x1, [x10]"),
    ROW(b(8), 0x14000002, "b #8"),
    ROW(b(-4), 0x17ffffff, "b #-4"),
    ROW(b((1 << 27) - 4), 0x15ffffff, "b #134217724"),
    ROW(bl(-(1 << 27)), 0x96000000, "bl #-134217728"),
    ROW(b_cond(Cond::Eq, 8), 0x54000040, "b.eq #8"),
    ROW(b_cond(Cond::Ne, -8), 0x54ffffc1, "b.ne #-8"),
    ROW(b_cond(Cond::Hi, 16), 0x54000088, "b.hi #16"),
    ROW(b_cond(Cond::Hs, 16), 0x54000082, "b.hs #16"),
    ROW(b_cond(Cond::Lo, 16), 0x54000083, "b.lo #16"),
    ROW(b_cond(Cond::Ls, 16), 0x54000089, "b.ls #16"),
    ROW(b_cond(Cond::Gt, 16), 0x5400008c, "b.gt #16"),
    ROW(b_cond(Cond::Ge, 16), 0x5400008a, "b.ge #16"),
    ROW(b_cond(Cond::Lt, 16), 0x5400008b, "b.lt #16"),
    ROW(b_cond(Cond::Le, 16), 0x5400008d, "b.le #16"),
    ROW(cbz(true, 27, 12), 0xb400007b, "cbz x27, #12"),
    ROW(cbz(true, 10, 8), 0xb400004a, "cbz x10, #8"),
    ROW(cbnz(false, 9, -12), 0x35ffffa9, "cbnz w9, #-12"),
    ROW(br(10), 0xd61f0140, "br x10"),
    ROW(blr(16), 0xd63f0200, "blr x16"),
    ROW(ret(), 0xd65f03c0, "ret"),
    ROW(nop(), 0xd503201f, "nop"),
    ROW(brk(0x3e8), 0xd4207d00, "brk #0x3e8"),
    ROW(dmb_ish(), 0xd5033bbf, "dmb ish"),
    ROW(ldop(LseOp::Add, 8, false, 1, kZr, 10), 0xf821015f, "stadd x1, [x10]"),
    ROW(ldop(LseOp::Add, 4, false, 1, kZr, 0), 0xb821001f, "stadd w1, [x0]"),
    ROW(ldop(LseOp::Set, 8, false, 1, kZr, 10), 0xf821315f, "stset x1, [x10]"),
    ROW(ldop(LseOp::Eor, 4, false, 1, kZr, 10), 0xb821215f, "steor w1, [x10]"),
    ROW(ldop(LseOp::Clr, 8, false, 11, kZr, 10), 0xf82b115f, "stclr x11, [x10]"),
    ROW(ldop(LseOp::Add, 8, true, 1, 1, 10), 0xf8e10141, "ldaddal x1, x1, [x10]"),
    ROW(ldop(LseOp::Add, 4, true, 1, 1, 10), 0xb8e10141, "ldaddal w1, w1, [x10]"),
    ROW(ldop(LseOp::Set, 8, true, 2, 2, 0), 0xf8e23002, "ldsetal x2, x2, [x0]"),
    ROW(ldop(LseOp::Eor, 4, true, 2, 2, 0), 0xb8e22002, "ldeoral w2, w2, [x0]"),
    ROW(ldop(LseOp::Clr, 8, true, 11, 2, 0), 0xf8eb1002, "ldclral x11, x2, [x0]"),
    ROW(swp(8, true, 1, 1, 10), 0xf8e18141, "swpal x1, x1, [x10]"),
    ROW(swp(4, true, 1, 1, 10), 0xb8e18141, "swpal w1, w1, [x10]"),
    ROW(cas(8, true, 11, 1, 10), 0xc8ebfd41, "casal x11, x1, [x10]"),
    ROW(cas(4, true, 11, 1, 10), 0x88ebfd41, "casal w11, w1, [x10]"),
    ROW(ldaxr(8, 11, 10), 0xc85ffd4b, "ldaxr x11, [x10]"),
    ROW(ldaxr(4, 11, 10), 0x885ffd4b, "ldaxr w11, [x10]"),
    ROW(stlxr(8, 9, 12, 10), 0xc809fd4c, "stlxr w9, x12, [x10]"),
    ROW(stlxr(4, 9, 12, 10), 0x8809fd4c, "stlxr w9, w12, [x10]"),
    ROW(and_imm(true, 7, 7,
                [] {
                  uint32_t f = 0;
                  logical_imm(true, 0xff, &f);
                  return f;
                }()),
        0x92401ce7, "and x7, x7, #0xff"),
    ROW(and_imm(false, 7, 7,
                [] {
                  uint32_t f = 0;
                  logical_imm(false, 0xfffffff0u, &f);
                  return f;
                }()),
        0x121c6ce7, "and w7, w7, #0xfffffff0"),
    ROW(orr_imm(true, 0, 0,
                [] {
                  uint32_t f = 0;
                  logical_imm(true, 0x8000000000000001ull, &f);
                  return f;
                }()),
        0xb2410400, "orr x0, x0, #0x8000000000000001"),
    ROW(eor_imm(true, 1, 1,
                [] {
                  uint32_t f = 0;
                  logical_imm(true, 0x5555555555555555ull, &f);
                  return f;
                }()),
        0xd200f021, "eor x1, x1, #0x5555555555555555"),
    ROW(eor_imm(false, 1, 1,
                [] {
                  uint32_t f = 0;
                  logical_imm(false, 0x00ff00ffu, &f);
                  return f;
                }()),
        0x52009c21, "eor w1, w1, #0xff00ff"),
    ROW(tst_imm(true, 2,
                [] {
                  uint32_t f = 0;
                  logical_imm(true, 0xfffffffffffff000ull, &f);
                  return f;
                }()),
        0xf274cc5f, "tst x2, #0xfffffffffffff000"),
    ROW(tst_imm(false, 2,
                [] {
                  uint32_t f = 0;
                  logical_imm(false, 0x80000000u, &f);
                  return f;
                }()),
        0x7201005f, "tst w2, #0x80000000"),
};
#undef ROW

const A64Disassembler& disasm() {
  static auto d = A64Disassembler::create();
  return **d;
}

class A64Encoding : public testing::TestWithParam<Row> {};

TEST_P(A64Encoding, WordAndLlvmText) {
  const Row& r = GetParam();
  const uint32_t w = r.emit();
  EXPECT_EQ(w, r.word) << r.call << std::hex << ": got 0x" << w;
  EXPECT_EQ(disasm().text(w), r.text) << r.call;
}

std::string row_name(const testing::TestParamInfo<Row>& info) {
  std::string s = std::to_string(info.index) + "_" + info.param.call;
  std::string out;
  for (char ch : s) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return out.substr(0, 60);
}

INSTANTIATE_TEST_SUITE_P(A64, A64Encoding, testing::ValuesIn(kRows), row_name);

TEST(A64Encoding, BranchRanges) {
  EXPECT_TRUE(fits_imm26((1 << 27) - 4));
  EXPECT_FALSE(fits_imm26(1 << 27));
  EXPECT_TRUE(fits_imm26(-(1 << 27)));
  EXPECT_TRUE(fits_imm19((1 << 20) - 4));
  EXPECT_FALSE(fits_imm19(1 << 20));
  EXPECT_FALSE(fits_imm19(6));  // not a multiple of 4
}

TEST(A64Encoding, InvalidWordIsReported) { EXPECT_EQ(disasm().text(0xffffffffu), "<invalid 0xffffffff>"); }

// ---- Lowering: one BPF instruction (after the entry prologue) -> LLVM text ----

struct Lowering {
  const char* name;
  const char* bpf;  // assembly of the instruction(s) under test, followed by "exit"
  std::vector<std::string> a64;
};

// The A64 text of the code of slot 0's instruction (after the prologue + budget).
std::vector<std::string> lower(const std::string& text, bool checked = false, bool lse = true) {
  auto raw = isa::assemble(text + "\nexit\n", "lowering");
  if (!raw) return {"assemble: " + raw.message()};
  auto prog = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "t");
  if (!prog) return {"program: " + prog.message()};
  arm64::Options opt;
  opt.checked = checked;
  opt.lse = lse;
  auto c = arm64::compile(*prog, opt, [](const isa::Insn& in) -> Result<uint64_t> { return in.imm64; });
  if (!c) return {"compile: " + c.message()};
  // The prologue is 6 words and the may_goto budget one (movz x27, #0x80, lsl #16).
  std::vector<std::string> out;
  for (uint32_t off = c->slot_offset[0] + 7 * 4; off < c->slot_offset[1]; off += 4)
    out.push_back(disasm().text(c->code[off / 4], off));
  return out;
}

class LoweringTest : public testing::TestWithParam<Lowering> {};

TEST_P(LoweringTest, MatchesKernelStyleSequence) {
  EXPECT_EQ(lower(GetParam().bpf), GetParam().a64) << GetParam().bpf;
}

const Lowering kLowerings[] = {
    {"add_reg", "r0 += r1", {"add x7, x7, x0"}},
    {"add32_imm", "w0 += 5", {"add w7, w7, #5"}},
    {"sub_imm_neg", "r6 -= -7", {"add x19, x19, #7"}},
    {"add_large", "r2 += 0x12345", {"mov x10, #9029", "movk x10, #1, lsl #16", "add x1, x1, x10"}},
    {"mov_imm_neg", "r0 = -1", {"mov x7, #-1"}},
    {"mov32_imm", "w0 = -1", {"mov w7, #-1"}},
    {"mov32_reg", "w0 = w1", {"mov w7, w0"}},
    {"lddw",
     "r1 = 0x1122334455667788 ll",
     {"mov x0, #30600", "movk x0, #21862, lsl #16", "movk x0, #13124, lsl #32", "movk x0, #4386, lsl #48"}},
    {"div64", "r0 /= r1", {"udiv x7, x7, x0"}},
    {"sdiv32", "w0 s/= w1", {"sdiv w7, w7, w0"}},
    {"mod64", "r0 %= r1", {"udiv x10, x7, x0", "msub x7, x10, x0, x7"}},
    {"smod32_imm", "w0 s%= -3", {"mov w11, #-3", "sdiv w10, w7, w11", "msub w7, w10, w11, w7"}},
    {"lsh_imm", "r3 <<= 65", {"lsl x2, x2, #1"}},
    {"arsh32_reg", "w3 s>>= w4", {"asr w2, w2, w3"}},
    {"and_bitmask", "r0 &= 0xff", {"and x7, x7, #0xff"}},
    {"or32_bitmask", "w0 |= -16", {"orr w7, w7, #0xfffffff0"}},
    {"xor_no_bitmask", "r0 ^= 0x12345", {"mov x10, #9029", "movk x10, #1, lsl #16", "eor x7, x7, x10"}},
    {"jset_bitmask", "if r1 & 0x10 goto +0", {"tst x0, #0x10", "b.ne #4"}},
    {"neg", "r0 = -r0", {"neg x7, x7"}},
    {"movsx8", "r0 = (s8)r1", {"sxtb x7, w0"}},
    {"be16", "r0 = be16 r0", {"rev16 w7, w7", "uxth w7, w7"}},
    {"le32", "r0 = le32 r0", {"mov w7, w7"}},
    {"bswap64", "r0 = bswap64 r0", {"rev x7, x7"}},
    {"ldx_stack", "r0 = *(u64 *)(r10 -8)", {"ldur x7, [x25, #-8]"}},
    {"ldx_scaled", "r0 = *(u32 *)(r1 +400)", {"ldr w7, [x0, #400]"}},
    {"ldsx_far", "r0 = *(s16 *)(r1 -1000)", {"mov x12, #-1000", "ldrsh x7, [x0, x12]"}},
    {"st_imm", "*(u32 *)(r10 -4) = 7", {"mov x11, #7", "stur w11, [x25, #-4]"}},
    {"stx", "*(u8 *)(r1 +3) = r2", {"strb w1, [x0, #3]"}},
    {"jeq_imm", "if r1 == 3 goto +0", {"cmp x0, #3", "b.eq #4"}},
    {"jslt_neg", "if w1 s< -2 goto +0", {"cmn w0, #2", "b.lt #4"}},
    {"jset", "if r1 & r2 goto +0", {"tst x0, x1", "b.ne #4"}},
    {"ja", "goto +0", {"b #4"}},
    {"helper", "call 5", {"bl #-65544", "mov x7, x0"}},
    {"atomic_add", "lock *(u64 *)(r1 +0) += r2", {"stadd x1, [x0]"}},
    {"atomic_fetch_and",
     "r2 = atomic_fetch_and((u32 *)(r1 +8), r2)",
     {"add x10, x0, #8", "mvn w11, w1", "ldclral w11, w1, [x10]"}},
    {"cmpxchg", "r0 = cmpxchg_64(r1 +0, r0, r2)", {"mov x11, x7", "casal x11, x1, [x0]", "mov x7, x11"}},
};

INSTANTIATE_TEST_SUITE_P(A64, LoweringTest, testing::ValuesIn(kLowerings),
                         [](const testing::TestParamInfo<Lowering>& i) { return std::string(i.param.name); });

TEST(Lowering, LlScFallbackLoop) {
  EXPECT_EQ(lower("lock *(u32 *)(r1 +0) += r2", false, false),
            (std::vector<std::string>{"ldaxr w11, [x0]", "add w12, w11, w1", "stlxr w9, w12, [x0]",
                                      "cbnz w9, #-12", "dmb ish"}));
}

TEST(Lowering, CheckedModeChecksEveryAccess) {
  const auto a = lower("r0 = *(u64 *)(r1 +8)", true);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0], "add x10, x0, #8");
  EXPECT_EQ(a[1].rfind("bl #", 0), 0u);
  EXPECT_EQ(a[2], "ldr x7, [x10]");
}

TEST(Lowering, KfuncIsAnError) {
  auto raw = isa::encode(std::vector<isa::Insn>{isa::make::call_kfunc(1), isa::make::exit()});
  auto prog = isa::program_from_raw(std::move(raw), isa::ProgType::SocketFilter, "k");
  ASSERT_TRUE(prog) << prog.message();
  auto c = arm64::compile(*prog, {}, [](const isa::Insn&) -> Result<uint64_t> { return uint64_t(0); });
  ASSERT_FALSE(c);
  EXPECT_NE(c.message().find("kfunc"), std::string::npos);
}

// Every word the JIT emits for the semantics suite (all modes) is a valid A64 instruction.
TEST(Lowering, EverySemanticsProgramDisassembles) {
  const std::filesystem::path dir = std::filesystem::path(BPFVET_SOURCE_DIR) / "tests/data/semantics";
  size_t programs = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".txt") continue;
    std::ifstream in(e.path());
    std::string line, text;
    while (std::getline(in, line)) {
      if (line.rfind("== ", 0) == 0) {
        text.clear();
      } else if (line.rfind("=> ", 0) == 0) {
        auto raw = isa::assemble(text, "sem");
        ASSERT_TRUE(raw) << raw.message();
        auto prog = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "sem");
        ASSERT_TRUE(prog) << prog.message();
        for (bool checked : {false, true})
          for (bool lse : {false, true}) {
            arm64::Options opt;
            opt.checked = checked;
            opt.lse = lse;
            auto c =
                arm64::compile(*prog, opt, [](const isa::Insn& i) -> Result<uint64_t> { return i.imm64; });
            ASSERT_TRUE(c) << c.message() << "\n" << text;
            for (uint32_t w : c->code)
              ASSERT_EQ(disasm().text(w).rfind("<invalid", 0), std::string::npos) << text;
          }
        ++programs;
      } else if (!line.empty() && line[0] != '#') {
        text += line + "\n";
      }
    }
  }
  EXPECT_GE(programs, 300u);
}

}  // namespace
}  // namespace bpfvet::jit::a64
