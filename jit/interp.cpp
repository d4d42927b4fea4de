// The interpreter's dispatch loop and the "interp" engine.
#include "jit/interp.h"

#include <chrono>
#include <cstring>
#include <sstream>

#include "jit/interp_ops.h"

namespace bpfvet::jit {

namespace {

constexpr uint32_t kMaxCallFrames = 8;               // MAX_CALL_FRAMES
constexpr uint32_t kMayGotoLoops = 8 * 1024 * 1024;  // BPF_MAX_LOOPS
constexpr uint64_t kUncheckedBudget = 500'000'000;  // --no-verify: stop endless loops
constexpr uint64_t kFuncTagMask = 0xff00000000000000ull;
constexpr uint64_t kFuncTag = 0xbf00000000000000ull;

std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

template <typename T>
inline T load_mem(uint64_t a) {
  T v;
  std::memcpy(&v, reinterpret_cast<const void*>(a), sizeof(T));
  return v;
}
template <typename T>
inline void store_mem(uint64_t a, T v) {
  std::memcpy(reinterpret_cast<void*>(a), &v, sizeof(T));
}

struct Frame {
  const Op* ret;
  const Code* code;
  uint64_t saved[4];  // r6-r9
  uint64_t fp;
  uint32_t loops;
};

}  // namespace

Interpreter::Interpreter(Runtime& rt, bool checked) : rt_(rt), checked_(checked) {
  rt_.invoke_callback = [this](uint64_t fn, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
    return callback(fn, a, b, c, d);
  };
}

void Interpreter::error_at(const Code* code, const Op* ip, const std::string& what) {
  if (!error_.empty()) return;
  const long pc = ip - code->ops.data();
  error_ = "insn " + std::to_string(pc) + ": " + what;
  if (code->program != &rt_.program()) error_ += " (in tail-called program '" + code->program->name + "')";
}

void Interpreter::fault(const Code* code, const Op* ip, uint64_t addr, uint32_t size, bool write) {
  std::string what = std::string("invalid ") + (write ? "write" : "read") + " of " + std::to_string(size) +
                     " bytes at " + hex(addr);
  if (const Region* r = rt_.regions().containing(addr)) {
    if (write && !r->writable) what += ": " + r->name + " is read-only";
    else what += ": runs past the end of " + r->name + " (" + hex(r->base) + ", " + std::to_string(r->size) + " bytes)";
  } else {
    what += ": not inside the stack, context, packet or any map value";
  }
  error_at(code, ip, what);
}

uint64_t Interpreter::callback(uint64_t fn, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4) {
  const uint32_t id = static_cast<uint32_t>((fn >> 32) & 0xffffff);
  if ((fn & kFuncTagMask) != kFuncTag || id >= codes_.size()) {
    rt_.fail("callback argument " + hex(fn) + " is not a function loaded with lddw");
    return 0;
  }
  const Code* code = codes_[id].get();
  const uint32_t pc = static_cast<uint32_t>(fn);
  if (depth_ + 1 >= kMaxCallFrames) {
    rt_.fail("callback nesting exceeds " + std::to_string(kMaxCallFrames) + " frames");
    return 0;
  }
  const uint32_t saved_depth = depth_;
  const uint64_t r0 = checked_ ? exec<true>(code, pc, r1, r2, r3, r4, 0, depth_ + 1)
                               : exec<false>(code, pc, r1, r2, r3, r4, 0, depth_ + 1);
  depth_ = saved_depth;
  if (!error_.empty()) rt_.fail(error_);
  return r0;
}

Result<uint64_t> Interpreter::run() {
  auto code = prepare(rt_.program());
  if (!code) return code.error();
  error_.clear();
  rt_.clear_error();
  tail_calls_ = 0;
  budget_ = kUncheckedBudget;
  const uint64_t r0 = checked_ ? exec<true>(*code, 0, rt_.r1(), rt_.r2(), 0, 0, 0, 0)
                               : exec<false>(*code, 0, rt_.r1(), rt_.r2(), 0, 0, 0, 0);
  if (!error_.empty()) return Error{error_};
  if (rt_.failed()) return Error{rt_.error()};
  return r0;
}

template <bool kChecked>
uint64_t Interpreter::exec(const Code* code, uint32_t pc, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                           uint64_t r5, uint32_t depth) {
  static const void* const kLabels[] = {
#define INTERP_LABEL(n) &&L_##n,
      INTERP_OPS(INTERP_LABEL)
#undef INTERP_LABEL
  };
  static_assert(sizeof(kLabels) / sizeof(kLabels[0]) == static_cast<size_t>(H::Count));

  uint64_t regs[11] = {0, r1, r2, r3, r4, r5, 0, 0, 0, 0, rt_.frame_pointer(depth)};
  rt_.note_frame_used(depth);
  Frame frames[kMaxCallFrames];
  uint32_t nframes = 0;
  uint32_t loops = kMayGotoLoops;
  const uint32_t base_depth = depth;
  depth_ = depth;
  const Op* ip = code->ops.data() + pc;

#define DISPATCH()                                        \
  do {                                                    \
    if constexpr (kChecked) {                             \
      if (--budget_ == 0) goto budget_exceeded;           \
      ++executed_;                                        \
    }                                                     \
    goto* kLabels[ip->h];                                 \
  } while (0)
#define NEXT() \
  do {         \
    ++ip;      \
    DISPATCH(); \
  } while (0)
#define CHECK(addr, n, write)                                   \
  do {                                                          \
    if constexpr (kChecked) {                                   \
      if (!rt_.regions().check((addr), (n), (write))) {         \
        fault(code, ip, (addr), (n), (write));                  \
        return 0;                                               \
      }                                                         \
    }                                                           \
  } while (0)

// ALU: d is the destination register, s the second operand (64-bit or 32-bit view).
#define ALU64(N, EXPR)                                                    \
  L_##N##64X : {                                                          \
    const uint64_t s = regs[ip->src];                                     \
    uint64_t& d = regs[ip->dst];                                          \
    EXPR;                                                                 \
  }                                                                       \
  NEXT();                                                                 \
  L_##N##64K : {                                                          \
    const uint64_t s = static_cast<uint64_t>(ip->imm);                    \
    uint64_t& d = regs[ip->dst];                                          \
    EXPR;                                                                 \
  }                                                                       \
  NEXT();
#define ALU32(N, EXPR)                                                    \
  L_##N##32X : {                                                          \
    const uint32_t s = static_cast<uint32_t>(regs[ip->src]);              \
    uint64_t& d = regs[ip->dst];                                          \
    const uint32_t x = static_cast<uint32_t>(d);                          \
    EXPR;                                                                 \
  }                                                                       \
  NEXT();                                                                 \
  L_##N##32K : {                                                          \
    const uint32_t s = static_cast<uint32_t>(ip->imm);                    \
    uint64_t& d = regs[ip->dst];                                          \
    const uint32_t x = static_cast<uint32_t>(d);                          \
    EXPR;                                                                 \
  }                                                                       \
  NEXT();
#define JMP(N, CMP64, CMP32)                                                                   \
  L_##N##64X : if (CMP64(regs[ip->dst], regs[ip->src])) ip += ip->off;                        \
  NEXT();                                                                                      \
  L_##N##64K : if (CMP64(regs[ip->dst], static_cast<uint64_t>(ip->imm))) ip += ip->off;        \
  NEXT();                                                                                      \
  L_##N##32X : if (CMP32(static_cast<uint32_t>(regs[ip->dst]), static_cast<uint32_t>(regs[ip->src]))) ip += ip->off; \
  NEXT();                                                                                      \
  L_##N##32K : if (CMP32(static_cast<uint32_t>(regs[ip->dst]), static_cast<uint32_t>(ip->imm))) ip += ip->off; \
  NEXT();
#define U_EQ(a, b) ((a) == (b))
#define U_NE(a, b) ((a) != (b))
#define U_GT(a, b) ((a) > (b))
#define U_GE(a, b) ((a) >= (b))
#define U_LT(a, b) ((a) < (b))
#define U_LE(a, b) ((a) <= (b))
#define U_SET(a, b) (((a) & (b)) != 0)
#define S64_GT(a, b) (static_cast<int64_t>(a) > static_cast<int64_t>(b))
#define S64_GE(a, b) (static_cast<int64_t>(a) >= static_cast<int64_t>(b))
#define S64_LT(a, b) (static_cast<int64_t>(a) < static_cast<int64_t>(b))
#define S64_LE(a, b) (static_cast<int64_t>(a) <= static_cast<int64_t>(b))
#define S32_GT(a, b) (static_cast<int32_t>(a) > static_cast<int32_t>(b))
#define S32_GE(a, b) (static_cast<int32_t>(a) >= static_cast<int32_t>(b))
#define S32_LT(a, b) (static_cast<int32_t>(a) < static_cast<int32_t>(b))
#define S32_LE(a, b) (static_cast<int32_t>(a) <= static_cast<int32_t>(b))
#define LOAD(N, T, EXT)                                       \
  L_##N : {                                                   \
    const uint64_t a = regs[ip->src] + static_cast<int64_t>(ip->off); \
    CHECK(a, sizeof(T), false);                               \
    regs[ip->dst] = static_cast<uint64_t>(static_cast<EXT>(load_mem<T>(a))); \
  }                                                           \
  NEXT();
#define STORE(N, T, VAL)                                      \
  L_##N : {                                                   \
    const uint64_t a = regs[ip->dst] + static_cast<int64_t>(ip->off); \
    CHECK(a, sizeof(T), true);                                \
    store_mem<T>(a, static_cast<T>(VAL));                     \
  }                                                           \
  NEXT();
// Atomic read-modify-write; FETCH writes the old value (zero-extended) to src.
#define ATOMIC(N, T, OPER, FETCH)                                        \
  L_##N : {                                                              \
    const uint64_t a = regs[ip->dst] + static_cast<int64_t>(ip->off);    \
    CHECK(a, sizeof(T), true);                                           \
    if constexpr (kChecked) {                                            \
      if (a % sizeof(T) != 0) {                                          \
        error_at(code, ip, "misaligned atomic access at " + hex(a));     \
        return 0;                                                        \
      }                                                                  \
    }                                                                    \
    const T old = load_mem<T>(a);                                        \
    const T v = static_cast<T>(regs[ip->src]);                           \
    store_mem<T>(a, static_cast<T>(OPER));                               \
    if (FETCH) regs[ip->src] = static_cast<uint64_t>(old);               \
  }                                                                      \
  NEXT();
#define LEGACY(N, T, SWAP, INDIRECT)                                                   \
  L_##N : {                                                                            \
    Packet& p = rt_.context().packet();                                                \
    int64_t off = ip->imm;                                                             \
    if (INDIRECT) off = static_cast<int32_t>(static_cast<uint32_t>(regs[ip->src]) + static_cast<uint32_t>(ip->imm)); \
    if (!rt_.context().is_skb()) {                                                     \
      error_at(code, ip, "legacy packet load (LD_ABS/LD_IND) needs a socket buffer context"); \
      return 0;                                                                        \
    }                                                                                  \
    const uint64_t len = p.end - p.data;                                               \
    if (off < 0 || static_cast<uint64_t>(off) + sizeof(T) > len) {                     \
      regs[0] = 0;                                                                     \
      goto legacy_out;                                                                 \
    }                                                                                  \
    regs[0] = SWAP(load_mem<T>(p.data + off));                                         \
  }                                                                                    \
  NEXT();

  DISPATCH();

  ALU64(ADD, d = d + s)
  ALU32(ADD, d = static_cast<uint32_t>(x + s))
  ALU64(SUB, d = d - s)
  ALU32(SUB, d = static_cast<uint32_t>(x - s))
  ALU64(MUL, d = d * s)
  ALU32(MUL, d = static_cast<uint32_t>(x * s))
  ALU64(DIV, d = s ? d / s : 0)
  ALU32(DIV, d = s ? x / s : 0)
  ALU64(SDIV, d = s == 0 ? 0 : (static_cast<int64_t>(s) == -1 ? 0 - d : static_cast<uint64_t>(static_cast<int64_t>(d) / static_cast<int64_t>(s))))
  ALU32(SDIV, d = s == 0 ? 0 : (static_cast<int32_t>(s) == -1 ? static_cast<uint32_t>(0u - x) : static_cast<uint32_t>(static_cast<int32_t>(x) / static_cast<int32_t>(s))))
  ALU64(OR, d = d | s)
  ALU32(OR, d = x | s)
  ALU64(AND, d = d & s)
  ALU32(AND, d = x & s)
  ALU64(LSH, d = d << (s & 63))
  ALU32(LSH, d = static_cast<uint32_t>(x << (s & 31)))
  ALU64(RSH, d = d >> (s & 63))
  ALU32(RSH, d = x >> (s & 31))
  ALU64(MOD, d = s ? d % s : d)
  ALU32(MOD, d = s ? x % s : x)
  ALU64(SMOD, d = s == 0 ? d : (static_cast<int64_t>(s) == -1 ? 0 : static_cast<uint64_t>(static_cast<int64_t>(d) % static_cast<int64_t>(s))))
  ALU32(SMOD, d = s == 0 ? x : (static_cast<int32_t>(s) == -1 ? 0 : static_cast<uint32_t>(static_cast<int32_t>(x) % static_cast<int32_t>(s))))
  ALU64(XOR, d = d ^ s)
  ALU32(XOR, d = x ^ s)
  ALU64(MOV, d = s)
  ALU32(MOV, (void)x; d = s)
  ALU64(ARSH, d = static_cast<uint64_t>(static_cast<int64_t>(d) >> (s & 63)))
  ALU32(ARSH, d = static_cast<uint32_t>(static_cast<int32_t>(x) >> (s & 31)))

L_NEG64: regs[ip->dst] = 0 - regs[ip->dst];
  NEXT();
L_NEG32: regs[ip->dst] = static_cast<uint32_t>(0u - static_cast<uint32_t>(regs[ip->dst]));
  NEXT();
L_MOVSX64_8: regs[ip->dst] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(regs[ip->src])));
  NEXT();
L_MOVSX64_16: regs[ip->dst] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(regs[ip->src])));
  NEXT();
L_MOVSX64_32: regs[ip->dst] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(regs[ip->src])));
  NEXT();
L_MOVSX32_8: regs[ip->dst] = static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(regs[ip->src])));
  NEXT();
L_MOVSX32_16: regs[ip->dst] = static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(regs[ip->src])));
  NEXT();
L_LE16: regs[ip->dst] = static_cast<uint16_t>(regs[ip->dst]);
  NEXT();
L_LE32: regs[ip->dst] = static_cast<uint32_t>(regs[ip->dst]);
  NEXT();
L_LE64:
  NEXT();
L_BE16: regs[ip->dst] = __builtin_bswap16(static_cast<uint16_t>(regs[ip->dst]));
  NEXT();
L_BE32: regs[ip->dst] = __builtin_bswap32(static_cast<uint32_t>(regs[ip->dst]));
  NEXT();
L_BE64: regs[ip->dst] = __builtin_bswap64(regs[ip->dst]);
  NEXT();

L_JA: ip += ip->off;
  NEXT();
  JMP(JEQ, U_EQ, U_EQ)
  JMP(JNE, U_NE, U_NE)
  JMP(JGT, U_GT, U_GT)
  JMP(JGE, U_GE, U_GE)
  JMP(JLT, U_LT, U_LT)
  JMP(JLE, U_LE, U_LE)
  JMP(JSET, U_SET, U_SET)
  JMP(JSGT, S64_GT, S32_GT)
  JMP(JSGE, S64_GE, S32_GE)
  JMP(JSLT, S64_LT, S32_LT)
  JMP(JSLE, S64_LE, S32_LE)
L_MAY_GOTO:
  if (loops == 0) ip += ip->off;
  else --loops;
  NEXT();

L_CALL_HELPER:
  regs[0] = rt_.call_helper(static_cast<int32_t>(ip->imm), regs[1], regs[2], regs[3], regs[4], regs[5]);
  depth_ = depth;
  if (rt_.failed() || !error_.empty()) {
    error_at(code, ip, rt_.error());
    return 0;
  }
  NEXT();
L_TAIL_CALL: {
  const isa::Program* target = rt_.tail_call_target(regs[2], regs[3]);
  if (target == nullptr || tail_calls_ >= kMaxTailCalls) NEXT();  // a failed tail call falls through
  const Code* next_code = nullptr;
  {  // the Result dies here: an indirect goto may not leave a scope with a destructor (clang)
    auto next = prepare(*target);
    if (!next) {
      error_at(code, ip, "tail call target '" + target->name + "': " + next.message());
      return 0;
    }
    next_code = *next;
  }
  ++tail_calls_;
  code = next_code;
  ip = code->ops.data();
  loops = kMayGotoLoops;
  DISPATCH();
}
L_CALL_LOCAL:
  if (depth + 1 - base_depth >= kMaxCallFrames || depth + 1 >= kMaxFrames) {
    error_at(code, ip, "call depth exceeds " + std::to_string(kMaxCallFrames) + " frames");
    return 0;
  }
  frames[nframes++] = Frame{ip + 1, code, {regs[6], regs[7], regs[8], regs[9]}, regs[10], loops};
  ++depth;
  depth_ = depth;
  rt_.note_frame_used(depth);
  regs[10] = rt_.frame_pointer(depth);
  loops = kMayGotoLoops;
  ip += ip->off + 1;
  DISPATCH();
L_EXIT:
  if (nframes == 0) return regs[0];
  {
    const Frame& f = frames[--nframes];
    ip = f.ret;
    code = f.code;
    regs[6] = f.saved[0];
    regs[7] = f.saved[1];
    regs[8] = f.saved[2];
    regs[9] = f.saved[3];
    regs[10] = f.fp;
    loops = f.loops;
    --depth;
    depth_ = depth;
  }
  DISPATCH();
L_LDDW: regs[ip->dst] = static_cast<uint64_t>(ip->imm);
  ip += 2;
  DISPATCH();

  LOAD(LDX_B, uint8_t, uint8_t)
  LOAD(LDX_H, uint16_t, uint16_t)
  LOAD(LDX_W, uint32_t, uint32_t)
  LOAD(LDX_DW, uint64_t, uint64_t)
  LOAD(LDSX_B, uint8_t, int8_t)
  LOAD(LDSX_H, uint16_t, int16_t)
  LOAD(LDSX_W, uint32_t, int32_t)
  STORE(ST_B, uint8_t, ip->imm)
  STORE(ST_H, uint16_t, ip->imm)
  STORE(ST_W, uint32_t, ip->imm)
  STORE(ST_DW, uint64_t, ip->imm)
  STORE(STX_B, uint8_t, regs[ip->src])
  STORE(STX_H, uint16_t, regs[ip->src])
  STORE(STX_W, uint32_t, regs[ip->src])
  STORE(STX_DW, uint64_t, regs[ip->src])

  ATOMIC(AADD_W, uint32_t, old + v, false)
  ATOMIC(AOR_W, uint32_t, old | v, false)
  ATOMIC(AAND_W, uint32_t, old & v, false)
  ATOMIC(AXOR_W, uint32_t, old ^ v, false)
  ATOMIC(AFADD_W, uint32_t, old + v, true)
  ATOMIC(AFOR_W, uint32_t, old | v, true)
  ATOMIC(AFAND_W, uint32_t, old & v, true)
  ATOMIC(AFXOR_W, uint32_t, old ^ v, true)
  ATOMIC(AXCHG_W, uint32_t, v, true)
  ATOMIC(AADD_DW, uint64_t, old + v, false)
  ATOMIC(AOR_DW, uint64_t, old | v, false)
  ATOMIC(AAND_DW, uint64_t, old & v, false)
  ATOMIC(AXOR_DW, uint64_t, old ^ v, false)
  ATOMIC(AFADD_DW, uint64_t, old + v, true)
  ATOMIC(AFOR_DW, uint64_t, old | v, true)
  ATOMIC(AFAND_DW, uint64_t, old & v, true)
  ATOMIC(AFXOR_DW, uint64_t, old ^ v, true)
  ATOMIC(AXCHG_DW, uint64_t, v, true)
L_ACMPXCHG_W: {
  const uint64_t a = regs[ip->dst] + static_cast<int64_t>(ip->off);
  CHECK(a, 4, true);
  const uint32_t old = load_mem<uint32_t>(a);
  if (old == static_cast<uint32_t>(regs[0])) store_mem<uint32_t>(a, static_cast<uint32_t>(regs[ip->src]));
  regs[0] = old;
}
  NEXT();
L_ACMPXCHG_DW: {
  const uint64_t a = regs[ip->dst] + static_cast<int64_t>(ip->off);
  CHECK(a, 8, true);
  const uint64_t old = load_mem<uint64_t>(a);
  if (old == regs[0]) store_mem<uint64_t>(a, regs[ip->src]);
  regs[0] = old;
}
  NEXT();
  LOAD(LDACQ_B, uint8_t, uint8_t)
  LOAD(LDACQ_H, uint16_t, uint16_t)
  LOAD(LDACQ_W, uint32_t, uint32_t)
  LOAD(LDACQ_DW, uint64_t, uint64_t)
  STORE(STREL_B, uint8_t, regs[ip->src])
  STORE(STREL_H, uint16_t, regs[ip->src])
  STORE(STREL_W, uint32_t, regs[ip->src])
  STORE(STREL_DW, uint64_t, regs[ip->src])

#define NOSWAP(v) (v)
  LEGACY(LDABS_B, uint8_t, NOSWAP, false)
  LEGACY(LDABS_H, uint16_t, __builtin_bswap16, false)
  LEGACY(LDABS_W, uint32_t, __builtin_bswap32, false)
  LEGACY(LDIND_B, uint8_t, NOSWAP, true)
  LEGACY(LDIND_H, uint16_t, __builtin_bswap16, true)
  LEGACY(LDIND_W, uint32_t, __builtin_bswap32, true)

L_FELL_OFF:
  error_at(code, ip, "execution fell off the end of the program");
  return 0;
legacy_out:
  // An out-of-bounds legacy packet load ends the whole program with r0 = 0.
  return 0;
budget_exceeded:
  __attribute__((unused));
  error_at(code, ip, "more than " + std::to_string(kUncheckedBudget) +
                         " instructions executed (endless loop in an unverified program?)");
  return 0;

#undef DISPATCH
#undef NEXT
#undef CHECK
#undef ALU64
#undef ALU32
#undef JMP
#undef LOAD
#undef STORE
#undef ATOMIC
#undef LEGACY
#undef NOSWAP
}

template uint64_t Interpreter::exec<true>(const Code*, uint32_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint32_t);
template uint64_t Interpreter::exec<false>(const Code*, uint32_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint32_t);

}  // namespace bpfvet::jit
