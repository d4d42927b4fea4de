// Implementation of tests/support/progen.h; included by that header, not compiled on
// its own (test binaries are built from tests/<layer>_*_test.cpp only).
#pragma once

#include <array>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "isa/context.h"
#include "isa/helper_ids.h"
#include "isa/maps.h"
#include "isa/printer.h"
#include "tests/support/progen.h"

namespace bpfvet::testsupport {
namespace progen_detail {

using isa::AluOp;
using isa::JmpOp;
namespace mk = isa::make;
namespace fn = isa::fn;

constexpr int32_t kHelperMapLookup = 1;
constexpr int32_t kHelperPrandom = 7;
constexpr uint8_t kFp = 10;
constexpr uint8_t kCtx = 6;  // the context is saved in r6 by every prologue

/// splitmix64: tiny, fast, and the same sequence everywhere.
class Rng {
 public:
  // The seed goes through the output mix once, so that neighbouring seeds do not give
  // shifted copies of one sequence.
  explicit Rng(uint64_t seed) : s_(seed) { s_ = next() ^ 0x632be59bd9b4e019ULL; }
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return n == 0 ? 0 : static_cast<uint32_t>(next() % n); }
  bool chance(uint32_t percent) { return below(100) < percent; }
  int32_t between(int32_t lo, int32_t hi) { return lo + static_cast<int32_t>(below(static_cast<uint32_t>(hi - lo + 1))); }
  template <typename T, size_t N>
  T pick(const T (&a)[N]) { return a[below(N)]; }

 private:
  uint64_t s_;
};

/// What the generator believes a register (or an 8-byte stack slot) holds.
enum class Holds : uint8_t { Nothing, Scalar, Ctx, Stack, MapOrNull, MapValue, Packet, PacketEnd, Other };

struct Picture {
  std::array<Holds, 11> regs{};
  std::map<int, Holds> slots;  // slot offset from r10 (-8, -16, ...) -> what it holds
};

/// The picture after two paths join: only what both agree on.
inline Picture join(const Picture& a, const Picture& b) {
  Picture out;
  for (size_t r = 0; r < out.regs.size(); ++r) out.regs[r] = a.regs[r] == b.regs[r] ? a.regs[r] : Holds::Nothing;
  for (const auto& [off, h] : a.slots) {
    auto it = b.slots.find(off);
    if (it != b.slots.end()) out.slots[off] = it->second == h ? h : Holds::Scalar;
  }
  return out;
}

/// Appends raw slots; labels are resolved by finish().
class Builder {
 public:
  int label() {
    labels_.push_back(-1);
    return static_cast<int>(labels_.size()) - 1;
  }
  void bind(int l) { labels_[static_cast<size_t>(l)] = static_cast<int>(raw_.size()); }
  void emit(const isa::Insn& insn) {
    for (const isa::RawInsn& r : isa::encode(insn)) raw_.push_back(r);
  }
  void jump(const isa::Insn& j, int l) {
    fixups_.emplace_back(raw_.size(), l);
    emit(j);
  }
  /// A bpf-to-bpf call of the function that starts at label `l`.
  void call(int l) {
    calls_.emplace_back(raw_.size(), l);
    emit(isa::make::call_local(0));
  }
  size_t size() const { return raw_.size(); }
  bool used(int l) const {
    for (const auto& f : fixups_)
      if (f.second == l) return true;
    return false;
  }
  std::vector<isa::RawInsn> finish() {
    for (const auto& [slot, l] : fixups_)
      raw_[slot].off = static_cast<int16_t>(labels_[static_cast<size_t>(l)] - static_cast<int>(slot) - 1);
    for (const auto& [slot, l] : calls_) raw_[slot].imm = labels_[static_cast<size_t>(l)] - static_cast<int>(slot) - 1;
    return raw_;
  }

 private:
  std::vector<isa::RawInsn> raw_;
  std::vector<int> labels_;
  std::vector<std::pair<size_t, int>> fixups_;
  std::vector<std::pair<size_t, int>> calls_;
};

class Generator {
 public:
  Generator(GenFlavour f, uint64_t seed) : flavour_(f), rng_(seed ^ (static_cast<uint64_t>(f) << 56)) {}

  Result<GeneratedProgram> run() {
    choose_type();
    out_ = b_.label();
    b_.emit(mk::alu(AluOp::Mov, true, kCtx, 1));
    pic_.regs[1] = pic_.regs[kCtx] = Holds::Ctx;
    pic_.regs[kFp] = Holds::Stack;
    reserved_ = (1u << kCtx) | (1u << kFp);
    switch (flavour_) {
      case GenFlavour::Alu: body_alu(); break;
      case GenFlavour::Stack: body_stack(); break;
      case GenFlavour::Map: body_map(); break;
      case GenFlavour::Packet: body_packet(); break;
      case GenFlavour::Context: body_context(); break;
      case GenFlavour::Helpers: body_helpers(); break;
      case GenFlavour::Maps: body_maps(); break;
      case GenFlavour::Refs: body_refs(); break;
      case GenFlavour::Calls: body_calls(); break;
    }
    close_all();
    finish_return();
    if (b_.used(out_)) {  // an unused block would be unreachable code
      b_.bind(out_);
      b_.emit(mk::alu_imm(AluOp::Mov, true, 0, ret_value()));
      b_.emit(mk::exit());
    }
    emit_subprogs();
    auto prog = isa::program_from_raw(b_.finish(), type_, std::string("gen_") + gen_flavour_name(flavour_));
    if (!prog) return prog.error();
    prog->maps = maps_;
    prog->license = "GPL";
    if (btf_func_info_)  // one func_info record per function; the kernel loader builds their BTF
      for (const isa::Function& f : prog->functions)
        prog->func_info.push_back(isa::FuncInfo{f.start, static_cast<uint32_t>(prog->func_info.size() + 1)});
    GeneratedProgram g{std::move(*prog), recipe_};
    return g;
  }

 private:
  // ---- shared pieces --------------------------------------------------------------

  void note(const std::string& s) {
    if (!recipe_.empty()) recipe_ += ' ';
    recipe_ += s;
  }

  void choose_type() {
    static const isa::ProgType kAll[] = {isa::ProgType::SocketFilter, isa::ProgType::Xdp, isa::ProgType::SchedCls,
                                         isa::ProgType::Kprobe};
    if (flavour_ == GenFlavour::Packet || flavour_ == GenFlavour::Refs)
      type_ = rng_.chance(4) ? isa::ProgType::SocketFilter : rng_.chance(50) ? isa::ProgType::Xdp : isa::ProgType::SchedCls;
    else
      type_ = rng_.pick(kAll);
    note(isa::prog_type_name(type_));
  }

  bool usable(int r) const { return !(reserved_ & (1u << r)); }

  int reg_holding(Holds h, bool need_usable = true) {
    int found[11];
    int n = 0;
    for (int r = 0; r < 10; ++r)
      if (pic_.regs[static_cast<size_t>(r)] == h && (!need_usable || usable(r))) found[n++] = r;
    return n ? found[rng_.below(static_cast<uint32_t>(n))] : -1;
  }

  int free_reg() {
    int found[11];
    int n = 0;
    for (int r = 0; r < 10; ++r)
      if (usable(r)) found[n++] = r;
    return found[rng_.below(static_cast<uint32_t>(n))];
  }

  void set(int r, Holds h) { pic_.regs[static_cast<size_t>(r)] = h; }

  /// Clobbers of a helper call.
  void after_call() {
    for (int r = 1; r <= 5; ++r) set(r, Holds::Nothing);
  }

  bool calls_allowed() const {
    for (int r = 1; r <= 5; ++r)
      if (reserved_ & (1u << r)) return false;
    return !(reserved_ & 1u);
  }

  /// A valid 4- or 8-byte scalar field of the context: {offset, size}.
  std::pair<int16_t, uint8_t> ctx_scalar_field() {
    static const int16_t kSkb[] = {0, 4, 8, 12, 16, 32, 40, 48, 68};
    static const int16_t kXdp[] = {12, 16};
    switch (type_) {
      case isa::ProgType::Xdp: return {rng_.pick(kXdp), 4};
      case isa::ProgType::Kprobe: return {static_cast<int16_t>(8 * rng_.below(21)), 8};
      default: return {rng_.pick(kSkb), 4};
    }
  }

  /// Puts an initialized scalar in `dst`: an immediate, a context field, a 64-bit
  /// constant or a random number from bpf_get_prandom_u32().
  void load_scalar(int dst) {
    const uint32_t k = rng_.below(100);
    if (k < 35) {
      b_.emit(mk::alu_imm(AluOp::Mov, rng_.chance(50), static_cast<uint8_t>(dst), imm()));
    } else if (k < 75 && pic_.regs[kCtx] == Holds::Ctx) {
      auto [off, size] = ctx_scalar_field();
      b_.emit(mk::load(size, false, static_cast<uint8_t>(dst), kCtx, off));
    } else if (k < 85 || !calls_allowed()) {
      b_.emit(mk::ld_imm64(static_cast<uint8_t>(dst), rng_.next() >> rng_.below(64)));
    } else {
      b_.emit(mk::call(kHelperPrandom));
      after_call();
      set(0, Holds::Scalar);
      if (dst != 0) b_.emit(mk::alu(AluOp::Mov, true, static_cast<uint8_t>(dst), 0));
    }
    set(dst, Holds::Scalar);
  }

  int32_t imm() {
    static const int32_t kInteresting[] = {0, 1, -1, 2, 7, 8, 15, 16, 31, 32, 63, 64, 255, 256, 0xffff, 0x7fffffff,
                                           INT32_MIN, -2, -8, 1000};
    return rng_.chance(70) ? rng_.pick(kInteresting) : static_cast<int32_t>(rng_.next());
  }

  /// A scalar register to read, loading one first when there is none.
  int scalar_operand() {
    int r = reg_holding(Holds::Scalar);
    if (r < 0 || rng_.chance(10)) {
      r = free_reg();
      load_scalar(r);
    }
    return r;
  }

  // ---- ALU, branches and loops ------------------------------------------------------

  void alu_step(bool allow_mistakes = true) {
    static const AluOp kOps[] = {AluOp::Add, AluOp::Sub,  AluOp::Mul,  AluOp::Div,  AluOp::SDiv, AluOp::Or,
                                 AluOp::And, AluOp::Lsh,  AluOp::Rsh,  AluOp::Neg,  AluOp::Mod,  AluOp::SMod,
                                 AluOp::Xor, AluOp::Mov,  AluOp::MovSx, AluOp::Arsh, AluOp::End, AluOp::Add,
                                 AluOp::And, AluOp::Rsh, AluOp::Lsh, AluOp::Mov};
    const AluOp op = rng_.pick(kOps);
    const bool is64 = rng_.chance(55);
    int dst = reg_holding(Holds::Scalar);
    if (dst < 0 || (op == AluOp::Mov && rng_.chance(40))) dst = free_reg();
    if (pic_.regs[static_cast<size_t>(dst)] != Holds::Scalar && op != AluOp::Mov && op != AluOp::MovSx) load_scalar(dst);
    const auto d = static_cast<uint8_t>(dst);
    if (op == AluOp::MovSx) {
      int src = scalar_operand();
      static const uint8_t kBits[] = {8, 16, 32};
      b_.emit(mk::mov_sx(is64, d, static_cast<uint8_t>(src), is64 ? rng_.pick(kBits) : kBits[rng_.below(2)]));
      set(dst, Holds::Scalar);
      return;
    }
    if (op == AluOp::End) {
      static const isa::Endian kEnd[] = {isa::Endian::Le, isa::Endian::Be, isa::Endian::Swap};
      static const uint8_t kBits[] = {16, 32, 64};
      b_.emit(mk::endian(rng_.pick(kEnd), d, rng_.pick(kBits)));
      return;
    }
    if (op == AluOp::Neg) {
      b_.emit(mk::alu_imm(op, is64, d, 0));
      return;
    }
    const bool use_reg = rng_.chance(40);
    if (use_reg) {
      int src;
      if (allow_mistakes && rng_.chance(3) && (src = reg_holding(Holds::Nothing)) >= 0) {
        note("uninit-src");
      } else {
        src = scalar_operand();
      }
      b_.emit(mk::alu(op, is64, d, static_cast<uint8_t>(src)));
    } else {
      int32_t v = imm();
      const int width = is64 ? 64 : 32;
      if (op == AluOp::Lsh || op == AluOp::Rsh || op == AluOp::Arsh) {
        v = rng_.between(0, width - 1);
        if (allow_mistakes && rng_.chance(3)) {
          v = width + static_cast<int32_t>(rng_.below(8));
          note("bad-shift");
        }
      } else if (op == AluOp::Div || op == AluOp::Mod || op == AluOp::SDiv || op == AluOp::SMod) {
        if (v == 0) v = 3;
        if (allow_mistakes && rng_.chance(3)) {
          v = 0;
          note("div-by-0");
        }
      }
      b_.emit(mk::alu_imm(op, is64, d, v));
    }
    set(dst, Holds::Scalar);
  }

  /// Opens a forward conditional jump over the code that follows.
  void open_branch() {
    static const JmpOp kOps[] = {JmpOp::Jeq, JmpOp::Jgt, JmpOp::Jge, JmpOp::Jset, JmpOp::Jne, JmpOp::Jsgt,
                                 JmpOp::Jsge, JmpOp::Jlt, JmpOp::Jle, JmpOp::Jslt, JmpOp::Jsle};
    const int a = scalar_operand();
    const int l = b_.label();
    const bool is64 = rng_.chance(60);
    if (rng_.chance(35)) {
      const int s = scalar_operand();
      b_.jump(mk::jmp(rng_.pick(kOps), is64, static_cast<uint8_t>(a), static_cast<uint8_t>(s), 0), l);
    } else {
      b_.jump(mk::jmp_imm(rng_.pick(kOps), is64, static_cast<uint8_t>(a), imm(), 0), l);
    }
    open_.emplace_back(l, pic_);
  }

  void close_branch() {
    auto [l, saved] = open_.back();
    open_.pop_back();
    b_.bind(l);
    pic_ = join(saved, pic_);
  }

  void close_all() {
    while (!open_.empty()) close_branch();
  }

  /// Occasionally opens or closes a branch; returns true when it did something.
  bool maybe_branch() {
    if (!open_.empty() && rng_.chance(25)) {
      close_branch();
      return true;
    }
    if (open_.size() < 3 && rng_.chance(15)) {
      open_branch();
      return true;
    }
    return false;
  }

  /// A do-while loop with a constant or masked bound: the kernel walks every iteration.
  void bounded_loop() {
    close_all();
    const int c = free_reg();
    reserved_ |= 1u << c;
    b_.emit(mk::alu_imm(AluOp::Mov, true, static_cast<uint8_t>(c), 0));
    set(c, Holds::Scalar);
    int bound = -1;
    if (rng_.chance(30)) {
      bound = free_reg();
      load_scalar(bound);
      b_.emit(mk::alu_imm(AluOp::And, true, static_cast<uint8_t>(bound), 7));
      reserved_ |= 1u << bound;
    }
    const int top = b_.label();
    b_.bind(top);
    const uint32_t saved_reserved = reserved_;
    reserved_ |= 0x3e;  // no helper calls inside the body
    for (int i = 0, n = rng_.between(1, 4); i < n; ++i) alu_step(false);
    reserved_ = saved_reserved;
    b_.emit(mk::alu_imm(AluOp::Add, true, static_cast<uint8_t>(c), 1));
    const bool is64 = rng_.chance(70);
    if (bound >= 0) {
      b_.jump(mk::jmp(JmpOp::Jlt, is64, static_cast<uint8_t>(c), static_cast<uint8_t>(bound), 0), top);
      reserved_ &= ~(1u << bound);
      note("loop<reg&7");
    } else {
      const int32_t n = rng_.between(2, 8);
      b_.jump(mk::jmp_imm(JmpOp::Jlt, is64, static_cast<uint8_t>(c), n, 0), top);
      note("loop<" + std::to_string(n));
    }
    reserved_ &= ~(1u << c);
  }

  int32_t ret_value() {
    const isa::ProgTypeInfo& info = isa::prog_type_info(type_);
    if (info.ret_checked) return static_cast<int32_t>(info.ret_min);
    return type_ == isa::ProgType::Xdp ? 2 : 0;
  }

  /// Sets r0 to the program's result (mostly in range) and exits.
  void finish_return() {
    const isa::ProgTypeInfo& info = isa::prog_type_info(type_);
    const int64_t lo = info.ret_checked ? info.ret_min : 0;
    const int64_t hi = info.ret_checked ? info.ret_max : 3;
    const uint32_t k = rng_.below(100);
    if (k < 75) {
      b_.emit(mk::alu_imm(AluOp::Mov, rng_.chance(50), 0, static_cast<int32_t>(lo + rng_.below(static_cast<uint32_t>(hi - lo + 1)))));
    } else if (k < 90) {
      const int s = scalar_operand();
      b_.emit(mk::alu(AluOp::Mov, true, 0, static_cast<uint8_t>(s)));
      b_.emit(mk::alu_imm(AluOp::And, rng_.chance(50), 0, 1));
    } else if (k < 97) {
      const int s = scalar_operand();
      b_.emit(mk::alu(AluOp::Mov, rng_.chance(50), 0, static_cast<uint8_t>(s)));
      note("ret=reg");
    } else {
      note("ret-as-is");
    }
    b_.emit(mk::exit());
  }

  void body_alu() {
    for (int i = 0, n = rng_.between(3, 7); i < n; ++i) load_scalar(free_reg());
    for (int i = 0, n = rng_.between(6, 30); i < n; ++i) {
      if (maybe_branch()) continue;
      if (rng_.chance(6)) {
        bounded_loop();
        continue;
      }
      alu_step();
    }
  }

  // ---- stack spills and fills ----------------------------------------------------------

  /// A stack offset for an access of `size` bytes: inside a slot and aligned, or
  /// (rarely) misaligned or outside the 512-byte frame.
  int16_t stack_off(uint8_t size, int slot) {
    if (rng_.chance(3)) {
      note("stack-misaligned");
      return static_cast<int16_t>(-8 * slot + (size > 1 ? 1 : 0) + (size == 8 ? 2 : 0));
    }
    if (rng_.chance(2)) {
      note("stack-out-of-frame");
      return rng_.chance(50) ? static_cast<int16_t>(-512 - 8) : static_cast<int16_t>(0);
    }
    return static_cast<int16_t>(-8 * slot + size * static_cast<int>(rng_.below(8u / size)));
  }

  uint8_t access_size() {
    static const uint8_t kSizes[] = {8, 8, 8, 4, 4, 2, 1};
    return rng_.pick(kSizes);
  }

  void spill() {
    const int slot = rng_.between(1, 8);
    const uint32_t k = rng_.below(100);
    // Pointers are spilled whole, but for the odd narrow (refused) spill.
    const uint8_t size = k >= 25 && k < 52 && !rng_.chance(8) ? 8 : access_size();
    const int16_t off = stack_off(size, slot);
    Holds h = Holds::Scalar;
    if (k < 25) {
      b_.emit(mk::store_imm(size, kFp, off, imm()));
    } else if (k < 45 && pic_.regs[kCtx] == Holds::Ctx) {
      b_.emit(mk::store_reg(size, kFp, kCtx, off));
      h = Holds::Ctx;
    } else if (k < 52) {
      b_.emit(mk::store_reg(size, kFp, kFp, off));
      h = Holds::Stack;
    } else {
      b_.emit(mk::store_reg(size, kFp, static_cast<uint8_t>(scalar_operand()), off));
    }
    if (off < -512 || off >= 0) return;
    const int base = off - ((off % 8) + 8) % 8;
    pic_.slots[base] = (size == 8 && off == base) ? h : Holds::Scalar;
  }

  void fill() {
    int slot = rng_.between(1, 8);
    if (!pic_.slots.empty() && rng_.chance(80)) {
      auto it = pic_.slots.begin();
      std::advance(it, rng_.below(static_cast<uint32_t>(pic_.slots.size())));
      slot = -it->first / 8;
    }
    const uint8_t size = access_size();
    const int16_t off = stack_off(size, slot);
    const int dst = free_reg();
    const bool sx = size < 8 && rng_.chance(10);
    b_.emit(mk::load(size, sx, static_cast<uint8_t>(dst), kFp, off));
    auto it = pic_.slots.find(-8 * slot);
    if (it == pic_.slots.end()) note("uninit-stack-read");
    set(dst, size == 8 && off == -8 * slot && it != pic_.slots.end() ? it->second : Holds::Scalar);
  }

  /// Uses a register that a fill may have turned into a pointer.
  void use_pointer() {
    int r = reg_holding(Holds::Ctx);
    if (r >= 0 && r != kCtx) {
      auto [off, size] = ctx_scalar_field();
      const int dst = free_reg();
      b_.emit(mk::load(size, false, static_cast<uint8_t>(dst), static_cast<uint8_t>(r), off));
      set(dst, Holds::Scalar);
      return;
    }
    r = reg_holding(Holds::Stack);
    if (r >= 0) {
      const int16_t off = static_cast<int16_t>(-8 * rng_.between(9, 12));
      b_.emit(mk::store_reg(8, static_cast<uint8_t>(r), static_cast<uint8_t>(scalar_operand()), off));
      const int dst = free_reg();
      b_.emit(mk::load(8, false, static_cast<uint8_t>(dst), static_cast<uint8_t>(r), off));
      set(dst, Holds::Scalar);
      pic_.slots[off] = Holds::Scalar;
    }
  }

  /// A read of the stack at a variable offset (masked, badly masked, or unbounded).
  void var_stack_read() {
    close_all();
    const int s = scalar_operand();
    reserved_ |= 1u << s;
    const int p = free_reg();
    reserved_ &= ~(1u << s);
    if (p == s) return;
    const uint32_t k = rng_.below(100);
    b_.emit(mk::alu(AluOp::Mov, true, static_cast<uint8_t>(p), kFp));
    b_.emit(mk::alu_imm(AluOp::Add, true, static_cast<uint8_t>(p), -64));
    if (k < 60) {
      b_.emit(mk::alu_imm(AluOp::And, true, static_cast<uint8_t>(s), 0x38));
      note("varstack=mask8");
    } else if (k < 80) {
      b_.emit(mk::alu_imm(AluOp::And, true, static_cast<uint8_t>(s), 0x3f));
      note("varstack=mask1");
    } else {
      note("varstack=unbounded");
    }
    b_.emit(mk::alu(AluOp::Add, true, static_cast<uint8_t>(p), static_cast<uint8_t>(s)));
    const int dst = free_reg();
    b_.emit(mk::load(8, false, static_cast<uint8_t>(dst), static_cast<uint8_t>(p), 0));
    set(p, Holds::Other);
    set(dst, Holds::Scalar);
  }

  void body_stack() {
    for (int i = 0, n = rng_.between(1, 4); i < n; ++i) load_scalar(free_reg());
    for (int i = 0, n = rng_.between(6, 24); i < n; ++i) {
      if (maybe_branch()) continue;
      const uint32_t k = rng_.below(100);
      if (k < 35) spill();
      else if (k < 65) fill();
      else if (k < 75) use_pointer();
      else if (k < 80) var_stack_read();
      else alu_step();
    }
  }

  // ---- map lookups ---------------------------------------------------------------------

  void make_maps() {
    static const uint32_t kValueSizes[] = {8, 12, 16, 24, 32, 48, 64};
    for (int i = 0, n = rng_.between(1, 2); i < n; ++i) {
      isa::MapDef m;
      const bool array = rng_.chance(50);
      m.name = (array ? "arr" : "hash") + std::to_string(i);
      m.type = array ? isa::MapType::Array : isa::MapType::Hash;
      m.key_size = 4;
      m.value_size = rng_.pick(kValueSizes);
      m.max_entries = array && rng_.chance(30) ? 1u : static_cast<uint32_t>(rng_.between(1, 16));
      maps_.push_back(m);
    }
  }

  /// An access of `size` bytes through the map value pointer in `p` at constant offset.
  void map_value_access(int p, uint32_t vsize) {
    const uint8_t size = access_size();
    int32_t off = static_cast<int32_t>(rng_.below(vsize >= size ? vsize - size + 1 : 1));
    if (rng_.chance(6)) {
      off = rng_.chance(70) ? static_cast<int32_t>(vsize) - size + 1 + static_cast<int32_t>(rng_.below(8)) : -size;
      note("value-oob");
    }
    const uint32_t k = rng_.below(100);
    if (k < 55) {
      const int dst = free_reg();
      b_.emit(mk::load(size, false, static_cast<uint8_t>(dst), static_cast<uint8_t>(p), static_cast<int16_t>(off)));
      set(dst, Holds::Scalar);
    } else if (k < 75) {
      b_.emit(mk::store_imm(size, static_cast<uint8_t>(p), static_cast<int16_t>(off), imm()));
    } else if (k < 92) {
      b_.emit(mk::store_reg(size, static_cast<uint8_t>(p), static_cast<uint8_t>(scalar_operand()), static_cast<int16_t>(off)));
    } else if (vsize >= 8) {
      const int16_t aoff = static_cast<int16_t>(8 * rng_.below(vsize / 8));
      b_.emit(mk::atomic(isa::AtomicOp::Add, 8, static_cast<uint8_t>(p), static_cast<uint8_t>(scalar_operand()), aoff));
      note("atomic");
    }
  }

  /// Access at a variable offset, bounded correctly, off by one, signed-only or not at all.
  void map_var_access(int p, uint32_t vsize) {
    const uint8_t size = vsize >= 8 ? access_size() : 1;
    const int s = scalar_operand();
    const int32_t limit = static_cast<int32_t>(vsize) - size;
    const uint32_t k = rng_.below(100);
    if (k < 40) {
      int32_t mask = 1;
      while (mask * 2 - 1 <= limit) mask *= 2;
      mask -= 1;
      if (rng_.chance(10)) {
        mask = mask * 2 + 1;
        note("varoff=mask-too-wide");
      } else {
        note("varoff=mask");
      }
      b_.emit(mk::alu_imm(AluOp::And, rng_.chance(50), static_cast<uint8_t>(s), mask));
    } else if (k < 75) {
      b_.jump(mk::jmp_imm(JmpOp::Jgt, true, static_cast<uint8_t>(s), limit, 0), out_);
      note("varoff=check");
    } else if (k < 82) {
      b_.jump(mk::jmp_imm(JmpOp::Jgt, true, static_cast<uint8_t>(s), limit + 1, 0), out_);
      note("varoff=off-by-one");
    } else if (k < 89) {
      b_.jump(mk::jmp_imm(JmpOp::Jsgt, true, static_cast<uint8_t>(s), limit, 0), out_);
      note("varoff=signed-only");
    } else if (k < 95) {
      b_.jump(mk::jmp_imm(JmpOp::Jgt, false, static_cast<uint8_t>(s), limit, 0), out_);
      note("varoff=check32");
    } else {
      note("varoff=none");
    }
    reserved_ |= 1u << s;
    const int q = free_reg();
    reserved_ &= ~(1u << s);
    b_.emit(mk::alu(AluOp::Mov, true, static_cast<uint8_t>(q), static_cast<uint8_t>(p)));
    b_.emit(mk::alu(AluOp::Add, true, static_cast<uint8_t>(q), static_cast<uint8_t>(s)));
    const int dst = free_reg();
    b_.emit(mk::load(size, false, static_cast<uint8_t>(dst), static_cast<uint8_t>(q), 0));
    set(q, Holds::Other);
    set(dst, Holds::Scalar);
  }

  void lookup() {
    close_all();
    const int m = static_cast<int>(rng_.below(static_cast<uint32_t>(maps_.size())));
    const isa::MapDef& def = maps_[static_cast<size_t>(m)];
    const uint32_t k = rng_.below(100);
    if (k < 70) {
      const int32_t key = def.type == isa::MapType::Array && rng_.chance(85)
                              ? static_cast<int32_t>(rng_.below(def.max_entries))
                              : static_cast<int32_t>(rng_.below(def.max_entries + 4));
      b_.emit(mk::store_imm(4, kFp, -4, key));
    } else if (k < 95) {
      b_.emit(mk::store_reg(4, kFp, static_cast<uint8_t>(scalar_operand()), -4));
    } else {
      note("key-uninit");
    }
    b_.emit(mk::alu(AluOp::Mov, true, 2, kFp));
    const bool bad_key_ptr = rng_.chance(2);
    b_.emit(mk::alu_imm(AluOp::Add, true, 2, bad_key_ptr ? -2 : -4));
    if (bad_key_ptr) note("key-ptr-past-frame");
    b_.emit(mk::ld_imm64(1, static_cast<uint64_t>(m), isa::Pseudo::MapIdx));
    b_.emit(mk::call(kHelperMapLookup));
    after_call();
    set(0, Holds::MapOrNull);
    note(std::string("lookup:") + def.name);
    const uint32_t c = rng_.below(100);
    if (c < 55) {
      b_.jump(mk::jmp_imm(JmpOp::Jeq, true, 0, 0, 0), out_);
    } else if (c < 85) {
      const int ok = b_.label();
      b_.jump(mk::jmp_imm(JmpOp::Jne, true, 0, 0, 0), ok);
      b_.jump(mk::ja(0), out_);
      b_.bind(ok);
    } else {
      note("no-null-check");
    }
    const int p = 7 + static_cast<int>(rng_.below(2));
    b_.emit(mk::alu(AluOp::Mov, true, static_cast<uint8_t>(p), 0));
    set(p, Holds::MapValue);
    reserved_ |= 1u << p;
    for (int i = 0, n = rng_.between(1, 4); i < n; ++i) {
      const uint32_t a = rng_.below(100);
      if (a < 55) {
        map_value_access(p, def.value_size);
      } else if (a < 85) {
        map_var_access(p, def.value_size);
      } else if (a < 93) {
        b_.emit(mk::store_reg(8, kFp, static_cast<uint8_t>(p), -16));
        const int q = free_reg();
        b_.emit(mk::load(8, false, static_cast<uint8_t>(q), kFp, -16));
        set(q, Holds::MapValue);
        note("value-ptr-spill");
        reserved_ |= 1u << q;
        map_value_access(q, def.value_size);
        reserved_ &= ~(1u << q);
      } else {
        alu_step();
      }
    }
    reserved_ &= ~(1u << p);
  }

  /// A direct load of an array map's value (ld_imm64 map_value).
  void direct_value() {
    for (size_t m = 0; m < maps_.size(); ++m) {
      if (maps_[m].type != isa::MapType::Array) continue;
      const int p = free_reg();
      const int32_t base = static_cast<int32_t>(rng_.below(maps_[m].value_size));
      b_.emit(mk::ld_map_value(static_cast<uint8_t>(p), isa::Pseudo::MapIdxValue, static_cast<int32_t>(m), base));
      set(p, Holds::MapValue);
      reserved_ |= 1u << p;
      map_value_access(p, maps_[m].value_size - static_cast<uint32_t>(base));
      reserved_ &= ~(1u << p);
      note("direct-value");
      return;
    }
  }

  void body_map() {
    make_maps();
    for (int i = 0, n = rng_.between(0, 3); i < n; ++i) load_scalar(free_reg());
    for (int i = 0, n = rng_.between(1, 3); i < n; ++i) {
      lookup();
      if (rng_.chance(10)) direct_value();
      for (int j = 0, m = rng_.between(0, 3); j < m; ++j)
        if (!maybe_branch()) alu_step();
    }
  }

#include "tests/support/progen_bodies.inc"  // packet and context bodies (members)
#include "tests/support/progen_helpers.inc"  // helper-call and map-type bodies (members)
#include "tests/support/progen_refs.inc"     // reference and call bodies (members)

  GenFlavour flavour_;
  Rng rng_;
  Builder b_;
  Picture pic_;
  isa::ProgType type_ = isa::ProgType::SocketFilter;
  std::vector<isa::MapDef> maps_;
  std::string recipe_;
  std::vector<std::pair<int, Picture>> open_;
  uint32_t reserved_ = 0;  // registers the ALU noise must not write
  int out_ = -1;           // label of the shared "return the default value" exit
  std::vector<SubprogPlan> subprogs_;  // calls flavour: functions after the main one
  bool btf_func_info_ = false;         // calls flavour: describe the functions in BTF func_info
};

}  // namespace progen_detail

inline const char* gen_flavour_name(GenFlavour f) {
  switch (f) {
    case GenFlavour::Alu: return "alu";
    case GenFlavour::Stack: return "stack";
    case GenFlavour::Map: return "map";
    case GenFlavour::Packet: return "packet";
    case GenFlavour::Context: return "context";
    case GenFlavour::Helpers: return "helpers";
    case GenFlavour::Maps: return "maps";
    case GenFlavour::Refs: return "refs";
    case GenFlavour::Calls: return "calls";
  }
  return "?";
}

inline Result<GeneratedProgram> generate_program(GenFlavour flavour, uint64_t seed) {
  return progen_detail::Generator(flavour, seed).run();
}

inline std::string program_listing(const isa::Program& prog) {
  std::ostringstream out;
  for (size_t i = 0; i < prog.insns.size(); ++i) {
    if (prog.insns[i].kind == isa::Kind::LdImm64Hi) continue;
    out << isa::disasm_line(prog.insns[i], static_cast<int64_t>(i)) << '\n';
  }
  return out.str();
}

}  // namespace bpfvet::testsupport
