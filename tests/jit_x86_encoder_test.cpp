// The x86-64 encoder, one row per encoding form: (emit call, expected bytes, expected
// LLVM MC text; branch targets print relative to the next instruction).  Every row is disassembled by LLVM's X86 disassembler, which must
// decode exactly the bytes emitted and print the intended instruction (AT&T syntax).
// X86_ENCODER_BLESS=1 prints the rows' actual hex and text instead of failing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>

#include "jit/code_buffer.h"
#include "jit/x86_64/x86_disasm.h"
#include "jit/x86_64/x86_encoder.h"

namespace bpfvet::jit::x86 {
namespace {

struct Row {
  const char* name;
  std::function<void(Encoder&)> emit;
  const char* hex;
  const char* text;
};

using R = Reg;
using W = Width;

std::vector<Row> rows() {
  return {
      {"add_rr64", [](Encoder& e) { e.alu_rr(AluKind::Add, W::Q64, R::Rdi, R::Rsi); }, "4801f7", "addq %rsi, %rdi"},
      {"add_rr32", [](Encoder& e) { e.alu_rr(AluKind::Add, W::D32, R::Rax, R::R13); }, "4401e8", "addl %r13d, %eax"},
      {"sub_rr64_high", [](Encoder& e) { e.alu_rr(AluKind::Sub, W::Q64, R::R15, R::R14); }, "4d29f7", "subq %r14, %r15"},
      {"xor_zero", [](Encoder& e) { e.alu_rr(AluKind::Xor, W::D32, R::Rbx, R::Rbx); }, "31db", "xorl %ebx, %ebx"},
      {"cmp_rr", [](Encoder& e) { e.alu_rr(AluKind::Cmp, W::Q64, R::Rdx, R::Rcx); }, "4839ca", "cmpq %rcx, %rdx"},
      {"and_ri8", [](Encoder& e) { e.alu_ri(AluKind::And, W::Q64, R::Rbx, 15); }, "4883e30f", "andq $15, %rbx"},
      {"or_ri32", [](Encoder& e) { e.alu_ri(AluKind::Or, W::D32, R::R8, 0x12345); }, "4181c845230100", "orl $74565, %r8d"},
      {"add_ri_neg", [](Encoder& e) { e.alu_ri(AluKind::Add, W::Q64, R::Rbp, -512); }, "4881c500feffff", "addq $-512, %rbp"},
      {"sub_rsp_imm", [](Encoder& e) { e.alu_ri(AluKind::Sub, W::Q64, R::Rsp, 8); }, "4883ec08", "subq $8, %rsp"},
      {"lock_add_m32", [](Encoder& e) { e.lock(); e.alu_mr(AluKind::Add, W::D32, Mem{R::Rdi, 4}, R::Rsi); }, "f0017704", "lock; addl %esi, 4(%rdi)"},
      {"lock_or_m64", [](Encoder& e) { e.lock(); e.alu_mr(AluKind::Or, W::Q64, Mem{R::R14, -8}, R::Rbx); }, "f049095ef8", "lock; orq %rbx, -8(%r14)"},
      {"cmp_mi_state", [](Encoder& e) { e.alu_mi(AluKind::Cmp, W::D32, Mem{R::R12, 56}, 0); }, "41837c243800", "cmpl $0, 56(%r12)"},
      {"sub_mi_q", [](Encoder& e) { e.alu_mi(AluKind::Sub, W::Q64, Mem{R::R12, 40}, 1); }, "49836c242801", "subq $1, 40(%r12)"},
      {"cmp_mr", [](Encoder& e) { e.alu_mr(AluKind::Cmp, W::Q64, Mem{R::R12, 24}, R::R11); }, "4d395c2418", "cmpq %r11, 24(%r12)"},
      {"test_rr", [](Encoder& e) { e.test_rr(W::Q64, R::Rsi, R::Rsi); }, "4885f6", "testq %rsi, %rsi"},
      {"test_ri32", [](Encoder& e) { e.test_ri(W::D32, R::Rcx, 0x80); }, "f7c180000000", "testl $128, %ecx"},
      {"imul_rr", [](Encoder& e) { e.imul_rr(W::Q64, R::Rax, R::R15); }, "490fafc7", "imulq %r15, %rax"},
      {"imul_rri8", [](Encoder& e) { e.imul_rri(W::D32, R::Rbx, R::Rbx, 3); }, "6bdb03", "imull $3, %ebx, %ebx"},
      {"imul_rri32", [](Encoder& e) { e.imul_rri(W::Q64, R::R13, R::R13, 1000); }, "4d69ede8030000", "imulq $1000, %r13, %r13"},
      {"neg64", [](Encoder& e) { e.unary(UnaryKind::Neg, W::Q64, R::Rdx); }, "48f7da", "negq %rdx"},
      {"div64", [](Encoder& e) { e.unary(UnaryKind::Div, W::Q64, R::R11); }, "49f7f3", "divq %r11"},
      {"idiv32", [](Encoder& e) { e.unary(UnaryKind::Idiv, W::D32, R::R11); }, "41f7fb", "idivl %r11d"},
      {"cqo", [](Encoder& e) { e.cqo(); }, "4899", "cqto"},
      {"cdq", [](Encoder& e) { e.cdq(); }, "99", "cltd"},
      {"shl_ri", [](Encoder& e) { e.shift_ri(ShiftKind::Shl, W::Q64, R::Rdi, 3); }, "48c1e703", "shlq $3, %rdi"},
      {"shr_r1", [](Encoder& e) { e.shift_ri(ShiftKind::Shr, W::D32, R::Rax, 1); }, "d1e8", "shrl %eax"},
      {"sar_ri", [](Encoder& e) { e.shift_ri(ShiftKind::Sar, W::Q64, R::R14, 63); }, "49c1fe3f", "sarq $63, %r14"},
      {"rol16", [](Encoder& e) { e.shift_ri(ShiftKind::Rol, W::W16, R::Rsi, 8); }, "66c1c608", "rolw $8, %si"},
      {"shl_cl", [](Encoder& e) { e.shift_cl(ShiftKind::Shl, W::Q64, R::Rbx); }, "48d3e3", "shlq %cl, %rbx"},
      {"sar_cl32", [](Encoder& e) { e.shift_cl(ShiftKind::Sar, W::D32, R::R11); }, "41d3fb", "sarl %cl, %r11d"},
      {"mov_rr64", [](Encoder& e) { e.mov_rr(W::Q64, R::Rbx, R::Rdi); }, "4889fb", "movq %rdi, %rbx"},
      {"mov_rr32", [](Encoder& e) { e.mov_rr(W::D32, R::R15, R::R15); }, "4589ff", "movl %r15d, %r15d"},
      {"mov_ri32", [](Encoder& e) { e.mov_ri32(R::R9, 7); }, "41b907000000", "movl $7, %r9d"},
      {"mov_ri64_sx", [](Encoder& e) { e.mov_ri64_sx(R::Rax, -1); }, "48c7c0ffffffff", "movq $-1, %rax"},
      {"movabs", [](Encoder& e) { e.movabs(R::R13, 0x1122334455667788ull); }, "49bd8877665544332211",
       "movabsq $1234605616436508552, %r13"},
      {"mov_imm_zero", [](Encoder& e) { e.mov_imm(R::Rsi, 0); }, "31f6", "xorl %esi, %esi"},
      {"mov_imm_u32", [](Encoder& e) { e.mov_imm(R::Rsi, 0xffffffffu); }, "beffffffff", "movl $4294967295, %esi"},
      {"movzx8", [](Encoder& e) { e.movzx_rr(W::B8, R::Rsi, R::Rsi); }, "400fb6f6", "movzbl %sil, %esi"},
      {"movzx16", [](Encoder& e) { e.movzx_rr(W::W16, R::R8, R::R8); }, "450fb7c0", "movzwl %r8w, %r8d"},
      {"movsx8_64", [](Encoder& e) { e.movsx_rr(W::B8, W::Q64, R::Rax, R::Rdi); }, "480fbec7", "movsbq %dil, %rax"},
      {"movsx16_32", [](Encoder& e) { e.movsx_rr(W::W16, W::D32, R::Rbx, R::Rcx); }, "0fbfd9", "movswl %cx, %ebx"},
      {"movsxd", [](Encoder& e) { e.movsx_rr(W::D32, W::Q64, R::R11, R::R11); }, "4d63db", "movslq %r11d, %r11"},
      {"bswap32", [](Encoder& e) { e.bswap(W::D32, R::Rdx); }, "0fca", "bswapl %edx"},
      {"bswap64", [](Encoder& e) { e.bswap(W::Q64, R::R14); }, "490fce", "bswapq %r14"},
      {"lea_disp8", [](Encoder& e) { e.lea(R::R11, Mem{R::Rbp, -8}); }, "4c8d5df8", "leaq -8(%rbp), %r11"},
      {"lea_disp32", [](Encoder& e) { e.lea(R::Rbp, Mem{R::Rbp, 512}); }, "488dad00020000", "leaq 512(%rbp), %rbp"},
      {"lea_rsp", [](Encoder& e) { e.lea(R::Rsp, Mem{R::Rsp, 8}); }, "488d642408", "leaq 8(%rsp), %rsp"},
      {"lea_bi", [](Encoder& e) { e.lea_bi(R::R8, R::Rsi, R::Rcx); }, "4c8d040e", "leaq (%rsi,%rcx), %r8"},
      {"lea_bi_r13", [](Encoder& e) { e.lea_bi(R::Rbx, R::R13, R::R15); }, "4b8d5c3d00", "leaq (%r13,%r15), %rbx"},
      {"lea_bi_rbp", [](Encoder& e) { e.lea_bi(R::Rax, R::Rbp, R::Rdi); }, "488d443d00", "leaq (%rbp,%rdi), %rax"},
      {"lea_bi_same", [](Encoder& e) { e.lea_bi(R::R14, R::Rdx, R::Rdx); }, "4c8d3412", "leaq (%rdx,%rdx), %r14"},
      {"lea_bid", [](Encoder& e) { e.lea(R::Rbx, Mem{R::Rsi, 2, R::Rcx}); }, "488d5c0e02", "leaq 2(%rsi,%rcx), %rbx"},
      {"lea_bid32_r13", [](Encoder& e) { e.lea(R::R14, Mem{R::R13, 0x1000, R::R15}); }, "4f8db43d00100000", "leaq 4096(%r13,%r15), %r14"},
      {"load8_bi", [](Encoder& e) { e.load(W::B8, R::R13, Mem{R::Rsi, 0, R::Rcx}); }, "440fb62c0e", "movzbl (%rsi,%rcx), %r13d"},
      {"load16_bi_rbp", [](Encoder& e) { e.load(W::W16, R::Rax, Mem{R::Rbp, 0, R::R8}); }, "420fb7440500", "movzwl (%rbp,%r8), %eax"},
      {"load32_bi", [](Encoder& e) { e.load(W::D32, R::Rdi, Mem{R::R12, -4, R::Rdx}); }, "418b7c14fc", "movl -4(%r12,%rdx), %edi"},
      {"load64_bi", [](Encoder& e) { e.load(W::Q64, R::R9, Mem{R::Rbx, 300, R::R14}); }, "4e8b8c332c010000", "movq 300(%rbx,%r14), %r9"},
      {"loadsx8_bi", [](Encoder& e) { e.load_sx(W::B8, R::Rcx, Mem{R::Rdi, 1, R::Rsi}); }, "480fbe4c3701", "movsbq 1(%rdi,%rsi), %rcx"},
      {"loadsx32_bi", [](Encoder& e) { e.load_sx(W::D32, R::R15, Mem{R::Rax, 0, R::Rbp}); }, "4c633c28", "movslq (%rax,%rbp), %r15"},
      {"store8_bi", [](Encoder& e) { e.store(W::B8, Mem{R::Rsi, 0, R::Rcx}, R::Rdi); }, "40883c0e", "movb %dil, (%rsi,%rcx)"},
      {"store16_bi", [](Encoder& e) { e.store(W::W16, Mem{R::R8, 6, R::R13}, R::Rax); }, "664389442806", "movw %ax, 6(%r8,%r13)"},
      {"store64_bi", [](Encoder& e) { e.store(W::Q64, Mem{R::Rbp, -16, R::Rcx}, R::R15); }, "4c897c0df0", "movq %r15, -16(%rbp,%rcx)"},
      {"store_imm32_bi", [](Encoder& e) { e.store_imm(W::D32, Mem{R::Rdx, 8, R::Rbx}, 7); }, "c7441a0807000000", "movl $7, 8(%rdx,%rbx)"},
      {"store_imm8_bi", [](Encoder& e) { e.store_imm(W::B8, Mem{R::R15, 0, R::R8}, -1); }, "43c60407ff", "movb $-1, (%r15,%r8)"},
      {"load8", [](Encoder& e) { e.load(W::B8, R::Rax, Mem{R::Rdi, 0}); }, "0fb607", "movzbl (%rdi), %eax"},
      {"load16_r13", [](Encoder& e) { e.load(W::W16, R::Rbx, Mem{R::R13, 0}); }, "410fb75d00", "movzwl (%r13), %ebx"},
      {"load32", [](Encoder& e) { e.load(W::D32, R::Rsi, Mem{R::Rbp, -4}); }, "8b75fc", "movl -4(%rbp), %esi"},
      {"load64_r12", [](Encoder& e) { e.load(W::Q64, R::Rsp, Mem{R::R12, 0}); }, "498b2424", "movq (%r12), %rsp"},
      {"loadsx8", [](Encoder& e) { e.load_sx(W::B8, R::Rcx, Mem{R::Rdx, 1}); }, "480fbe4a01", "movsbq 1(%rdx), %rcx"},
      {"loadsx16", [](Encoder& e) { e.load_sx(W::W16, R::R8, Mem{R::Rsi, 2}); }, "4c0fbf4602", "movswq 2(%rsi), %r8"},
      {"loadsx32", [](Encoder& e) { e.load_sx(W::D32, R::R15, Mem{R::R14, 300}); }, "4d63be2c010000", "movslq 300(%r14), %r15"},
      {"store8_sil", [](Encoder& e) { e.store(W::B8, Mem{R::Rbp, -1}, R::Rsi); }, "408875ff", "movb %sil, -1(%rbp)"},
      {"store16", [](Encoder& e) { e.store(W::W16, Mem{R::Rdi, 6}, R::Rax); }, "66894706", "movw %ax, 6(%rdi)"},
      {"store32", [](Encoder& e) { e.store(W::D32, Mem{R::R11, 0}, R::R15); }, "45893b", "movl %r15d, (%r11)"},
      {"store64", [](Encoder& e) { e.store(W::Q64, Mem{R::R12, 48}, R::Rbp); }, "49896c2430", "movq %rbp, 48(%r12)"},
      {"store_imm8", [](Encoder& e) { e.store_imm(W::B8, Mem{R::Rbp, -3}, 0x7f); }, "c645fd7f", "movb $127, -3(%rbp)"},
      {"store_imm16", [](Encoder& e) { e.store_imm(W::W16, Mem{R::Rdi, 0}, 0x1234); }, "66c7073412", "movw $4660, (%rdi)"},
      {"store_imm32", [](Encoder& e) { e.store_imm(W::D32, Mem{R::R12, 64}, 5); }, "41c744244005000000", "movl $5, 64(%r12)"},
      {"store_imm64", [](Encoder& e) { e.store_imm(W::Q64, Mem{R::Rbp, -16}, -2); }, "48c745f0feffffff", "movq $-2, -16(%rbp)"},
      {"dec_m", [](Encoder& e) { e.dec_m(W::Q64, Mem{R::R12, 16}); }, "49ff4c2410", "decq 16(%r12)"},
      {"inc_m", [](Encoder& e) { e.inc_m(W::D32, Mem{R::Rdi, 0}); }, "ff07", "incl (%rdi)"},
      {"lock_xadd32", [](Encoder& e) { e.lock(); e.xadd(W::D32, Mem{R::Rdi, 8}, R::Rsi); }, "f00fc17708", "lock; xaddl %esi, 8(%rdi)"},
      {"lock_xadd64", [](Encoder& e) { e.lock(); e.xadd(W::Q64, Mem{R::Rbp, -8}, R::Rax); }, "f0480fc145f8", "lock; xaddq %rax, -8(%rbp)"},
      {"lock_cmpxchg", [](Encoder& e) { e.lock(); e.cmpxchg(W::Q64, Mem{R::R9, 0}, R::R11); }, "f04d0fb119", "lock; cmpxchgq %r11, (%r9)"},
      {"xchg32", [](Encoder& e) { e.xchg(W::D32, Mem{R::Rdx, 4}, R::Rcx); }, "874a04", "xchgl %ecx, 4(%rdx)"},
      {"push_r15", [](Encoder& e) { e.push(R::R15); }, "4157", "pushq %r15"},
      {"pop_rbx", [](Encoder& e) { e.pop(R::Rbx); }, "5b", "popq %rbx"},
      {"push_m", [](Encoder& e) { e.push_m(Mem{R::R12, 16}); }, "41ff742410", "pushq 16(%r12)"},
      {"pop_m", [](Encoder& e) { e.pop_m(Mem{R::R12, 16}); }, "418f442410", "popq 16(%r12)"},
      {"call_r", [](Encoder& e) { e.call_r(R::Rax); }, "ffd0", "callq *%rax"},
      {"jmp_r11", [](Encoder& e) { e.jmp_r(R::R11); }, "41ffe3", "jmpq *%r11"},
      {"jmp_m", [](Encoder& e) { e.jmp_m(Mem{R::R12, 8}); }, "41ff642408", "jmpq *8(%r12)"},
      {"ret", [](Encoder& e) { e.ret(); }, "c3", "retq"},
      {"nop1", [](Encoder& e) { e.nop(1); }, "90", "nop"},
      {"nop2", [](Encoder& e) { e.nop(2); }, "6690", "nop"},
      {"nop3", [](Encoder& e) { e.nop(3); }, "0f1f00", "nopl (%rax)"},
      {"nop4", [](Encoder& e) { e.nop(4); }, "0f1f4000", "nopl (%rax)"},
      {"nop5", [](Encoder& e) { e.nop(5); }, "0f1f440000", "nopl (%rax,%rax)"},
      {"nop6", [](Encoder& e) { e.nop(6); }, "660f1f440000", "nopw (%rax,%rax)"},
      {"nop7", [](Encoder& e) { e.nop(7); }, "0f1f8000000000", "nopl (%rax)"},
      {"nop8", [](Encoder& e) { e.nop(8); }, "0f1f840000000000", "nopl (%rax,%rax)"},
      {"nop9", [](Encoder& e) { e.nop(9); }, "660f1f840000000000", "nopw (%rax,%rax)"},
      {"jcc_back_short", [](Encoder& e) {
         Label l = e.buffer().new_label();
         e.buffer().bind(l);
         e.jcc(Cond::NE, l);
       }, "75fe", "jne -2"},
      {"jcc_forward_long", [](Encoder& e) {
         Label l = e.buffer().new_label();
         e.jcc(Cond::G, l);
         e.buffer().bind(l);
       }, "0f8f00000000", "jg 0"},
      {"jcc_forward_hint", [](Encoder& e) {
         Label l = e.buffer().new_label();
         e.jcc(Cond::BE, l, true);
         e.buffer().bind(l);
       }, "7600", "jbe 0"},
      {"jmp_forward", [](Encoder& e) {
         Label l = e.buffer().new_label();
         e.jmp(l);
         e.buffer().bind(l);
       }, "e900000000", "jmp 0"},
      {"call_label", [](Encoder& e) {
         Label l = e.buffer().new_label();
         e.call(l);
         e.buffer().bind(l);
       }, "e800000000", "callq 0"},
  };
}

std::string hex(const std::vector<uint8_t>& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) { s += d[x >> 4]; s += d[x & 15]; }
  return s;
}

class X86Encoding : public testing::TestWithParam<Row> {};

TEST_P(X86Encoding, BytesAndLlvmText) {
  const Row& row = GetParam();
  CodeBuffer buf;
  Encoder e(buf);
  row.emit(e);
  ASSERT_TRUE(buf.resolve().ok());
  auto dis = X86Disassembler::create();
  ASSERT_TRUE(dis) << dis.message();
  const auto insns = (*dis)->disassemble(buf.bytes());
  std::string text;
  for (const auto& in : insns) {
    if (!text.empty()) text += "; ";
    text += in.valid ? in.text : "<invalid>";
  }
  if (std::getenv("X86_ENCODER_BLESS") != nullptr) {
    std::printf("BLESS %s \"%s\", \"%s\"\n", row.name, hex(buf.bytes()).c_str(), text.c_str());
    return;
  }
  EXPECT_EQ(hex(buf.bytes()), row.hex);
  EXPECT_EQ(text, row.text);
  // One emit call is one instruction; LLVM prints a LOCK prefix as its own "lock;".
  size_t decoded = 0;
  for (const auto& in : insns) decoded += in.size;
  EXPECT_EQ(decoded, buf.size()) << "LLVM decodes exactly the bytes emitted";
  EXPECT_LE(insns.size(), buf.bytes()[0] == 0xf0 ? 2u : 1u) << text;
}

INSTANTIATE_TEST_SUITE_P(Rows, X86Encoding, testing::ValuesIn(rows()),
                         [](const testing::TestParamInfo<Row>& i) { return std::string(i.param.name); });

// Loop-alignment padding of every length a 64-byte line can need: LLVM decodes it as
// NOPs only, at most 9 bytes each, covering exactly the bytes asked for.
TEST(X86Encoder, NopPaddingOfEveryLengthIsOnlyNops) {
  auto dis = X86Disassembler::create();
  ASSERT_TRUE(dis) << dis.message();
  for (size_t n = 0; n < 64; ++n) {
    CodeBuffer buf;
    Encoder e(buf);
    e.nop(n);
    ASSERT_EQ(buf.size(), n);
    size_t decoded = 0;
    for (const auto& in : (*dis)->disassemble(buf.bytes())) {
      EXPECT_TRUE(in.valid) << n;
      EXPECT_EQ(in.text.rfind("nop", 0), 0u) << n << ": " << in.text;
      EXPECT_LE(in.size, 9u);
      decoded += in.size;
    }
    EXPECT_EQ(decoded, n);
    EXPECT_EQ((*dis)->disassemble(buf.bytes()).size(), (n + 8) / 9) << "fewest NOPs for " << n << " bytes";
  }
}

TEST(X86CodeBuffer, ResolveRejectsUnboundAndOutOfRangeLabels) {
  CodeBuffer a;
  Encoder ea(a);
  ea.jmp(a.new_label());
  EXPECT_FALSE(a.resolve().ok());
  CodeBuffer b;
  Encoder eb(b);
  Label far = b.new_label();
  eb.jcc(Cond::E, far, /*near_hint=*/true);
  for (int i = 0; i < 200; ++i) eb.ret();
  b.bind(far);
  EXPECT_FALSE(b.resolve().ok()) << "a rel8 fixup 200 bytes away must not be truncated";
}

}  // namespace
}  // namespace bpfvet::jit::x86
