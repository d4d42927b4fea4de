// The assembler's instruction grammar: the tokens of one statement to one Insn.
//
// Internal to the assembler (assembler.cpp drives it line by line).  The recogniser
// is a flat dispatch on the first token or two (`exit`, `call`, `goto`, `if`, `lock`,
// `*`, `rN = ...`, `rN op= ...`), with no recursion, so any input is parsed in time
// linear in its length.  A reference to a label is returned unresolved in Parsed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "isa/asm_lexer.h"
#include "isa/insn.h"
#include "isa/result.h"

namespace bpfvet::isa::asm_detail {

/// Which field a label reference patches: a jump's 16-bit off, or the 32-bit imm
/// of gotol, a bpf-to-bpf call, or a func() lddw.
enum class FixKind { Off16, Imm32 };

/// One parsed statement.  When `label` is non-empty the field selected by `fix`
/// must be set to the label's slot - (this slot + 1).
struct Parsed {
  Insn insn;
  std::string label;
  FixKind fix = FixKind::Off16;
};

/// The register number of `r7`/`w7` spellings; -1 if `s` is not `r` or `w` followed by
/// digits only.  Out-of-range numbers are returned as they are (capped at 999).
int reg_shape(std::string_view s);

/// Parses one statement (everything after labels and `IDX: (OPCODE)` prefixes) that
/// must use every token.  `lddw_prefix`: the line carried the opcode `(18)`, so
/// `r1 = 0x5` is a 64-bit immediate load, as the kernel log prints one.
Result<Parsed> parse_insn(const std::vector<Token>& toks, bool lddw_prefix);

}  // namespace bpfvet::isa::asm_detail
