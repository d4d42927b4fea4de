// Loads, stores and atomics: which pointer types may be dereferenced, and the bounds of
// each memory region (kernel: check_mem_access, check_map_access, check_packet_access,
// check_ctx_access, check_mem_region_access).
#include <cinttypes>
#include <algorithm>
#include <cstring>

#include "isa/context.h"
#include "isa/lsm_hooks.h"
#include "isa/maps.h"
#include "verifier/stack_access.h"
#include "verifier/transfer.h"

namespace bpfvet::verifier {

using isa::Insn;

namespace {

constexpr int64_t kMaxVarOff = int64_t{1} << 29;

// A tnum in messages: a constant prints as its value, anything else as (value; mask).
std::string tnum_text(const Tnum& t) { return t.is_const() ? std::to_string(static_cast<int64_t>(t.value)) : t.to_string(); }

// __check_mem_access: one end of an access inside [0, mem_size).
Check mem_bounds(const RegState& reg, int regno, int64_t off, int size, uint32_t mem_size, bool zero_ok) {
  bool size_ok = zero_ok ? size >= 0 : size > 0;
  if (off >= 0 && size_ok && static_cast<uint64_t>(off) + size <= mem_size) return std::nullopt;
  switch (reg.type) {
    case RegType::MapKey:
      return reject(ErrorCode::MapValueOutOfBounds, "invalid access to map key, key_size=%u off=%lld size=%d", mem_size,
                    static_cast<long long>(off), size);
    case RegType::MapValue: {
      Reject r = reject(ErrorCode::MapValueOutOfBounds, "invalid access to map value, value_size=%u off=%lld size=%d",
                        mem_size, static_cast<long long>(off), size);
      r.reg = regno;
      r.why = strprintf("The access through r%d may touch bytes %lld..%lld of the map value, which has only %u bytes "
                        "(offsets 0..%lld).",
                        regno, static_cast<long long>(off), static_cast<long long>(off + size - 1), mem_size,
                        static_cast<long long>(mem_size) - 1);
      return r;
    }
    case RegType::Packet:
    case RegType::PacketMeta:
    case RegType::PacketEnd: {
      Reject r = reject(ErrorCode::PacketOutOfBounds, "invalid access to packet, off=%lld size=%d, R%d(id=%u,off=%lld,r=%u)",
                        static_cast<long long>(off), size, regno, reg.id, static_cast<long long>(off), mem_size);
      r.reg = regno;
      r.why = mem_size == 0
                  ? strprintf("The program reads %d byte(s) at packet offset %lld through r%d, but no comparison with "
                              "data_end on this path proves that any packet byte exists.",
                              size, static_cast<long long>(off), regno)
                  : strprintf("The program reads %d byte(s) at packet offset %lld through r%d, but the comparison with "
                              "data_end on this path only proves %u byte(s) (offsets 0..%u).",
                              size, static_cast<long long>(off), regno, mem_size, mem_size - 1);
      return r;
    }
    default:
      return reject(ErrorCode::MemOutOfBounds, "invalid access to memory, mem_size=%u off=%lld size=%d", mem_size,
                    static_cast<long long>(off), size);
  }
}

// check_mem_region_access: both ends of a variable-offset access inside the region.
Check region_access(const RegState& reg, int regno, int64_t off, int size, uint32_t mem_size, bool zero_ok) {
  const Scalar& v = reg.var;
  if (v.smin < 0 && (v.smin == INT64_MIN || off + v.smin != static_cast<int32_t>(off + v.smin) || v.smin + off < 0)) {
    Reject r = reject(ErrorCode::MapValueOutOfBounds,
                      "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno);
    if (reg.type == RegType::Mem) r.code = ErrorCode::MemOutOfBounds;
    return r;
  }
  if (auto r = mem_bounds(reg, regno, v.smin + off, size, mem_size, zero_ok)) {
    r->details.push_back(strprintf("R%d min value is outside of the allowed memory range", regno));
    return r;
  }
  if (v.umax >= static_cast<uint64_t>(kMaxVarOff))
    return reject(ErrorCode::UnboundedAccess, "R%d unbounded memory access, make sure to bounds check any such access",
                  regno);
  if (auto r = mem_bounds(reg, regno, static_cast<int64_t>(v.umax) + off, size, mem_size, zero_ok)) {
    r->details.push_back(strprintf("R%d max value is outside of the allowed memory range", regno));
    return r;
  }
  return std::nullopt;
}

Check packet_access(const Step& s, const RegState& reg, int regno, int64_t off, int size) {
  (void)s;
  if (reg.var.smin < 0)
    return reject(ErrorCode::PacketOutOfBounds,
                  "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno);
  Check err;
  if (reg.range < 0)
    err = reject(ErrorCode::PacketOutOfBounds, "R%d offset is outside of the packet", regno);
  else
    err = mem_bounds(reg, regno, off, size, static_cast<uint32_t>(reg.range), false);
  if (err) {
    if (reg.range >= 0) err->details.push_back(strprintf("R%d offset is outside of the packet", regno));
    return err;
  }
  return std::nullopt;
}

bool is_pointer_value(const Step& s, const RegState& r) { return r.is_ptr() && !s.ctx.rules.allow_ptr_leaks; }

// A load from a frozen read-only map (.rodata) at a constant offset reads the actual bytes.
std::optional<uint64_t> direct_map_read(const isa::MapDef& m, int64_t off, int size) {
  if (!m.read_only || !m.global_data || off < 0 || static_cast<uint64_t>(off) + size > m.initial.size()) return std::nullopt;
  uint64_t v = 0;
  std::memcpy(&v, m.initial.data() + off, static_cast<size_t>(size));
  return v;
}

Check ctx_access(Step& s, const RegState& reg, int regno, int64_t off, int size, bool write, int value_reg) {
  if (!reg.var.is_const())
    return reject(ErrorCode::CtxAccess, "variable ctx access var_off=%s disallowed", reg.var.var_off.to_string().c_str());
  if (reg.off != 0)
    return reject(ErrorCode::CtxAccess, "dereference of modified ctx ptr R%d off=%d disallowed", regno, reg.off);
  const isa::ProgType type = s.ctx.prog.type;
  // The section name gives the expected attach type, which some types' field rules
  // depend on (cgroup_sock post_bind4/6, cgroup_sock_addr by address family).
  const isa::AttachType attach = isa::attach_type_from_section(s.ctx.prog.section);
  const isa::CtxField* f =
      off < 0 ? nullptr : isa::find_ctx_field(type, attach, static_cast<uint32_t>(off), static_cast<uint32_t>(size));
  bool ok = f && (write ? f->write_ok(static_cast<uint32_t>(off), static_cast<uint32_t>(size))
                        : f->read_ok(static_cast<uint32_t>(off), static_cast<uint32_t>(size)));
  if (!ok) return reject(ErrorCode::CtxAccess, "invalid bpf_context access off=%lld size=%d", static_cast<long long>(off), size);
  if (type == isa::ProgType::Lsm) {
    // The hook's arguments, then (int and bool hooks) the previous program's return
    // value, whose range the kernel knows (btf_ctx_access: is_retval).
    const std::string_view name = isa::lsm_hook_of_section(s.ctx.prog.section);
    if (const std::optional<isa::LsmHook> hook = isa::find_lsm_hook(name)) {
      const int64_t arg = off / 8;
      if (arg > hook->nargs) {
        Reject r = reject(ErrorCode::CtxAccess, "invalid bpf_context access off=%lld size=%d",
                          static_cast<long long>(off), size);
        r.details.insert(r.details.begin(), strprintf("func 'bpf_lsm_%s' doesn't have %lld-th argument", hook->name,
                                                      static_cast<long long>(arg)));
        return r;
      }
      const bool cgroup = isa::section_base_name(s.ctx.prog.section).starts_with("lsm_cgroup/");
      if (arg == hook->nargs && !write && value_reg >= 0 && hook->ret != isa::LsmRet::Void) {
        const auto range = isa::lsm_return_range(*hook, cgroup);
        s.st.reg(value_reg) = RegState::scalar(Scalar::srange(range->first, range->second));
        return std::nullopt;
      }
    }
  }
  if (write || value_reg < 0) return std::nullopt;
  RegState& dst = s.st.reg(value_reg);
  switch (f->yields) {
    case isa::CtxYield::PacketData: dst = RegState::pointer(RegType::Packet); break;
    case isa::CtxYield::PacketEnd: dst = RegState::pointer(RegType::PacketEnd); break;
    case isa::CtxYield::PacketMeta: dst = RegState::pointer(RegType::PacketMeta); break;
    case isa::CtxYield::SocketCommonOrNull:
      dst = RegState::pointer(RegType::SockCommon);
      dst.maybe_null = true;
      dst.id = s.ids.fresh();
      break;
    case isa::CtxYield::SocketOrNull:
      dst = RegState::pointer(RegType::Sock);
      dst.maybe_null = true;
      dst.id = s.ids.fresh();
      break;
    case isa::CtxYield::Socket: dst = RegState::pointer(RegType::Sock); break;
    case isa::CtxYield::FlowKeys: dst = RegState::pointer(RegType::FlowKeys); break;
    default: dst = RegState::unknown_scalar(); break;
  }
  return std::nullopt;
}

}  // namespace

Scalar coerce_to_size(const Scalar& v, uint8_t size, bool sign_extend) {
  if (size >= 8) return v;
  if (sign_extend) {
    Insn mov = isa::make::mov_sx(true, 0, 1, static_cast<uint8_t>(size * 8));
    return scalar_alu(mov, Scalar::unknown(), v);
  }
  if (size == 4) {
    Scalar r = v;
    r.zext32();
    return r;
  }
  Insn mask = isa::make::alu_imm(isa::AluOp::And, true, 0, size == 1 ? 0xff : 0xffff);
  return scalar_alu(mask, v, Scalar::constant(size == 1 ? 0xff : 0xffff));
}

Check check_map_value_region(const Step& s, int regno, const RegState& reg, int64_t off, int size) {
  const isa::MapDef& m = s.ctx.prog.maps.at(static_cast<size_t>(reg.map_idx));
  return region_access(reg, regno, off, size, isa::map_value_size(m), false);
}

constexpr int64_t kFlowKeysSize = 56;  // sizeof(struct bpf_flow_keys)

Check check_mem_access(Step& s, int regno, int32_t insn_off, int size, bool write, int value_reg, bool sign_extend) {
  const RegState reg = s.st.reg(regno);
  RegState* value = value_reg >= 0 ? &s.st.reg(value_reg) : nullptr;  // a spill may give it an id
  if (reg.type == RegType::Stack && size > 1) {
    // The stack is always accessed with strict alignment (spill tracking depends on it).
    Tnum addr = tnum_add(reg.var.var_off, Tnum::constant(static_cast<uint64_t>(static_cast<int64_t>(reg.off) + insn_off)));
    if (!tnum_is_aligned(addr, static_cast<uint64_t>(size)))
      return reject(ErrorCode::MisalignedAccess, "misaligned stack access off %s+%d+%d size %d",
                    tnum_text(reg.var.var_off).c_str(), reg.off, insn_off, size);
  }
  int64_t off = static_cast<int64_t>(insn_off) + reg.off;
  bool read_into = !write && value_reg >= 0;
  if (reg.maybe_null && reg.type != RegType::NotInit)
    return reject(ErrorCode::NullPointerDeref, "R%d invalid mem access '%s'", regno, reg.type_string().c_str());
  switch (reg.type) {
    case RegType::MapValue: {
      const isa::MapDef& m = s.ctx.prog.maps.at(static_cast<size_t>(reg.map_idx));
      uint32_t vs = isa::map_value_size(m);
      if (write && value && is_pointer_value(s, *value))
        return reject(ErrorCode::PointerLeak, "R%d leaks addr into map", value_reg);
      if (write && (!isa::map_prog_can_write(m) || reg.read_only))
        return reject(ErrorCode::ReadOnlyMemory, "write into map forbidden, value_size=%u off=%lld size=%d", vs,
                      static_cast<long long>(off), size);
      if (!write && !isa::map_prog_can_read(m))
        return reject(ErrorCode::WriteOnlyMemory, "read from map forbidden, value_size=%u off=%lld size=%d", vs,
                      static_cast<long long>(off), size);
      if (auto r = region_access(reg, regno, off, size, vs, false)) return r;
      // No load or store may touch any byte of the value's bpf_spin_lock.
      if (m.spin_lock_off >= 0 && reg.var.smin + off < m.spin_lock_off + 4 &&
          m.spin_lock_off < static_cast<int64_t>(reg.var.umax) + off + size)
        return reject(ErrorCode::InvalidMemAccess, "bpf_spin_lock cannot be accessed directly by load/store");
      if (read_into) {
        std::optional<uint64_t> known;
        if (reg.var.is_const()) known = direct_map_read(m, off + static_cast<int64_t>(reg.var.const_value()), size);
        s.st.reg(value_reg) = known ? RegState::constant(*known) : RegState::unknown_scalar();
      }
      break;
    }
    case RegType::MapKey: {
      const isa::MapDef& m = s.ctx.prog.maps.at(static_cast<size_t>(reg.map_idx));
      if (write) return reject(ErrorCode::ReadOnlyMemory, "write to change key R%d not allowed", regno);
      if (auto r = region_access(reg, regno, off, size, m.key_size, false)) return r;
      if (read_into) s.st.reg(value_reg) = RegState::unknown_scalar();
      break;
    }
    case RegType::Mem: {
      if (write && reg.read_only)
        return reject(ErrorCode::ReadOnlyMemory, "R%d cannot write into %s", regno, reg.type_string().c_str());
      if (write && value && is_pointer_value(s, *value))
        return reject(ErrorCode::PointerLeak, "R%d leaks addr into mem", value_reg);
      if (auto r = region_access(reg, regno, off, size, reg.mem_size, false)) return r;
      if (read_into) s.st.reg(value_reg) = RegState::unknown_scalar();
      break;
    }
    case RegType::Ctx: {
      if (write && value && is_pointer_value(s, *value))
        return reject(ErrorCode::PointerLeak, "R%d leaks addr into ctx", value_reg);
      if (auto r = ctx_access(s, reg, regno, off, size, write, value_reg)) return r;
      break;
    }
    case RegType::Stack: {
      if (auto r = check_stack_bounds(s, regno, static_cast<int32_t>(off), size, write ? " write to" : " read from"))
        return r;
      if (write) {
        if (auto r = stack_write(s, regno, static_cast<int32_t>(off), size, value, false, 0)) return r;
      } else {
        if (auto r = stack_read(s, regno, static_cast<int32_t>(off), size, value_reg, sign_extend)) return r;
      }
      break;
    }
    case RegType::Packet:
    case RegType::PacketMeta: {
      const auto& info = isa::prog_type_info(s.ctx.prog.type);
      if (write && !info.packet_writable) return reject(ErrorCode::ReadOnlyMemory, "cannot write into packet");
      if (write && value && is_pointer_value(s, *value))
        return reject(ErrorCode::PointerLeak, "R%d leaks addr into packet", value_reg);
      if (auto r = packet_access(s, reg, regno, off, size)) return r;
      if (read_into) s.st.reg(value_reg) = RegState::unknown_scalar();
      break;
    }
    case RegType::FlowKeys: {
      // The kernel checks only the constant offset against sizeof(struct bpf_flow_keys).
      if (write && value && is_pointer_value(s, *value))
        return reject(ErrorCode::PointerLeak, "R%d leaks addr into flow keys", value_reg);
      if (off < 0 || off + size > kFlowKeysSize)
        return reject(ErrorCode::InvalidMemAccess, "invalid access to flow keys off=%lld size=%d",
                      static_cast<long long>(off), size);
      if (read_into) s.st.reg(value_reg) = RegState::unknown_scalar();
      break;
    }
    case RegType::Sock:
    case RegType::SockCommon:
    case RegType::TcpSock:
    case RegType::XdpSock: {
      if (write) return reject(ErrorCode::ReadOnlyMemory, "R%d cannot write into %s", regno, reg.type_string().c_str());
      if (off < 0 || !reg.var.is_const())
        return reject(ErrorCode::InvalidMemAccess, "R%d invalid %s access off=%lld size=%d", regno,
                      reg.type_string().c_str(), static_cast<long long>(off), size);
      if (read_into) s.st.reg(value_reg) = RegState::unknown_scalar();
      break;
    }
    case RegType::BtfId: {
      // check_ptr_to_btf_access: reads inside the struct (fields come back as scalars here).
      const char* name = reg.btf_name ? reg.btf_name : "";
      if (write) return reject(ErrorCode::ReadOnlyMemory, "only read is supported");
      if (off < 0)
        return reject(ErrorCode::InvalidMemAccess, "R%d is ptr_%s invalid negative access: off=%lld", regno, name,
                      static_cast<long long>(off));
      if (!reg.var.is_const())
        return reject(ErrorCode::InvalidMemAccess, "R%d is ptr_%s invalid variable offset: off=%lld, var_off=%s",
                      regno, name, static_cast<long long>(off), tnum_text(reg.var.var_off).c_str());
      if (off + size > reg.mem_size)
        return reject(ErrorCode::InvalidMemAccess, "access beyond struct %s at off %lld size %d", name,
                      static_cast<long long>(off), size);
      if (read_into) s.st.reg(value_reg) = RegState::unknown_scalar();
      break;
    }
    default: {
      Reject r = reject(reg.type == RegType::Scalar ? ErrorCode::InvalidMemAccess : ErrorCode::InvalidMemAccess,
                        "R%d invalid mem access '%s'", regno, reg.type_string().c_str());
      r.reg = regno;
      return r;
    }
  }
  if (read_into && size < kRegSize && s.st.reg(value_reg).is_scalar()) {
    RegState& d = s.st.reg(value_reg);
    d.var = coerce_to_size(d.var, static_cast<uint8_t>(size), sign_extend);
    // A zero-extending load keeps a fill's link (the fill already dropped it unless the
    // value fits the loaded width, so the truncation changes nothing); a sign-extending
    // one may change the value, so it never keeps it.
    if (sign_extend && !d.var.is_const()) d.id = 0;
  }
  return std::nullopt;
}

Check exec_load(Step& s, const Insn& in) {
  if (auto r = check_reg_read(s, in.src)) return r;
  if (auto r = check_reg_write(in.dst)) return r;
  return check_mem_access(s, in.src, in.off, in.size, false, in.dst, in.sign_extend);
}

Check exec_store(Step& s, const Insn& in) {
  if (in.kind == isa::Kind::StoreReg) {
    if (auto r = check_reg_read(s, in.src)) return r;
    if (auto r = check_reg_read(s, in.dst)) return r;
    return check_mem_access(s, in.dst, in.off, in.size, true, in.src, false);
  }
  if (auto r = check_reg_read(s, in.dst)) return r;
  const RegState reg = s.st.reg(in.dst);
  if (reg.type == RegType::Stack) {
    // Immediate stores to the stack keep the constant (a spill of a known scalar).
    if (reg.maybe_null)
      return reject(ErrorCode::NullPointerDeref, "R%d invalid mem access '%s'", in.dst, reg.type_string().c_str());
    if (in.size > 1) {
      Tnum addr = tnum_add(reg.var.var_off, Tnum::constant(static_cast<uint64_t>(static_cast<int64_t>(reg.off) + in.off)));
      if (!tnum_is_aligned(addr, in.size))
        return reject(ErrorCode::MisalignedAccess, "misaligned stack access off %s+%d+%d size %d",
                      tnum_text(reg.var.var_off).c_str(), reg.off, in.off, in.size);
    }
    int32_t off = in.off + reg.off;
    if (auto r = check_stack_bounds(s, in.dst, off, in.size, " write to")) return r;
    return stack_write(s, in.dst, off, in.size, nullptr, true, in.imm);
  }
  return check_mem_access(s, in.dst, in.off, in.size, true, -1, false);
}

// Atomics are checked with strict alignment whatever the platform (the kernel's
// strict_alignment_once).  The stack always is, in check_mem_access; packet pointers
// never reach here (atomics on them are refused first).  The kernel names the pointer
// kind only for an exact type (a maybe-null pointer is just "access").
Check check_atomic_alignment(const Step& s, int regno, int32_t insn_off, int size) {
  const RegState& reg = s.st.reg(regno);
  if (size <= 1 || reg.type == RegType::Stack || is_pkt_pointer(reg.type)) return std::nullopt;
  const char* desc = "";
  if (!reg.maybe_null) {
    switch (reg.type) {
      case RegType::MapValue: desc = "value "; break;
      case RegType::MapKey: desc = "key "; break;
      case RegType::Ctx: desc = "context "; break;
      case RegType::Sock: desc = "sock "; break;
      case RegType::SockCommon: desc = "sock_common "; break;
      case RegType::TcpSock: desc = "tcp_sock "; break;
      case RegType::XdpSock: desc = "xdp_sock "; break;
      default: break;
    }
  }
  const Tnum addr = tnum_add(reg.var.var_off, Tnum::constant(static_cast<uint64_t>(static_cast<int64_t>(reg.off) + insn_off)));
  if (tnum_is_aligned(addr, static_cast<uint64_t>(size))) return std::nullopt;
  return reject(ErrorCode::MisalignedAccess, "misaligned %saccess off %s+%d+%d size %d", desc,
                tnum_text(reg.var.var_off).c_str(), reg.off, insn_off, size);
}

Check exec_atomic(Step& s, const Insn& in) {
  if (in.atomic == isa::AtomicOp::LoadAcquire || in.atomic == isa::AtomicOp::StoreRelease) {
    if (auto r = check_reg_read(s, in.atomic == isa::AtomicOp::LoadAcquire ? in.src : in.dst)) return r;
    if (auto r = check_atomic_alignment(s, in.atomic == isa::AtomicOp::LoadAcquire ? in.src : in.dst, in.off, in.size))
      return r;
  }
  if (in.atomic == isa::AtomicOp::LoadAcquire) return exec_load(s, in);
  if (in.atomic == isa::AtomicOp::StoreRelease) {
    if (auto r = check_reg_read(s, in.src)) return r;
    if (auto r = check_reg_read(s, in.dst)) return r;
    return check_mem_access(s, in.dst, in.off, in.size, true, in.src, false);
  }
  if (auto r = check_reg_read(s, in.src)) return r;
  if (auto r = check_reg_read(s, in.dst)) return r;
  if (in.atomic == isa::AtomicOp::CmpXchg)
    if (auto r = check_reg_read(s, 0)) return r;
  if (s.st.reg(in.src).is_ptr() && !s.ctx.rules.allow_ptr_leaks)
    return reject(ErrorCode::PointerLeak, "R%d leaks addr into mem", in.src);
  const RegState& dst = s.st.reg(in.dst);
  if (dst.type == RegType::Ctx || is_pkt_pointer(dst.type) || dst.type == RegType::Sock ||
      dst.type == RegType::SockCommon || dst.type == RegType::TcpSock || dst.type == RegType::XdpSock)
    return reject(ErrorCode::InvalidMemAccess, "BPF_ATOMIC stores into R%d %s is not allowed", in.dst,
                  dst.type_string().c_str());
  int load_reg = -1;
  if (in.atomic == isa::AtomicOp::CmpXchg) load_reg = 0;
  else if (isa::atomic_op_fetches(in.atomic)) load_reg = in.src;
  if (load_reg >= 0)
    if (auto r = check_reg_write(load_reg)) return r;
  if (auto r = check_atomic_alignment(s, in.dst, in.off, in.size)) return r;
  // Read first (into the fetch register, or just checked), then write.
  if (auto r = check_mem_access(s, in.dst, in.off, in.size, false, load_reg, false)) return r;
  if (load_reg >= 0 && s.st.reg(load_reg).is_ptr()) {
    if (!s.ctx.rules.allow_ptr_leaks) return reject(ErrorCode::PointerLeak, "R%d leaks addr into mem", load_reg);
  }
  if (auto r = check_mem_access(s, in.dst, in.off, in.size, true, -1, false)) return r;
  return std::nullopt;
}

Check exec_ld_imm64(Step& s, const Insn& in) {
  if (auto r = check_reg_write(in.dst)) return r;
  RegState& dst = s.st.reg(in.dst);
  const auto& maps = s.ctx.prog.maps;
  switch (in.pseudo) {
    case isa::Pseudo::Imm: dst = RegState::constant(in.imm64); return std::nullopt;
    case isa::Pseudo::MapFd:
    case isa::Pseudo::MapIdx:
    case isa::Pseudo::MapValue:
    case isa::Pseudo::MapIdxValue: {
      int32_t idx = in.imm;
      if (idx < 0 || static_cast<size_t>(idx) >= maps.size())
        return reject(ErrorCode::InvalidInsn, "fd %d is not pointing to valid bpf_map", idx);
      bool value = in.pseudo == isa::Pseudo::MapValue || in.pseudo == isa::Pseudo::MapIdxValue;
      if (!value) {
        dst = RegState::pointer(RegType::ConstMapPtr);
        dst.map_idx = idx;
        return std::nullopt;
      }
      const isa::MapDef& m = maps[static_cast<size_t>(idx)];
      int64_t off = static_cast<int64_t>(in.imm64 >> 32);
      // The kernel resolves the address before the walk (map_direct_value_addr): an
      // array only gives one when it has a single element.
      const bool single = m.type != isa::MapType::Array || m.max_entries == 1;
      if (!single || off < 0 || static_cast<uint64_t>(off) >= std::max<uint32_t>(isa::map_value_size(m), 1))
        return reject(ErrorCode::MapValueOutOfBounds, "invalid access to map value pointer, value_size=%u off=%lld",
                      isa::map_value_size(m), static_cast<long long>(off));
      dst = RegState::pointer(RegType::MapValue, static_cast<int32_t>(off));
      dst.map_idx = idx;
      return std::nullopt;
    }
    case isa::Pseudo::Func: {
      dst = RegState::pointer(RegType::Func);
      dst.subprog = static_cast<int32_t>(s.pc + 1 + in.imm);
      return std::nullopt;
    }
    case isa::Pseudo::BtfId:
      dst = RegState::unknown_scalar();
      return std::nullopt;
  }
  return std::nullopt;
}

Check exec_ld_abs(Step& s, const Insn& in) {
  const auto& info = isa::prog_type_info(s.ctx.prog.type);
  if (!info.ld_abs) return reject(ErrorCode::InvalidInsn, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
  if (auto r = check_reg_read(s, 6)) return r;
  if (in.kind == isa::Kind::LdInd)
    if (auto r = check_reg_read(s, in.src)) return r;
  if (s.st.reg(6).type != RegType::Ctx) return reject(ErrorCode::InvalidInsn, "at the time of BPF_LD_ABS|IND R6 != pointer to skb");
  if (!s.st.refs.empty())
    return reject(ErrorCode::UnreleasedReference, "BPF_LD_[ABS|IND] cannot be mixed with socket references");
  for (int r = 1; r <= 5; ++r) s.st.reg(r) = RegState::not_init();
  s.st.reg(0) = RegState::scalar(coerce_to_size(Scalar::unknown(), in.size, false));
  return std::nullopt;
}

}  // namespace bpfvet::verifier
