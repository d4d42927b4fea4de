// Unit tests for Scalar: straight-line programs whose resulting register state must print
// exactly as Linux 6.18's verifier log printed it (captured with BPF_PROG_LOAD at log
// level 2; register ids removed since Scalar has none), plus table-driven checks of
// branch decisions, inclusion and the log format.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <regex>
#include <string>
#include <vector>

#include "isa/insn.h"
#include "verifier/scalar.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

namespace bpfvet::verifier {
namespace {

using isa::AluOp;
using isa::JmpOp;

// A minimal abstract run: calls return unknown (and clobber r1-r5), ALU ops go through
// scalar_alu, conditional jumps continue on the fall-through edge (the kernel's log line
// for a jump shows that edge's state).
Scalar run(const std::vector<isa::Insn>& prog, int reg) {
  std::vector<Scalar> r(11, Scalar::unknown());
  for (const isa::Insn& in : prog) {
    switch (in.kind) {
      case isa::Kind::Call:
        for (int i = 0; i <= 5; ++i) r[i] = Scalar::unknown();
        break;
      case isa::Kind::Alu: {
        const Scalar src = in.use_src ? r[in.src] : Scalar::constant(static_cast<uint64_t>(in.simm()));
        r[in.dst] = scalar_alu(in, r[in.dst], src);
        break;
      }
      case isa::Kind::Jmp: {
        const Scalar src = in.use_src ? r[in.src] : Scalar::constant(static_cast<uint64_t>(in.simm()));
        const BranchRefinement br = scalar_refine_branch(in.jmp, in.is64, r[in.dst], src);
        EXPECT_TRUE(br.fallthrough.has_value());
        if (!br.fallthrough) return Scalar::unknown();
        r[in.dst] = br.fallthrough->first;
        if (in.use_src) r[in.src] = br.fallthrough->second;
        break;
      }
      default:
        ADD_FAILURE() << "unexpected instruction kind";
    }
  }
  return r[reg];
}

struct KernelCase {
  const char* name;
  std::vector<isa::Insn> prog;
  int reg;
  const char* kernel_state;  // as Linux 6.18 printed it, ids removed
};

class MatchesKernelLog : public testing::TestWithParam<KernelCase> {};

TEST_P(MatchesKernelLog, StatePrintsAsTheKernelPrintedIt) {
  const KernelCase& c = GetParam();
  EXPECT_EQ(run(c.prog, c.reg).to_string(), c.kernel_state);
}

// clang-format off
const KernelCase kKernelCases[] = {
    {"and_imm_255", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))"},
    {"add_const_to_range", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255), isa::make::alu_imm(isa::AluOp::Add, true, 6, 10)}, 6, "scalar(smin=umin=smin32=umin32=10,smax=umax=smax32=umax32=265,var_off=(0x0; 0x1ff))"},
    {"sub_const_from_range", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255), isa::make::alu_imm(isa::AluOp::Sub, true, 6, 100)}, 6, "scalar(smin=smin32=-100,smax=smax32=155)"},
    {"jgt_fallthrough", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::jmp_imm(isa::JmpOp::Jgt, true, 6, 10, 1)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=10,var_off=(0x0; 0xf))"},
    {"jgt_fallthrough_after_and", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 4095), isa::make::jmp_imm(isa::JmpOp::Jgt, true, 6, 10, 1)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=10,var_off=(0x0; 0xf))"},
    {"jlt_fallthrough", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::jmp_imm(isa::JmpOp::Jlt, true, 6, 10, 1)}, 6, "scalar(umin=10)"},
    {"jsgt_fallthrough", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::jmp_imm(isa::JmpOp::Jsgt, true, 6, 10, 1)}, 6, "scalar(smax=10)"},
    {"jslt_fallthrough", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::jmp_imm(isa::JmpOp::Jslt, true, 6, -10, 1)}, 6, "scalar(smin=-10)"},
    {"jsge_fallthrough32", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::jmp_imm(isa::JmpOp::Jsge, false, 6, -5, 1)}, 6, "scalar(smin=0x8000000080000000,smax=0x7ffffffffffffffa,umin=umin32=0x80000000,umax=0xfffffffffffffffa,smax32=-6,umax32=0xfffffffa,var_off=(0x80000000; 0xffffffff7fffffff))"},
    {"jeq_fallthrough_edge", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 15), isa::make::jmp_imm(isa::JmpOp::Jeq, true, 6, 0, 1)}, 6, "scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))"},
    {"jne_fallthrough", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 15), isa::make::jmp_imm(isa::JmpOp::Jne, true, 6, 7, 1)}, 6, "7"},
    {"jset_fallthrough", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 15), isa::make::jmp_imm(isa::JmpOp::Jset, true, 6, 4, 1)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=11,var_off=(0x0; 0xb))"},
    {"jle32_fallthrough", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::jmp_imm(isa::JmpOp::Jle, false, 6, 4096, 1)}, 6, "scalar(smin=0x8000000000001001,umin=umin32=4097)"},
    {"jgt_reg_fallthrough", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255), isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 7, 0), isa::make::alu_imm(isa::AluOp::And, true, 7, 15), isa::make::jmp(isa::JmpOp::Jgt, true, 7, 6, 1)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))"},
    {"alu32_zero_extends", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::Add, false, 6, 1)}, 6, "scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))"},
    {"alu32_and", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, false, 6, -2)}, 6, "scalar(smin=0,smax=umax=umax32=0xfffffffe,smax32=0x7ffffffe,var_off=(0x0; 0xfffffffe))"},
    {"mov32_reg", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu(isa::AluOp::Mov, false, 6, 6)}, 6, "scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))"},
    {"movsx8_range", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255), isa::make::mov_sx(true, 7, 6, 8)}, 7, "scalar(smin=smin32=-128,smax=smax32=127)"},
    {"movsx8_small", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 127), isa::make::mov_sx(true, 7, 6, 8)}, 7, "scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f))"},
    {"movsx16_32", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 65535), isa::make::mov_sx(false, 7, 6, 16)}, 7, "scalar(smin=0,smax=umax=0xffffffff,smin32=-32768,smax32=32767,var_off=(0x0; 0xffffffff))"},
    {"movsx32_neg", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::Or, true, 6, -16), isa::make::mov_sx(true, 7, 6, 32)}, 7, "scalar(smin=smin32=-16,smax=smax32=-1,umin=0xfffffffffffffff0,umin32=0xfffffff0,var_off=(0xfffffffffffffff0; 0xf))"},
    {"arsh_negative_range", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255), isa::make::alu_imm(isa::AluOp::Sub, true, 6, 300), isa::make::alu_imm(isa::AluOp::Arsh, true, 6, 2)}, 6, "scalar(smin=smin32=-75,smax=smax32=-12,umin=0xffffffffffffffb5,umax=0xfffffffffffffff4,umin32=0xffffffb5,umax32=0xfffffff4,var_off=(0xffffffffffffff80; 0x7f))"},
    {"arsh32", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::Or, true, 6, -256), isa::make::alu_imm(isa::AluOp::Arsh, false, 6, 4)}, 6, "scalar(smin=umin=umin32=0xfffffff0,smax=umax=0xffffffff,smin32=-16,smax32=-1,var_off=(0xfffffff0; 0xf))"},
    {"rsh_range", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 65520), isa::make::alu_imm(isa::AluOp::Rsh, true, 6, 4)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=4095,var_off=(0x0; 0xfff))"},
    {"rsh32_high", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::Rsh, false, 6, 31)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=1,var_off=(0x0; 0x1))"},
    {"lsh_range", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255), isa::make::alu_imm(isa::AluOp::Lsh, true, 6, 8)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=0xff00,var_off=(0x0; 0xff00))"},
    {"lsh32_sext_idiom", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 32767), isa::make::alu_imm(isa::AluOp::Lsh, true, 6, 32), isa::make::alu_imm(isa::AluOp::Arsh, true, 6, 32)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=32767,var_off=(0x0; 0x7fff))"},
    {"lsh_by_reg_unknown", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255), isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 7, 0), isa::make::alu_imm(isa::AluOp::And, true, 7, 7), isa::make::alu(isa::AluOp::Lsh, true, 6, 7)}, 6, "scalar()"},
    {"mul_ranges", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255), isa::make::alu_imm(isa::AluOp::Mul, true, 6, 10)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=2550,var_off=(0x0; 0xffe))"},
    {"mul_signed", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 15), isa::make::alu_imm(isa::AluOp::Sub, true, 6, 8), isa::make::alu_imm(isa::AluOp::Mul, true, 6, -3)}, 6, "scalar(smin=smin32=-21,smax=smax32=24)"},
    {"or_const", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 240), isa::make::alu_imm(isa::AluOp::Or, true, 6, 5)}, 6, "scalar(smin=umin=smin32=umin32=5,smax=umax=smax32=umax32=245,var_off=(0x5; 0xf0))"},
    {"xor_const", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 240), isa::make::alu_imm(isa::AluOp::Xor, true, 6, 60)}, 6, "scalar(smin=umin=smin32=umin32=12,smax=umax=smax32=umax32=252,var_off=(0xc; 0xf0))"},
    {"neg_range", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255), isa::make::alu_imm(isa::AluOp::Neg, true, 6, 0)}, 6, "scalar(smin=smin32=-255,smax=smax32=0)"},
    {"neg32", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255), isa::make::alu_imm(isa::AluOp::Neg, false, 6, 0)}, 6, "scalar(smin=0,smax=umax=0xffffffff,smin32=-255,smax32=0,var_off=(0x0; 0xffffffff))"},
    {"div_unknown", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255), isa::make::alu_imm(isa::AluOp::Div, true, 6, 3)}, 6, "scalar()"},
    {"mod32_unknown", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255), isa::make::alu_imm(isa::AluOp::Mod, false, 6, 3)}, 6, "scalar()"},
    {"bswap16_range", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255), isa::make::endian(isa::Endian::Swap, 6, 16)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=0xff00,var_off=(0x0; 0xff00))"},
    {"be32_range", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 65280), isa::make::endian(isa::Endian::Be, 6, 32)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=0xff0000,var_off=(0x0; 0xff0000))"},
    {"le16_unknown", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::endian(isa::Endian::Le, 6, 16)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))"},
    {"const_big", {isa::make::call(7), isa::make::alu_imm(isa::AluOp::Mov, true, 6, 305419896)}, 6, "0x12345678"},
    {"const_neg", {isa::make::call(7), isa::make::alu_imm(isa::AluOp::Mov, true, 6, -5)}, 6, "-5"},
    {"const_add_32", {isa::make::call(7), isa::make::alu_imm(isa::AluOp::Mov, true, 6, -1), isa::make::alu_imm(isa::AluOp::Add, false, 6, 2)}, 6, "1"},
    {"ranges_cross_32", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255), isa::make::alu_imm(isa::AluOp::Add, true, 6, 4294967168)}, 6, "scalar(smin=smin32=-128,smax=smax32=127)"},
    {"sub_wrap_all", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 3), isa::make::alu_imm(isa::AluOp::Sub, true, 6, 10)}, 6, "scalar(smin=smin32=-10,smax=smax32=-7,umin=0xfffffffffffffff6,umax=0xfffffffffffffff9,umin32=0xfffffff6,umax32=0xfffffff9,var_off=(0xfffffffffffffff0; 0xf))"},
    {"add_reg_reg", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 255), isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 7, 0), isa::make::alu_imm(isa::AluOp::And, true, 7, 15), isa::make::alu(isa::AluOp::Add, true, 6, 7)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=270,var_off=(0x0; 0x1ff))"},
    {"and_unknown_reg", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 7, 0), isa::make::alu_imm(isa::AluOp::And, true, 7, 4080), isa::make::alu(isa::AluOp::And, true, 6, 7)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=4080,var_off=(0x0; 0xff0))"},
    {"jslt32_on_64", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::alu_imm(isa::AluOp::And, true, 6, 65535), isa::make::alu_imm(isa::AluOp::Sub, true, 6, 100), isa::make::jmp_imm(isa::JmpOp::Jslt, false, 6, 0, 1)}, 6, "scalar(smin=smin32=0,smax=umax=smax32=umax32=0xff9b,var_off=(0x0; 0xffff))"},
    {"jgt_u32_and_64", {isa::make::call(7), isa::make::alu(isa::AluOp::Mov, true, 6, 0), isa::make::jmp_imm(isa::JmpOp::Jgt, false, 6, 7, 1)}, 6, "scalar(smax=0x7fffffff00000007,umax=0xffffffff00000007,smin32=0,smax32=umax32=7,var_off=(0x0; 0xffffffff00000007))"},
};
// clang-format on

// The running kernel's log line for the case's last instruction, register `reg`'s state
// with ids removed; "" when the program could not be loaded.
std::string live_kernel_state(const KernelCase& c, std::string* why) {
  std::vector<isa::Insn> prog = c.prog;
  prog.push_back(isa::make::alu_imm(AluOp::Mov, true, 0, 0));
  prog.push_back(isa::make::exit());
  const std::vector<isa::RawInsn> raw = isa::encode(prog);
  std::vector<bpf_insn> insns(raw.size());
  std::memcpy(insns.data(), raw.data(), raw.size() * sizeof(bpf_insn));
  static char log[1 << 18];
  log[0] = 0;
  LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_level = 2, .log_size = sizeof log, .log_buf = log);
  const int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "domain", "GPL", insns.data(), insns.size(), &opts);
  if (fd < 0) {
    *why = std::string("load failed: ") + std::strerror(errno) + "\n" + log;
    return "";
  }
  close(fd);
  const std::string prefix = std::to_string(c.prog.size() - 1) + ": (";
  const std::string text = log;
  size_t line_start = 0;
  while (line_start < text.size()) {
    const size_t end = text.find('\n', line_start);
    const std::string line = text.substr(line_start, end - line_start);
    line_start = end == std::string::npos ? text.size() : end + 1;
    if (line.rfind(prefix, 0) != 0) continue;
    const size_t semi = line.find(';');
    const std::string key = "R" + std::to_string(c.reg) + "=";
    const size_t at = semi == std::string::npos ? std::string::npos : line.find(key, semi);
    if (at == std::string::npos) break;
    std::string state;
    int depth = 0;
    for (size_t i = at + key.size(); i < line.size(); ++i) {
      if (line[i] == ' ' && depth == 0) break;
      depth += line[i] == '(' ? 1 : line[i] == ')' ? -1 : 0;
      state += line[i];
    }
    state = std::regex_replace(state, std::regex("id=[0-9]+(-?\\+?[0-9]+)?,?"), "");
    return std::regex_replace(state, std::regex(",\\)"), ")");
  }
  *why = "no state line for the last instruction in\n" + text;
  return "";
}

// Re-checks the table against the running kernel (skipped without bpf() access), so a
// kernel whose rules changed shows up here first.
TEST_P(MatchesKernelLog, RunningKernelAgrees) {
  const KernelCase& c = GetParam();
  std::string why;
  const std::string live = live_kernel_state(c, &why);
  if (live.empty() && (errno == EPERM || errno == ENOSYS || errno == EACCES)) GTEST_SKIP() << "bpf() unavailable";
  ASSERT_FALSE(live.empty()) << why;
  if (live != c.kernel_state) GTEST_SKIP() << "running kernel differs from Linux 6.18: " << live;
  EXPECT_EQ(run(c.prog, c.reg).to_string(), live);
}

INSTANTIATE_TEST_SUITE_P(Linux618, MatchesKernelLog, testing::ValuesIn(kKernelCases),
                         [](const testing::TestParamInfo<KernelCase>& i) { return std::string(i.param.name); });

// ------------------------------------------------------------------ branch decisions

struct TakenCase {
  const char* name;
  JmpOp op;
  bool is64;
  Scalar dst, src;
  int expected;
};

class BranchTaken : public testing::TestWithParam<TakenCase> {};

TEST_P(BranchTaken, DecidesLikeTheKernel) {
  const TakenCase& c = GetParam();
  EXPECT_EQ(scalar_branch_taken(c.op, c.is64, c.dst, c.src), c.expected);
}

Scalar tnum_scalar(uint64_t value, uint64_t mask) {
  Scalar s;
  s.var_off = Tnum{value, mask};
  s.reduce();
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    Table, BranchTaken,
    testing::Values(
        TakenCase{"gt_always", JmpOp::Jgt, true, Scalar::urange(11, 20), Scalar::constant(10), 1},
        TakenCase{"gt_never", JmpOp::Jgt, true, Scalar::urange(0, 10), Scalar::constant(10), 0},
        TakenCase{"gt_maybe", JmpOp::Jgt, true, Scalar::urange(5, 15), Scalar::constant(10), -1},
        TakenCase{"sgt_negative_never", JmpOp::Jsgt, true, Scalar::srange(-10, -1), Scalar::constant(0), 0},
        TakenCase{"slt_negative_always", JmpOp::Jslt, true, Scalar::srange(-10, -1), Scalar::constant(0), 1},
        TakenCase{"eq_consts", JmpOp::Jeq, true, Scalar::constant(3), Scalar::constant(3), 1},
        TakenCase{"ne_consts", JmpOp::Jne, true, Scalar::constant(3), Scalar::constant(4), 1},
        TakenCase{"eq_disjoint_ranges", JmpOp::Jeq, true, Scalar::urange(0, 5), Scalar::urange(6, 9), 0},
        TakenCase{"eq_tnums_disagree", JmpOp::Jeq, true, tnum_scalar(0, 0xfe), Scalar::constant(1), 0},
        TakenCase{"ne_tnums_disagree", JmpOp::Jne, true, tnum_scalar(1, 0xfe), Scalar::constant(2), 1},
        TakenCase{"eq_low_halves_disjoint", JmpOp::Jeq, true, tnum_scalar(0x100000000, 0xff00000003),
                  tnum_scalar(0x10, 0xff00000000), 0},
        TakenCase{"set_known_bit", JmpOp::Jset, true, tnum_scalar(4, 0xf0), Scalar::constant(4), 1},
        TakenCase{"set_bit_absent", JmpOp::Jset, true, tnum_scalar(0, 0xf0), Scalar::constant(4), 0},
        TakenCase{"set_needs_const", JmpOp::Jset, true, tnum_scalar(4, 0xf0), tnum_scalar(4, 1), -1},
        TakenCase{"jmp32_sees_low_half", JmpOp::Jgt, false, Scalar::constant(0x100000005), Scalar::constant(7), 0},
        TakenCase{"jmp64_sees_all", JmpOp::Jgt, true, Scalar::constant(0x100000005), Scalar::constant(7), 1},
        TakenCase{"le_equal_edges", JmpOp::Jle, true, Scalar::urange(0, 10), Scalar::urange(10, 20), 1},
        TakenCase{"sge_maybe", JmpOp::Jsge, false, Scalar::srange(-5, 5), Scalar::constant(0), -1}),
    [](const testing::TestParamInfo<TakenCase>& i) { return std::string(i.param.name); });

TEST(BranchRefine, ImpossibleEdgesAreDropped) {
  const BranchRefinement br = scalar_refine_branch(JmpOp::Jgt, true, Scalar::urange(11, 20), Scalar::constant(10));
  EXPECT_TRUE(br.taken.has_value());
  EXPECT_FALSE(br.fallthrough.has_value());
  // A decided branch keeps the operands as they were (the kernel does not refine it).
  EXPECT_EQ(br.taken->first, Scalar::urange(11, 20));
}

TEST(BranchRefine, BothOperandsLearn) {
  // r1 in [0, 100], r2 in [50, 200]: on r1 > r2, r1 >= 51 and r2 <= 99.
  const BranchRefinement br = scalar_refine_branch(JmpOp::Jgt, true, Scalar::urange(0, 100), Scalar::urange(50, 200));
  ASSERT_TRUE(br.taken && br.fallthrough);
  EXPECT_EQ(br.taken->first.umin, 51u);
  EXPECT_EQ(br.taken->second.umax, 99u);
  EXPECT_EQ(br.fallthrough->second.umin, 50u);
  EXPECT_EQ(br.fallthrough->first.umax, 100u);
}

TEST(BranchRefine, EqualityMeetsBothSides) {
  const BranchRefinement br = scalar_refine_branch(JmpOp::Jeq, true, Scalar::urange(0, 100), Scalar::urange(50, 200));
  ASSERT_TRUE(br.taken);
  EXPECT_EQ(br.taken->first, br.taken->second);
  EXPECT_EQ(br.taken->first.umin, 50u);
  EXPECT_EQ(br.taken->first.umax, 100u);
}

TEST(BranchRefine, MayGotoKeepsBothEdges) {
  const BranchRefinement br = scalar_refine_branch(JmpOp::MayGoto, true, Scalar::urange(1, 2), Scalar::constant(0));
  EXPECT_TRUE(br.taken && br.fallthrough);
}

// ------------------------------------------------------------------ basics and format

TEST(ScalarBasics, ConstantsAndRanges) {
  const Scalar c = Scalar::constant(static_cast<uint64_t>(-5));
  EXPECT_TRUE(c.is_const());
  EXPECT_EQ(c.smin, -5);
  EXPECT_EQ(c.s32_min, -5);
  EXPECT_EQ(c.u32_max, 0xfffffffbu);
  const Scalar u = Scalar::urange(16, 31);
  EXPECT_EQ(u.var_off, (Tnum{16, 15}));
  EXPECT_EQ(u.smin, 16);
  EXPECT_EQ(u.u32_max, 31u);
  const Scalar s = Scalar::srange(-1, 0);
  EXPECT_TRUE(s.contains(0));
  EXPECT_TRUE(s.contains(~uint64_t{0}));
  EXPECT_FALSE(s.contains(1));
  EXPECT_EQ(Scalar::unknown().to_string(), "scalar()");
}

TEST(ScalarBasics, IncludesIsRangeWithinAndTnumIn) {
  const Scalar wide = Scalar::urange(0, 255), narrow = Scalar::urange(10, 20);
  EXPECT_TRUE(wide.includes(narrow));
  EXPECT_FALSE(narrow.includes(wide));
  EXPECT_TRUE(Scalar::unknown().includes(wide));
  EXPECT_TRUE(wide.includes(wide));
  EXPECT_FALSE(Scalar::constant(3).includes(Scalar::constant(4)));
  // Same bounds but a tnum that admits a value the old one forbids: not included.
  Scalar even = Scalar::urange(0, 254);
  even.var_off = Tnum{0, 0xfe};
  EXPECT_FALSE(even.includes(Scalar::urange(0, 254)));
}

TEST(ScalarBasics, EmptinessOnlyWhenNoValue) {
  Scalar s = Scalar::urange(10, 20);
  EXPECT_FALSE(s.is_empty());
  s.umin = 30;
  EXPECT_TRUE(s.is_empty());
  Scalar t = Scalar::urange(0, 255);
  t.u32_min = 300;  // contradicts the 64-bit bounds
  EXPECT_TRUE(t.is_empty());
}

TEST(ScalarBasics, Zext32KeepsLowHalf) {
  Scalar s = Scalar::srange(-4, 3);
  s.zext32();
  EXPECT_TRUE(s.contains(0xfffffffc));
  EXPECT_TRUE(s.contains(3));
  EXPECT_FALSE(s.contains(~uint64_t{0}));
  EXPECT_EQ(s.umax, 0xffffffffu);
}

struct FormatCase {
  Scalar s;
  const char* text;
};

class ScalarFormat : public testing::TestWithParam<FormatCase> {};

TEST_P(ScalarFormat, PrintsLikeTheKernel) { EXPECT_EQ(GetParam().s.to_string(), GetParam().text); }

INSTANTIATE_TEST_SUITE_P(
    Table, ScalarFormat,
    testing::Values(FormatCase{Scalar::constant(0), "0"}, FormatCase{Scalar::constant(32767), "32767"},
                    FormatCase{Scalar::constant(32768), "0x8000"},
                    FormatCase{Scalar::constant(static_cast<uint64_t>(-32768)), "-32768"},
                    FormatCase{Scalar::constant(static_cast<uint64_t>(-32769)), "0xffffffffffff7fff"},
                    FormatCase{Scalar::urange(0, 255),
                               "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))"},
                    FormatCase{Scalar::srange(-3, 3), "scalar(smin=smin32=-3,smax=smax32=3)"},
                    FormatCase{Scalar::urange(0, 0xffffffff), "scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))"}));

TEST(ScalarLoad, NarrowLoads) {
  EXPECT_EQ(scalar_for_load(1, false).to_string(),
            "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))");
  EXPECT_EQ(scalar_for_load(4, false).to_string(), "scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))");
  EXPECT_EQ(scalar_for_load(1, true).to_string(), "scalar(smin=smin32=-128,smax=smax32=127)");
  EXPECT_EQ(scalar_for_load(8, false), Scalar::unknown());
}

TEST(ScalarTruncate, KnownValues) {
  EXPECT_EQ(scalar_truncate(Scalar::constant(0x1234), 1), Scalar::constant(0x34));
  EXPECT_EQ(scalar_sign_extend(Scalar::constant(0x80), 1), Scalar::constant(static_cast<uint64_t>(-128)));
  EXPECT_EQ(scalar_sign_extend(Scalar::constant(0x7fffffff), 4), Scalar::constant(0x7fffffff));
  // A range whose low bytes wrap cannot stay a range.
  EXPECT_EQ(scalar_truncate(Scalar::urange(250, 260), 1).umax, 255u);
}

}  // namespace
}  // namespace bpfvet::verifier
