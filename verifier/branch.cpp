// Conditional jumps (kernel: check_cond_jmp_op): which edges are possible, and what each
// edge teaches about the compared registers: scalar bounds, NULL or not NULL, how many
// packet bytes are proven readable.
#include <algorithm>
#include <functional>

#include "verifier/transfer.h"

namespace bpfvet::verifier {

using isa::Insn;
using isa::JmpOp;

namespace {

constexpr int64_t kMaxPacketOff = 0xffff;

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


// reg_not_null: pointer types that are never NULL unless marked maybe-null.
bool reg_not_null(const RegState& r) {
  if (r.maybe_null) return false;
  switch (r.type) {
    case RegType::Sock:
    case RegType::TcpSock:
    case RegType::MapValue:
    case RegType::MapKey:
    case RegType::SockCommon:
    case RegType::Mem:
    case RegType::ConstMapPtr:
      return true;
    default:
      return false;
  }
}

int pkt_branch_taken(const RegState& dst, const RegState& src, JmpOp op) {
  const RegState* pkt;
  if (src.type == RegType::PacketEnd) {
    pkt = &dst;
  } else if (dst.type == RegType::PacketEnd) {
    pkt = &src;
    op = flip(op);
  } else {
    return -1;
  }
  if (pkt->range >= 0) return -1;
  switch (op) {
    case JmpOp::Jle:
    case JmpOp::Jgt:
      if (pkt->range == kBeyondPktEnd) return op == JmpOp::Jgt;
      break;
    case JmpOp::Jlt:
    case JmpOp::Jge:
      if (pkt->range == kBeyondPktEnd || pkt->range == kAtPktEnd) return op == JmpOp::Jge;
      break;
    default: break;
  }
  return -1;
}

bool is_pkt_any(const RegState& r) { return is_pkt_pointer(r.type) || r.type == RegType::PacketEnd; }

int branch_taken(const RegState& a, const RegState& b, JmpOp op, bool is64) {
  if (is_pkt_any(a) && is_pkt_any(b) && is64) return pkt_branch_taken(a, b, op);
  if (a.is_ptr() || b.is_ptr()) {
    const RegState* ptr = &a;
    const RegState* k = &b;
    auto is_const = [&](const RegState& r) { return r.is_scalar() && (is64 ? r.var.is_const() : r.var.is_const32()); };
    if (!is_const(*k)) {
      op = flip(op);
      std::swap(ptr, k);
    }
    if (!is_const(*k)) return -1;
    if (!reg_not_null(*ptr)) return -1;
    uint64_t v = is64 ? k->var.const_value() : (k->var.var_off.value & 0xffffffffu);
    if (v != 0) return -1;
    if (op == JmpOp::Jeq) return 0;
    if (op == JmpOp::Jne) return 1;
    return -1;
  }
  return scalar_branch_taken(op, is64, a.var, b.var);
}

// The copies of a maybe-NULL pointer become NULL (the scalar 0) or non-NULL together.
void mark_ptr_or_null(AbstractState& st, uint32_t id, bool is_null) {
  if (id == 0) return;
  for_each_reg(st, [&](RegState& r) {
    if (!r.maybe_null || r.id != id) return;
    if (is_null) {
      r = RegState::constant(0);
      return;
    }
    r.maybe_null = false;
    r.id = 0;
  });
  if (is_null) {
    auto it = std::find_if(st.refs.begin(), st.refs.end(), [&](const Reference& ref) { return ref.id == id; });
    if (it != st.refs.end()) st.refs.erase(it);
  }
}

void find_good_pkt_pointers(AbstractState& st, const RegState& dst, bool right_open) {
  if (dst.off < 0 || (dst.off == 0 && right_open)) return;
  if (dst.var.umax > kMaxPacketOff || dst.var.umax + dst.off > kMaxPacketOff) return;
  int32_t new_range = dst.off + (right_open ? 1 : 0);
  RegType type = dst.type;
  uint32_t id = dst.id;
  for_each_reg(st, [&](RegState& r) {
    if (r.type == type && r.id == id) r.range = std::max(r.range, new_range);
  });
}

void mark_pkt_end(AbstractState& st, int regno, bool range_open) {
  RegState& r = st.reg(regno);
  if (r.type != RegType::Packet) return;
  r.range = range_open ? kBeyondPktEnd : kAtPktEnd;
}

bool is_init_pkt(const RegState& r, RegType t) { return r.type == t && r.off == 0 && r.var.is_const() && r.var.const_value() == 0; }

// try_match_pkt_pointers: pkt' OP pkt_end (and pkt_meta' OP pkt) in all four orientations.
// `fall` is the fallthrough state, `taken` the jump target's.
bool match_pkt_pointers(const Insn& in, AbstractState& fall, AbstractState& taken) {
  if (!in.use_src || !in.is64) return false;
  const RegState dst = fall.reg(in.dst);
  const RegState src = fall.reg(in.src);
  bool dst_pkt = (dst.type == RegType::Packet && src.type == RegType::PacketEnd) ||
                 (dst.type == RegType::PacketMeta && is_init_pkt(src, RegType::Packet));
  bool src_pkt = (dst.type == RegType::PacketEnd && src.type == RegType::Packet) ||
                 (is_init_pkt(dst, RegType::Packet) && src.type == RegType::PacketMeta);
  switch (in.jmp) {
    case JmpOp::Jgt:
      if (dst_pkt) {
        find_good_pkt_pointers(fall, dst, false);
        mark_pkt_end(taken, in.dst, true);
      } else if (src_pkt) {
        find_good_pkt_pointers(taken, src, true);
        mark_pkt_end(fall, in.src, false);
      } else {
        return false;
      }
      return true;
    case JmpOp::Jlt:
      if (dst_pkt) {
        find_good_pkt_pointers(taken, dst, true);
        mark_pkt_end(fall, in.dst, false);
      } else if (src_pkt) {
        find_good_pkt_pointers(fall, src, false);
        mark_pkt_end(taken, in.src, true);
      } else {
        return false;
      }
      return true;
    case JmpOp::Jge:
      if (dst_pkt) {
        find_good_pkt_pointers(fall, dst, true);
        mark_pkt_end(taken, in.dst, false);
      } else if (src_pkt) {
        find_good_pkt_pointers(taken, src, false);
        mark_pkt_end(fall, in.src, true);
      } else {
        return false;
      }
      return true;
    case JmpOp::Jle:
      if (dst_pkt) {
        find_good_pkt_pointers(taken, dst, false);
        mark_pkt_end(fall, in.dst, true);
      } else if (src_pkt) {
        find_good_pkt_pointers(fall, src, true);
        mark_pkt_end(taken, in.src, false);
      } else {
        return false;
      }
      return true;
    default:
      return false;
  }
}

// Bounds learned about one register apply to every scalar copy sharing its id.
void sync_linked(AbstractState& st, const RegState& learned) {
  if (!learned.is_scalar() || learned.id == 0) return;
  for_each_reg(st, [&](RegState& r) {
    if (r.is_scalar() && r.id == learned.id) r.var = learned.var;
  });
}

}  // namespace

Check exec_cond_jmp(Step& s, const Insn& in, BranchResult& out) {
  if (auto r = check_reg_read(s, in.dst)) return r;
  if (in.use_src)
    if (auto r = check_reg_read(s, in.src)) return r;
  const RegState dst = s.st.reg(in.dst);
  const RegState src = in.use_src ? s.st.reg(in.src) : RegState::constant(static_cast<uint64_t>(static_cast<int64_t>(in.imm)));
  if (in.use_src && !(is_pkt_any(dst) && is_pkt_any(src)) && src.is_ptr() && !s.ctx.rules.allow_ptr_leaks)
    return reject(ErrorCode::PointerComparison, "R%d pointer comparison prohibited", in.src);

  int pred = branch_taken(dst, src, in.jmp, in.is64);
  out.decided = pred != -1;
  if (pred == 1) {
    out.fallthrough_feasible = false;
    out.taken_is_current = true;  // the target's state is s.st itself; copying it per loop iteration was costly
    return std::nullopt;
  }
  if (pred == 0) {
    out.fallthrough_feasible = true;
    return std::nullopt;
  }
  AbstractState taken = s.st;
  if (dst.is_scalar() && src.is_scalar()) {
    BranchRefinement ref = scalar_refine_branch(in.jmp, in.is64, dst.var, src.var);
    out.fallthrough_feasible = ref.fallthrough.has_value();
    if (ref.fallthrough) {
      s.st.reg(in.dst).var = ref.fallthrough->first;
      if (in.use_src) s.st.reg(in.src).var = ref.fallthrough->second;
      sync_linked(s.st, s.st.reg(in.dst));
      if (in.use_src) sync_linked(s.st, s.st.reg(in.src));
    }
    if (ref.taken) {
      taken.reg(in.dst).var = ref.taken->first;
      if (in.use_src) taken.reg(in.src).var = ref.taken->second;
      sync_linked(taken, taken.reg(in.dst));
      if (in.use_src) sync_linked(taken, taken.reg(in.src));
      out.taken = std::move(taken);
    }
    return std::nullopt;
  }
  out.fallthrough_feasible = true;
  if (in.is64 && !in.use_src && in.imm == 0 && (in.jmp == JmpOp::Jeq || in.jmp == JmpOp::Jne) && dst.maybe_null) {
    mark_ptr_or_null(s.st, dst.id, in.jmp == JmpOp::Jne);
    mark_ptr_or_null(taken, dst.id, in.jmp == JmpOp::Jeq);
  } else if (!match_pkt_pointers(in, s.st, taken) && dst.is_ptr() && !s.ctx.rules.allow_ptr_leaks) {
    return reject(ErrorCode::PointerComparison, "R%d pointer comparison prohibited", in.dst);
  }
  out.taken = std::move(taken);
  return std::nullopt;
}

}  // namespace bpfvet::verifier
