// x86-64 encoding forms (see x86_encoder.h).  References are to the Intel SDM, Vol. 2.
#include "jit/x86_64/x86_encoder.h"

namespace bpfvet::jit::x86 {

namespace {

uint8_t num(Reg r) { return static_cast<uint8_t>(r); }
// 8-bit operands spl/bpl/sil/dil exist only with a REX prefix (SDM 2.2.1.2).
bool needs_rex_byte(uint8_t r) { return r >= 4 && r <= 7; }

}  // namespace

void Encoder::rex(bool w, uint8_t reg, uint8_t rm, bool force, uint8_t index) {
  const uint8_t bits =
      static_cast<uint8_t>((w ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((index & 8) ? 2 : 0) | ((rm & 8) ? 1 : 0));
  if (bits != 0 || force) buf_.emit8(static_cast<uint8_t>(0x40 | bits));
}

void Encoder::op_rr(Width w, std::initializer_list<uint8_t> opcode, uint8_t reg, Reg rm, bool force_rex) {
  if (w == Width::W16) buf_.emit8(0x66);
  rex(w == Width::Q64, reg, num(rm), force_rex);
  emit(opcode);
  buf_.emit8(static_cast<uint8_t>(0xc0 | ((reg & 7) << 3) | (num(rm) & 7)));
}

void Encoder::op_rm(Width w, std::initializer_list<uint8_t> opcode, uint8_t reg, Mem m, bool force_rex) {
  if (w == Width::W16) buf_.emit8(0x66);
  const uint8_t base = num(m.base);
  const uint8_t index = m.index ? num(*m.index) : 4;  // SIB index 100b: none
  rex(w == Width::Q64, reg, base, force_rex, index);
  emit(opcode);
  // ModRM: mod 00 (no disp; not for rbp/r13, whose 00 form means RIP-relative),
  // 01 (disp8) or 10 (disp32); rm = 100b announces a SIB byte, which an index or a
  // base of rsp/r12 needs.
  uint8_t mod;
  if (m.disp == 0 && (base & 7) != 5) mod = 0;
  else if (fits_i8(m.disp)) mod = 1;
  else mod = 2;
  const bool sib = m.index.has_value() || (base & 7) == 4;
  buf_.emit8(static_cast<uint8_t>((mod << 6) | ((reg & 7) << 3) | (sib ? 4 : (base & 7))));
  if (sib) buf_.emit8(static_cast<uint8_t>(((index & 7) << 3) | (base & 7)));
  if (mod == 1) buf_.emit8(static_cast<uint8_t>(m.disp));
  if (mod == 2) buf_.emit32(static_cast<uint32_t>(m.disp));
}

void Encoder::alu_rr(AluKind k, Width w, Reg dst, Reg src) {
  const uint8_t k8 = static_cast<uint8_t>(static_cast<uint8_t>(k) * 8);
  if (w == Width::B8)
    op_rr(w, {k8}, num(src), dst, needs_rex_byte(num(src)) || needs_rex_byte(num(dst)));
  else
    op_rr(w, {static_cast<uint8_t>(k8 + 1)}, num(src), dst);
}

void Encoder::alu_ri(AluKind k, Width w, Reg dst, int32_t imm) {
  const uint8_t ext = static_cast<uint8_t>(k);
  if (w == Width::B8) {
    op_rr(w, {0x80}, ext, dst, needs_rex_byte(num(dst)));
    buf_.emit8(static_cast<uint8_t>(imm));
  } else if (fits_i8(imm)) {
    op_rr(w, {0x83}, ext, dst);
    buf_.emit8(static_cast<uint8_t>(imm));
  } else {
    op_rr(w, {0x81}, ext, dst);
    if (w == Width::W16) buf_.emit16(static_cast<uint16_t>(imm));
    else buf_.emit32(static_cast<uint32_t>(imm));
  }
}

void Encoder::alu_mr(AluKind k, Width w, Mem m, Reg src) {
  const uint8_t k8 = static_cast<uint8_t>(static_cast<uint8_t>(k) * 8);
  if (w == Width::B8) op_rm(w, {k8}, num(src), m, needs_rex_byte(num(src)));
  else op_rm(w, {static_cast<uint8_t>(k8 + 1)}, num(src), m);
}

void Encoder::alu_mi(AluKind k, Width w, Mem m, int32_t imm) {
  const uint8_t ext = static_cast<uint8_t>(k);
  if (w == Width::B8) {
    op_rm(w, {0x80}, ext, m);
    buf_.emit8(static_cast<uint8_t>(imm));
  } else if (fits_i8(imm)) {
    op_rm(w, {0x83}, ext, m);
    buf_.emit8(static_cast<uint8_t>(imm));
  } else {
    op_rm(w, {0x81}, ext, m);
    if (w == Width::W16) buf_.emit16(static_cast<uint16_t>(imm));
    else buf_.emit32(static_cast<uint32_t>(imm));
  }
}

void Encoder::test_rr(Width w, Reg a, Reg b) { op_rr(w, {0x85}, num(b), a); }

void Encoder::test_ri(Width w, Reg a, int32_t imm) {
  op_rr(w, {0xf7}, 0, a);
  buf_.emit32(static_cast<uint32_t>(imm));
}

void Encoder::imul_rr(Width w, Reg dst, Reg src) { op_rr(w, {0x0f, 0xaf}, num(dst), src); }

void Encoder::imul_rri(Width w, Reg dst, Reg src, int32_t imm) {
  if (fits_i8(imm)) {
    op_rr(w, {0x6b}, num(dst), src);
    buf_.emit8(static_cast<uint8_t>(imm));
  } else {
    op_rr(w, {0x69}, num(dst), src);
    buf_.emit32(static_cast<uint32_t>(imm));
  }
}

void Encoder::unary(UnaryKind k, Width w, Reg r) { op_rr(w, {0xf7}, static_cast<uint8_t>(k), r); }

void Encoder::shift_ri(ShiftKind k, Width w, Reg r, uint8_t count) {
  if (count == 1) {
    op_rr(w, {0xd1}, static_cast<uint8_t>(k), r);
  } else {
    op_rr(w, {0xc1}, static_cast<uint8_t>(k), r);
    buf_.emit8(count);
  }
}

void Encoder::shift_cl(ShiftKind k, Width w, Reg r) { op_rr(w, {0xd3}, static_cast<uint8_t>(k), r); }

void Encoder::mov_rr(Width w, Reg dst, Reg src) {
  if (w == Width::B8) op_rr(w, {0x88}, num(src), dst, needs_rex_byte(num(src)) || needs_rex_byte(num(dst)));
  else op_rr(w, {0x89}, num(src), dst);
}

void Encoder::mov_ri32(Reg dst, uint32_t imm) {
  if (num(dst) & 8) buf_.emit8(0x41);
  buf_.emit8(static_cast<uint8_t>(0xb8 + (num(dst) & 7)));
  buf_.emit32(imm);
}

void Encoder::mov_ri64_sx(Reg dst, int32_t imm) {
  op_rr(Width::Q64, {0xc7}, 0, dst);
  buf_.emit32(static_cast<uint32_t>(imm));
}

void Encoder::movabs(Reg dst, uint64_t imm) {
  buf_.emit8(static_cast<uint8_t>(0x48 | ((num(dst) & 8) ? 1 : 0)));
  buf_.emit8(static_cast<uint8_t>(0xb8 + (num(dst) & 7)));
  buf_.emit64(imm);
}

void Encoder::mov_imm(Reg dst, uint64_t v) {
  if (v == 0) alu_rr(AluKind::Xor, Width::D32, dst, dst);
  else if (v <= UINT32_MAX) mov_ri32(dst, static_cast<uint32_t>(v));
  else if (fits_i32(static_cast<int64_t>(v))) mov_ri64_sx(dst, static_cast<int32_t>(static_cast<int64_t>(v)));
  else movabs(dst, v);
}

void Encoder::movzx_rr(Width from, Reg dst, Reg src) {
  if (from == Width::B8) op_rr(Width::D32, {0x0f, 0xb6}, num(dst), src, needs_rex_byte(num(src)));
  else op_rr(Width::D32, {0x0f, 0xb7}, num(dst), src);
}

void Encoder::movsx_rr(Width from, Width to, Reg dst, Reg src) {
  if (from == Width::B8) op_rr(to, {0x0f, 0xbe}, num(dst), src, needs_rex_byte(num(src)));
  else if (from == Width::W16) op_rr(to, {0x0f, 0xbf}, num(dst), src);
  else op_rr(Width::Q64, {0x63}, num(dst), src);
}

void Encoder::bswap(Width w, Reg r) {
  rex(w == Width::Q64, 0, num(r), false);
  buf_.emit8(0x0f);
  buf_.emit8(static_cast<uint8_t>(0xc8 + (num(r) & 7)));
}

void Encoder::lea(Reg dst, Mem m) { op_rm(Width::Q64, {0x8d}, num(dst), m); }

void Encoder::lea_bi(Reg dst, Reg base, Reg index) { lea(dst, Mem{base, 0, index}); }

void Encoder::load(Width w, Reg dst, Mem m) {
  switch (w) {
    case Width::B8: op_rm(Width::D32, {0x0f, 0xb6}, num(dst), m); break;
    case Width::W16: op_rm(Width::D32, {0x0f, 0xb7}, num(dst), m); break;
    default: op_rm(w, {0x8b}, num(dst), m); break;
  }
}

void Encoder::load_sx(Width w, Reg dst, Mem m) {
  switch (w) {
    case Width::B8: op_rm(Width::Q64, {0x0f, 0xbe}, num(dst), m); break;
    case Width::W16: op_rm(Width::Q64, {0x0f, 0xbf}, num(dst), m); break;
    case Width::D32: op_rm(Width::Q64, {0x63}, num(dst), m); break;
    default: op_rm(Width::Q64, {0x8b}, num(dst), m); break;
  }
}

void Encoder::store(Width w, Mem m, Reg src) {
  if (w == Width::B8) op_rm(w, {0x88}, num(src), m, needs_rex_byte(num(src)));
  else op_rm(w, {0x89}, num(src), m);
}

void Encoder::store_imm(Width w, Mem m, int32_t imm) {
  if (w == Width::B8) {
    op_rm(w, {0xc6}, 0, m);
    buf_.emit8(static_cast<uint8_t>(imm));
  } else {
    op_rm(w, {0xc7}, 0, m);
    if (w == Width::W16) buf_.emit16(static_cast<uint16_t>(imm));
    else buf_.emit32(static_cast<uint32_t>(imm));
  }
}

void Encoder::inc_m(Width w, Mem m) { op_rm(w, {static_cast<uint8_t>(w == Width::B8 ? 0xfe : 0xff)}, 0, m); }
void Encoder::dec_m(Width w, Mem m) { op_rm(w, {static_cast<uint8_t>(w == Width::B8 ? 0xfe : 0xff)}, 1, m); }

void Encoder::xadd(Width w, Mem m, Reg src) {
  if (w == Width::B8) op_rm(w, {0x0f, 0xc0}, num(src), m, needs_rex_byte(num(src)));
  else op_rm(w, {0x0f, 0xc1}, num(src), m);
}

void Encoder::cmpxchg(Width w, Mem m, Reg src) {
  if (w == Width::B8) op_rm(w, {0x0f, 0xb0}, num(src), m, needs_rex_byte(num(src)));
  else op_rm(w, {0x0f, 0xb1}, num(src), m);
}

void Encoder::xchg(Width w, Mem m, Reg src) {
  if (w == Width::B8) op_rm(w, {0x86}, num(src), m, needs_rex_byte(num(src)));
  else op_rm(w, {0x87}, num(src), m);
}

void Encoder::push(Reg r) {
  if (num(r) & 8) buf_.emit8(0x41);
  buf_.emit8(static_cast<uint8_t>(0x50 + (num(r) & 7)));
}

void Encoder::pop(Reg r) {
  if (num(r) & 8) buf_.emit8(0x41);
  buf_.emit8(static_cast<uint8_t>(0x58 + (num(r) & 7)));
}

// PUSH/POP r/m64 default to 64-bit operands: no REX.W (Width::D32 keeps it off).
void Encoder::push_m(Mem m) { op_rm(Width::D32, {0xff}, 6, m); }
void Encoder::pop_m(Mem m) { op_rm(Width::D32, {0x8f}, 0, m); }
void Encoder::call_r(Reg r) { op_rr(Width::D32, {0xff}, 2, r); }
void Encoder::jmp_r(Reg r) { op_rr(Width::D32, {0xff}, 4, r); }
void Encoder::jmp_m(Mem m) { op_rm(Width::D32, {0xff}, 4, m); }

void Encoder::nop(size_t n) {
  // One NOP per length, 1 to 9 bytes: 66h prefixes and a ModRM/SIB/disp tail that only
  // lengthen the instruction (the "recommended multi-byte sequence" of the SDM's NOP page).
  static constexpr uint8_t kNops[9][9] = {
      {0x90},
      {0x66, 0x90},
      {0x0f, 0x1f, 0x00},
      {0x0f, 0x1f, 0x40, 0x00},
      {0x0f, 0x1f, 0x44, 0x00, 0x00},
      {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
      {0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00},
      {0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
      {0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
  };
  while (n > 0) {
    const size_t k = n < 9 ? n : 9;
    for (size_t i = 0; i < k; ++i) buf_.emit8(kNops[k - 1][i]);
    n -= k;
  }
}

void Encoder::branch(std::initializer_list<uint8_t> op8, std::initializer_list<uint8_t> op32, Label l,
                     bool near_hint) {
  const size_t at = buf_.size();
  bool short_form = near_hint;
  if (buf_.is_bound(l)) {
    const int64_t d = static_cast<int64_t>(buf_.offset_of(l)) - static_cast<int64_t>(at + op8.size() + 1);
    short_form = fits_i8(d);
  }
  if (short_form) {
    emit(op8);
    buf_.emit8(0);
    buf_.add_fixup(l, FixupKind::Rel8, buf_.size() - 1, buf_.size());
  } else {
    emit(op32);
    buf_.emit32(0);
    buf_.add_fixup(l, FixupKind::Rel32, buf_.size() - 4, buf_.size());
  }
}

void Encoder::jcc(Cond c, Label l, bool near_hint) {
  const uint8_t cc = static_cast<uint8_t>(c);
  branch({static_cast<uint8_t>(0x70 + cc)}, {0x0f, static_cast<uint8_t>(0x80 + cc)}, l, near_hint);
}

void Encoder::jmp(Label l, bool near_hint) { branch({0xeb}, {0xe9}, l, near_hint); }

void Encoder::call(Label l) {
  buf_.emit8(0xe8);
  buf_.emit32(0);
  buf_.add_fixup(l, FixupKind::Rel32, buf_.size() - 4, buf_.size());
}

}  // namespace bpfvet::jit::x86
