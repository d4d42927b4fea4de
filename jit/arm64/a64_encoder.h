// A64 instruction encodings, written by hand, one function per instruction form.
//
// How it works: every function returns the 32-bit little-endian word of one AArch64
// instruction; nothing here emits or knows about eBPF.  Functions are grouped by the
// encoding classes of the Arm ARM: data-processing (immediate), data-processing
// (register), loads and stores, branches, and system / atomic (LSE and exclusive)
// instructions.  `sf` selects the 64-bit (true) or 32-bit (false) form.  Arguments are
// expected in range (the JIT checks before calling); out-of-range fields are masked,
// never spilled into neighbouring fields.  Register 31 is xzr/wzr or sp depending on
// the form, as in the architecture.  Branch offsets are in bytes from the branch.
#pragma once

#include <cstdint>

namespace bpfvet::jit::a64 {

using Reg = uint8_t;
inline constexpr Reg kZr = 31;  // xzr / wzr in register forms
inline constexpr Reg kSp = 31;  // sp in add/sub immediate and load/store base forms
inline constexpr Reg kFp = 29;
inline constexpr Reg kLr = 30;

/// Condition codes of B.cond / CSEL.
enum class Cond : uint8_t { Eq = 0, Ne, Hs, Lo, Mi, Pl, Vs, Vc, Hi, Ls, Ge, Lt, Gt, Le, Al };

// ---- Data processing: immediate ----
/// ADD/SUB (and flag-setting ADDS/SUBS) rd, rn, #imm12 {, lsl #12}.
uint32_t add_imm(bool sf, Reg rd, Reg rn, uint32_t imm12, bool lsl12 = false);
uint32_t sub_imm(bool sf, Reg rd, Reg rn, uint32_t imm12, bool lsl12 = false);
uint32_t adds_imm(bool sf, Reg rd, Reg rn, uint32_t imm12);
uint32_t subs_imm(bool sf, Reg rd, Reg rn, uint32_t imm12);
/// CMP rn, #imm12 (SUBS zr) and CMN rn, #imm12 (ADDS zr).
inline uint32_t cmp_imm(bool sf, Reg rn, uint32_t imm12) { return subs_imm(sf, kZr, rn, imm12); }
inline uint32_t cmn_imm(bool sf, Reg rn, uint32_t imm12) { return adds_imm(sf, kZr, rn, imm12); }
/// MOVZ / MOVN / MOVK rd, #imm16, lsl #(16 * hw).
uint32_t movz(bool sf, Reg rd, uint16_t imm16, uint8_t hw);
uint32_t movn(bool sf, Reg rd, uint16_t imm16, uint8_t hw);
uint32_t movk(bool sf, Reg rd, uint16_t imm16, uint8_t hw);
/// SBFM / UBFM rd, rn, #immr, #imms (the shift and extend aliases below use them).
uint32_t sbfm(bool sf, Reg rd, Reg rn, uint8_t immr, uint8_t imms);
uint32_t ubfm(bool sf, Reg rd, Reg rn, uint8_t immr, uint8_t imms);
uint32_t lsl_imm(bool sf, Reg rd, Reg rn, uint8_t shift);
uint32_t lsr_imm(bool sf, Reg rd, Reg rn, uint8_t shift);
uint32_t asr_imm(bool sf, Reg rd, Reg rn, uint8_t shift);
uint32_t sxtb(bool sf, Reg rd, Reg rn);
uint32_t sxth(bool sf, Reg rd, Reg rn);
uint32_t sxtw(Reg rd, Reg rn);
uint32_t uxtb(Reg rd, Reg rn);  // 32-bit form: clears bits 8..63
uint32_t uxth(Reg rd, Reg rn);  // 32-bit form: clears bits 16..63
/// The N:immr:imms field (13 bits) of a logical (bitmask) immediate: a rotated run of
/// ones replicated in 2..64-bit elements.  False when `value` has no such encoding
/// (0, all ones, or no repeating rotated run); 32-bit forms look at the low 32 bits.
bool logical_imm(bool sf, uint64_t value, uint32_t* field);
/// AND / ORR / EOR / ANDS (TST) rd, rn, #bitmask; `field` from logical_imm().
uint32_t and_imm(bool sf, Reg rd, Reg rn, uint32_t field);
uint32_t orr_imm(bool sf, Reg rd, Reg rn, uint32_t field);
uint32_t eor_imm(bool sf, Reg rd, Reg rn, uint32_t field);
uint32_t tst_imm(bool sf, Reg rn, uint32_t field);

// ---- Data processing: register ----
uint32_t add_reg(bool sf, Reg rd, Reg rn, Reg rm);
uint32_t sub_reg(bool sf, Reg rd, Reg rn, Reg rm);
uint32_t cmp_reg(bool sf, Reg rn, Reg rm);  // SUBS zr, rn, rm
uint32_t neg(bool sf, Reg rd, Reg rm);      // SUB rd, zr, rm
uint32_t and_reg(bool sf, Reg rd, Reg rn, Reg rm);
uint32_t orr_reg(bool sf, Reg rd, Reg rn, Reg rm);
uint32_t eor_reg(bool sf, Reg rd, Reg rn, Reg rm);
uint32_t orn_reg(bool sf, Reg rd, Reg rn, Reg rm);
uint32_t tst_reg(bool sf, Reg rn, Reg rm);  // ANDS zr, rn, rm
inline uint32_t mov_reg(bool sf, Reg rd, Reg rm) { return orr_reg(sf, rd, kZr, rm); }
inline uint32_t mvn(bool sf, Reg rd, Reg rm) { return orn_reg(sf, rd, kZr, rm); }
/// MOV rd, sp / MOV sp, rn (ADD #0, the only way to reach sp).
inline uint32_t mov_sp(Reg rd, Reg rn) { return add_imm(true, rd, rn, 0); }
uint32_t udiv(bool sf, Reg rd, Reg rn, Reg rm);
uint32_t sdiv(bool sf, Reg rd, Reg rn, Reg rm);
uint32_t lslv(bool sf, Reg rd, Reg rn, Reg rm);
uint32_t lsrv(bool sf, Reg rd, Reg rn, Reg rm);
uint32_t asrv(bool sf, Reg rd, Reg rn, Reg rm);
uint32_t madd(bool sf, Reg rd, Reg rn, Reg rm, Reg ra);
uint32_t msub(bool sf, Reg rd, Reg rn, Reg rm, Reg ra);  // rd = ra - rn * rm
inline uint32_t mul(bool sf, Reg rd, Reg rn, Reg rm) { return madd(sf, rd, rn, rm, kZr); }
uint32_t rev16(bool sf, Reg rd, Reg rn);
uint32_t rev32(Reg rd, Reg rn);         // 64-bit form: swaps bytes in each word
uint32_t rev(bool sf, Reg rd, Reg rn);  // whole register
uint32_t csel(bool sf, Reg rd, Reg rn, Reg rm, Cond c);

// ---- Loads and stores ----
/// Width of a plain load or store: 1, 2, 4 or 8 bytes.
/// LDR/STR (unsigned, scaled offset): byte offset `off` must be a multiple of `size`
/// and below 4096 * size.  `sign` loads sign-extend to 64 bits (LDRSB/LDRSH/LDRSW).
uint32_t ldr_uimm(uint8_t size, bool sign, Reg rt, Reg rn, uint32_t off);
uint32_t str_uimm(uint8_t size, Reg rt, Reg rn, uint32_t off);
/// LDUR/STUR: unscaled signed offset in [-256, 255].
uint32_t ldur(uint8_t size, bool sign, Reg rt, Reg rn, int32_t off);
uint32_t stur(uint8_t size, Reg rt, Reg rn, int32_t off);
/// LDR/STR rt, [rn, rm] (register offset, no shift).
uint32_t ldr_reg(uint8_t size, bool sign, Reg rt, Reg rn, Reg rm);
uint32_t str_reg(uint8_t size, Reg rt, Reg rn, Reg rm);
/// STP pre-index / LDP post-index of 64-bit pairs (offset a multiple of 8 in [-512, 504]),
/// and the signed-offset forms.
uint32_t stp_pre(Reg rt, Reg rt2, Reg rn, int32_t off);
uint32_t ldp_post(Reg rt, Reg rt2, Reg rn, int32_t off);
uint32_t stp_off(Reg rt, Reg rt2, Reg rn, int32_t off);
uint32_t ldp_off(Reg rt, Reg rt2, Reg rn, int32_t off);
/// LDAR / STLR of 1, 2, 4 or 8 bytes (load-acquire, store-release).
uint32_t ldar(uint8_t size, Reg rt, Reg rn);
uint32_t stlr(uint8_t size, Reg rt, Reg rn);

// ---- Branches ----
uint32_t b(int64_t off);
uint32_t bl(int64_t off);
uint32_t b_cond(Cond c, int64_t off);
uint32_t cbz(bool sf, Reg rt, int64_t off);
uint32_t cbnz(bool sf, Reg rt, int64_t off);
uint32_t br(Reg rn);
uint32_t blr(Reg rn);
uint32_t ret(Reg rn = kLr);
/// True when a B/BL (imm26) or B.cond/CBZ (imm19) can reach `off`.
bool fits_imm26(int64_t off);
bool fits_imm19(int64_t off);

// ---- System, atomics ----
uint32_t nop();
uint32_t brk(uint16_t imm16);
uint32_t dmb_ish();
/// LSE atomics (ARMv8.1), 4 or 8 bytes; `al`: acquire+release (LDADDAL...), else none.
/// rs = operand, rt = receives the old value (zr: the STADD/STSET... aliases).
enum class LseOp : uint8_t { Add = 0, Clr = 1, Eor = 2, Set = 3 };
uint32_t ldop(LseOp op, uint8_t size, bool al, Reg rs, Reg rt, Reg rn);
uint32_t swp(uint8_t size, bool al, Reg rs, Reg rt, Reg rn);
/// CAS(AL) rs, rt, [rn]: compares with rs, stores rt, old value into rs.
uint32_t cas(uint8_t size, bool al, Reg rs, Reg rt, Reg rn);
/// Exclusives (the LL/SC fallback): LDAXR / STLXR (status register ws).
uint32_t ldaxr(uint8_t size, Reg rt, Reg rn);
uint32_t stlxr(uint8_t size, Reg ws, Reg rt, Reg rn);

}  // namespace bpfvet::jit::a64
