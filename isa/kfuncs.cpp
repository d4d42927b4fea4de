// The kfunc table and BTF prototypes (kfuncs.h).
#include "isa/kfuncs.h"

#include <array>

#include "isa/btf.h"

namespace bpfvet::isa {

namespace {

using S = KfuncSet;
constexpr uint32_t kAcqNull = kKfAcquire | kKfRetNull;

// From the kernel's BTF_ID_FLAGS lists (kernel/bpf/helpers.c, kernel/bpf/cpumask.c,
// net/core/filter.c) as of 6.18.
constexpr std::array kKfuncs = {
    // common_kfunc_set: every program type
    KfuncInfo{"bpf_rcu_read_lock", 0, S::Common},
    KfuncInfo{"bpf_rcu_read_unlock", 0, S::Common},
    KfuncInfo{"bpf_dynptr_slice", kKfRetNull, S::Common},
    KfuncInfo{"bpf_dynptr_slice_rdwr", kKfRetNull, S::Common},
    KfuncInfo{"bpf_dynptr_adjust", 0, S::Common},
    KfuncInfo{"bpf_dynptr_is_null", 0, S::Common},
    KfuncInfo{"bpf_dynptr_is_rdonly", 0, S::Common},
    KfuncInfo{"bpf_dynptr_size", 0, S::Common},
    KfuncInfo{"bpf_iter_num_new", kKfIterNew, S::Common},
    KfuncInfo{"bpf_iter_num_next", kKfIterNext | kKfRetNull, S::Common},
    KfuncInfo{"bpf_iter_num_destroy", kKfIterDestroy, S::Common},
    // generic_kfunc_set
    KfuncInfo{"bpf_task_acquire", kAcqNull | kKfRcu, S::Generic},
    KfuncInfo{"bpf_task_release", kKfRelease, S::Generic},
    KfuncInfo{"bpf_task_from_pid", kAcqNull, S::Generic},
    KfuncInfo{"bpf_task_from_vpid", kAcqNull, S::Generic},
    KfuncInfo{"bpf_cgroup_acquire", kAcqNull | kKfRcu, S::Generic},
    KfuncInfo{"bpf_cgroup_release", kKfRelease, S::Generic},
    KfuncInfo{"bpf_cgroup_ancestor", kAcqNull | kKfRcu, S::Generic},
    KfuncInfo{"bpf_cgroup_from_id", kAcqNull, S::Generic},
    KfuncInfo{"bpf_task_under_cgroup", kKfRcu, S::Generic},
    // cpumask_kfunc_set
    KfuncInfo{"bpf_cpumask_create", kAcqNull, S::Cpumask},
    KfuncInfo{"bpf_cpumask_release", kKfRelease, S::Cpumask},
    KfuncInfo{"bpf_cpumask_acquire", kKfAcquire | kKfTrustedArgs, S::Cpumask},
    KfuncInfo{"bpf_cpumask_first", kKfRcu, S::Cpumask},
    KfuncInfo{"bpf_cpumask_first_zero", kKfRcu, S::Cpumask},
    KfuncInfo{"bpf_cpumask_set_cpu", kKfRcu, S::Cpumask},
    KfuncInfo{"bpf_cpumask_clear_cpu", kKfRcu, S::Cpumask},
    KfuncInfo{"bpf_cpumask_test_cpu", kKfRcu, S::Cpumask},
    KfuncInfo{"bpf_cpumask_setall", kKfRcu, S::Cpumask},
    KfuncInfo{"bpf_cpumask_clear", kKfRcu, S::Cpumask},
    KfuncInfo{"bpf_cpumask_and", kKfRcu, S::Cpumask},
    KfuncInfo{"bpf_cpumask_or", kKfRcu, S::Cpumask},
    KfuncInfo{"bpf_cpumask_xor", kKfRcu, S::Cpumask},
    KfuncInfo{"bpf_cpumask_equal", kKfRcu, S::Cpumask},
    KfuncInfo{"bpf_cpumask_empty", kKfRcu, S::Cpumask},
    KfuncInfo{"bpf_cpumask_full", kKfRcu, S::Cpumask},
    KfuncInfo{"bpf_cpumask_copy", kKfRcu, S::Cpumask},
    KfuncInfo{"bpf_cpumask_weight", kKfRcu, S::Cpumask},
    // bpf_kfunc_set_skb / bpf_kfunc_set_xdp
    KfuncInfo{"bpf_dynptr_from_skb", kKfTrustedArgs, S::Skb},
    KfuncInfo{"bpf_dynptr_from_xdp", 0, S::Xdp},
};

// Which program types each set reaches (observed on 6.18 by loading a caller of each
// set into the kernel as every program type: kprobes, raw tracepoints and sched_act
// programs get no generic or cpumask kfuncs; tracepoints and perf events do).
bool in_set(ProgType t, KfuncSet set) {
  switch (set) {
    case S::Common: return t != ProgType::Unspec;
    case S::Generic:
      return t == ProgType::Xdp || t == ProgType::SchedCls || t == ProgType::Tracepoint ||
             t == ProgType::PerfEvent || t == ProgType::Lsm;
    case S::Cpumask: return t == ProgType::Tracepoint || t == ProgType::PerfEvent || t == ProgType::Lsm;
    case S::Skb:
      return t == ProgType::SchedCls || t == ProgType::SchedAct || t == ProgType::SocketFilter ||
             t == ProgType::CgroupSkb || t == ProgType::SkSkb;
    case S::Xdp: return t == ProgType::Xdp;
  }
  return false;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Follows modifiers and typedefs; 0 (void) on a broken chain.
uint32_t strip(const Btf& btf, uint32_t id) {
  auto r = btf.resolve(id);
  return r ? *r : 0;
}

// The verifier's view of BTF type `id` (a parameter's or the return type).
KfuncArg classify(const Btf& btf, uint32_t id, std::string name) {
  KfuncArg a;
  a.name = std::move(name);
  const uint32_t rid = strip(btf, id);
  const BtfType* t = btf.type(rid);
  if (rid == 0 || !t) {
    a.kind = KfuncArgKind::Void;
    return a;
  }
  if (t->kind == BtfKind::Int || t->kind == BtfKind::Enum || t->kind == BtfKind::Enum64) {
    a.kind = KfuncArgKind::Scalar;
    a.size = t->size;
    if (ends_with(a.name, "__k")) a.kind = KfuncArgKind::Const;
    if (ends_with(a.name, "__sz") || ends_with(a.name, "__szk")) {
      a.kind = KfuncArgKind::Size;
      a.const_size = ends_with(a.name, "__szk");
    }
    return a;
  }
  if (t->kind != BtfKind::Ptr) {
    a.kind = KfuncArgKind::Other;
    return a;
  }
  const uint32_t pid = strip(btf, t->type);
  const BtfType* p = btf.type(pid);
  if (pid == 0 || !p || p->kind == BtfKind::Int || p->kind == BtfKind::Enum || p->kind == BtfKind::Array) {
    a.kind = KfuncArgKind::Mem;
    if (p && pid != 0) {
      auto sz = btf.size_of(pid);
      a.size = sz ? static_cast<uint32_t>(*sz) : 0;
    }
    return a;
  }
  if (p->kind == BtfKind::Struct || p->kind == BtfKind::Union) {
    a.type_name = p->name;
    a.size = p->size;
    const BtfType* cur = p;
    for (int depth = 0; depth < 8 && !cur->members.empty() && cur->members[0].offset == 0; ++depth) {
      const BtfType* first = btf.type(strip(btf, cur->members[0].type));
      if (!first || (first->kind != BtfKind::Struct && first->kind != BtfKind::Union)) break;
      a.embeds.push_back(first->name);
      cur = first;
    }
    if (p->name == "bpf_dynptr" || p->name == "bpf_dynptr_kern")
      a.kind = KfuncArgKind::Dynptr;
    else if (p->name.rfind("bpf_iter_", 0) == 0)
      a.kind = KfuncArgKind::Iter;
    else
      a.kind = KfuncArgKind::Struct;
    return a;
  }
  a.kind = KfuncArgKind::Other;
  return a;
}

}  // namespace

const KfuncInfo* find_kfunc(std::string_view name) {
  for (const KfuncInfo& k : kKfuncs)
    if (name == k.name) return &k;
  return nullptr;
}

std::vector<KfuncInfo> all_kfuncs() { return {kKfuncs.begin(), kKfuncs.end()}; }

bool kfunc_allowed(ProgType type, const KfuncInfo& k) { return in_set(type, k.set); }

Result<KfuncProto> kfunc_proto_from_btf(const Btf& btf, std::string_view name) {
  auto id = btf.find(name, BtfKind::Func);
  if (!id) return Error{"not found in kernel BTF"};
  const BtfType* func = btf.type(*id);
  const BtfType* proto = func ? btf.type(func->type) : nullptr;
  if (!proto || proto->kind != BtfKind::FuncProto) return Error{"kernel BTF FUNC has no prototype"};
  KfuncProto out;
  out.btf_id = static_cast<int32_t>(*id);
  out.name = std::string(name);
  for (const BtfMember& m : proto->members) out.params.push_back(classify(btf, m.type, m.name));
  out.ret = classify(btf, proto->type, "");
  return out;
}

}  // namespace bpfvet::isa
