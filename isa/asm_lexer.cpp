// Tokenising assembler lines (see asm_lexer.h).
#include "isa/asm_lexer.h"

#include <cstdio>

namespace bpfvet::isa::asm_detail {
namespace {

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == '$';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// Longest first, so that "<<=" wins over "<" and "s>=" over "s>".
constexpr std::string_view kOperators[] = {
    "s>>=", "<<=", ">>=", "s>=", "s<=", "s/=", "s%=", "+=", "-=", "*=", "/=", "|=", "&=", "%=",
    "^=",   "==",  "!=",  ">=",  "<=",  "s>",  "s<",  "=",  "<",  ">",  "&",  "(",  ")",  "*",
    "+",    "-",   ",",   "[",   "]",   ":",   "#",   "/",  "%",  "|",  "^",  "!",  "~",
};

}  // namespace

Result<std::vector<Token>> lex_line(std::string_view line) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (is_space(c)) {
      ++i;
      continue;
    }
    if (c == ';' || (c == '/' && i + 1 < line.size() && line[i + 1] == '/')) break;
    if (c == '#' && (i == 0 || is_space(line[i - 1]))) break;
    // "s>=" and friends: an operator that starts with the letter s, only where an
    // operator can stand (never inside a word, since words are consumed whole).
    bool matched = false;
    for (std::string_view op : kOperators) {
      if (op[0] == 's' && !(i + 1 < line.size() && !is_ident_char(line[i + 1]))) continue;
      if (line.substr(i, op.size()) == op) {
        out.push_back(Token{TokKind::Punct, line.substr(i, op.size())});
        i += op.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (is_ident_start(c) || is_digit(c)) {
      size_t j = i;
      while (j < line.size() && is_ident_char(line[j])) ++j;
      // "13: R0=..." after an instruction: the verifier log's next state dump, a comment.
      if (is_digit(c) && !out.empty() && j < line.size() && line[j] == ':') break;
      out.push_back(Token{is_digit(c) ? TokKind::Number : TokKind::Ident, line.substr(i, j - i)});
      i = j;
      continue;
    }
    char buf[64];
    const auto uc = static_cast<unsigned char>(c);
    if (uc >= 0x20 && uc < 0x7f)
      std::snprintf(buf, sizeof buf, "unexpected character '%c'", c);
    else
      std::snprintf(buf, sizeof buf, "unexpected character 0x%02x", uc);
    return Error{buf};
  }
  return out;
}

std::string quote(const Token* tok) {
  if (tok == nullptr) return "end of line";
  std::string s(tok->text.substr(0, 40));
  if (tok->text.size() > 40) s += "...";
  return "'" + s + "'";
}

}  // namespace bpfvet::isa::asm_detail
