// Lexer for the assembler: one source line to a flat list of tokens.
//
// Internal to the assembler (assembler.cpp).  A line is split into identifiers
// (`r1`, `goto`, `LBB0_2`, `.text`), numbers (`42`, `0x1f`, and whatever
// alphanumeric run starts with a digit, validated later), and punctuation, taking
// the longest operator first (`<<=`, `s>=`, `s/=`, `==`, ...).  Comments start at
// `;`, `//`, or a `#` that begins a word (`# encoding: ...`); a `#` glued to a word is
// punctuation, for the kernel's `call bpf_map_lookup_elem#1`.  A number glued to a
// colon after the first token (`... goto pc+3 13: R0=...`) starts the verifier log's
// next state dump, also dropped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "isa/result.h"

namespace bpfvet::isa::asm_detail {

enum class TokKind { Ident, Number, Punct };

/// One token; `text` points into the line given to lex_line().
struct Token {
  TokKind kind = TokKind::Punct;
  std::string_view text;
};

/// Splits one line (without its newline) into tokens, dropping the comment.
/// Fails on a character that cannot start a token, naming it.
Result<std::vector<Token>> lex_line(std::string_view line);

/// A token as error messages quote it: 'r11', or "end of line" for null.
std::string quote(const Token* tok);

}  // namespace bpfvet::isa::asm_detail
