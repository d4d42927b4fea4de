// Helper calls (kernel: check_helper_call, check_func_arg, check_helper_mem_access):
// the helper must exist in the chosen kernel and be allowed for the program type, each
// argument register must have the type its prototype demands and point to enough
// initialized memory, r1-r5 are clobbered and r0 is typed by the return type.
// References returned by acquiring helpers are tracked until released.
#include <algorithm>
#include <string_view>

#include "isa/context.h"
#include "isa/helper_ids.h"
#include "isa/helpers.h"
#include "isa/maps.h"
#include "verifier/dynptr.h"
#include "verifier/stack_access.h"
#include "verifier/transfer.h"

namespace bpfvet::verifier {

using isa::ArgType;
using isa::HelperArg;
using isa::HelperProto;

namespace {

constexpr uint64_t kMaxVarSize = uint64_t{1} << 29;
constexpr int32_t kTailCallId = 12;  // BPF_FUNC_tail_call

// What earlier arguments taught the later ones (the kernel's bpf_call_arg_meta).
struct CallMeta {
  int map_idx = -1;
  int64_t mem_size = -1;   // ConstAllocSizeOrZero
  int release_reg = -1;
  uint32_t release_ref = 0;
  std::optional<uint64_t> const_key;  // constant u32 key on the stack (array lookups)
  DynptrUse dynptr;                   // the initialised dynptr argument (bpf_dynptr_data)
};

DynptrKind dynptr_kind_of(const HelperArg& arg) {
  if (arg.flags & isa::kArgDynptrLocal) return DynptrKind::Local;
  if (arg.flags & isa::kArgDynptrRingbuf) return DynptrKind::Ringbuf;
  return DynptrKind::None;
}

const char* kMemTypes = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_";

bool is_mem_type(const RegState& r) {
  switch (r.type) {
    case RegType::Stack:
    case RegType::Packet:
    case RegType::PacketMeta:
    case RegType::MapKey:
    case RegType::MapValue:
    case RegType::Mem:
      return !r.maybe_null;
    default:
      return false;
  }
}

Reject type_mismatch(int regno, const RegState& r, const char* expected) {
  Reject rj = reject(ErrorCode::HelperArgType, "R%d type=%s expected=%s", regno, r.type_string().c_str(), expected);
  rj.reg = regno;
  return rj;
}

// check_helper_mem_access: [reg, reg + size) must be accessible memory.
Check helper_mem_access(Step& s, int regno, int64_t size, bool write, bool zero_ok) {
  const RegState reg = s.st.reg(regno);
  switch (reg.type) {
    case RegType::Packet:
    case RegType::PacketMeta:
      if (reg.var.smin < 0)
        return reject(ErrorCode::PacketOutOfBounds,
                      "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno);
      if (reg.range < 0 || reg.off < 0 || reg.off + size > reg.range) {
        Reject r = reject(ErrorCode::PacketOutOfBounds, "invalid access to packet, off=%d size=%lld, R%d(id=%u,off=%d,r=%d)",
                          reg.off, static_cast<long long>(size), regno, reg.id, reg.off, reg.range);
        if (reg.range < 0) r = reject(ErrorCode::PacketOutOfBounds, "R%d offset is outside of the packet", regno);
        else r.details.push_back(strprintf("R%d offset is outside of the packet", regno));
        return r;
      }
      return std::nullopt;
    case RegType::MapKey:
      if (write) return reject(ErrorCode::ReadOnlyMemory, "R%d cannot write into %s", regno, reg.type_string().c_str());
      [[fallthrough]];
    case RegType::MapValue:
    case RegType::Mem:
      if (size == 0 && zero_ok) return std::nullopt;
      if (reg.type == RegType::Mem && write && reg.read_only)
        return reject(ErrorCode::ReadOnlyMemory, "R%d cannot write into %s", regno, reg.type_string().c_str());
      if (size <= 0)
        return reject(ErrorCode::HelperArgSize, "R%d invalid zero-sized read", regno);
      // Bounds are the same as a direct access of `size` bytes at offset 0.
      return check_mem_access(s, regno, 0, static_cast<int>(std::min<int64_t>(size, INT32_MAX)), write, -1, false);
    case RegType::Stack:
      return check_stack_range(s, regno, size, write, zero_ok);
    default:
      if (zero_ok && size == 0 && reg.is_null_const()) return std::nullopt;
      return type_mismatch(regno, reg, "fp");
  }
}

// check_mem_size_reg: the size argument of a (mem, size) pair.
Check check_size_arg(Step& s, int regno, bool zero_ok, bool write) {
  const RegState reg = s.st.reg(regno);
  if (!reg.is_scalar()) return type_mismatch(regno, reg, "scalar");
  if (reg.var.smin < 0)
    return reject(ErrorCode::HelperArgSize, "R%d min value is negative, either use unsigned or 'var &= const'", regno);
  if (reg.var.umin == 0 && !zero_ok)
    return reject(ErrorCode::HelperArgSize, "R%d invalid zero-sized read: u64=[%llu,%llu]", regno,
                  static_cast<unsigned long long>(reg.var.umin), static_cast<unsigned long long>(reg.var.umax));
  if (reg.var.umax >= kMaxVarSize)
    return reject(ErrorCode::UnboundedAccess, "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'", regno);
  // A NULL memory argument passes only with a size of exactly 0 (helper_mem_access).
  return helper_mem_access(s, regno - 1, static_cast<int64_t>(reg.var.umax), write, zero_ok);
}

// The constant stored at a stack key pointer, when the 4 key bytes hold a spilled constant.
// The kernel's get_constant_map_key: a key whose bytes, counted down from the byte the
// pointer names, are all known zero (key 0), or exactly a constant scalar spill of the
// key's size.  Only for privileged loaders.
std::optional<uint64_t> const_stack_key(const Step& s, const RegState& key, uint32_t key_size) {
  if (!s.ctx.rules.privileged || key.type != RegType::Stack || !key.var.is_const()) return std::nullopt;
  const int64_t off = static_cast<int64_t>(key.var.const_value()) + key.off;
  if (off >= 0 || off < -kMaxBpfStack) return std::nullopt;
  const StackSlot* slot = s.st.frames[key.frameno].find_slot(static_cast<int>((-off - 1) / kRegSize));
  if (!slot) return std::nullopt;
  const int top = static_cast<int>((-off - 1) % kRegSize);
  uint32_t zeros = 0;
  for (int i = top; i >= 0 && slot->kind[static_cast<size_t>(i)] == SlotKind::Zero; --i) ++zeros;
  if (zeros >= key_size) return 0;
  if (!slot->is_spill() || !slot->spilled.is_scalar()) return std::nullopt;
  uint32_t spilled = 0;
  for (int i = top; i >= 0 && slot->kind[static_cast<size_t>(i)] == SlotKind::Spill; --i) ++spilled;
  if (spilled != key_size || !slot->spilled.is_const()) return std::nullopt;
  return slot->spilled.var.const_value();
}

Check check_arg_type_and_memory(Step& s, const HelperProto& h, int i, CallMeta& meta);

Check check_arg(Step& s, const HelperProto& h, int i, CallMeta& meta) {
  const HelperArg& arg = h.args[i];
  const int regno = i + 1;
  if (arg.type == ArgType::None) return std::nullopt;
  if (auto r = check_reg_read(s, regno)) return r;
  const RegState reg = s.st.reg(regno);
  if (arg.type == ArgType::Anything) {
    if (reg.is_ptr() && !s.ctx.rules.allow_ptr_leaks)
      return reject(ErrorCode::PointerLeak, "R%d leaks addr into helper function", regno);
    return std::nullopt;
  }
  // may_access_direct_pkt_data: only helpers marked pkt_access take packet pointers.
  if (is_pkt_pointer(reg.type) && (!isa::prog_type_info(s.ctx.prog.type).direct_packet_access || !h.pkt_access))
    return reject(ErrorCode::HelperArgType, "helper access to the packet is not allowed");
  if (auto r = check_arg_type_and_memory(s, h, i, meta)) {
    // A release argument of the wrong type is a reference used after its release.
    if (arg.release() && r->code == ErrorCode::HelperArgType && reg.is_scalar()) r->code = ErrorCode::InvalidRelease;
    return r;
  }
  bool null_ok = reg.is_null_const() && arg.maybe_null();
  if (arg.release() && arg.type == ArgType::DynptrPtr) {
    if (auto r = dynptr_release_ref(s, regno, meta.release_ref)) return r;
    meta.release_reg = regno;
  } else if (arg.release()) {
    if (reg.ref_obj_id == 0 && !null_ok)
      return reject(ErrorCode::InvalidRelease, "R%d must be referenced when passed to release function", regno);
    if (reg.off != 0 || !reg.var.is_const() || reg.var.const_value() != 0)
      return reject(ErrorCode::InvalidRelease, "R%d must have zero offset when passed to release func or trusted arg to kfunc", regno);
    meta.release_reg = regno;
    meta.release_ref = reg.ref_obj_id;
  }
  if (arg.type == ArgType::DynptrPtr)
    return check_dynptr_arg(s, regno, arg.flags & isa::kArgUninit, dynptr_kind_of(arg), meta.dynptr);
  return std::nullopt;
}

// check_reg_type plus the memory each argument type implies.
Check check_arg_type_and_memory(Step& s, const HelperProto& h, int i, CallMeta& meta) {
  const HelperArg& arg = h.args[i];
  const int regno = i + 1;
  const RegState reg = s.st.reg(regno);
  bool null_ok = reg.is_null_const() && arg.maybe_null();
  switch (arg.type) {
    case ArgType::ConstMapPtr:
      if (reg.type != RegType::ConstMapPtr || reg.maybe_null) return type_mismatch(regno, reg, "map_ptr");
      meta.map_idx = reg.map_idx;
      return std::nullopt;
    case ArgType::MapKey:
    case ArgType::MapValue:
    case ArgType::UninitMapValue: {
      if (null_ok) return std::nullopt;
      if (!is_mem_type(reg)) return type_mismatch(regno, reg, kMemTypes);
      if (meta.map_idx < 0) return reject(ErrorCode::HelperArgType, "invalid map_ptr to access map->key");
      const isa::MapDef& m = s.ctx.prog.maps.at(static_cast<size_t>(meta.map_idx));
      if (arg.type == ArgType::MapKey) {
        meta.const_key = const_stack_key(s, reg, m.key_size);
        return helper_mem_access(s, regno, m.key_size, false, false);
      }
      // A sockmap/sockhash value written by a program is a socket (ARG_PTR_TO_BTF_ID_SOCK_COMMON).
      if (m.type == isa::MapType::Sockmap || m.type == isa::MapType::Sockhash) {
        if (reg.maybe_null || (reg.type != RegType::Sock && reg.type != RegType::SockCommon &&
                               reg.type != RegType::TcpSock && reg.type != RegType::XdpSock))
          return type_mismatch(regno, reg, "sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_");
        return std::nullopt;
      }
      return helper_mem_access(s, regno, isa::map_value_size(m), arg.type == ArgType::UninitMapValue, false);
    }
    case ArgType::Mem:
    case ArgType::UninitMem:
    case ArgType::Long:
    case ArgType::Int: {
      if (null_ok) return std::nullopt;
      if (!is_mem_type(reg)) return type_mismatch(regno, reg, kMemTypes);
      bool write = arg.type != ArgType::Mem;
      if (arg.fixed_size() || arg.type == ArgType::Long || arg.type == ArgType::Int) {
        int64_t size = arg.size ? arg.size : (arg.type == ArgType::Int ? 4 : 8);
        return helper_mem_access(s, regno, size, write, false);
      }
      return std::nullopt;  // checked with the size argument that follows
    }
    case ArgType::ConstSize:
    case ArgType::ConstSizeOrZero: {
      bool write = i > 0 && h.args[i - 1].type == ArgType::UninitMem;
      return check_size_arg(s, regno, arg.type == ArgType::ConstSizeOrZero, write);
    }
    case ArgType::ConstAllocSizeOrZero:
      if (!reg.is_scalar() || !reg.var.is_const())
        return reject(ErrorCode::HelperArgSize, "R%d is not a known constant'", regno);
      meta.mem_size = static_cast<int64_t>(reg.var.const_value());
      return std::nullopt;
    case ArgType::Ctx:
      if (reg.type != RegType::Ctx) return type_mismatch(regno, reg, "ctx");
      if (reg.off != 0 || !reg.var.is_const() || reg.var.const_value() != 0)
        return reject(ErrorCode::HelperArgType, "dereference of modified ctx ptr R%d off=%d disallowed", regno, reg.off);
      return std::nullopt;
    case ArgType::SocketCommon:
    case ArgType::BtfIdSocketCommon:
      if (null_ok) return std::nullopt;
      if (reg.maybe_null || (reg.type != RegType::Sock && reg.type != RegType::SockCommon &&
                             reg.type != RegType::TcpSock && reg.type != RegType::XdpSock))
        return type_mismatch(regno, reg,
                             arg.type == ArgType::SocketCommon
                                 ? "sock_common, sock, tcp_sock, xdp_sock"
                                 : "sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_");
      return std::nullopt;
    case ArgType::Socket:
      if (null_ok) return std::nullopt;
      if (reg.maybe_null || reg.type != RegType::Sock) return type_mismatch(regno, reg, "sock");
      return std::nullopt;
    case ArgType::AllocMem:
      if (reg.type != RegType::Mem || !reg.ringbuf || reg.maybe_null) return type_mismatch(regno, reg, "ringbuf_mem");
      return std::nullopt;
    case ArgType::Func:
      if (reg.type != RegType::Func) return type_mismatch(regno, reg, "func");
      return std::nullopt;
    case ArgType::StackOrNull:
      if (null_ok) return std::nullopt;
      if (reg.type != RegType::Stack) return type_mismatch(regno, reg, "fp");
      return std::nullopt;
    case ArgType::ConstStr: {
      if (reg.type != RegType::MapValue) return type_mismatch(regno, reg, "map_value");
      const isa::MapDef& m = s.ctx.prog.maps.at(static_cast<size_t>(reg.map_idx));
      if (!m.read_only) return reject(ErrorCode::HelperArgType, "R%d does not point to a readonly map'", regno);
      return std::nullopt;
    }
    case ArgType::SpinLock: {
      // process_spin_lock: a constant offset that is exactly the value's lock.
      if (reg.type != RegType::MapValue || reg.maybe_null) return type_mismatch(regno, reg, "map_value");
      const isa::MapDef& m = s.ctx.prog.maps.at(static_cast<size_t>(reg.map_idx));
      if (!reg.var.is_const())
        return reject(ErrorCode::HelperArgType,
                      "R%d doesn't have constant offset. bpf_spin_lock has to be at the constant offset", regno);
      if (m.spin_lock_off < 0 && m.btf_value_type_id == 0)
        return reject(ErrorCode::HelperArgType, "map '%s' has to have BTF in order to use bpf_spin_lock", m.name.c_str());
      if (m.spin_lock_off < 0)
        return reject(ErrorCode::HelperArgType, "map '%s' has no valid bpf_spin_lock", m.name.c_str());
      const int64_t off = static_cast<int64_t>(reg.var.const_value()) + reg.off;
      if (off != m.spin_lock_off)
        return reject(ErrorCode::HelperArgType, "off %lld doesn't point to 'struct bpf_spin_lock' that is at %d",
                      static_cast<long long>(off), m.spin_lock_off);
      return std::nullopt;
    }
    case ArgType::Timer:
    case ArgType::Kptr:
      if (reg.type != RegType::MapValue || reg.maybe_null) return type_mismatch(regno, reg, "map_value");
      return std::nullopt;
    case ArgType::DynptrPtr:  // the dynptr itself is checked by check_arg
      if (reg.type != RegType::Stack) return type_mismatch(regno, reg, "fp, dynptr_ptr");
      return std::nullopt;
    default:
      // BTF-typed kernel pointers: bpfvet tracks no BTF types, any non-scalar pointer passes.
      if (null_ok) return std::nullopt;
      if (!reg.is_ptr()) return type_mismatch(regno, reg, "ptr_");
      return std::nullopt;
  }
}

// Helpers that may move or resize packet data (the kernel's bpf_helper_changes_pkt_data):
// after a call every packet pointer is stale.
bool changes_packet_data(const HelperProto& h) {
  static constexpr std::string_view kNames[] = {
      "bpf_skb_store_bytes",   "bpf_l3_csum_replace",   "bpf_l4_csum_replace",  "bpf_clone_redirect",
      "bpf_skb_vlan_push",     "bpf_skb_vlan_pop",      "bpf_skb_change_proto", "bpf_skb_change_type",
      "bpf_skb_change_tail",   "bpf_skb_pull_data",     "bpf_skb_change_head",  "bpf_xdp_adjust_head",
      "bpf_skb_adjust_room",   "bpf_xdp_adjust_meta",   "bpf_msg_pull_data",    "bpf_xdp_adjust_tail",
      "bpf_lwt_push_encap",    "bpf_lwt_seg6_store_bytes", "bpf_lwt_seg6_adjust_srh", "bpf_lwt_seg6_action",
      "bpf_msg_push_data",     "bpf_msg_pop_data",      "bpf_store_hdr_opt",
  };
  for (std::string_view n : kNames)
    if (n == h.name) return true;
  return false;
}

// clear_all_pkt_pointers: packet pointers in every frame become unknown scalars.
void clear_packet_pointers(AbstractState& st, bool allow_ptr_leaks) {
  for (Frame& f : st.frames) {
    auto clear = [&](RegState& r) {
      if (is_pkt_pointer(r.type) || r.type == RegType::PacketEnd)
        r = allow_ptr_leaks ? RegState::unknown_scalar() : RegState::not_init();
    };
    for (RegState& r : f.regs) clear(r);
    for (StackSlot& slot : f.stack)
      if (slot.is_spill()) clear(slot.spilled);
  }
}

// Every copy of a released reference becomes unusable.
void release_reference(AbstractState& st, uint32_t ref, bool allow_ptr_leaks) {
  st.refs.erase(std::remove_if(st.refs.begin(), st.refs.end(), [&](const Reference& r) { return r.id == ref; }),
                st.refs.end());
  for (Frame& f : st.frames) {
    auto invalidate = [&](RegState& r) {
      if (r.ref_obj_id == ref) r = allow_ptr_leaks ? RegState::unknown_scalar() : RegState::not_init();
    };
    for (RegState& r : f.regs) invalidate(r);
    for (StackSlot& slot : f.stack)
      if (slot.is_spill()) invalidate(slot.spilled);
  }
}

}  // namespace

Check exec_helper_call(Step& s, const isa::Insn& in) {
  const int32_t id = in.imm;
  const HelperProto* h = isa::find_helper(id);
  // Id 0 (BPF_FUNC_unspec) is inside the kernel's enum but no program type offers it.
  if (id == 0) return reject(ErrorCode::HelperNotAllowed, "program of this type cannot use helper bpf_unspec#0");
  if (!h) return reject(ErrorCode::UnknownHelper, "invalid func unknown#%d", id);
  const isa::KernelProfile& kernel = s.ctx.rules.profile;
  if (!isa::helper_available(kernel, *h)) {
    Reject r = reject(ErrorCode::NotSupportedByKernel, "invalid func unknown#%d", id);
    r.details.push_back(isa::kernel_version_of_helper(*h));
    r.why = isa::kernel_version_of_helper(*h) + "; the chosen kernel is " + kernel.name + ".";
    return r;
  }
  if (!isa::helper_allowed(s.ctx.prog.type, id, kernel, s.ctx.rules.caps)) {
    Reject r = reject(ErrorCode::HelperNotAllowed, "program of this type cannot use helper %s#%d", h->name, id);
    const char* type = isa::prog_type_name(s.ctx.prog.type);
    if (auto since = isa::helper_allowed_since(s.ctx.prog.type, id, s.ctx.rules.caps);
        since && *since > kernel.version) {
      // The helper exists here but reached this program type only later.
      r.code = ErrorCode::NotSupportedByKernel;
      r.why = strprintf("%s programs may call %s since Linux %s; the chosen kernel is %s.", type, h->name,
                        since->str().c_str(), kernel.name.c_str());
      r.details.push_back(strprintf("%s is available to %s programs since Linux %s", h->name, type,
                                    since->str().c_str()));
    } else if (s.ctx.rules.caps != isa::Caps::Full &&
               isa::helper_allowed(s.ctx.prog.type, id, kernel, isa::Caps::Full)) {
      r.why = strprintf("%s needs %s, which this loader lacks.", h->name,
                        isa::helper_allowed(s.ctx.prog.type, id, kernel, isa::Caps::BpfOnly) ? "CAP_BPF"
                                                                                               : "CAP_PERFMON");
    }
    return r;
  }
  const std::string& lic = s.ctx.prog.license;
  bool gpl = lic == "GPL" || lic == "GPL v2" || lic == "GPL and additional rights" || lic == "Dual BSD/GPL" ||
             lic == "Dual MIT/GPL" || lic == "Dual MPL/GPL";
  if (h->gpl_only && !gpl)
    return reject(ErrorCode::GplOnlyHelper, "cannot call GPL-restricted function from non-GPL compatible program");

  constexpr int32_t kSpinLock = 93, kSpinUnlock = 94;
  if (s.st.active_lock && id != kSpinUnlock)
    return reject(ErrorCode::HelperNotAllowed, "function calls are not allowed while holding a lock");
  CallMeta meta;
  for (int i = 0; i < 5; ++i)
    if (auto r = check_arg(s, *h, i, meta)) return r;
  if (meta.map_idx >= 0) {
    const isa::MapDef& m = s.ctx.prog.maps.at(static_cast<size_t>(meta.map_idx));
    if (id == kTailCallId && m.type != isa::MapType::ProgArray)
      return reject(ErrorCode::InvalidMapOp, "expected prog array map for tail call");
    // may_update_sockmap: sockmap/sockhash updates only where no locked socket is in reach.
    const isa::ProgType t = s.ctx.prog.type;
    if ((m.type == isa::MapType::Sockmap || m.type == isa::MapType::Sockhash) &&
        (id == isa::fn::map_update_elem || id == isa::fn::map_delete_elem) && t != isa::ProgType::SocketFilter &&
        t != isa::ProgType::SchedCls && t != isa::ProgType::SchedAct && t != isa::ProgType::Xdp &&
        t != isa::ProgType::FlowDissector && !(t == isa::ProgType::SockOps && id == isa::fn::map_delete_elem))
      return reject(ErrorCode::InvalidMapOp, "cannot update sockmap in this context");
    if (!isa::map_helper_compatible(m.type, id))
      return reject(ErrorCode::InvalidMapOp, "cannot pass map_type %u into func %s#%d", static_cast<unsigned>(m.type),
                    h->name, id);
  }
  // check_resource_leak("tail_call"): a tail call never returns, so nothing may be held.
  if (id == kTailCallId && !s.st.refs.empty())
    return reject(ErrorCode::UnreleasedReference, "Unreleased reference id=%u alloc_insn=%lld", s.st.refs.front().id,
                  static_cast<long long>(s.st.refs.front().insn));
  if (meta.release_reg >= 0 && meta.release_ref) {
    invalidate_dynptr_slots(s.st, meta.release_ref);
    release_reference(s.st, meta.release_ref, s.ctx.rules.allow_ptr_leaks);
  }
  if (id == isa::fn::dynptr_from_mem && s.st.reg(1).type != RegType::MapValue)
    return reject(ErrorCode::HelperArgType, "Unsupported reg type %s for bpf_dynptr_from_mem data",
                  s.st.reg(1).type_string().c_str());

  if (id == kSpinLock) {
    if (s.st.active_lock) return reject(ErrorCode::HelperNotAllowed, "Locking two bpf_spin_locks are not allowed");
    s.st.active_lock = 1 + std::max(s.st.reg(1).map_idx, 0);
  } else if (id == kSpinUnlock) {
    if (!s.st.active_lock) return reject(ErrorCode::InvalidRelease, "bpf_spin_unlock without taking a lock");
    s.st.active_lock = 0;
  }
  for (int r = 1; r <= 5; ++r) s.st.reg(r) = RegState::not_init();
  if (changes_packet_data(*h)) clear_packet_pointers(s.st, s.ctx.rules.allow_ptr_leaks);
  RegState r0 = RegState::unknown_scalar();
  auto nullable = [&](RegState r, bool maybe_null) {
    r.maybe_null = maybe_null;
    if (maybe_null) r.id = s.ids.fresh();
    // An acquired reference gets its own id (the maybe-null id above is replaced, as in the kernel).
    if (h->acquires) r.id = s.ids.fresh();
    return r;
  };
  switch (h->ret) {
    case isa::RetType::Integer: break;
    case isa::RetType::Void: r0 = RegState::not_init(); break;
    case isa::RetType::MapValueOrNull:
    case isa::RetType::MapValue: {
      RegState v = RegState::pointer(RegType::MapValue);
      v.map_idx = meta.map_idx;
      bool maybe_null = h->ret == isa::RetType::MapValueOrNull;
      // 6.14+: an array lookup with a constant in-range key cannot fail.
      if (maybe_null && meta.map_idx >= 0 && meta.const_key && s.ctx.rules.profile.version >= isa::KernelVersion{6, 14}) {
        const isa::MapDef& m = s.ctx.prog.maps[static_cast<size_t>(meta.map_idx)];
        if ((m.type == isa::MapType::Array || m.type == isa::MapType::PercpuArray) && *meta.const_key < m.max_entries)
          maybe_null = false;
      }
      // A lookup in a map of maps yields the inner map (CONST_PTR_TO_MAP once null-checked).
      if (meta.map_idx >= 0) {
        const isa::MapDef& m = s.ctx.prog.maps[static_cast<size_t>(meta.map_idx)];
        if ((m.type == isa::MapType::ArrayOfMaps || m.type == isa::MapType::HashOfMaps) && m.inner_map >= 0) {
          v = RegState::pointer(RegType::ConstMapPtr);
          v.map_idx = m.inner_map;
        }
        // A sockmap/sockhash lookup returns a referenced socket (is_acquire_function).
        if (id == isa::fn::map_lookup_elem && (m.type == isa::MapType::Sockmap || m.type == isa::MapType::Sockhash)) {
          r0 = nullable(RegState::pointer(RegType::Sock), true);
          r0.map_idx = meta.map_idx;  // printed as map_value_or_null until null-checked
          r0.id = s.ids.fresh();
          r0.ref_obj_id = r0.id;
          s.st.refs.push_back(Reference{r0.id, s.pc});
          break;
        }
      }
      r0 = nullable(v, maybe_null);
      // A value that cannot be null but holds a bpf_spin_lock still gets an id (the lock's owner).
      if (!maybe_null && meta.map_idx >= 0 && s.ctx.prog.maps[static_cast<size_t>(meta.map_idx)].spin_lock_off >= 0)
        r0.id = s.ids.fresh();
      break;
    }
    case isa::RetType::SocketOrNull: r0 = nullable(RegState::pointer(RegType::Sock), true); break;
    case isa::RetType::TcpSockOrNull: r0 = nullable(RegState::pointer(RegType::TcpSock), true); break;
    case isa::RetType::SockCommonOrNull: r0 = nullable(RegState::pointer(RegType::SockCommon), true); break;
    case isa::RetType::AllocMemOrNull: {
      RegState m = RegState::pointer(RegType::Mem);
      m.ringbuf = true;
      m.mem_size = static_cast<uint32_t>(std::max<int64_t>(meta.mem_size, 0));
      r0 = nullable(m, true);
      break;
    }
    case isa::RetType::DynptrMemOrNull: {
      // A slice of the dynptr's data, released with the dynptr's reference.
      RegState m = RegState::pointer(RegType::Mem);
      m.mem_size = static_cast<uint32_t>(std::max<int64_t>(meta.mem_size, 0));
      m.ref_obj_id = meta.dynptr.ref_obj_id;
      m.dynptr_id = meta.dynptr.id;
      r0 = nullable(m, true);
      break;
    }
    default: break;  // BTF-typed returns: tracked as scalars
  }
  if (h->acquires && r0.is_ptr()) {
    r0.ref_obj_id = r0.id;
    s.st.refs.push_back(Reference{r0.id, s.pc});
  }
  s.st.reg(0) = r0;
  return std::nullopt;
}

Check check_mem_size_arg(Step& s, int regno, bool zero_ok, bool write) {
  return check_size_arg(s, regno, zero_ok, write);
}

void release_ref(AbstractState& st, uint32_t ref, bool allow_ptr_leaks) {
  invalidate_dynptr_slots(st, ref);
  release_reference(st, ref, allow_ptr_leaks);
}

}  // namespace bpfvet::verifier
