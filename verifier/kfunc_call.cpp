// Kfunc calls (kernel: check_kfunc_call, check_kfunc_args): the call's BTF id must name
// a kfunc the loader resolved (isa/kfuncs.h), the program type must be allowed to call
// it, each argument register must match the kfunc's BTF prototype (scalars, `__k`
// constants, memory with its `__sz` size, kernel struct pointers that are trusted or
// referenced, dynptrs), references are acquired and released as its KF_* flags say,
// bpf_rcu_read_lock/unlock open and close RCU read sections, r1-r5 are clobbered and r0
// is typed by the BTF return type.
#include "isa/kfuncs.h"
#include "verifier/dynptr.h"
#include "verifier/transfer.h"

namespace bpfvet::verifier {

namespace {

using isa::KfuncArg;
using isa::KfuncArgKind;
using isa::KfuncProto;

// What the arguments taught the call (the kernel's bpf_kfunc_call_arg_meta).
struct KfuncMeta {
  uint32_t ref_obj_id = 0;  // reference of the argument a release kfunc releases
  int release_regno = 0;
  DynptrUse dynptr;         // the initialised dynptr argument
  int64_t const_size = -1;  // the `__szk` argument (dynptr slices)
};

// The program's context type names as kernel prototypes spell them.
bool is_ctx_struct(const std::string& name) {
  return name == "__sk_buff" || name == "xdp_md" || name == "sk_buff" || name == "xdp_buff" ||
         name == "bpf_sock_ops" || name == "sk_msg_md" || name == "bpf_sock_addr";
}

DynptrKind dynptr_kind_made_by(const std::string& kfunc) {
  if (kfunc == "bpf_dynptr_from_skb") return DynptrKind::Skb;
  if (kfunc == "bpf_dynptr_from_xdp") return DynptrKind::Xdp;
  return DynptrKind::None;
}

// btf_struct_ids_match: the same struct, or one the register's struct holds first.
bool struct_matches(const isa::Program& prog, const char* have, const std::string& want) {
  if (!have) return false;
  if (want == have) return true;
  for (const KfuncProto& k : prog.kfuncs)
    if (k.ret.kind == KfuncArgKind::Struct && k.ret.type_name == have)
      for (const std::string& e : k.ret.embeds)
        if (e == want) return true;
  return false;
}

Check check_struct_arg(Step& s, const KfuncProto& k, const isa::KfuncInfo& info, size_t i) {
  const int regno = static_cast<int>(i) + 1;
  const RegState& reg = s.st.reg(regno);
  const KfuncArg& p = k.params[i];
  if (is_ctx_struct(p.type_name)) {
    if (reg.type != RegType::Ctx)
      return reject(ErrorCode::HelperArgType, "arg#%zu expected pointer to ctx, but got %s", i,
                    reg.type_string().c_str());
    return std::nullopt;
  }
  if (reg.type != RegType::BtfId) {
    // Scalars (a released reference), stack or map memory: not a kernel object.
    Reject r = reject(ErrorCode::HelperArgType, "arg#%zu pointer type STRUCT %s must point to scalar, or struct with scalar",
                      i, p.type_name.c_str());
    if ((info.flags & isa::kKfRelease) && reg.is_scalar()) r.code = ErrorCode::InvalidRelease;
    return r;
  }
  // Every pointer argument of a kfunc must be trusted (referenced) or, for KF_RCU ones,
  // RCU-protected; bpfvet tracks trust through references only.
  if (reg.ref_obj_id == 0) {
    if (info.flags & isa::kKfRcu)
      return reject(ErrorCode::HelperArgType, "R%d must be a rcu pointer", regno);
    return reject(ErrorCode::HelperArgType, "R%d must be referenced or trusted", regno);
  }
  if (!struct_matches(s.ctx.prog, reg.btf_name, p.type_name))
    return reject(ErrorCode::HelperArgType,
                  "kernel function %s args#%zu expected pointer to STRUCT %s but R%d has a pointer to STRUCT %s",
                  k.name.c_str(), i, p.type_name.c_str(), regno, reg.btf_name ? reg.btf_name : "");
  if (reg.off != 0 || !reg.var.is_const() || reg.var.const_value() != 0)
    return reject(ErrorCode::InvalidRelease,
                  "R%d must have zero offset when passed to release func or trusted arg to kfunc", regno);
  return std::nullopt;
}

Check check_args(Step& s, const KfuncProto& k, const isa::KfuncInfo& info, KfuncMeta& meta) {
  if (k.params.size() > 5)
    return reject(ErrorCode::HelperArgType, "Function %s has %zu > 5 args", k.name.c_str(), k.params.size());
  for (size_t i = 0; i < k.params.size(); ++i) {
    const int regno = static_cast<int>(i) + 1;
    if (auto r = check_reg_read(s, regno)) return r;
    const KfuncArg& p = k.params[i];
    const RegState& reg = s.st.reg(regno);
    switch (p.kind) {
      case KfuncArgKind::Scalar:
      case KfuncArgKind::Const:
      case KfuncArgKind::Size:
        if (!reg.is_scalar()) return reject(ErrorCode::HelperArgType, "R%d is not a scalar", regno);
        if (p.kind == KfuncArgKind::Const && !reg.var.is_const())
          return reject(ErrorCode::HelperArgType, "R%d must be a known constant", regno);
        continue;
      default: break;
    }
    // A pointer parameter: NULL only where the kernel marks it nullable (`__nullable`, `__opt`).
    const bool nullable = p.name.find("__nullable") != std::string::npos || p.name.find("__opt") != std::string::npos;
    if ((reg.is_null_const() || reg.maybe_null) && !nullable)
      return reject(ErrorCode::NullPointerDeref, "Possibly NULL pointer passed to trusted arg%zu", i);
    if (reg.ref_obj_id && (info.flags & isa::kKfRelease)) {
      meta.ref_obj_id = reg.ref_obj_id;
      meta.release_regno = regno;
    }
    switch (p.kind) {
      case KfuncArgKind::Struct:
        if (auto r = check_struct_arg(s, k, info, i)) return r;
        break;
      case KfuncArgKind::Dynptr: {
        if (reg.type != RegType::Stack)
          return reject(ErrorCode::HelperArgType, "arg#%zu expected pointer to stack or const struct bpf_dynptr", i);
        const bool uninit = p.name.find("__uninit") != std::string::npos;
        const DynptrKind made = dynptr_kind_made_by(k.name);
        if (auto r = check_dynptr_arg(s, regno, uninit, uninit ? made : DynptrKind::None, meta.dynptr)) return r;
        break;
      }
      case KfuncArgKind::Mem: {
        const bool sized = i + 1 < k.params.size() && k.params[i + 1].kind == KfuncArgKind::Size;
        if (!sized) return reject(ErrorCode::HelperArgType, "arg#%zu pointer type %s must point to scalar", i,
                                  p.type_name.c_str());
        if (reg.is_null_const()) break;  // a nullable buffer left out: the size is not checked
        const KfuncArg& sz = k.params[i + 1];
        const RegState& size_reg = s.st.reg(regno + 1);
        if (sz.const_size) {
          if (!size_reg.is_const()) return reject(ErrorCode::HelperArgType, "R%d must be a known constant", regno + 1);
          meta.const_size = static_cast<int64_t>(size_reg.var.const_value());
        }
        if (auto r = check_mem_size_arg(s, regno + 1, true, false)) return r;
        ++i;  // the size argument is done
        break;
      }
      case KfuncArgKind::Iter:
        return reject(ErrorCode::NotSupportedByKernel,
                      "kernel function %s: open-coded iterators (struct %s) are not modelled by bpfvet",
                      k.name.c_str(), p.type_name.c_str());
      default:
        return reject(ErrorCode::HelperArgType, "arg#%zu reference type('%s') size cannot be determined", i,
                      p.type_name.c_str());
    }
  }
  if ((info.flags & isa::kKfRelease) && meta.release_regno == 0)
    return reject(ErrorCode::InvalidRelease, "release kernel function %s expects refcounted PTR_TO_BTF_ID",
                  k.name.c_str());
  return std::nullopt;
}

// r0 after the call, from the BTF return type and the KF_* flags.
Check set_return(Step& s, const KfuncProto& k, const isa::KfuncInfo& info, const KfuncMeta& meta) {
  RegState r0 = RegState::unknown_scalar();
  switch (k.ret.kind) {
    case KfuncArgKind::Void: r0 = RegState::not_init(); break;
    case KfuncArgKind::Scalar:
    case KfuncArgKind::Const:
    case KfuncArgKind::Size: break;
    case KfuncArgKind::Struct:
      r0 = RegState::pointer(RegType::BtfId);
      r0.btf_name = k.ret.type_name.c_str();
      r0.mem_size = k.ret.size;
      break;
    case KfuncArgKind::Mem:
      // Dynptr slices: as many bytes as the constant `__szk` argument asked for.
      if (meta.const_size < 0)
        return reject(ErrorCode::HelperArgType, "kernel function %s returns pointer type %s is not supported",
                      k.name.c_str(), k.ret.type_name.empty() ? "INT" : k.ret.type_name.c_str());
      r0 = RegState::pointer(RegType::Mem);
      r0.mem_size = static_cast<uint32_t>(meta.const_size);
      r0.read_only = k.name == "bpf_dynptr_slice";
      r0.dynptr_id = meta.dynptr.id;
      r0.ref_obj_id = meta.dynptr.ref_obj_id;
      break;
    default:
      return reject(ErrorCode::HelperArgType, "kernel function %s returns pointer type %s is not supported",
                    k.name.c_str(), k.ret.type_name.c_str());
  }
  if (r0.is_ptr() && (info.flags & isa::kKfRetNull)) {
    r0.maybe_null = true;
    r0.id = s.ids.fresh();
  }
  if (r0.is_ptr() && (info.flags & isa::kKfAcquire)) {
    const uint32_t ref = s.ids.fresh();
    if (r0.maybe_null) r0.id = ref;
    r0.ref_obj_id = ref;
    s.st.refs.push_back(Reference{ref, s.pc});
  }
  s.st.reg(0) = r0;
  return std::nullopt;
}

}  // namespace

Check exec_kfunc_call(Step& s, const isa::Insn& in) {
  if (in.imm == 0) return reject(ErrorCode::UnknownHelper, "invalid kernel function call not eliminated in verifier pass");
  const KfuncProto* k = s.ctx.prog.kfunc_by_id(in.imm);
  if (!k) {
    Reject r = reject(ErrorCode::UnknownHelper, "kernel btf_id %d is not a function", in.imm);
    r.why = "The call names a kernel BTF id that none of the object's `__ksym` extern functions resolved to "
            "(raw and assembly input carry no kfunc names).";
    return r;
  }
  static const isa::KfuncInfo kUnlisted{};
  const isa::KfuncInfo* known = isa::find_kfunc(k->name);
  const isa::KfuncInfo& info = known ? *known : kUnlisted;
  if (known && !isa::kfunc_allowed(s.ctx.prog.type, info))
    return reject(ErrorCode::HelperNotAllowed, "calling kernel function %s is not allowed", k->name.c_str());
  const std::string& lic = s.ctx.prog.license;
  const bool gpl = lic == "GPL" || lic == "GPL v2" || lic == "GPL and additional rights" || lic == "Dual BSD/GPL" ||
                   lic == "Dual MIT/GPL" || lic == "Dual MPL/GPL";
  if (!gpl) return reject(ErrorCode::GplOnlyHelper, "cannot call kernel function from non-GPL compatible program");
  if (s.st.active_lock)
    return reject(ErrorCode::HelperNotAllowed, "function calls are not allowed while holding a lock");
  if (k->name == "bpf_rcu_read_lock") {
    ++s.st.active_rcu;
  } else if (k->name == "bpf_rcu_read_unlock") {
    if (s.st.active_rcu == 0)
      return reject(ErrorCode::InvalidRelease, "unmatched rcu read unlock (kernel function %s)", k->name.c_str());
    --s.st.active_rcu;
  }
  KfuncMeta meta;
  if (auto r = check_args(s, *k, info, meta)) return r;
  if (meta.release_regno && meta.ref_obj_id) release_ref(s.st, meta.ref_obj_id, s.ctx.rules.allow_ptr_leaks);
  for (int r = 1; r <= 5; ++r) s.st.reg(r) = RegState::not_init();
  return set_return(s, *k, info, meta);
}

}  // namespace bpfvet::verifier
