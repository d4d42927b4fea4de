// The assembler's driver: lines, labels, prefixes, directives and fix-ups (see assembler.h).
// The instruction grammar itself is in asm_parser.cpp.
#include "isa/assembler.h"

#include <algorithm>
#include <limits>
#include <map>

#include "isa/asm_lexer.h"
#include "isa/asm_parser.h"
#include "isa/helpers.h"

namespace bpfvet::isa {
namespace {

using asm_detail::FixKind;
using asm_detail::Parsed;
using asm_detail::Token;
using asm_detail::TokKind;

struct Fixup {
  size_t slot = 0;
  FixKind kind = FixKind::Off16;
  std::string label;
  size_t line = 0;
};

constexpr std::string_view kIgnoredDirectives[] = {".text", ".globl", ".global", ".p2align", ".align",
                                                   ".type", ".size",  ".file",   ".loc"};

// "61" or "bf" (as the kernel log prints an opcode) to its value; -1 if not 1-2 hex digits.
int parse_opcode(std::string_view s) {
  if (s.empty() || s.size() > 2) return -1;
  int v = 0;
  for (char c : s) {
    int d = -1;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

std::string hex2(unsigned v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return {kDigits[(v >> 4) & 0xf], kDigits[v & 0xf]};
}

class Driver {
 public:
  explicit Driver(const std::string& filename) : filename_(filename) {}

  Status line(std::string_view text, size_t line_no) {
    line_no_ = line_no;
    auto toks = asm_detail::lex_line(text);
    if (!toks) return fail(toks.message());
    const std::vector<Token>& t = *toks;
    size_t pos = 0;
    auto is = [&](size_t at, std::string_view s) { return at < t.size() && t[at].text == s; };
    // "12:" as the kernel log and `bpfvet disasm` number their lines.
    if (t.size() >= 2 && t[0].kind == TokKind::Number && is(1, ":")) pos = 2;
    while (pos + 1 < t.size() && t[pos].kind == TokKind::Ident && is(pos + 1, ":")) {
      auto st = define_label(t[pos].text);
      if (!st) return st;
      pos += 2;
    }
    int opcode = -1;
    if (is(pos, "(")) {
      if (pos + 2 >= t.size() || !is(pos + 2, ")") || (opcode = parse_opcode(t[pos + 1].text)) < 0)
        return fail("expected an opcode prefix like '(61)', found " +
                    asm_detail::quote(pos + 1 < t.size() ? &t[pos + 1] : nullptr));
      pos += 3;
    }
    if (pos == t.size()) {
      if (opcode >= 0) return fail("missing instruction after the opcode prefix");
      return Ok{};
    }
    if (t[pos].kind == TokKind::Ident && t[pos].text[0] == '.') {
      for (std::string_view d : kIgnoredDirectives)
        if (t[pos].text == d) return Ok{};
      return fail("unsupported directive " + asm_detail::quote(&t[pos]));
    }
    std::vector<Token> rest(t.begin() + static_cast<std::ptrdiff_t>(pos), t.end());
    auto parsed = asm_detail::parse_insn(rest, opcode == 0x18);
    if (!parsed) return fail(parsed.message());
    return emit(*parsed, opcode);
  }

  Result<Assembly> finish() {
    if (out_.insns.empty()) return Error{filename_ + ": no instructions in the input"};
    for (const Fixup& f : fixups_) {
      auto it = labels_.find(f.label);
      RawInsn& target_raw = out_.insns[f.slot];
      if (it == labels_.end() && target_raw.code == 0x85) {
        // `call bpf_map_lookup_elem`: not a label of the program, but a helper's name.
        if (const HelperProto* h = find_helper(f.label)) {
          target_raw = RawInsn::make(0x85, 0, 0, 0, h->id);
          continue;
        }
      }
      if (it == labels_.end()) return Error{where(f.line) + "unknown label '" + f.label + "'"};
      const int64_t rel = static_cast<int64_t>(it->second) - static_cast<int64_t>(f.slot) - 1;
      RawInsn& raw = out_.insns[f.slot];
      if (f.kind == FixKind::Off16) {
        if (rel < std::numeric_limits<int16_t>::min() || rel > std::numeric_limits<int16_t>::max())
          return Error{where(f.line) + "jump to '" + f.label + "' is out of range (offset " +
                       std::to_string(rel) + " does not fit in 16 bits; gotol reaches further)"};
        raw.off = static_cast<int16_t>(rel);
      } else {
        if (rel < std::numeric_limits<int32_t>::min() || rel > std::numeric_limits<int32_t>::max())
          return Error{where(f.line) + "reference to '" + f.label + "' is out of range"};
        raw.imm = static_cast<int32_t>(rel);
      }
    }
    std::vector<size_t>& calls = out_.call_targets;
    for (size_t i = 0; i < out_.insns.size(); ++i) {
      const RawInsn& raw = out_.insns[i];
      const bool local_call = raw.code == 0x85 && raw.src() == 1;
      const bool func_ref = raw.code == 0x18 && raw.src() == 4;
      if (!local_call && !func_ref) continue;
      const int64_t target = static_cast<int64_t>(i) + 1 + raw.imm;
      if (target >= 0 && target < static_cast<int64_t>(out_.insns.size()))
        calls.push_back(static_cast<size_t>(target));
      if (func_ref) ++i;
    }
    std::sort(calls.begin(), calls.end());
    calls.erase(std::unique(calls.begin(), calls.end()), calls.end());
    return std::move(out_);
  }

 private:
  Status define_label(std::string_view name) {
    if (asm_detail::reg_shape(name) >= 0)
      return fail("'" + std::string(name) + "' is a register name and cannot be a label");
    auto [it, inserted] = labels_.emplace(std::string(name), out_.insns.size());
    if (!inserted) return fail("label '" + std::string(name) + "' is defined twice");
    out_.labels.emplace_back(std::string(name), out_.insns.size());
    return Ok{};
  }

  Status emit(const Parsed& p, int opcode) {
    if (p.insn.kind == Kind::Invalid) return fail("instruction cannot be encoded");
    const std::vector<RawInsn> raw = encode(p.insn);
    if (out_.insns.size() + raw.size() > kMaxAssemblySlots)
      return fail("program has more than " + std::to_string(kMaxAssemblySlots) +
                  " instructions, more than the kernel loads");
    if (opcode >= 0 && raw.front().code != opcode)
      return fail("opcode prefix (" + hex2(static_cast<unsigned>(opcode)) +
                  ") does not match the instruction, which encodes as (" + hex2(raw.front().code) + ")");
    if (!p.label.empty()) fixups_.push_back(Fixup{out_.insns.size(), p.fix, p.label, line_no_});
    for (const RawInsn& r : raw) {
      out_.insns.push_back(r);
      out_.lines.push_back(
          static_cast<uint32_t>(std::min<size_t>(line_no_, std::numeric_limits<uint32_t>::max())));
    }
    return Ok{};
  }

  std::string where(size_t line) const { return filename_ + ":" + std::to_string(line) + ": "; }
  Error fail(const std::string& msg) const { return Error{where(line_no_) + msg}; }

  std::string filename_;
  size_t line_no_ = 0;
  Assembly out_;
  std::map<std::string, size_t, std::less<>> labels_;
  std::vector<Fixup> fixups_;
};

}  // namespace

Result<Assembly> assemble_listing(std::string_view text, const std::string& filename) {
  Driver d(filename);
  size_t start = 0, line_no = 1;
  while (true) {
    const size_t end = text.find('\n', start);
    const std::string_view line =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    auto st = d.line(line, line_no);
    if (!st) return st.error();
    if (end == std::string_view::npos) break;
    start = end + 1;
    ++line_no;
  }
  return d.finish();
}

Result<std::vector<RawInsn>> assemble(std::string_view text, const std::string& filename) {
  auto r = assemble_listing(text, filename);
  if (!r) return r.error();
  return std::move(r->insns);
}

}  // namespace bpfvet::isa
