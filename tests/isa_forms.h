// Every valid opcode form of the instruction table, with edge immediates and
// offsets: the input of the round-trip (isa_asm_test) and LLVM agreement
// (isa_llvm_test) tests.  Built only from make:: constructors, so a form the
// table cannot encode shows up as Kind::Invalid (which the tests reject).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "isa/insn.h"

namespace bpfvet::isa::testing {

/// All forms.  Registers vary over a few pairs, including r0 and r10.
inline std::vector<Insn> all_forms() {
  using std::numeric_limits;
  const int32_t imms[] = {0, 1, -1, 7, numeric_limits<int32_t>::min(), numeric_limits<int32_t>::max()};
  const int16_t offs[] = {0, 1, -1, -8, numeric_limits<int16_t>::min(), numeric_limits<int16_t>::max()};
  const std::pair<uint8_t, uint8_t> regs[] = {{0, 1}, {1, 2}, {9, 10}, {10, 0}};
  const uint8_t sizes[] = {1, 2, 4, 8};
  std::vector<Insn> v;

  const AluOp alu_ops[] = {
#define BPFVET_ALU_OP(Name, op, off, symbol) AluOp::Name,
#include "isa/opcodes.def"
  };
  for (AluOp op : alu_ops) {
    for (bool is64 : {false, true}) {
      if (op == AluOp::Neg) {
        for (auto [d, s] : regs) v.push_back(make::alu_imm(op, is64, d, 0));
        continue;
      }
      if (op == AluOp::MovSx) {
        for (uint8_t bits : {8, 16, 32})
          if (is64 || bits != 32)
            for (auto [d, s] : regs) v.push_back(make::mov_sx(is64, d, s, bits));
        continue;
      }
      if (op == AluOp::End) continue;
      for (auto [d, s] : regs) v.push_back(make::alu(op, is64, d, s));
      for (int32_t imm : imms) v.push_back(make::alu_imm(op, is64, 3, imm));
    }
  }
  for (Endian e : {Endian::Le, Endian::Be, Endian::Swap})
    for (uint8_t bits : {16, 32, 64})
      for (uint8_t d : {0, 5}) v.push_back(make::endian(e, d, bits));

  const JmpOp jmp_ops[] = {
#define BPFVET_JMP_OP(Name, op, symbol) JmpOp::Name,
#include "isa/opcodes.def"
  };
  for (JmpOp op : jmp_ops) {
    if (op == JmpOp::Ja || op == JmpOp::MayGoto) continue;
    for (bool is64 : {false, true}) {
      for (auto [d, s] : regs)
        for (int16_t off : offs) v.push_back(make::jmp(op, is64, d, s, off));
      for (int32_t imm : imms) v.push_back(make::jmp_imm(op, is64, 4, imm, -3));
    }
  }
  for (int16_t off : offs) {
    v.push_back(make::ja(off));
    v.push_back(make::may_goto(off));
  }
  for (int32_t imm : imms) {
    v.push_back(make::gotol(imm));
    v.push_back(make::call(imm));
    v.push_back(make::call_local(imm));
    v.push_back(make::call_kfunc(imm));
  }
  for (int16_t off : offs) v.push_back(make::call_kfunc(1234, off));
  v.push_back(make::exit());

  const uint64_t values[] = {0,
                             1,
                             ~0ull,
                             0x80000000ull,
                             0x100000000ull,
                             0x8000000000000000ull,
                             0x7fffffffffffffffull,
                             0x123456789abcdef0ull};
  for (uint64_t x : values) v.push_back(make::ld_imm64(1, x));
  for (int32_t imm : imms) {
    for (Pseudo p : {Pseudo::MapFd, Pseudo::BtfId, Pseudo::Func, Pseudo::MapIdx})
      v.push_back(make::ld_imm64(2, static_cast<uint32_t>(imm), p));
    for (Pseudo p : {Pseudo::MapValue, Pseudo::MapIdxValue}) {
      v.push_back(make::ld_map_value(3, p, imm, 16));
      v.push_back(make::ld_map_value(3, p, 5, imm));
    }
  }

  for (uint8_t size : sizes) {
    for (int16_t off : offs) {
      v.push_back(make::load(size, false, 0, 10, off));
      if (size != 8) v.push_back(make::load(size, true, 7, 1, off));
      v.push_back(make::store_reg(size, 10, 1, off));
    }
    for (int32_t imm : imms) v.push_back(make::store_imm(size, 10, -8, imm));
  }

  const AtomicOp atomic_ops[] = {
#define BPFVET_ATOMIC_OP(Name, imm, text) AtomicOp::Name,
#include "isa/opcodes.def"
  };
  for (AtomicOp op : atomic_ops) {
    const bool ordered = op == AtomicOp::LoadAcquire || op == AtomicOp::StoreRelease;
    for (uint8_t size : sizes) {
      if (!ordered && size < 4) continue;
      for (int16_t off : {int16_t{0}, int16_t{-8}, numeric_limits<int16_t>::max()})
        v.push_back(make::atomic(op, size, 1, op == AtomicOp::CmpXchg ? 2 : 3, off));
    }
  }

  for (uint8_t size : {1, 2, 4}) {
    for (int32_t imm : imms) v.push_back(make::ld_abs(size, imm));
    for (int32_t imm : {0, 4, -4, 100}) v.push_back(make::ld_ind(size, 6, imm));
  }
  return v;
}

/// The bytes of one instruction as a hex string "61 10 04 00 00 00 00 00" (both slots of lddw).
inline std::string hex_bytes(const std::vector<RawInsn>& raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes_from_raw(raw)) {
    if (!s.empty()) s += ' ';
    s += kDigits[b >> 4];
    s += kDigits[b & 0xf];
  }
  return s;
}

}  // namespace bpfvet::isa::testing
