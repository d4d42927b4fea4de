// ALU transfer: scalar arithmetic through scalar_alu, pointer arithmetic by the
// kernel's adjust_ptr_min_max_vals rules.
#include <cinttypes>

#include "isa/maps.h"
#include "verifier/transfer.h"

namespace bpfvet::verifier {

using isa::AluOp;
using isa::Insn;

namespace {

constexpr int64_t kMaxVarOff = int64_t{1} << 29;  // BPF_MAX_VAR_OFF

// The kernel's bpf_alu_string: how an operation is named in its messages.
const char* alu_string(AluOp op) {
  switch (op) {
    case AluOp::Neg: return "neg";
    case AluOp::End: return "endian";
    case AluOp::SDiv: return "/=";
    case AluOp::SMod: return "%=";
    case AluOp::MovSx: return "=";
    default: return isa::alu_op_symbol(op);
  }
}

// check_reg_sane_offset: offsets so large that later checks could overflow are refused.
Check check_sane_offset(const RegState& r, const std::string& type, bool known_scalar) {
  const Scalar& v = r.var;
  if (known_scalar && r.is_scalar()) {
    int64_t val = static_cast<int64_t>(v.const_value());
    if (val >= kMaxVarOff || val <= -kMaxVarOff)
      return reject(ErrorCode::InvalidPointerArith, "math between %s pointer and %" PRId64 " is not allowed",
                    type.c_str(), val);
  }
  if (r.off >= kMaxVarOff || r.off <= -kMaxVarOff)
    return reject(ErrorCode::InvalidPointerArith, "%s pointer offset %d is not allowed", type.c_str(), r.off);
  if (v.smin == INT64_MIN)
    return reject(ErrorCode::UnboundedAccess,
                  "math between %s pointer and register with unbounded min value is not allowed", type.c_str());
  if (v.smin >= kMaxVarOff || v.smin <= -kMaxVarOff)
    return reject(ErrorCode::InvalidPointerArith, "value %" PRId64 " makes %s pointer be out of bounds", v.smin,
                  type.c_str());
  return std::nullopt;
}

bool fits_s32(int64_t v) { return v == static_cast<int64_t>(static_cast<int32_t>(v)); }

Scalar var_add(const Scalar& a, const Scalar& b, bool sub) {
  Insn op = isa::make::alu(sub ? AluOp::Sub : AluOp::Add, true, 0, 1);
  return scalar_alu(op, a, b);
}

// ---- Spectre v1 (loaders without CAP_PERFMON: !env->bypass_spec_v1) ----------------
//
// The kernel masks the offset of every pointer add/sub with a register operand at run
// time so that even a mispredicted path stays inside the object (sanitize_ptr_alu), and
// for that it must know the object's limit: only stack and map value pointers have one,
// the offset's sign must be known, and every path through the instruction must need
// the same mask.  Whatever the operand, the result must stay inside the object
// (sanitize_check_bounds).  The speculative paths the kernel then explores do not
// change verdicts since 6.17 (an error there inserts a barrier instead), so they are
// not walked here.

constexpr uint32_t kAluSanitizeSrc = 1, kAluSanitizeDst = 2, kAluNegValue = 4, kAluNonPointer = 8, kAluImmediate = 16;

enum class SanitizeReason { Ok, Bounds, Type, Paths, Limit };

// The kernel's sanitize_err: which register is named depends on where the offset is.
Reject sanitize_error(const Insn& in, SanitizeReason why, bool ptr_is_src) {
  static const char* const kErr = "pointer arithmetic with it prohibited for !root";
  const char* op = in.alu == AluOp::Add ? "add" : "sub";
  Reject r;
  switch (why) {
    case SanitizeReason::Bounds:
      r = reject(ErrorCode::InvalidPointerArith, "R%d has unknown scalar with mixed signed bounds, %s",
                 ptr_is_src ? in.dst : in.src, kErr);
      break;
    case SanitizeReason::Type:
      r = reject(ErrorCode::InvalidPointerArith, "R%d has pointer with unsupported alu operation, %s",
                 ptr_is_src ? in.src : in.dst, kErr);
      break;
    case SanitizeReason::Paths:
      r = reject(ErrorCode::InvalidPointerArith, "R%d tried to %s from different maps, paths or scalars, %s", in.dst, op,
                 kErr);
      break;
    case SanitizeReason::Limit:
    case SanitizeReason::Ok:
      r = reject(ErrorCode::InvalidPointerArith, "R%d tried to %s beyond pointer bounds, %s", in.dst, op, kErr);
      break;
  }
  r.why = "Without CAP_PERFMON the kernel must be able to mask this pointer's offset against Spectre v1, which "
          "needs a stack or map value pointer, an offset of known sign that keeps it inside the object, and the "
          "same limit on every path.";
  return r;
}

// retrieve_ptr_limit: how far the pointer may move in the masked direction.
SanitizeReason ptr_limit(const Step& s, const RegState& ptr, bool mask_to_left, uint32_t& limit) {
  uint32_t max = 0;
  switch (ptr.type) {
    case RegType::Stack:
      max = 512 + (mask_to_left ? 1 : 0);
      limit = static_cast<uint32_t>(-(static_cast<int64_t>(ptr.var.var_off.value) + ptr.off));
      break;
    case RegType::MapValue:
      max = isa::map_value_size(s.ctx.prog.maps.at(static_cast<size_t>(ptr.map_idx)));
      limit = static_cast<uint32_t>((mask_to_left ? ptr.var.smin : static_cast<int64_t>(ptr.var.umax)) + ptr.off);
      break;
    default:
      return SanitizeReason::Type;
  }
  return limit >= max ? SanitizeReason::Limit : SanitizeReason::Ok;
}

// update_alu_sanitation_state: one mask per instruction over all paths.
SanitizeReason record_sanitation(Step& s, uint32_t state, uint32_t limit) {
  auto [it, fresh] = s.ids.alu_sanitation.emplace(s.pc, std::make_pair(state, limit));
  if (!fresh && it->second != std::make_pair(state, limit)) return SanitizeReason::Paths;
  return SanitizeReason::Ok;
}

// sanitize_check_bounds: the result of any pointer add/sub must stay inside its object.
Check spectre_result_bounds(const Step& s, const Insn& in, const RegState& res) {
  const int dst = in.dst;
  if (res.type == RegType::Stack) {
    const int64_t off = res.off + static_cast<int64_t>(res.var.var_off.value);
    if (!res.var.is_const())
      return reject(ErrorCode::InvalidPointerArith, "R%d variable stack access prohibited for !root, var_off=%s off=%d",
                    dst, res.var.var_off.to_string().c_str(), static_cast<int32_t>(off));
    if (off >= 0 || off < -512)
      return reject(ErrorCode::InvalidPointerArith,
                    "R%d stack pointer arithmetic goes out of range, prohibited for !root; off=%d", dst,
                    static_cast<int32_t>(off));
  } else if (res.type == RegType::MapValue) {
    if (auto r = check_map_value_region(s, dst, res, res.off, 1)) {
      Reject out = reject(ErrorCode::MapValueOutOfBounds,
                          "R%d pointer arithmetic of map value goes out of range, prohibited for !root", dst);
      out.details.push_back(r->kernel_message);
      for (const auto& d : r->details) out.details.push_back(d);
      return out;
    }
  }
  return std::nullopt;
}

// pointer op scalar (or scalar += pointer, with `ptr_is_src`): the kernel's adjust_ptr_min_max_vals.
Check adjust_pointer(Step& s, const Insn& in, const RegState& ptr, const RegState& off_reg, bool ptr_is_src) {
  const int dst = in.dst;
  RegState& out = s.st.reg(dst);
  const Scalar& ov = off_reg.var;
  bool known = ov.is_const();
  if (ov.smin > ov.smax || ov.umin > ov.umax || ov.is_empty()) {
    out = RegState::unknown_scalar();
    return std::nullopt;
  }
  if (!in.is64) {
    if (in.alu == AluOp::Sub && s.ctx.rules.allow_ptr_leaks) {
      out = RegState::unknown_scalar();
      return std::nullopt;
    }
    return reject(ErrorCode::InvalidPointerArith, "R%d 32-bit pointer arithmetic prohibited", dst);
  }
  if (ptr.maybe_null)
    return reject(ErrorCode::InvalidPointerArith, "R%d pointer arithmetic on %s prohibited, null-check it first", dst,
                  ptr.type_string().c_str());
  switch (ptr.type) {
    case RegType::Ctx:
    case RegType::MapValue:
    case RegType::MapKey:
    case RegType::Stack:
    case RegType::Packet:
    case RegType::PacketMeta:
    case RegType::Mem:
    case RegType::Func:
    case RegType::FlowKeys:
      break;
    case RegType::ConstMapPtr:
      if (known && ov.smin == 0 && in.alu == AluOp::Add) break;
      [[fallthrough]];
    default:
      return reject(ErrorCode::InvalidPointerArith, "R%d pointer arithmetic on %s prohibited", dst,
                    ptr.type_string().c_str());
  }
  const std::string type = ptr.type_string();
  if (auto r = check_sane_offset(off_reg, type, known)) return r;
  if (auto r = check_sane_offset(ptr, type, false)) return r;

  const bool add_sub = in.alu == AluOp::Add || in.alu == AluOp::Sub;
  const bool sanitize = !s.ctx.rules.bypass_spec_v1 && in.use_src && add_sub;
  uint32_t first_limit = 0, alu_state = 0;
  bool mask_to_left = false;
  if (sanitize) {
    const bool off_is_neg = ov.smin < 0;
    if (!known && (ov.smin < 0) != (ov.smax < 0)) return sanitize_error(in, SanitizeReason::Bounds, ptr_is_src);
    mask_to_left = (in.alu == AluOp::Add) == off_is_neg;
    if (auto why = ptr_limit(s, ptr, mask_to_left, first_limit); why != SanitizeReason::Ok)
      return sanitize_error(in, why, ptr_is_src);
    alu_state = (off_is_neg ? kAluNegValue : 0) | (known ? kAluImmediate : 0) |
                (ptr_is_src ? kAluSanitizeDst : kAluSanitizeSrc);
  }

  RegState res = ptr;
  switch (in.alu) {
    case AluOp::Add:
      if (known && fits_s32(static_cast<int64_t>(ptr.off) + ov.smin)) {
        res.off = static_cast<int32_t>(ptr.off + ov.smin);
        break;
      }
      res.var = var_add(ptr.var, ov, false);
      if (is_pkt_pointer(ptr.type)) {
        res.id = s.ids.fresh();
        res.range = 0;
      }
      break;
    case AluOp::Sub:
      if (ptr_is_src) return reject(ErrorCode::InvalidPointerArith, "R%d tried to subtract pointer from scalar", dst);
      if (ptr.type == RegType::Stack)
        return reject(ErrorCode::InvalidPointerArith, "R%d subtraction from stack pointer prohibited", dst);
      if (known && fits_s32(static_cast<int64_t>(ptr.off) - ov.smin)) {
        res.off = static_cast<int32_t>(ptr.off - ov.smin);
        break;
      }
      res.var = var_add(ptr.var, ov, true);
      if (is_pkt_pointer(ptr.type)) {
        res.id = s.ids.fresh();
        if (ov.smin < 0) res.range = 0;
      }
      break;
    case AluOp::And:
    case AluOp::Or:
    case AluOp::Xor:
      return reject(ErrorCode::InvalidPointerArith, "R%d bitwise operator %s on pointer prohibited", dst,
                    alu_string(in.alu));
    default:
      return reject(ErrorCode::InvalidPointerArith, "R%d pointer arithmetic with %s operator prohibited", dst,
                    alu_string(in.alu));
  }
  if (auto r = check_sane_offset(res, type, false)) return r;
  res.var.reduce();
  if (!s.ctx.rules.bypass_spec_v1)
    if (auto r = spectre_result_bounds(s, in, res)) return r;
  if (sanitize) {
    // The mask is the distance the pointer actually moved, the same on every path.
    uint32_t limit = 0;
    if (auto why = ptr_limit(s, res, mask_to_left, limit); why != SanitizeReason::Ok)
      return sanitize_error(in, why, ptr_is_src);
    const int32_t moved = static_cast<int32_t>(first_limit - limit);
    if (record_sanitation(s, alu_state, static_cast<uint32_t>(moved < 0 ? -moved : moved)) != SanitizeReason::Ok)
      return sanitize_error(in, SanitizeReason::Paths, ptr_is_src);
  }
  out = res;
  return std::nullopt;
}

// Gives the scalar in register `regno` (and its copy `src`) an id when it has none and
// is not a constant (the kernel's assign_scalar_id_before_mov).
void link_copy(Step& s, int regno, RegState& src) {
  if (src.id == 0 && !src.var.is_const()) {
    src.id = s.ids.fresh();
    s.st.reg(regno).id = src.id;
  }
}

Check exec_mov(Step& s, const Insn& in) {
  RegState& dst = s.st.reg(in.dst);
  if (!in.use_src) {
    uint64_t v = in.is64 ? static_cast<uint64_t>(static_cast<int64_t>(in.imm)) : static_cast<uint32_t>(in.imm);
    dst = RegState::constant(v);
    return std::nullopt;
  }
  RegState src = s.st.reg(in.src);
  if (in.alu == AluOp::MovSx) {
    if (!src.is_scalar()) {
      if (!s.ctx.rules.allow_ptr_leaks)
        return reject(ErrorCode::PointerLeak, "R%d sign-extension part of pointer", in.src);
      dst = RegState::unknown_scalar();
      return std::nullopt;
    }
    // A value the sign extension cannot change stays linked to its source (the kernel's
    // no_sext case), so that bounds learned on one apply to both.
    if (in.off > 0 && in.off < 64 && src.var.umax < (uint64_t{1} << (in.off - 1))) {
      link_copy(s, in.src, src);
      dst = src;
      return std::nullopt;
    }
    RegState r = RegState::scalar(scalar_alu(in, Scalar::unknown(), src.var));
    dst = r;
    return std::nullopt;
  }
  if (in.is64) {
    // Copies of an unknown scalar share an id so that bounds learned on one apply to both.
    if (src.is_scalar()) link_copy(s, in.src, src);
    dst = src;
    return std::nullopt;
  }
  // A 32-bit copy of a scalar whose upper half is known zero is the same value: linked too.
  if (src.is_scalar() && src.var.umax <= UINT32_MAX) {
    link_copy(s, in.src, src);
    dst = src;
    return std::nullopt;
  }
  if (src.is_ptr()) {
    if (!s.ctx.rules.allow_ptr_leaks)
      return reject(ErrorCode::PointerLeak, "R%d partial copy of pointer", in.src);
    dst = RegState::scalar(Scalar::urange(0, UINT32_MAX));
    return std::nullopt;
  }
  Scalar v = src.var;
  v.zext32();
  dst = RegState::scalar(v);
  return std::nullopt;
}

}  // namespace

Check check_reg_read(const Step& s, int r) {
  if (s.st.reg(r).type == RegType::NotInit) {
    Reject rj = reject(ErrorCode::UninitRegister, "R%d !read_ok", r);
    rj.reg = r;
    return rj;
  }
  return std::nullopt;
}

Check check_reg_write(int r) {
  if (r == 10) return reject(ErrorCode::ReadOnlyRegister, "frame pointer is read only");
  return std::nullopt;
}

Check exec_alu(Step& s, const Insn& in) {
  if (in.alu == AluOp::Neg || in.alu == AluOp::End) {
    if (auto r = check_reg_read(s, in.dst)) return r;
    RegState& dst = s.st.reg(in.dst);
    if (dst.is_ptr() && !s.ctx.rules.allow_ptr_leaks)
      return reject(ErrorCode::InvalidPointerArith, "R%d pointer arithmetic prohibited", in.dst);
    if (auto r = check_reg_write(in.dst)) return r;
    if (dst.is_ptr()) {
      dst = RegState::unknown_scalar();
      return std::nullopt;
    }
    dst = RegState::scalar(scalar_alu(in, dst.var, dst.var));
    return std::nullopt;
  }
  if (in.alu == AluOp::Mov || in.alu == AluOp::MovSx) {
    if (in.use_src)
      if (auto r = check_reg_read(s, in.src)) return r;
    if (auto r = check_reg_write(in.dst)) return r;
    return exec_mov(s, in);
  }
  if (in.use_src)
    if (auto r = check_reg_read(s, in.src)) return r;
  if (auto r = check_reg_read(s, in.dst)) return r;
  bool divmod = in.alu == AluOp::Div || in.alu == AluOp::Mod || in.alu == AluOp::SDiv || in.alu == AluOp::SMod;
  if (divmod && !in.use_src && in.imm == 0) return reject(ErrorCode::DivisionByZero, "div by zero");
  bool shift = in.alu == AluOp::Lsh || in.alu == AluOp::Rsh || in.alu == AluOp::Arsh;
  if (shift && !in.use_src) {
    int width = in.is64 ? 64 : 32;
    if (in.imm < 0 || in.imm >= width) return reject(ErrorCode::InvalidShift, "invalid shift %d", in.imm);
  }
  if (auto r = check_reg_write(in.dst)) return r;

  RegState dst = s.st.reg(in.dst);
  RegState src = in.use_src ? s.st.reg(in.src)
                            : RegState::constant(static_cast<uint64_t>(static_cast<int64_t>(in.imm)));
  if (src.is_ptr()) {
    if (dst.is_ptr()) {
      if (in.alu == AluOp::Sub && s.ctx.rules.allow_ptr_leaks) {
        s.st.reg(in.dst) = RegState::unknown_scalar();
        return std::nullopt;
      }
      return reject(ErrorCode::InvalidPointerArith, "R%d pointer %s pointer prohibited", in.dst, alu_string(in.alu));
    }
    return adjust_pointer(s, in, src, dst, true);
  }
  if (dst.is_ptr()) return adjust_pointer(s, in, dst, src, false);
  // sanitize_val_alu: a register add/sub that is scalar arithmetic here must not be
  // pointer arithmetic on another path.
  if (!s.ctx.rules.bypass_spec_v1 && in.use_src && (in.alu == AluOp::Add || in.alu == AluOp::Sub) &&
      record_sanitation(s, kAluNonPointer, 0) != SanitizeReason::Ok)
    return sanitize_error(in, SanitizeReason::Paths, false);
  RegState res = RegState::scalar(scalar_alu(in, dst.var, src.var));
  s.st.reg(in.dst) = res;
  return std::nullopt;
}

}  // namespace bpfvet::verifier
