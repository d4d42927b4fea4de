// A64 encodings (see a64_encoder.h).  Bit layouts follow the Arm ARM's encoding index.
#include "jit/arm64/a64_encoder.h"

namespace bpfvet::jit::a64 {

namespace {

constexpr uint32_t sfbit(bool sf) { return sf ? 0x80000000u : 0; }
constexpr uint32_t r5(Reg r) { return r & 31u; }
constexpr uint32_t rd_rn(Reg rd, Reg rn) { return r5(rd) | (r5(rn) << 5); }

// log2 of an access width; the `size` field of loads and stores.
constexpr uint32_t size_field(uint8_t size) { return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3; }

uint32_t addsub_imm(uint32_t base, bool sf, Reg rd, Reg rn, uint32_t imm12, bool lsl12) {
  return base | sfbit(sf) | (lsl12 ? 1u << 22 : 0) | ((imm12 & 0xfff) << 10) | rd_rn(rd, rn);
}
uint32_t move_wide(uint32_t base, bool sf, Reg rd, uint16_t imm16, uint8_t hw) {
  return base | sfbit(sf) | (uint32_t(hw & 3) << 21) | (uint32_t(imm16) << 5) | r5(rd);
}
uint32_t bitfield(uint32_t base, bool sf, Reg rd, Reg rn, uint8_t immr, uint8_t imms) {
  return base | sfbit(sf) | (sf ? 1u << 22 : 0) | (uint32_t(immr & 63) << 16) | (uint32_t(imms & 63) << 10) |
         rd_rn(rd, rn);
}
uint32_t three_reg(uint32_t base, bool sf, Reg rd, Reg rn, Reg rm) {
  return base | sfbit(sf) | (r5(rm) << 16) | rd_rn(rd, rn);
}
uint32_t two_source(uint32_t opcode, bool sf, Reg rd, Reg rn, Reg rm) {
  return three_reg(0x1ac00000u | (opcode << 10), sf, rd, rn, rm);
}
uint32_t one_source(uint32_t opcode, bool sf, Reg rd, Reg rn) {
  return 0x5ac00000u | sfbit(sf) | (opcode << 10) | rd_rn(rd, rn);
}
// opc of a load/store: 0 store, 1 load (zero-extending), 2 load sign-extending to 64 bits.
uint32_t ls_opc(bool load, bool sign) { return load ? (sign ? 2u : 1u) : 0u; }
uint32_t pair(uint32_t base, Reg rt, Reg rt2, Reg rn, int32_t off) {
  return base | ((uint32_t(off / 8) & 0x7f) << 15) | (r5(rt2) << 10) | rd_rn(rt, rn);
}
uint32_t imm26(int64_t off) { return static_cast<uint32_t>(off >> 2) & 0x3ffffffu; }
uint32_t imm19(int64_t off) { return (static_cast<uint32_t>(off >> 2) & 0x7ffffu) << 5; }

}  // namespace

// ---- Data processing: immediate ----
uint32_t add_imm(bool sf, Reg rd, Reg rn, uint32_t imm12, bool lsl12) {
  return addsub_imm(0x11000000u, sf, rd, rn, imm12, lsl12);
}
uint32_t sub_imm(bool sf, Reg rd, Reg rn, uint32_t imm12, bool lsl12) {
  return addsub_imm(0x51000000u, sf, rd, rn, imm12, lsl12);
}
uint32_t adds_imm(bool sf, Reg rd, Reg rn, uint32_t imm12) {
  return addsub_imm(0x31000000u, sf, rd, rn, imm12, false);
}
uint32_t subs_imm(bool sf, Reg rd, Reg rn, uint32_t imm12) {
  return addsub_imm(0x71000000u, sf, rd, rn, imm12, false);
}
uint32_t movz(bool sf, Reg rd, uint16_t imm16, uint8_t hw) {
  return move_wide(0x52800000u, sf, rd, imm16, hw);
}
uint32_t movn(bool sf, Reg rd, uint16_t imm16, uint8_t hw) {
  return move_wide(0x12800000u, sf, rd, imm16, hw);
}
uint32_t movk(bool sf, Reg rd, uint16_t imm16, uint8_t hw) {
  return move_wide(0x72800000u, sf, rd, imm16, hw);
}
uint32_t sbfm(bool sf, Reg rd, Reg rn, uint8_t immr, uint8_t imms) {
  return bitfield(0x13000000u, sf, rd, rn, immr, imms);
}
uint32_t ubfm(bool sf, Reg rd, Reg rn, uint8_t immr, uint8_t imms) {
  return bitfield(0x53000000u, sf, rd, rn, immr, imms);
}
uint32_t lsl_imm(bool sf, Reg rd, Reg rn, uint8_t shift) {
  const uint8_t bits = sf ? 64 : 32;
  shift &= bits - 1;
  return ubfm(sf, rd, rn, static_cast<uint8_t>((bits - shift) % bits),
              static_cast<uint8_t>(bits - 1 - shift));
}
uint32_t lsr_imm(bool sf, Reg rd, Reg rn, uint8_t shift) {
  const uint8_t bits = sf ? 64 : 32;
  return ubfm(sf, rd, rn, shift & (bits - 1), bits - 1);
}
uint32_t asr_imm(bool sf, Reg rd, Reg rn, uint8_t shift) {
  const uint8_t bits = sf ? 64 : 32;
  return sbfm(sf, rd, rn, shift & (bits - 1), bits - 1);
}
uint32_t sxtb(bool sf, Reg rd, Reg rn) { return sbfm(sf, rd, rn, 0, 7); }
uint32_t sxth(bool sf, Reg rd, Reg rn) { return sbfm(sf, rd, rn, 0, 15); }
uint32_t sxtw(Reg rd, Reg rn) { return sbfm(true, rd, rn, 0, 31); }
uint32_t uxtb(Reg rd, Reg rn) { return ubfm(false, rd, rn, 0, 7); }
uint32_t uxth(Reg rd, Reg rn) { return ubfm(false, rd, rn, 0, 15); }

bool logical_imm(bool sf, uint64_t v, uint32_t* field) {
  if (!sf) {
    v &= 0xffffffffull;
    v |= v << 32;
  }
  if (v == 0 || v == ~0ull) return false;
  // The smallest element size the value repeats with.
  unsigned size = 64;
  while (size > 2) {
    const unsigned half = size / 2;
    const uint64_t m = (uint64_t(1) << half) - 1;
    if ((v & m) != ((v >> half) & m)) break;
    size = half;
  }
  const uint64_t mask = size == 64 ? ~0ull : (uint64_t(1) << size) - 1;
  v &= mask;
  auto is_mask = [](uint64_t x) { return x != 0 && ((x + 1) & x) == 0; };
  auto is_shifted_mask = [&](uint64_t x) { return x != 0 && is_mask((x - 1) | x); };
  unsigned rot = 0, ones = 0;
  if (is_shifted_mask(v)) {
    rot = static_cast<unsigned>(__builtin_ctzll(v));
    ones = static_cast<unsigned>(__builtin_popcountll(v));
  } else {
    // A run that wraps around the element: its complement is a plain shifted run.
    const uint64_t inv = ~v & mask;
    if (!is_shifted_mask(inv)) return false;
    ones = size - static_cast<unsigned>(__builtin_popcountll(inv));
    rot = static_cast<unsigned>(__builtin_ctzll(inv)) + static_cast<unsigned>(__builtin_popcountll(inv));
  }
  const unsigned immr = (size - rot) & (size - 1);
  // imms: the element size in its high bits (0b0, 0b10, 0b110...), ones - 1 below.
  const unsigned nimms = ((~(size - 1)) << 1 | (ones - 1)) & 0x7f;
  const unsigned n = ((nimms >> 6) & 1) ^ 1;
  *field = (n << 12) | (immr << 6) | (nimms & 0x3f);
  return true;
}

namespace {
uint32_t logical_form(uint32_t base, bool sf, Reg rd, Reg rn, uint32_t field) {
  return base | sfbit(sf) | ((field & 0x1fff) << 10) | rd_rn(rd, rn);
}
}  // namespace

uint32_t and_imm(bool sf, Reg rd, Reg rn, uint32_t field) {
  return logical_form(0x12000000u, sf, rd, rn, field);
}
uint32_t orr_imm(bool sf, Reg rd, Reg rn, uint32_t field) {
  return logical_form(0x32000000u, sf, rd, rn, field);
}
uint32_t eor_imm(bool sf, Reg rd, Reg rn, uint32_t field) {
  return logical_form(0x52000000u, sf, rd, rn, field);
}
uint32_t tst_imm(bool sf, Reg rn, uint32_t field) { return logical_form(0x72000000u, sf, kZr, rn, field); }

// ---- Data processing: register ----
uint32_t add_reg(bool sf, Reg rd, Reg rn, Reg rm) { return three_reg(0x0b000000u, sf, rd, rn, rm); }
uint32_t sub_reg(bool sf, Reg rd, Reg rn, Reg rm) { return three_reg(0x4b000000u, sf, rd, rn, rm); }
uint32_t cmp_reg(bool sf, Reg rn, Reg rm) { return three_reg(0x6b000000u, sf, kZr, rn, rm); }
uint32_t neg(bool sf, Reg rd, Reg rm) { return sub_reg(sf, rd, kZr, rm); }
uint32_t and_reg(bool sf, Reg rd, Reg rn, Reg rm) { return three_reg(0x0a000000u, sf, rd, rn, rm); }
uint32_t orr_reg(bool sf, Reg rd, Reg rn, Reg rm) { return three_reg(0x2a000000u, sf, rd, rn, rm); }
uint32_t eor_reg(bool sf, Reg rd, Reg rn, Reg rm) { return three_reg(0x4a000000u, sf, rd, rn, rm); }
uint32_t orn_reg(bool sf, Reg rd, Reg rn, Reg rm) { return three_reg(0x2a200000u, sf, rd, rn, rm); }
uint32_t tst_reg(bool sf, Reg rn, Reg rm) { return three_reg(0x6a000000u, sf, kZr, rn, rm); }
uint32_t udiv(bool sf, Reg rd, Reg rn, Reg rm) { return two_source(0x02, sf, rd, rn, rm); }
uint32_t sdiv(bool sf, Reg rd, Reg rn, Reg rm) { return two_source(0x03, sf, rd, rn, rm); }
uint32_t lslv(bool sf, Reg rd, Reg rn, Reg rm) { return two_source(0x08, sf, rd, rn, rm); }
uint32_t lsrv(bool sf, Reg rd, Reg rn, Reg rm) { return two_source(0x09, sf, rd, rn, rm); }
uint32_t asrv(bool sf, Reg rd, Reg rn, Reg rm) { return two_source(0x0a, sf, rd, rn, rm); }
uint32_t madd(bool sf, Reg rd, Reg rn, Reg rm, Reg ra) {
  return three_reg(0x1b000000u, sf, rd, rn, rm) | (r5(ra) << 10);
}
uint32_t msub(bool sf, Reg rd, Reg rn, Reg rm, Reg ra) { return madd(sf, rd, rn, rm, ra) | 0x8000u; }
uint32_t rev16(bool sf, Reg rd, Reg rn) { return one_source(0x01, sf, rd, rn); }
uint32_t rev32(Reg rd, Reg rn) { return one_source(0x02, true, rd, rn); }
uint32_t rev(bool sf, Reg rd, Reg rn) { return one_source(sf ? 0x03 : 0x02, sf, rd, rn); }
uint32_t csel(bool sf, Reg rd, Reg rn, Reg rm, Cond c) {
  return three_reg(0x1a800000u, sf, rd, rn, rm) | (uint32_t(c) << 12);
}

// ---- Loads and stores ----
uint32_t ldr_uimm(uint8_t size, bool sign, Reg rt, Reg rn, uint32_t off) {
  return 0x39000000u | (size_field(size) << 30) | (ls_opc(true, sign) << 22) |
         (((off / size) & 0xfff) << 10) | rd_rn(rt, rn);
}
uint32_t str_uimm(uint8_t size, Reg rt, Reg rn, uint32_t off) {
  return 0x39000000u | (size_field(size) << 30) | (((off / size) & 0xfff) << 10) | rd_rn(rt, rn);
}
uint32_t ldur(uint8_t size, bool sign, Reg rt, Reg rn, int32_t off) {
  return 0x38000000u | (size_field(size) << 30) | (ls_opc(true, sign) << 22) |
         ((uint32_t(off) & 0x1ff) << 12) | rd_rn(rt, rn);
}
uint32_t stur(uint8_t size, Reg rt, Reg rn, int32_t off) {
  return 0x38000000u | (size_field(size) << 30) | ((uint32_t(off) & 0x1ff) << 12) | rd_rn(rt, rn);
}
uint32_t ldr_reg(uint8_t size, bool sign, Reg rt, Reg rn, Reg rm) {
  return 0x38206800u | (size_field(size) << 30) | (ls_opc(true, sign) << 22) | (r5(rm) << 16) | rd_rn(rt, rn);
}
uint32_t str_reg(uint8_t size, Reg rt, Reg rn, Reg rm) {
  return 0x38206800u | (size_field(size) << 30) | (r5(rm) << 16) | rd_rn(rt, rn);
}
uint32_t stp_pre(Reg rt, Reg rt2, Reg rn, int32_t off) { return pair(0xa9800000u, rt, rt2, rn, off); }
uint32_t ldp_post(Reg rt, Reg rt2, Reg rn, int32_t off) { return pair(0xa8c00000u, rt, rt2, rn, off); }
uint32_t stp_off(Reg rt, Reg rt2, Reg rn, int32_t off) { return pair(0xa9000000u, rt, rt2, rn, off); }
uint32_t ldp_off(Reg rt, Reg rt2, Reg rn, int32_t off) { return pair(0xa9400000u, rt, rt2, rn, off); }
uint32_t ldar(uint8_t size, Reg rt, Reg rn) { return 0x08dffc00u | (size_field(size) << 30) | rd_rn(rt, rn); }
uint32_t stlr(uint8_t size, Reg rt, Reg rn) { return 0x089ffc00u | (size_field(size) << 30) | rd_rn(rt, rn); }

// ---- Branches ----
uint32_t b(int64_t off) { return 0x14000000u | imm26(off); }
uint32_t bl(int64_t off) { return 0x94000000u | imm26(off); }
uint32_t b_cond(Cond c, int64_t off) { return 0x54000000u | imm19(off) | uint32_t(c); }
uint32_t cbz(bool sf, Reg rt, int64_t off) { return 0x34000000u | sfbit(sf) | imm19(off) | r5(rt); }
uint32_t cbnz(bool sf, Reg rt, int64_t off) { return 0x35000000u | sfbit(sf) | imm19(off) | r5(rt); }
uint32_t br(Reg rn) { return 0xd61f0000u | (r5(rn) << 5); }
uint32_t blr(Reg rn) { return 0xd63f0000u | (r5(rn) << 5); }
uint32_t ret(Reg rn) { return 0xd65f0000u | (r5(rn) << 5); }
bool fits_imm26(int64_t off) {
  return off % 4 == 0 && off >= -(int64_t(1) << 27) && off < (int64_t(1) << 27);
}
bool fits_imm19(int64_t off) {
  return off % 4 == 0 && off >= -(int64_t(1) << 20) && off < (int64_t(1) << 20);
}

// ---- System, atomics ----
uint32_t nop() { return 0xd503201fu; }
uint32_t brk(uint16_t imm16) { return 0xd4200000u | (uint32_t(imm16) << 5); }
uint32_t dmb_ish() { return 0xd5033bbfu; }
uint32_t ldop(LseOp op, uint8_t size, bool al, Reg rs, Reg rt, Reg rn) {
  return 0x38200000u | (size_field(size) << 30) | (al ? 0x00c00000u : 0) | (r5(rs) << 16) |
         (uint32_t(op) << 12) | rd_rn(rt, rn);
}
uint32_t swp(uint8_t size, bool al, Reg rs, Reg rt, Reg rn) {
  return 0x38208000u | (size_field(size) << 30) | (al ? 0x00c00000u : 0) | (r5(rs) << 16) | rd_rn(rt, rn);
}
uint32_t cas(uint8_t size, bool al, Reg rs, Reg rt, Reg rn) {
  return 0x08a07c00u | (size_field(size) << 30) | (al ? 0x00408000u : 0) | (r5(rs) << 16) | rd_rn(rt, rn);
}
uint32_t ldaxr(uint8_t size, Reg rt, Reg rn) {
  return 0x085ffc00u | (size_field(size) << 30) | rd_rn(rt, rn);
}
uint32_t stlxr(uint8_t size, Reg ws, Reg rt, Reg rn) {
  return 0x0800fc00u | (size_field(size) << 30) | (r5(ws) << 16) | rd_rn(rt, rn);
}

}  // namespace bpfvet::jit::a64
