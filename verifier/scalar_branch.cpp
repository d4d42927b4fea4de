// Conditional jumps on scalars: the kernel's is_scalar_branch_taken (can the outcome
// be decided from the bounds?) and regs_refine_cond_op + reg_bounds_sync (what each
// edge teaches about both operands).
#include <algorithm>

#include "verifier/scalar.h"

namespace bpfvet::verifier {
namespace {

using isa::JmpOp;

// The operand view one comparison width sees: 32-bit views widen to 64-bit values.
struct View {
  Tnum t;
  uint64_t umin, umax;
  int64_t smin, smax;
};

View view(const Scalar& s, bool is64) {
  if (is64) return {s.var_off, s.umin, s.umax, s.smin, s.smax};
  return {tnum_subreg(s.var_off), s.u32_min, s.u32_max, s.s32_min, s.s32_max};
}

bool is_const(const Scalar& s, bool is64) { return is64 ? s.is_const() : s.is_const32(); }
uint64_t const_value(const Scalar& s, bool is64) {
  return is64 ? s.var_off.value : tnum_subreg(s.var_off).value;
}

// The branch with the operands swapped: a > b is b < a.
JmpOp flip(JmpOp op) {
  switch (op) {
    case JmpOp::Jgt: return JmpOp::Jlt;
    case JmpOp::Jge: return JmpOp::Jle;
    case JmpOp::Jlt: return JmpOp::Jgt;
    case JmpOp::Jle: return JmpOp::Jge;
    case JmpOp::Jsgt: return JmpOp::Jslt;
    case JmpOp::Jsge: return JmpOp::Jsle;
    case JmpOp::Jslt: return JmpOp::Jsgt;
    case JmpOp::Jsle: return JmpOp::Jsge;
    default: return op;
  }
}

// The condition that holds on the fall-through edge.  Jset's negation has no opcode
// (the kernel borrows BPF_JSET | BPF_X); `negated_jset` carries it.
struct Cond {
  JmpOp op;
  bool negated_jset = false;
};

Cond negate(JmpOp op) {
  switch (op) {
    case JmpOp::Jeq: return {JmpOp::Jne};
    case JmpOp::Jne: return {JmpOp::Jeq};
    case JmpOp::Jgt: return {JmpOp::Jle};
    case JmpOp::Jle: return {JmpOp::Jgt};
    case JmpOp::Jge: return {JmpOp::Jlt};
    case JmpOp::Jlt: return {JmpOp::Jge};
    case JmpOp::Jsgt: return {JmpOp::Jsle};
    case JmpOp::Jsle: return {JmpOp::Jsgt};
    case JmpOp::Jsge: return {JmpOp::Jslt};
    case JmpOp::Jslt: return {JmpOp::Jsge};
    case JmpOp::Jset: return {JmpOp::Jset, true};
    default: return {op};
  }
}

// regs_refine_cond_op: narrows r1 and r2 assuming `r1 cond r2` holds.
void refine(Scalar* r1, Scalar* r2, Cond cond, bool is64) {
  JmpOp op = cond.op;
  if (op == JmpOp::Jge || op == JmpOp::Jgt || op == JmpOp::Jsge || op == JmpOp::Jsgt) {
    op = flip(op);
    std::swap(r1, r2);
  }
  switch (op) {
    case JmpOp::Jeq:
      if (!is64) {
        r1->u32_min = std::max(r1->u32_min, r2->u32_min);
        r1->u32_max = std::min(r1->u32_max, r2->u32_max);
        r1->s32_min = std::max(r1->s32_min, r2->s32_min);
        r1->s32_max = std::min(r1->s32_max, r2->s32_max);
        r2->u32_min = r1->u32_min, r2->u32_max = r1->u32_max;
        r2->s32_min = r1->s32_min, r2->s32_max = r1->s32_max;
        const Tnum t = tnum_intersect(tnum_subreg(r1->var_off), tnum_subreg(r2->var_off));
        r1->var_off = tnum_with_subreg(r1->var_off, t);
        r2->var_off = tnum_with_subreg(r2->var_off, t);
      } else {
        r1->umin = std::max(r1->umin, r2->umin);
        r1->umax = std::min(r1->umax, r2->umax);
        r1->smin = std::max(r1->smin, r2->smin);
        r1->smax = std::min(r1->smax, r2->smax);
        r2->umin = r1->umin, r2->umax = r1->umax;
        r2->smin = r1->smin, r2->smax = r1->smax;
        r1->var_off = tnum_intersect(r1->var_off, r2->var_off);
        r2->var_off = r1->var_off;
      }
      break;
    case JmpOp::Jne: {
      // Only a constant at the very edge of the other range shrinks it.
      if (!is_const(*r2, is64)) std::swap(r1, r2);
      if (!is_const(*r2, is64)) break;
      const uint64_t val = const_value(*r2, is64);
      if (!is64) {
        if (r1->u32_min == static_cast<uint32_t>(val)) r1->u32_min++;
        if (r1->u32_max == static_cast<uint32_t>(val)) r1->u32_max--;
        if (r1->s32_min == static_cast<int32_t>(val)) r1->s32_min++;
        if (r1->s32_max == static_cast<int32_t>(val)) r1->s32_max--;
      } else {
        if (r1->umin == val) r1->umin++;
        if (r1->umax == val) r1->umax--;
        if (r1->smin == static_cast<int64_t>(val)) r1->smin++;
        if (r1->smax == static_cast<int64_t>(val)) r1->smax--;
      }
      break;
    }
    case JmpOp::Jset: {
      if (!is_const(*r2, is64)) std::swap(r1, r2);
      if (!is_const(*r2, is64)) break;
      const uint64_t val = const_value(*r2, is64);
      if (!cond.negated_jset) {
        // `r1 & val` non-zero pins a bit only when val has exactly one.
        if (val == 0 || (val & (val - 1)) != 0) break;
        if (!is64)
          r1->var_off = tnum_with_subreg(r1->var_off, tnum_or(tnum_subreg(r1->var_off), Tnum::constant(val)));
        else
          r1->var_off = tnum_or(r1->var_off, Tnum::constant(val));
      } else {
        if (!is64)
          r1->var_off = tnum_with_subreg(r1->var_off, tnum_and(tnum_subreg(r1->var_off), Tnum::constant(~val)));
        else
          r1->var_off = tnum_and(r1->var_off, Tnum::constant(~val));
      }
      break;
    }
    case JmpOp::Jle:
      if (!is64) {
        r1->u32_max = std::min(r1->u32_max, r2->u32_max);
        r2->u32_min = std::max(r1->u32_min, r2->u32_min);
      } else {
        r1->umax = std::min(r1->umax, r2->umax);
        r2->umin = std::max(r1->umin, r2->umin);
      }
      break;
    case JmpOp::Jlt:
      if (!is64) {
        r1->u32_max = std::min(r1->u32_max, r2->u32_max - 1);
        r2->u32_min = std::max(r1->u32_min + 1, r2->u32_min);
      } else {
        r1->umax = std::min(r1->umax, r2->umax - 1);
        r2->umin = std::max(r1->umin + 1, r2->umin);
      }
      break;
    case JmpOp::Jsle:
      if (!is64) {
        r1->s32_max = std::min(r1->s32_max, r2->s32_max);
        r2->s32_min = std::max(r1->s32_min, r2->s32_min);
      } else {
        r1->smax = std::min(r1->smax, r2->smax);
        r2->smin = std::max(r1->smin, r2->smin);
      }
      break;
    case JmpOp::Jslt:
      if (!is64) {
        r1->s32_max = std::min(r1->s32_max, r2->s32_max - 1);
        r2->s32_min = std::max(r1->s32_min + 1, r2->s32_min);
      } else {
        r1->smax = std::min(r1->smax, r2->smax - 1);
        r2->smin = std::max(r1->smin + 1, r2->smin);
      }
      break;
    default:
      break;
  }
}

}  // namespace

int scalar_branch_taken(JmpOp op, bool is64, const Scalar& dst, const Scalar& src) {
  const View a = view(dst, is64), b = view(src, is64);
  switch (op) {
    case JmpOp::Ja:
      return 1;
    case JmpOp::Jeq:
    case JmpOp::Jne: {
      const int equal_sure = op == JmpOp::Jeq ? 1 : 0;
      if (a.t.is_const() && b.t.is_const()) return a.t.value == b.t.value ? equal_sure : 1 - equal_sure;
      const int differ = 1 - equal_sure;
      if (!tnum_overlap(a.t, b.t)) return differ;
      if (a.umin > b.umax || a.umax < b.umin) return differ;
      if (a.smin > b.smax || a.smax < b.smin) return differ;
      if (is64) {
        // The low halves may prove the values differ when the 64-bit ranges overlap.
        if (dst.u32_min > src.u32_max || dst.u32_max < src.u32_min) return differ;
        if (dst.s32_min > src.s32_max || dst.s32_max < src.s32_min) return differ;
      }
      return -1;
    }
    case JmpOp::Jset: {
      View x = a, y = b;
      if (!is_const(src, is64)) std::swap(x, y);
      if (!(is_const(src, is64) || is_const(dst, is64))) return -1;
      if ((~x.t.mask & x.t.value) & y.t.value) return 1;
      if (!((x.t.mask | x.t.value) & y.t.value)) return 0;
      return -1;
    }
    case JmpOp::Jgt:
      if (a.umin > b.umax) return 1;
      if (a.umax <= b.umin) return 0;
      return -1;
    case JmpOp::Jsgt:
      if (a.smin > b.smax) return 1;
      if (a.smax <= b.smin) return 0;
      return -1;
    case JmpOp::Jlt:
      if (a.umax < b.umin) return 1;
      if (a.umin >= b.umax) return 0;
      return -1;
    case JmpOp::Jslt:
      if (a.smax < b.smin) return 1;
      if (a.smin >= b.smax) return 0;
      return -1;
    case JmpOp::Jge:
      if (a.umin >= b.umax) return 1;
      if (a.umax < b.umin) return 0;
      return -1;
    case JmpOp::Jsge:
      if (a.smin >= b.smax) return 1;
      if (a.smax < b.smin) return 0;
      return -1;
    case JmpOp::Jle:
      if (a.umax <= b.umin) return 1;
      if (a.umin > b.umax) return 0;
      return -1;
    case JmpOp::Jsle:
      if (a.smax <= b.smin) return 1;
      if (a.smin > b.smax) return 0;
      return -1;
    default:  // may_goto: decided at run time
      return -1;
  }
}

BranchRefinement scalar_refine_branch(JmpOp op, bool is64, const Scalar& dst, const Scalar& src) {
  BranchRefinement out;
  const int taken = scalar_branch_taken(op, is64, dst, src);
  if (op == JmpOp::Ja || op == JmpOp::MayGoto) {
    // Unconditional, or decided at run time with no condition on registers.
    out.taken = std::pair{dst, src};
    if (op == JmpOp::MayGoto) out.fallthrough = std::pair{dst, src};
    return out;
  }
  // A decided branch follows one edge with the operands as they are (the kernel does
  // not refine then).
  if (taken == 1) {
    out.taken = std::pair{dst, src};
    return out;
  }
  if (taken == 0) {
    out.fallthrough = std::pair{dst, src};
    return out;
  }
  auto edge = [&](Cond cond) -> std::optional<std::pair<Scalar, Scalar>> {
    Scalar a = dst, b = src;
    refine(&a, &b, cond, is64);
    a.reduce();
    b.reduce();
    if (a.is_empty() || b.is_empty()) return std::nullopt;
    return std::pair{a, b};
  };
  out.taken = edge(Cond{op});
  out.fallthrough = edge(negate(op));
  return out;
}

}  // namespace bpfvet::verifier
