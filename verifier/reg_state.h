// Register state: what the verifier knows about one register on one path.
//
// A register is not initialized, a scalar (a Scalar value), or a pointer of one of the
// kernel's pointer types.  A pointer's address is base + off + var: `off` is the fixed
// offset the kernel keeps separately, `var` the variable part (a Scalar; constant 0
// for a pointer with a fixed offset only).  `id` ties copies together: copies of a
// maybe-NULL pointer become non-NULL (or the scalar 0) together at a null check,
// copies of a packet pointer share the range proven by a data_end comparison, copies
// of a scalar share bounds learned at a branch.  `ref_obj_id` names an acquired
// reference (ring buffer record, socket) that must be released before exit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "isa/program.h"
#include "verifier/scalar.h"

namespace bpfvet::verifier {

enum class RegType : uint8_t {
  NotInit,
  Scalar,
  Ctx,          // the program's context
  ConstMapPtr,  // from lddw map_fd/map_idx: the map itself
  MapValue,     // inside a map value (value_size bytes)
  MapKey,       // inside a map key (callbacks)
  Stack,        // frame pointer plus offset
  Packet,       // packet data (skb->data, xdp->data)
  PacketMeta,   // packet metadata
  PacketEnd,    // one past the packet's last byte: compare only
  Mem,          // a sized region (ring buffer record, helper-returned memory)
  Sock,
  SockCommon,
  TcpSock,
  XdpSock,
  Func,         // a callback function address
  FlowKeys,     // struct bpf_flow_keys (a flow dissector's skb->flow_keys)
  BtfId,        // a kernel struct described by BTF (PTR_TO_BTF_ID): btf_name, mem_size bytes
};

/// What a dynptr points into (the kernel's enum bpf_dynptr_type).
enum class DynptrKind : uint8_t { None, Local, Ringbuf, Skb, Xdp };
/// The kernel's dynptr_type_str: "local", "ringbuf", "skb", "xdp".
const char* dynptr_kind_name(DynptrKind k);

/// The kernel's name of a pointer type ("map_value", "pkt_end", "fp"...), without flags.
const char* reg_type_name(RegType t);
/// True for every type except NotInit and Scalar.
inline bool is_pointer(RegType t) { return t != RegType::NotInit && t != RegType::Scalar; }
/// Packet and packet-metadata pointers (which carry a proven range).
inline bool is_pkt_pointer(RegType t) { return t == RegType::Packet || t == RegType::PacketMeta; }

/// Special `range` values of a packet pointer, as the kernel's AT_PKT_END / BEYOND_PKT_END.
inline constexpr int32_t kAtPktEnd = -1;
inline constexpr int32_t kBeyondPktEnd = -2;

struct RegState {
  RegType type = RegType::NotInit;
  bool maybe_null = false;   // *_or_null: must be compared with 0 before use
  bool read_only = false;    // rdonly_ memory (read-only map values, rdonly mem)
  bool ringbuf = false;      // ringbuf_mem: a reserved ring buffer record
  int32_t off = 0;           // fixed offset of a pointer
  Scalar var = Scalar::constant(0);  // scalar value, or a pointer's variable offset
  uint32_t id = 0;
  uint32_t ref_obj_id = 0;
  int32_t range = 0;         // packet pointers: bytes proven readable from (base + off)
  int32_t map_idx = -1;      // ConstMapPtr / MapValue / MapKey: index in Program::maps
  uint32_t mem_size = 0;     // Mem: size of the region
  uint8_t frameno = 0;       // Stack: which frame's stack
  int32_t subprog = -1;      // Func: callback subprogram start
  // Dynptrs: in the spilled register of a SlotKind::Dynptr stack slot, the dynptr's kind
  // and whether this slot is its first (lower-address) one; `id` names the dynptr and
  // `ref_obj_id` its reference (ring buffer records).  In a Mem register, dynptr_id
  // names the dynptr the slice came from (bpf_dynptr_data).
  DynptrKind dynptr = DynptrKind::None;
  bool dynptr_first = false;
  uint32_t dynptr_id = 0;
  const char* btf_name = nullptr;  // BtfId: the struct's name (owned by the Program's kfuncs)

  static RegState not_init() { return RegState{}; }
  static RegState scalar(const Scalar& s) {
    RegState r;
    r.type = RegType::Scalar;
    r.var = s;
    return r;
  }
  static RegState unknown_scalar() { return scalar(Scalar::unknown()); }
  static RegState constant(uint64_t v) { return scalar(Scalar::constant(v)); }
  static RegState pointer(RegType t, int32_t off = 0) {
    RegState r;
    r.type = t;
    r.off = off;
    return r;
  }
  static RegState stack_ptr(uint8_t frame, int32_t off) {
    RegState r = pointer(RegType::Stack, off);
    r.frameno = frame;
    return r;
  }

  bool is_scalar() const { return type == RegType::Scalar; }
  bool is_ptr() const { return is_pointer(type); }
  bool is_const() const { return type == RegType::Scalar && var.is_const(); }
  bool is_null_const() const { return is_const() && var.const_value() == 0; }
  /// A pointer whose variable part is a known constant.
  bool has_const_offset() const { return var.is_const(); }

  /// The kernel's spelling of the type incl. prefix/suffix: "rdonly_mem_or_null", "map_value".
  std::string type_string() const;
  /// The kernel's print_reg_state text: "ctx()", "fp-8", "pkt(off=14,r=14)", "scalar(...)".
  /// `cur_frame` is the frame being printed (stack pointers of other frames show [N]).
  std::string to_string(const std::vector<isa::MapDef>& maps, uint8_t cur_frame) const;

  friend bool operator==(const RegState&, const RegState&) = default;
};

}  // namespace bpfvet::verifier
