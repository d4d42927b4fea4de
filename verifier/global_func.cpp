#include "verifier/global_func.h"

#include "isa/btf.h"
#include "isa/context.h"

namespace bpfvet::verifier {

std::optional<GlobalFunc> global_func_at(const isa::Program& prog, uint32_t start) {
  const isa::Function* fn = nullptr;
  for (const auto& f : prog.functions)
    if (f.start == start) fn = &f;
  if (!fn || !fn->global || prog.btf.empty()) return std::nullopt;
  uint32_t func_type = fn->btf_type_id;
  for (const auto& fi : prog.func_info)
    if (fi.insn_off == start) func_type = fi.type_id;
  if (func_type == 0) return std::nullopt;
  auto btf = isa::Btf::parse(prog.btf);
  if (!btf) return std::nullopt;
  const isa::BtfType* func = btf->type(func_type);
  if (!func || func->kind != isa::BtfKind::Func) return std::nullopt;
  const isa::BtfType* proto = btf->type(func->type);
  if (!proto || proto->kind != isa::BtfKind::FuncProto) return std::nullopt;
  const std::string ctx_struct = isa::prog_type_info(prog.type).ctx_struct;
  GlobalFunc g;
  g.start = start;
  g.name = fn->name;
  for (const auto& param : proto->members) {
    GlobalArg a;
    auto t = btf->resolve(param.type);
    const isa::BtfType* pt = t ? btf->type(*t) : nullptr;
    if (pt && pt->kind == isa::BtfKind::Ptr) {
      auto target = btf->resolve(pt->type);
      const isa::BtfType* tt = target ? btf->type(*target) : nullptr;
      if (tt && (tt->kind == isa::BtfKind::Struct || tt->kind == isa::BtfKind::Union) && tt->name == ctx_struct) {
        a.kind = GlobalArg::Kind::Ctx;
      } else if (target) {
        auto size = btf->size_of(*target);
        a.kind = GlobalArg::Kind::Mem;
        a.size = size ? static_cast<uint32_t>(*size) : 0;
      }
    }
    g.args.push_back(a);
  }
  return g;
}

Check check_global_call(Step& s, const GlobalFunc& f) {
  for (size_t i = 0; i < f.args.size() && i < 5; ++i) {
    const int regno = static_cast<int>(i) + 1;
    if (auto r = check_reg_read(s, regno)) return r;
    const RegState& reg = s.st.reg(regno);
    const GlobalArg& a = f.args[i];
    switch (a.kind) {
      case GlobalArg::Kind::Scalar:
        if (!reg.is_scalar()) return reject(ErrorCode::HelperArgType, "R%d is not a scalar", regno);
        break;
      case GlobalArg::Kind::Ctx:
        if (reg.type != RegType::Ctx) {
          // 6.8 reworded it when global function arguments got their own checks.
          if (s.ctx.rules.profile.version >= isa::KernelVersion{6, 8})
            return reject(ErrorCode::HelperArgType, "arg#%zu expects pointer to ctx", i);
          return reject(ErrorCode::HelperArgType, "arg#%zu expected pointer to ctx, but got %s", i,
                        reg.type_string().c_str());
        }
        break;
      case GlobalArg::Kind::Mem:
        if (reg.is_null_const()) break;
        if (reg.type == RegType::Stack) {
          if (auto r = check_stack_range(s, regno, a.size, false, false)) return r;
        } else if (reg.type == RegType::MapValue || reg.type == RegType::Mem || is_pkt_pointer(reg.type)) {
          if (auto r = check_mem_access(s, regno, 0, static_cast<int>(a.size ? a.size : 1), false, -1, false))
            return r;
        } else {
          return reject(ErrorCode::HelperArgType, "R%d type=%s expected=fp, pkt, pkt_meta, map_value, mem", regno,
                        reg.type_string().c_str());
        }
        break;
    }
  }
  return std::nullopt;
}

AbstractState global_func_entry(const GlobalFunc& f, RunIds& ids) {
  AbstractState st = entry_state(false);
  st.frames[0].subprog_start = f.start;
  for (int r = 1; r <= 5; ++r) st.reg(r) = RegState::not_init();
  for (size_t i = 0; i < f.args.size() && i < 5; ++i) {
    RegState& reg = st.reg(static_cast<int>(i) + 1);
    switch (f.args[i].kind) {
      case GlobalArg::Kind::Scalar: reg = RegState::unknown_scalar(); break;
      case GlobalArg::Kind::Ctx: reg = RegState::pointer(RegType::Ctx); break;
      case GlobalArg::Kind::Mem:
        reg = RegState::pointer(RegType::Mem);
        reg.mem_size = f.args[i].size;
        reg.maybe_null = true;
        reg.id = ids.fresh();
        break;
    }
  }
  return st;
}

}  // namespace bpfvet::verifier
