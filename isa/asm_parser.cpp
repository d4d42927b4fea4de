// The assembler's instruction grammar (see asm_parser.h and assembler.h).
#include "isa/asm_parser.h"

#include <cstdint>
#include <limits>
#include <optional>

#include "isa/helpers.h"

namespace bpfvet::isa::asm_detail {
namespace {

constexpr AluOp kAluOps[] = {
#define BPFVET_ALU_OP(Name, op, off, symbol) AluOp::Name,
#include "isa/opcodes.def"
};
constexpr JmpOp kJmpOps[] = {
#define BPFVET_JMP_OP(Name, op, symbol) JmpOp::Name,
#include "isa/opcodes.def"
};
constexpr AtomicOp kAtomicOps[] = {
#define BPFVET_ATOMIC_OP(Name, imm, text) AtomicOp::Name,
#include "isa/opcodes.def"
};
constexpr Pseudo kPseudos[] = {
#define BPFVET_PSEUDO_LDIMM64(Name, src, text) Pseudo::Name,
#include "isa/opcodes.def"
};

#define ASM_TRY(var, expr)                        \
  auto var##_result = (expr);                     \
  if (!var##_result) return var##_result.error(); \
  auto var = std::move(*var##_result)
#define ASM_CHECK(expr)           \
  do {                            \
    auto _st = (expr);            \
    if (!_st) return _st.error(); \
  } while (0)

struct Reg {
  uint8_t n = 0;
  bool wide = true;  // rN (64-bit) rather than wN
  std::string name() const { return (wide ? "r" : "w") + std::to_string(n); }
};

// A literal as sign and magnitude, so both INT64_MIN and UINT64_MAX are representable.
struct Num {
  bool neg = false;
  uint64_t mag = 0;
  std::string show() const { return (neg && mag != 0 ? "-" : "") + std::to_string(mag); }
};

struct MemType {
  uint8_t size = 0;
  bool sign = false;
};

struct Mem {
  Reg base;
  int16_t off = 0;
};

// A jump or call target: a label, or a relative offset.
struct Target {
  std::string label;
  Num rel;
};

Result<int32_t> to_imm32(const Num& n, const char* what) {
  if (n.neg ? n.mag <= 0x80000000ull : n.mag <= 0xffffffffull)
    return static_cast<int32_t>(static_cast<uint32_t>(n.neg ? 0 - n.mag : n.mag));
  return Error{std::string(what) + " " + n.show() + " does not fit in 32 bits (-2147483648..4294967295)"};
}

Result<int32_t> to_simm32(const Num& n, const char* what) {
  if (n.neg ? n.mag <= 0x80000000ull : n.mag <= 0x7fffffffull)
    return static_cast<int32_t>(n.neg ? -static_cast<int64_t>(n.mag) : static_cast<int64_t>(n.mag));
  return Error{std::string(what) + " " + n.show() + " is out of range (-2147483648..2147483647)"};
}

Result<int16_t> to_off16(const Num& n, const char* what) {
  if (n.neg ? n.mag <= 0x8000u : n.mag <= 0x7fffu)
    return static_cast<int16_t>(n.neg ? -static_cast<int32_t>(n.mag) : static_cast<int32_t>(n.mag));
  return Error{std::string(what) + " " + n.show() + " does not fit in 16 bits (-32768..32767)"};
}

uint64_t to_u64(const Num& n) { return n.neg ? 0 - n.mag : n.mag; }

Result<uint64_t> to_imm64(const Num& n) {
  if (n.neg && n.mag > 0x8000000000000000ull)
    return Error{"immediate " + n.show() + " does not fit in 64 bits"};
  return to_u64(n);
}

Status width_match(const Reg& a, const Reg& b) {
  if (a.wide == b.wide) return Ok{};
  return Error{"mismatched register widths '" + a.name() + "' and '" + b.name() +
               "' (r for 64-bit, w for 32-bit operations)"};
}

class Parser {
 public:
  Parser(const std::vector<Token>& toks, bool lddw_prefix) : toks_(toks), lddw_prefix_(lddw_prefix) {}

  Result<Parsed> statement() {
    ASM_TRY(p, dispatch());
    if (peek() != nullptr) return Error{"unexpected " + quote(peek()) + " after the instruction"};
    return p;
  }

 private:
  const Token* peek(size_t ahead = 0) const {
    return pos_ + ahead < toks_.size() ? &toks_[pos_ + ahead] : nullptr;
  }
  bool is(std::string_view text, size_t ahead = 0) const {
    const Token* t = peek(ahead);
    return t != nullptr && t->text == text;
  }
  bool accept(std::string_view text) {
    if (!is(text)) return false;
    ++pos_;
    return true;
  }
  Status expect(std::string_view text, const char* context) {
    if (accept(text)) return Ok{};
    return Error{"expected '" + std::string(text) + "' " + context + ", found " + quote(peek())};
  }
  bool is_reg(size_t ahead = 0) const {
    const Token* t = peek(ahead);
    return t != nullptr && t->kind == TokKind::Ident && reg_shape(t->text) >= 0;
  }

  Result<Reg> reg(const char* what) {
    const Token* t = peek();
    if (!is_reg()) return Error{std::string("expected ") + what + ", found " + quote(t)};
    const int n = reg_shape(t->text);
    if (n > 10) return Error{"invalid register " + quote(t) + " (registers are r0-r10)"};
    ++pos_;
    return Reg{static_cast<uint8_t>(n), t->text[0] == 'r'};
  }

  Result<Num> number(const char* what) {
    Num n;
    if (accept("-"))
      n.neg = true;
    else
      accept("+");
    const Token* t = peek();
    if (t == nullptr || t->kind != TokKind::Number)
      return Error{std::string("expected ") + what + ", found " + quote(t)};
    std::string_view s = t->text;
    uint64_t base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      base = 16;
      s.remove_prefix(2);
    }
    for (char c : s) {
      uint64_t d = 99;
      if (c >= '0' && c <= '9')
        d = static_cast<uint64_t>(c - '0');
      else if (base == 16 && c >= 'a' && c <= 'f')
        d = static_cast<uint64_t>(c - 'a' + 10);
      else if (base == 16 && c >= 'A' && c <= 'F')
        d = static_cast<uint64_t>(c - 'A' + 10);
      if (d >= base) return Error{"invalid number " + quote(t)};
      if (n.mag > (std::numeric_limits<uint64_t>::max() - d) / base)
        return Error{"number " + quote(t) + " does not fit in 64 bits"};
      n.mag = n.mag * base + d;
    }
    ++pos_;
    return n;
  }

  // "+ 4", "-8", "+ -4" after a base register (an absent offset is 0).
  Result<int16_t> offset() {
    if (!is("+") && !is("-")) return int16_t{0};
    const bool minus = is("-");
    ++pos_;
    ASM_TRY(n, number("an offset"));
    if (minus) n.neg = !n.neg;
    return to_off16(n, "offset");
  }

  // "(r1 +4)", or without parentheses "r1 + 4" (LLVM's xchg/cmpxchg operands).
  Result<Mem> mem(bool parens) {
    if (parens) ASM_CHECK(expect("(", "before the address"));
    ASM_TRY(base, reg("a base register"));
    if (!base.wide) return Error{"the address register must be an r register, not '" + base.name() + "'"};
    ASM_TRY(off, offset());
    if (parens) ASM_CHECK(expect(")", "after the address"));
    return Mem{base, off};
  }

  // "(u32 *)"
  Result<MemType> mem_type() {
    ASM_CHECK(expect("(", "before the access size"));
    static constexpr struct {
      std::string_view name;
      uint8_t size;
      bool sign;
    } kTypes[] = {{"u8", 1, false}, {"u16", 2, false}, {"u32", 4, false}, {"u64", 8, false},
                  {"s8", 1, true},  {"s16", 2, true},  {"s32", 4, true},  {"s64", 8, true}};
    const Token* t = peek();
    for (const auto& ty : kTypes) {
      if (t == nullptr || t->text != ty.name) continue;
      ++pos_;
      ASM_CHECK(expect("*", "in the pointer type"));
      ASM_CHECK(expect(")", "after the pointer type"));
      return MemType{ty.size, ty.sign};
    }
    return Error{"expected an access size (u8, u16, u32, u64, s8, s16, s32), found " + quote(t)};
  }

  Result<Target> target(const char* what) {
    const Token* t = peek();
    if (t != nullptr && t->text == "pc" && (is("+", 1) || is("-", 1)))
      ++pos_;
    else if (t != nullptr && t->kind == TokKind::Ident) {
      if (reg_shape(t->text) >= 0)
        return Error{std::string("expected ") + what + ", found register " + quote(t)};
      ++pos_;
      return Target{std::string(t->text), {}};
    }
    ASM_TRY(n, number(what));
    return Target{"", n};
  }

  Result<Parsed> dispatch() {
    const Token* t = peek();
    const std::string_view w = t->text;
    if (w == "exit") {
      ++pos_;
      return Parsed{make::exit(), "", FixKind::Off16};
    }
    if (w == "call") return call();
    if (w == "goto" || w == "gotol" || w == "may_goto") return jump_always();
    if (w == "if") return jump_if();
    if (w == "lock") return lock();
    if (w == "*") return store();
    if (w == "store_release") return store_release();
    if (w == "ld_pseudo") return ld_pseudo();
    if (is_reg()) return assignment();
    return Error{"unknown instruction " + quote(t)};
  }

  Result<Parsed> call() {
    ++pos_;
    const Token* t = peek();
    if (t != nullptr && t->text == "kfunc" && is("(", 1)) {
      pos_ += 2;
      ASM_TRY(id, number("a kfunc BTF id"));
      ASM_TRY(btf_id, to_imm32(id, "kfunc BTF id"));
      int16_t fd_idx = 0;
      if (accept(",")) {
        ASM_TRY(idx, number("a BTF fd index"));
        ASM_TRY(v, to_off16(idx, "BTF fd index"));
        fd_idx = v;
      }
      ASM_CHECK(expect(")", "after the kfunc id"));
      return Parsed{make::call_kfunc(btf_id, fd_idx), "", FixKind::Imm32};
    }
    // The kernel log's spelling of a kfunc call it cannot name: "call kernel-function#ID".
    if (t != nullptr && t->text == "kernel" && is("-", 1) && is("function", 2) && is("#", 3)) {
      pos_ += 4;
      ASM_TRY(id, number("a kfunc BTF id"));
      ASM_TRY(btf_id, to_imm32(id, "kfunc BTF id"));
      return Parsed{make::call_kfunc(btf_id), "", FixKind::Imm32};
    }
    // The kernel log's "call bpf_map_lookup_elem#1": the number after '#' is the helper.
    if (t != nullptr && t->kind == TokKind::Ident && is("#", 1)) {
      pos_ += 2;
      ASM_TRY(id, number("a helper number"));
      ASM_TRY(imm, to_imm32(id, "helper number"));
      const HelperProto* named = find_helper(t->text);
      if (named != nullptr && named->id != imm)
        return Error{"helper " + quote(t) + " is #" + std::to_string(named->id) + ", not #" +
                     std::to_string(imm)};
      return Parsed{make::call(imm), "", FixKind::Imm32};
    }
    if (t != nullptr && (t->text == "pc" || (t->kind == TokKind::Ident && reg_shape(t->text) < 0))) {
      ASM_TRY(tg, target("a call target"));
      if (!tg.label.empty()) return Parsed{make::call_local(0), tg.label, FixKind::Imm32};
      ASM_TRY(rel, to_simm32(tg.rel, "call offset"));
      return Parsed{make::call_local(rel), "", FixKind::Imm32};
    }
    ASM_TRY(id, number("a helper number, 'pc+N', a label or 'kfunc(ID)'"));
    ASM_TRY(imm, to_imm32(id, "helper number"));
    return Parsed{make::call(imm), "", FixKind::Imm32};
  }

  Result<Parsed> jump_always() {
    const std::string_view w = peek()->text;
    ++pos_;
    ASM_TRY(tg, target("a jump offset or label"));
    if (w == "gotol") {
      if (!tg.label.empty()) return Parsed{make::gotol(0), tg.label, FixKind::Imm32};
      ASM_TRY(rel, to_simm32(tg.rel, "jump offset"));
      return Parsed{make::gotol(rel), "", FixKind::Imm32};
    }
    int16_t off = 0;
    if (tg.label.empty()) {
      ASM_TRY(v, to_off16(tg.rel, "jump offset"));
      off = v;
    }
    return Parsed{w == "goto" ? make::ja(off) : make::may_goto(off), tg.label, FixKind::Off16};
  }

  Result<Parsed> jump_if() {
    ++pos_;
    ASM_TRY(dst, reg("a register after 'if'"));
    const Token* op = peek();
    std::optional<JmpOp> jop;
    for (JmpOp j : kJmpOps)
      if (j != JmpOp::Ja && j != JmpOp::MayGoto && op != nullptr && op->text == jmp_op_symbol(j)) jop = j;
    if (!jop)
      return Error{"expected a comparison (==, !=, >, >=, <, <=, s>, s>=, s<, s<=, &), found " + quote(op)};
    ++pos_;
    std::optional<Reg> src;
    Num imm_num;
    if (is_reg()) {
      ASM_TRY(s, reg("a register"));
      ASM_CHECK(width_match(dst, s));
      src = s;
    } else {
      ASM_TRY(n, number("a register or an immediate"));
      imm_num = n;
    }
    ASM_CHECK(expect("goto", "after the condition"));
    ASM_TRY(tg, target("a jump offset or label"));
    int16_t off = 0;
    if (tg.label.empty()) {
      ASM_TRY(v, to_off16(tg.rel, "jump offset"));
      off = v;
    }
    if (src) return Parsed{make::jmp(*jop, dst.wide, dst.n, src->n, off), tg.label, FixKind::Off16};
    ASM_TRY(imm, to_imm32(imm_num, "immediate"));
    return Parsed{make::jmp_imm(*jop, dst.wide, dst.n, imm, off), tg.label, FixKind::Off16};
  }

  static Status atomic_width(uint8_t size, const Reg& r) {
    if (size != 4 && size != 8) return Error{"atomic read-modify-write operations are u32 or u64"};
    if (size == 8 && !r.wide)
      return Error{"mismatched widths: a u64 atomic operand must be an r register, not '" + r.name() + "'"};
    return Ok{};
  }

  Result<Parsed> lock() {
    ++pos_;
    ASM_CHECK(expect("*", "after 'lock'"));
    ASM_TRY(ty, mem_type());
    ASM_TRY(m, mem(true));
    const Token* op = peek();
    std::optional<AtomicOp> aop;
    for (AtomicOp a : kAtomicOps)
      if (!atomic_op_fetches(a) && a != AtomicOp::StoreRelease && op != nullptr &&
          op->text == atomic_op_text(a))
        aop = a;
    if (!aop) return Error{"expected +=, |=, &= or ^= after the address, found " + quote(op)};
    ++pos_;
    ASM_TRY(src, reg("a source register"));
    if (ty.sign) return Error{"atomic operations take an unsigned access size"};
    ASM_CHECK(atomic_width(ty.size, src));
    return Parsed{make::atomic(*aop, ty.size, m.base.n, src.n, m.off), "", FixKind::Off16};
  }

  Result<Parsed> store() {
    ++pos_;
    ASM_TRY(ty, mem_type());
    ASM_TRY(m, mem(true));
    ASM_CHECK(expect("=", "after the address"));
    if (ty.sign) return Error{"stores take an unsigned access size (u8, u16, u32, u64)"};
    if (is_reg()) {
      ASM_TRY(src, reg("a source register"));
      if (ty.size == 8 && !src.wide)
        return Error{"mismatched widths: a u64 store needs an r register, not '" + src.name() + "'"};
      return Parsed{make::store_reg(ty.size, m.base.n, src.n, m.off), "", FixKind::Off16};
    }
    ASM_TRY(n, number("a register or an immediate"));
    ASM_TRY(imm, to_imm32(n, "immediate"));
    return Parsed{make::store_imm(ty.size, m.base.n, m.off, imm), "", FixKind::Off16};
  }

  Result<Parsed> store_release() {
    ++pos_;
    ASM_CHECK(expect("(", "after 'store_release'"));
    ASM_TRY(ty, mem_type());
    ASM_TRY(m, mem(true));
    ASM_CHECK(expect(",", "after the address"));
    ASM_TRY(src, reg("a source register"));
    ASM_CHECK(expect(")", "after the source register"));
    if (ty.sign) return Error{"store_release takes an unsigned access size"};
    if (ty.size == 8 && !src.wide)
      return Error{"mismatched widths: a u64 store_release needs an r register, not '" + src.name() + "'"};
    return Parsed{make::atomic(AtomicOp::StoreRelease, ty.size, m.base.n, src.n, m.off), "", FixKind::Off16};
  }

  Result<Parsed> ld_pseudo() {
    ++pos_;
    ASM_TRY(dst, reg("a destination register"));
    ASM_CHECK(expect(",", "after the register"));
    ASM_TRY(kind, number("a pseudo source number"));
    ASM_CHECK(expect(",", "after the pseudo source"));
    ASM_TRY(value, number("an immediate"));
    if (!dst.wide) return Error{"a 64-bit immediate load needs an r register, not '" + dst.name() + "'"};
    if (kind.neg || kind.mag > 6) return Error{"unknown lddw pseudo source " + kind.show() + " (0-6)"};
    if (kind.mag == 0) {
      ASM_TRY(v, to_imm64(value));
      return Parsed{make::ld_imm64(dst.n, v), "", FixKind::Off16};
    }
    ASM_TRY(imm, to_imm32(value, "immediate"));
    return Parsed{make::ld_imm64(dst.n, static_cast<uint32_t>(imm), static_cast<Pseudo>(kind.mag)), "",
                  FixKind::Off16};
  }

  Result<Parsed> assignment() {
    ASM_TRY(dst, reg("a register"));
    const Token* op = peek();
    if (op != nullptr && op->text == "=") {
      ++pos_;
      return assign_value(dst);
    }
    for (AluOp a : kAluOps) {
      if (a == AluOp::Neg || a == AluOp::Mov || a == AluOp::MovSx || a == AluOp::End) continue;
      if (op == nullptr || op->text != alu_op_symbol(a)) continue;
      ++pos_;
      if (is_reg()) {
        ASM_TRY(src, reg("a source register"));
        ASM_CHECK(width_match(dst, src));
        return Parsed{make::alu(a, dst.wide, dst.n, src.n), "", FixKind::Off16};
      }
      ASM_TRY(n, number("a register or an immediate"));
      ASM_TRY(imm, to_imm32(n, "immediate"));
      return Parsed{make::alu_imm(a, dst.wide, dst.n, imm), "", FixKind::Off16};
    }
    return Error{"expected '=' or an operator like '+=' after '" + dst.name() + "', found " + quote(op)};
  }

  Result<Parsed> assign_value(const Reg& dst) {
    const Token* t = peek();
    if (t == nullptr) return Error{"expected a value after '=', found end of line"};
    if (t->text == "-" && is_reg(1)) {  // r1 = -r1
      ++pos_;
      ASM_TRY(src, reg("a register"));
      if (src.n != dst.n || src.wide != dst.wide)
        return Error{"negation works in place: write '" + dst.name() + " = -" + dst.name() + "'"};
      return Parsed{make::alu_imm(AluOp::Neg, dst.wide, dst.n, 0), "", FixKind::Off16};
    }
    if (t->text == "-" || t->text == "+" || t->kind == TokKind::Number) return assign_immediate(dst);
    if (t->text == "(") return move_sign_extend(dst);
    if (t->text == "*") return load(dst);
    if (is_reg()) {
      ASM_TRY(src, reg("a source register"));
      ASM_CHECK(width_match(dst, src));
      return Parsed{make::alu(AluOp::Mov, dst.wide, dst.n, src.n), "", FixKind::Off16};
    }
    if (t->kind == TokKind::Ident) {
      const std::string_view w = t->text;
      if (w.starts_with("le") || w.starts_with("be") || w.starts_with("bswap")) return byte_swap(dst);
      if (w == "load_acquire") return load_acquire(dst);
      if (w.starts_with("atomic") || w.starts_with("xchg") || w.starts_with("cmpxchg"))
        return fetch_atomic(dst);
      for (Pseudo p : kPseudos)
        if (p != Pseudo::Imm && w == pseudo_text(p)) return pseudo_load(dst, p);
      if (w == "map" && is("[", 1))
        return Error{"'map[id:N]' names a map loaded in a kernel; write map_fd(N) ll or map_idx(N) ll"};
    }
    return Error{"unexpected " + quote(t) + " after '='"};
  }

  Result<Parsed> assign_immediate(const Reg& dst) {
    ASM_TRY(n, number("an immediate"));
    if (accept("ll") || lddw_prefix_) {
      if (!dst.wide) return Error{"a 64-bit immediate load needs an r register, not '" + dst.name() + "'"};
      ASM_TRY(v, to_imm64(n));
      return Parsed{make::ld_imm64(dst.n, v), "", FixKind::Off16};
    }
    auto imm = to_imm32(n, "immediate");
    if (!imm)
      return Error{imm.message() + "; write '" + dst.name() + " = " + n.show() + " ll' for a 64-bit load"};
    return Parsed{make::alu_imm(AluOp::Mov, dst.wide, dst.n, *imm), "", FixKind::Off16};
  }

  Result<Parsed> move_sign_extend(const Reg& dst) {
    ++pos_;
    const Token* t = peek();
    uint8_t bits = 0;
    if (t != nullptr && t->text == "s8")
      bits = 8;
    else if (t != nullptr && t->text == "s16")
      bits = 16;
    else if (t != nullptr && t->text == "s32")
      bits = 32;
    if (bits == 0) return Error{"expected s8, s16 or s32 in a sign-extending move, found " + quote(t)};
    ++pos_;
    ASM_CHECK(expect(")", "after the width"));
    ASM_TRY(src, reg("a source register"));
    ASM_CHECK(width_match(dst, src));
    if (bits == 32 && !dst.wide) return Error{"a 32-bit sign-extending move takes s8 or s16"};
    return Parsed{make::mov_sx(dst.wide, dst.n, src.n, bits), "", FixKind::Off16};
  }

  Result<Parsed> load(const Reg& dst) {
    ++pos_;
    ASM_TRY(ty, mem_type());
    if (is("skb")) return legacy_load(dst, ty);
    ASM_TRY(m, mem(true));
    if (ty.sign && ty.size == 8) return Error{"there is no sign-extending u64 load: write *(u64 *)"};
    if (ty.size == 8 && !dst.wide)
      return Error{"mismatched widths: a u64 load needs an r register, not '" + dst.name() + "'"};
    if (ty.sign && !dst.wide)
      return Error{"a sign-extending load writes all 64 bits: use r" + std::to_string(dst.n)};
    return Parsed{make::load(ty.size, ty.sign, dst.n, m.base.n, m.off), "", FixKind::Off16};
  }

  Result<Parsed> legacy_load(const Reg& dst, const MemType& ty) {
    ++pos_;
    ASM_CHECK(expect("[", "after 'skb'"));
    if (dst.n != 0 || !dst.wide) return Error{"legacy packet loads always write r0"};
    if (ty.sign || ty.size == 8) return Error{"legacy packet loads take u8, u16 or u32"};
    if (is_reg()) {
      ASM_TRY(src, reg("a register"));
      int32_t imm = 0;
      if (is("+") || is("-")) {
        const bool minus = is("-");
        ++pos_;
        ASM_TRY(n, number("an offset"));
        if (minus) n.neg = !n.neg;
        ASM_TRY(v, to_imm32(n, "offset"));
        imm = v;
      }
      ASM_CHECK(expect("]", "after the packet offset"));
      return Parsed{make::ld_ind(ty.size, src.n, imm), "", FixKind::Off16};
    }
    ASM_TRY(n, number("a packet offset"));
    ASM_TRY(imm, to_imm32(n, "packet offset"));
    ASM_CHECK(expect("]", "after the packet offset"));
    return Parsed{make::ld_abs(ty.size, imm), "", FixKind::Off16};
  }

  Result<Parsed> byte_swap(const Reg& dst) {
    const std::string_view w = peek()->text;
    Endian e = Endian::Le;
    std::string_view bits_text;
    if (w.starts_with("bswap")) {
      e = Endian::Swap;
      bits_text = w.substr(5);
    } else {
      e = w.starts_with("be") ? Endian::Be : Endian::Le;
      bits_text = w.substr(2);
    }
    const uint8_t bits = bits_text == "16" ? 16 : bits_text == "32" ? 32 : bits_text == "64" ? 64 : 0;
    if (bits == 0)
      return Error{"unexpected " + quote(peek()) +
                   " after '=' (byte swaps are le16/32/64, be16/32/64, bswap16/32/64)"};
    ++pos_;
    ASM_TRY(src, reg("a register"));
    if (src.n != dst.n || src.wide != dst.wide)
      return Error{"byte swaps work in place: write '" + dst.name() + " = " + std::string(w) + " " +
                   dst.name() + "'"};
    return Parsed{make::endian(e, dst.n, bits), "", FixKind::Off16};
  }

  Result<Parsed> load_acquire(const Reg& dst) {
    ++pos_;
    ASM_CHECK(expect("(", "after 'load_acquire'"));
    ASM_TRY(ty, mem_type());
    ASM_TRY(m, mem(true));
    ASM_CHECK(expect(")", "after the address"));
    if (ty.sign) return Error{"load_acquire takes an unsigned access size"};
    if (ty.size == 8 && !dst.wide)
      return Error{"mismatched widths: a u64 load_acquire needs an r register, not '" + dst.name() + "'"};
    return Parsed{make::atomic(AtomicOp::LoadAcquire, ty.size, dst.n, m.base.n, m.off), "", FixKind::Off16};
  }

  // LLVM: atomic_fetch_add((u64 *)(r1 + 0), r2), xchg_64(r1 + 8, r2), cmpxchg32_32(r1 + 8, w0, w2)
  // kernel: atomic64_fetch_add((u64 *)(r1 +0), r2), atomic_xchg(...), atomic64_cmpxchg(..., r0, r2)
  Result<Parsed> fetch_atomic(const Reg& dst) {
    std::string_view w = peek()->text;
    const Token* name_tok = peek();
    ++pos_;
    uint8_t size = 0;  // from the name (LLVM xchg/cmpxchg) or from the pointer type
    bool says64 = false;
    if (w == "xchg_64" || w == "cmpxchg_64")
      size = 8;
    else if (w == "xchg32_32" || w == "cmpxchg32_32")
      size = 4;
    else if (w.starts_with("atomic64_")) {
      says64 = true;
      w.remove_prefix(9);
    } else if (w.starts_with("atomic_")) {
      w.remove_prefix(7);
    } else {
      return Error{"unknown atomic operation " + quote(name_tok)};
    }
    std::optional<AtomicOp> op;
    if (w.starts_with("xchg"))
      op = AtomicOp::Xchg;
    else if (w.starts_with("cmpxchg"))
      op = AtomicOp::CmpXchg;
    for (AtomicOp a : kAtomicOps)
      if (atomic_op_fetches(a) && "atomic_" + std::string(w) == atomic_op_text(a)) op = a;
    if (!op || (size == 0 && (w == "xchg_64" || w == "cmpxchg_64")))
      return Error{"unknown atomic operation " + quote(name_tok)};
    ASM_CHECK(expect("(", "after the atomic operation"));
    Mem m;
    if (size == 0) {
      ASM_TRY(ty, mem_type());
      if (ty.sign) return Error{"atomic operations take an unsigned access size"};
      size = ty.size;
      ASM_TRY(mm, mem(true));
      m = mm;
    } else {
      ASM_TRY(mm, mem(false));
      m = mm;
    }
    if (says64 && size != 8) return Error{"'atomic64_' operations take a u64 operand"};
    ASM_CHECK(expect(",", "after the address"));
    if (*op == AtomicOp::CmpXchg) {
      ASM_TRY(cmp, reg("r0"));
      if (cmp.n != 0 || dst.n != 0) return Error{"cmpxchg compares with r0 and returns in r0"};
      ASM_CHECK(width_match(dst, cmp));
      ASM_CHECK(expect(",", "after r0"));
    }
    ASM_TRY(src, reg("a source register"));
    ASM_CHECK(expect(")", "after the source register"));
    ASM_CHECK(atomic_width(size, src));
    ASM_CHECK(width_match(dst, src));
    if (*op != AtomicOp::CmpXchg && dst.n != src.n)
      return Error{"the old value is returned in the source register: write '" + src.name() + " = " +
                   std::string(name_tok->text) + "(..., " + src.name() + ")'"};
    return Parsed{make::atomic(*op, size, m.base.n, src.n, m.off), "", FixKind::Off16};
  }

  Result<Parsed> pseudo_load(const Reg& dst, Pseudo p) {
    ++pos_;
    if (!dst.wide) return Error{"a 64-bit immediate load needs an r register, not '" + dst.name() + "'"};
    ASM_CHECK(expect("(", "after the pseudo source name"));
    Parsed out;
    if (p == Pseudo::Func) {
      ASM_TRY(tg, target("a function label or 'pc+N'"));
      int32_t rel = 0;
      if (tg.label.empty()) {
        ASM_TRY(v, to_simm32(tg.rel, "function offset"));
        rel = v;
      }
      out = Parsed{make::ld_imm64(dst.n, static_cast<uint32_t>(rel), p), tg.label, FixKind::Imm32};
    } else if (p == Pseudo::MapValue || p == Pseudo::MapIdxValue) {
      ASM_TRY(map, number("a map fd or index"));
      ASM_TRY(map32, to_imm32(map, "map fd or index"));
      ASM_CHECK(expect(",", "after the map"));
      ASM_TRY(off, number("a value offset"));
      ASM_TRY(off32, to_imm32(off, "value offset"));
      out = Parsed{make::ld_map_value(dst.n, p, map32, off32), "", FixKind::Off16};
    } else {
      ASM_TRY(v, number("an immediate"));
      ASM_TRY(v32, to_imm32(v, "immediate"));
      out = Parsed{make::ld_imm64(dst.n, static_cast<uint32_t>(v32), p), "", FixKind::Off16};
    }
    ASM_CHECK(expect(")", "after the pseudo source operands"));
    accept("ll");
    return out;
  }

  const std::vector<Token>& toks_;
  bool lddw_prefix_;
  size_t pos_ = 0;
};

}  // namespace

int reg_shape(std::string_view s) {
  if (s.size() < 2 || (s[0] != 'r' && s[0] != 'w')) return -1;
  int n = 0;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    n = n * 10 + (s[i] - '0');
    if (n > 999) n = 999;
  }
  return n;
}

Result<Parsed> parse_insn(const std::vector<Token>& toks, bool lddw_prefix) {
  if (toks.empty()) return Error{"expected an instruction"};
  return Parser(toks, lddw_prefix).statement();
}

}  // namespace bpfvet::isa::asm_detail
