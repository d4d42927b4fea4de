// The interpreter's handler list (private to jit/interp*.cpp): one X-macro row per
// specialised handler; the Op::h numbers and the computed-goto label table both come
// from it, so they cannot drift apart.
#pragma once

#define INTERP_ALU_VARIANTS(X, N) X(N##64X) X(N##64K) X(N##32X) X(N##32K)
#define INTERP_JMP_VARIANTS(X, N) X(N##64X) X(N##64K) X(N##32X) X(N##32K)

#define INTERP_OPS(X)                                                                    \
  INTERP_ALU_VARIANTS(X, ADD) INTERP_ALU_VARIANTS(X, SUB) INTERP_ALU_VARIANTS(X, MUL)    \
  INTERP_ALU_VARIANTS(X, DIV) INTERP_ALU_VARIANTS(X, SDIV) INTERP_ALU_VARIANTS(X, OR)    \
  INTERP_ALU_VARIANTS(X, AND) INTERP_ALU_VARIANTS(X, LSH) INTERP_ALU_VARIANTS(X, RSH)    \
  INTERP_ALU_VARIANTS(X, MOD) INTERP_ALU_VARIANTS(X, SMOD) INTERP_ALU_VARIANTS(X, XOR)   \
  INTERP_ALU_VARIANTS(X, MOV) INTERP_ALU_VARIANTS(X, ARSH)                               \
  X(NEG64) X(NEG32) X(MOVSX64_8) X(MOVSX64_16) X(MOVSX64_32) X(MOVSX32_8) X(MOVSX32_16)  \
  X(LE16) X(LE32) X(LE64) X(BE16) X(BE32) X(BE64)                                        \
  X(JA)                                                                                  \
  INTERP_JMP_VARIANTS(X, JEQ) INTERP_JMP_VARIANTS(X, JNE) INTERP_JMP_VARIANTS(X, JGT)    \
  INTERP_JMP_VARIANTS(X, JGE) INTERP_JMP_VARIANTS(X, JLT) INTERP_JMP_VARIANTS(X, JLE)    \
  INTERP_JMP_VARIANTS(X, JSGT) INTERP_JMP_VARIANTS(X, JSGE) INTERP_JMP_VARIANTS(X, JSLT) \
  INTERP_JMP_VARIANTS(X, JSLE) INTERP_JMP_VARIANTS(X, JSET)                              \
  X(MAY_GOTO) X(CALL_HELPER) X(CALL_LOCAL) X(TAIL_CALL) X(EXIT) X(LDDW)                  \
  X(LDX_B) X(LDX_H) X(LDX_W) X(LDX_DW) X(LDSX_B) X(LDSX_H) X(LDSX_W)                     \
  X(ST_B) X(ST_H) X(ST_W) X(ST_DW) X(STX_B) X(STX_H) X(STX_W) X(STX_DW)                  \
  X(AADD_W) X(AOR_W) X(AAND_W) X(AXOR_W) X(AFADD_W) X(AFOR_W) X(AFAND_W) X(AFXOR_W)      \
  X(AXCHG_W) X(ACMPXCHG_W)                                                               \
  X(AADD_DW) X(AOR_DW) X(AAND_DW) X(AXOR_DW) X(AFADD_DW) X(AFOR_DW) X(AFAND_DW)          \
  X(AFXOR_DW) X(AXCHG_DW) X(ACMPXCHG_DW)                                                 \
  X(LDACQ_B) X(LDACQ_H) X(LDACQ_W) X(LDACQ_DW) X(STREL_B) X(STREL_H) X(STREL_W)          \
  X(STREL_DW)                                                                            \
  X(LDABS_B) X(LDABS_H) X(LDABS_W) X(LDIND_B) X(LDIND_H) X(LDIND_W)                      \
  X(FELL_OFF)

namespace bpfvet::jit {
enum class H : uint16_t {
#define INTERP_ENUM(n) n,
  INTERP_OPS(INTERP_ENUM)
#undef INTERP_ENUM
  Count
};
}  // namespace bpfvet::jit
