// Program types as the verifier sees them: context layout, access rules, return values.
//
// How it works: every ProgType has one ProgTypeInfo built once from the facts of
// the kernel's `*_is_valid_access()` and `*_convert_ctx_access()` functions for
// its context struct (`__sk_buff`, `xdp_md`, `pt_regs`, `bpf_sock`, ...).  The
// context is a list of CtxFields; an access is legal when it falls inside one
// field, with an allowed size (narrow loads of a wider field included, at an
// offset aligned to the access size), and the field is readable or writable as
// needed.  A field's `yields` says what a load produces (a scalar, the packet
// start/end/meta pointers, a socket pointer, ...).  Types whose context is an
// opaque buffer (kprobe's pt_regs, tracepoint records, raw_tracepoint args) are
// one read-only region field that accepts any aligned access.  The return value
// range is the one the kernel's check_return_code() enforces (when ret_checked);
// return_range() refines it by section name for attach-specific rules.  Where the
// kernel's field rules depend on the expected attach type (cgroup_sock: sock_create
// and sock_release vs post_bind4/6; cgroup_sock_addr: the address family and
// sendmsg), ctx_fields()/find_ctx_field() take an AttachType (from the section name,
// attach_type_from_section()) and give that attach type's view; without one the
// table assumes cgroup_sock = sock_create, cgroup_sock_addr = connect4/6 (both
// address families).  xdp is modelled as not a devmap program.  The tests compare every offset with the UAPI structs and every
// (offset, size, read/write) with what the running kernel accepts.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "isa/prog_type.h"

namespace bpfvet::isa {

/// What loading a context field yields.
enum class CtxYield : uint8_t {
  Scalar,              // an integer
  PacketData,          // pointer to the first packet byte (PTR_TO_PACKET)
  PacketEnd,           // pointer one past the last packet byte (PTR_TO_PACKET_END)
  PacketMeta,          // pointer to the XDP/tc metadata area (PTR_TO_PACKET_META)
  SocketCommonOrNull,  // struct bpf_sock * (full or not) or null (__sk_buff->sk)
  SocketOrNull,        // full socket or null (bpf_sock_ops->sk, bpf_sock_addr->sk)
  Socket,              // full socket, never null (sk_msg_md->sk, bpf_sk_lookup->sk)
  FlowKeys,            // struct bpf_flow_keys * (flow dissector's __sk_buff->flow_keys)
  BtfArg,              // a BTF-typed raw/LSM argument (scalar or trusted pointer per BTF)
};

/// Access-size bits for CtxField::read_sizes / write_sizes.
enum CtxSize : uint8_t { kCtxB = 1, kCtxH = 2, kCtxW = 4, kCtxDW = 8 };

/// One field (or array of same-typed elements) of a context struct.
struct CtxField {
  const char* name = nullptr;  // "data", "cb", "remote_ip6"
  uint16_t offset = 0;         // byte offset in the context struct
  uint16_t size = 0;           // total bytes covered (array: count * elem_size)
  uint8_t elem_size = 0;       // natural size of one element (4 for cb[5], 8 for args[])
  bool readable = false;
  bool writable = false;
  uint8_t read_sizes = 0;   // CtxSize bits of the loads allowed (narrow ones included)
  uint8_t write_sizes = 0;  // CtxSize bits of the stores allowed
  CtxYield yields = CtxYield::Scalar;
  bool narrow_at_start = false;  // narrow loads only at `offset` (the kernel matches the
                                 // field's first byte, not its range)

  /// Whether a read of `size` bytes at `offset` (absolute) is allowed.
  bool read_ok(uint32_t offset, uint32_t size) const;
  /// Whether a store of `size` bytes at `offset` (absolute) is allowed.
  bool write_ok(uint32_t offset, uint32_t size) const;
};

/// Everything the verifier and the runtime need to know about a program type.
struct ProgTypeInfo {
  ProgType type = ProgType::Unspec;
  uint32_t kernel_type = 0;     // BPF_PROG_TYPE_* value
  const char* ctx_struct = "";  // "__sk_buff", "xdp_md", "pt_regs", ...
  uint32_t ctx_size = 0;        // sizeof the context struct as seen by the program
  std::span<const CtxField> fields;
  bool ret_checked = false;  // check_return_code() enforces [ret_min, ret_max]
  int64_t ret_min = 0;
  int64_t ret_max = 0;
  bool has_packet = false;            // the context leads to packet data (data/data_end)
  bool direct_packet_access = false;  // loads through packet pointers allowed
  bool packet_writable = false;       // stores through packet pointers allowed
  bool ld_abs = false;                // legacy LD_ABS/LD_IND allowed (skb-based types)
  bool ctx_any_offset = false;        // context is an opaque buffer (pt_regs, tracepoint)
  bool unpriv_loadable = false;       // an unprivileged user may load it (socket filter, cgroup skb)
};

/// The facts of a program type; Unspec and Raw get an empty context.
const ProgTypeInfo& prog_type_info(ProgType t);
/// The field that contains the access [offset, offset+size), or null if none.
/// Says nothing about permission; use CtxField::read_ok / write_ok.
const CtxField* find_ctx_field(ProgType t, uint32_t offset, uint32_t size);
/// The fields of `t` as a program loaded with expected attach type `a` sees them;
/// ProgTypeInfo::fields when `a` is Default or belongs to another program type.
std::span<const CtxField> ctx_fields(ProgType t, AttachType a);
/// Like find_ctx_field(t, offset, size), for attach type `a` (see ctx_fields).
const CtxField* find_ctx_field(ProgType t, AttachType a, uint32_t offset, uint32_t size);
/// The field called `name`, or null.
const CtxField* find_ctx_field(ProgType t, const char* name);
const char* ctx_yield_name(CtxYield y);

/// A return-value rule of check_return_code().
struct ReturnRange {
  bool checked = false;
  int64_t min = 0;
  int64_t max = 0;
};
/// The return range for the attach type an ELF section name implies, where it
/// differs from the program type's default: cgroup_skb/egress [0, 3] (congestion
/// notification bits), cgroup/bind4|6 [0, 3], cgroup/recvmsg*, getpeername*,
/// getsockname* exactly 1.  Otherwise the ProgTypeInfo range.
ReturnRange return_range(ProgType t, std::string_view section);

}  // namespace bpfvet::isa
