// Robustness: verify() must give a verdict (never crash, throw or hang) for any decodable
// program.  Thousands of random programs from a fixed seed, built from every instruction
// kind, with random registers, offsets, helper ids and jump targets.
#include <gtest/gtest.h>

#include <random>

#include "isa/program.h"
#include "verifier/verifier.h"

namespace bpfvet::testing {
namespace {

using isa::AluOp;
using isa::JmpOp;
namespace mk = isa::make;

isa::Insn random_insn(std::mt19937& rng, int len, int pc) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  uint8_t dst = static_cast<uint8_t>(pick(11)), src = static_cast<uint8_t>(pick(11));
  static const AluOp alu_ops[] = {AluOp::Add, AluOp::Sub, AluOp::Mul, AluOp::Div, AluOp::Or, AluOp::And,
                                  AluOp::Lsh, AluOp::Rsh, AluOp::Mod, AluOp::Xor, AluOp::Mov, AluOp::Arsh};
  static const JmpOp jmp_ops[] = {JmpOp::Jeq, JmpOp::Jgt, JmpOp::Jge, JmpOp::Jset, JmpOp::Jne,
                                  JmpOp::Jsgt, JmpOp::Jsge, JmpOp::Jlt, JmpOp::Jle, JmpOp::Jslt, JmpOp::Jsle};
  static const uint8_t sizes[] = {1, 2, 4, 8};
  int16_t off = static_cast<int16_t>(pick(40) - 24);
  int16_t jmp = static_cast<int16_t>(pick(len) - pc - 1);
  switch (pick(10)) {
    case 0: return mk::alu(alu_ops[pick(12)], pick(2), dst, src);
    case 1: return mk::alu_imm(alu_ops[pick(12)], pick(2), dst, static_cast<int32_t>(pick(64)) - 8);
    case 2: return mk::jmp(jmp_ops[pick(11)], pick(2), dst, src, jmp);
    case 3: return mk::jmp_imm(jmp_ops[pick(11)], pick(2), dst, pick(16), jmp);
    case 4: return mk::load(sizes[pick(4)], false, dst, src, off);
    case 5: return mk::store_reg(sizes[pick(4)], dst, src, off);
    case 6: return mk::store_imm(sizes[pick(4)], dst, off, pick(100));
    case 7: return mk::call(pick(200));
    case 8: return mk::ja(jmp);
    default: return mk::exit();
  }
}

TEST(VerifierRobustness, RandomProgramsGetAVerdict) {
  std::mt19937 rng(12345);
  const isa::ProgType types[] = {isa::ProgType::SocketFilter, isa::ProgType::Xdp, isa::ProgType::SchedCls,
                                 isa::ProgType::Kprobe, isa::ProgType::CgroupSkb};
  int verified = 0, accepted = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    int len = 2 + static_cast<int>(rng() % 24);
    std::vector<isa::Insn> insns;
    for (int pc = 0; pc < len - 1; ++pc) insns.push_back(random_insn(rng, len, pc));
    insns.push_back(mk::exit());
    auto raw = isa::encode(insns);
    auto prog = isa::program_from_raw(raw, types[iter % 5], "fuzz");
    if (!prog) continue;
    isa::MapDef m;
    m.name = "m";
    m.type = isa::MapType::Hash;
    m.key_size = 4;
    m.value_size = 8;
    m.max_entries = 4;
    prog->maps.push_back(m);
    prog->license = "GPL";
    verifier::VerifyOptions opts;
    opts.insn_limit = 20000;
    opts.log_level = iter % 3;
    verifier::VerifyResult r = verifier::verify(*prog, opts);
    ++verified;
    if (r.accepted) {
      ++accepted;
      EXPECT_FALSE(r.error.has_value());
    } else {
      ASSERT_TRUE(r.error.has_value());
      EXPECT_FALSE(r.error->kernel_message.empty());
      EXPECT_GE(r.error->insn, 0);
      EXPECT_LT(r.error->insn, static_cast<int64_t>(prog->insns.size()));
    }
  }
  EXPECT_GT(verified, 1000);
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace bpfvet::testing
