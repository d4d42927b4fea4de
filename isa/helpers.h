// The kernel's BPF helper functions: prototypes and per-program-type availability.
//
// How it works: one constexpr table (helper_table.cpp) holds an entry per
// `enum bpf_func_id` value, indexed by id, written from the kernel's uapi
// helper list and its `struct bpf_func_proto` definitions: what each argument
// must point to (ArgType plus the kernel's type modifiers: may be null, read-only,
// uninitialised, fixed size), what the call returns, whether it is GPL-only,
// whether it acquires or releases a reference, and the first kernel version that
// has it.  helper_allowed() mirrors the kernel's `*_func_proto()` switches per
// program type (the base set shared by all types, the tracing set, the
// networking sets, ...).  The verifier type-checks calls against these entries;
// the interpreter and JITs dispatch on the same ids (helper_ids.h names them).
//
// Conventions: a Mem/UninitMem argument without kArgFixedSize is always followed by
// its ConstSize/ConstSizeOrZero argument (the kernel's mem/size pairs); Long/Int
// and fixed-size Mem arguments carry their byte count in HelperArg::size.  The
// tests check every entry's shape, the ids and names against <linux/bpf.h> and
// libbpf, and the whitelists, gpl_only flags and first pointer argument against
// the running kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "isa/kernel_version.h"
#include "isa/prog_type.h"

namespace bpfvet::isa {

/// What a helper argument must be (the kernel's enum bpf_arg_type base types;
/// modifiers are ArgFlag bits).
enum class ArgType : uint8_t {
  None,                  // no such argument (ARG_DONTCARE)
  Anything,              // any initialised scalar or pointer (ARG_ANYTHING)
  ConstMapPtr,           // a map pointer from lddw (ARG_CONST_MAP_PTR)
  MapKey,                // pointer to key_size readable bytes (ARG_PTR_TO_MAP_KEY)
  MapValue,              // pointer to value_size readable bytes (ARG_PTR_TO_MAP_VALUE)
  UninitMapValue,        // pointer to value_size writable bytes (MAP_VALUE | MEM_UNINIT)
  Mem,                   // pointer to readable memory, size in the next arg (ARG_PTR_TO_MEM)
  UninitMem,             // pointer to writable memory the helper fills (PTR_TO_MEM | MEM_UNINIT)
  ConstSize,             // size of the preceding Mem arg, > 0 (ARG_CONST_SIZE)
  ConstSizeOrZero,       // same, 0 allowed (ARG_CONST_SIZE_OR_ZERO)
  Ctx,                   // the program's context pointer (ARG_PTR_TO_CTX)
  SocketCommon,          // pointer to a full or request/timewait socket (ARG_PTR_TO_SOCK_COMMON)
  Socket,                // pointer to a full socket (ARG_PTR_TO_SOCKET)
  BtfIdSocketCommon,     // sock_common pointer or BTF sock pointer (ARG_PTR_TO_BTF_ID_SOCK_COMMON)
  Func,                  // a callback function (ARG_PTR_TO_FUNC)
  StackOrNull,           // pointer to the stack or null (ARG_PTR_TO_STACK_OR_NULL)
  ConstStr,              // pointer into a read-only map holding a NUL-terminated string
  AllocMem,              // a ringbuf record from bpf_ringbuf_reserve (ARG_PTR_TO_RINGBUF_MEM)
  ConstAllocSizeOrZero,  // constant size of a new allocation (ARG_CONST_ALLOC_SIZE_OR_ZERO)
  Long,                  // pointer to 8 writable bytes (ARG_PTR_TO_LONG, now MEM|FIXED_SIZE)
  Int,                   // pointer to 4 writable bytes (ARG_PTR_TO_INT)
  SpinLock,              // pointer to a bpf_spin_lock inside a map value
  Timer,                 // pointer to a bpf_timer inside a map value
  BtfId,                 // a BTF-typed kernel pointer; HelperArg::btf names the struct
  PerCpuBtfId,           // a per-CPU kernel variable (ARG_PTR_TO_PERCPU_BTF_ID)
  Kptr,                  // a kptr field of a map value (ARG_KPTR_XCHG_DEST)
  DynptrPtr,             // pointer to a struct bpf_dynptr on the stack (ARG_PTR_TO_DYNPTR)
  Arena,                 // an arena pointer (ARG_PTR_TO_ARENA)
};

/// Modifier bits of a helper argument (the kernel's type flags).
enum ArgFlag : uint8_t {
  kArgMaybeNull = 1 << 0,      // PTR_MAYBE_NULL: null (the constant 0) is accepted
  kArgReadOnly = 1 << 1,       // MEM_RDONLY: the helper only reads it (read-only memory ok)
  kArgFixedSize = 1 << 2,      // MEM_FIXED_SIZE: size is HelperArg::size, no size argument
  kArgRelease = 1 << 3,        // OBJ_RELEASE: the call releases this reference
  kArgDynptrLocal = 1 << 4,    // DYNPTR_TYPE_LOCAL
  kArgDynptrRingbuf = 1 << 5,  // DYNPTR_TYPE_RINGBUF
  kArgUninit = 1 << 6,         // MEM_UNINIT on a dynptr: the helper initialises it
  kArgAligned = 1 << 7,        // MEM_ALIGNED: must be aligned to its size
};

/// One argument of a helper.
struct HelperArg {
  ArgType type = ArgType::None;
  uint8_t flags = 0;          // ArgFlag bits
  uint16_t size = 0;          // byte count when kArgFixedSize (Long: 8, Int: 4, ...)
  const char* btf = nullptr;  // struct name for BtfId ("task_struct", "sock", ...)

  bool maybe_null() const { return flags & kArgMaybeNull; }
  bool read_only() const { return flags & kArgReadOnly; }
  bool fixed_size() const { return flags & kArgFixedSize; }
  bool release() const { return flags & kArgRelease; }
  /// True for argument types that must be a pointer.
  bool is_pointer() const;
};

/// What a helper returns (the kernel's enum bpf_return_type).
enum class RetType : uint8_t {
  Integer,           // a scalar (RET_INTEGER)
  Void,              // nothing; r0 is unreadable afterwards (RET_VOID)
  MapValueOrNull,    // pointer to the map's value or null (RET_PTR_TO_MAP_VALUE_OR_NULL)
  MapValue,          // pointer to a map value, never null (bpf_this_cpu_ptr-like map lookups)
  SocketOrNull,      // struct bpf_sock * or null
  TcpSockOrNull,     // struct bpf_tcp_sock * or null
  SockCommonOrNull,  // struct bpf_sock * (maybe request/timewait) or null
  AllocMemOrNull,    // new memory of the size in args[ret_size_arg], or null (ringbuf reserve)
  MemOrBtfIdOrNull,  // per-CPU variable pointer or null (bpf_per_cpu_ptr)
  MemOrBtfId,        // per-CPU variable pointer (bpf_this_cpu_ptr)
  BtfIdOrNull,       // BTF-typed pointer (ret_btf) or null
  PtrToBtfId,        // BTF-typed pointer (ret_btf), never null
  DynptrMemOrNull,   // dynptr data slice of args[ret_size_arg] bytes, or null
};

/// Program-type families the kernel's func_proto switches share.
enum class HelperGroup : uint8_t {
  Base,     // bpf_base_func_proto: every program type
  Tracing,  // bpf_tracing_func_proto: kprobe, tracepoint, perf_event, raw_tp, tracing, lsm
  Net,      // skb/xdp/socket program helpers
  Cgroup,   // cgroup program helpers
  Special,  // anything else (one or two program types)
};

/// The prototype of one helper.
struct HelperProto {
  int32_t id = 0;              // enum bpf_func_id value (BPF_FUNC_map_lookup_elem = 1)
  const char* name = nullptr;  // "bpf_map_lookup_elem"
  RetType ret = RetType::Integer;
  HelperArg args[5] = {};
  bool gpl_only = false;          // needs a GPL-compatible license
  bool pkt_access = false;        // accepts packet pointers for Mem args
  bool might_sleep = false;       // only for sleepable programs
  bool acquires = false;          // the returned pointer is a reference to release
  int8_t releases = -1;           // index of the argument released, -1 for none
  int8_t ret_size_arg = -1;       // AllocMem/DynptrMem returns: argument holding the size
  const char* ret_btf = nullptr;  // struct name for BtfId returns
  KernelVersion since;            // first release with the helper
  HelperGroup group = HelperGroup::Special;

  /// Number of leading non-None arguments.
  int nargs() const;
  /// Name without the "bpf_" prefix ("map_lookup_elem").
  std::string_view short_name() const;
};

/// Highest helper id in the table (inclusive).
int32_t max_helper_id();
/// The helper with that id, or null if unknown (0 and ids past the table).
const HelperProto* find_helper(int32_t id);
/// The helper called "bpf_map_lookup_elem" or "map_lookup_elem", or null.
const HelperProto* find_helper(std::string_view name);
/// Every helper, ordered by id (ids 1..max_helper_id()).
std::span<const HelperProto> all_helpers();

/// Whether a program of that type may call the helper, following the kernel's
/// `*_func_proto()` for that type as of the latest kernel (use
/// helper_available() for older releases).  `privileged` = loaded with
/// CAP_BPF/CAP_PERFMON; several base helpers need it.
bool helper_allowed(ProgType type, int32_t id, bool privileged = true);
/// The same question for an older release: the helper must exist there, and the
/// whitelist changes since then are undone (see helpers.cpp: the base set's history
/// from 5.8 to 6.12, socket storage for BTF tracing/LSM in 5.11, ...).
bool helper_allowed(ProgType type, int32_t id, const KernelProfile& kernel, bool privileged = true);
/// The same with the loader's capabilities: CAP_BPF alone opens the base set's
/// second tier (loops, timers, spin locks, dynptrs) but not the CAP_PERFMON one
/// (trace_printk, probe_read_kernel, get_current_task, the socket casts).
bool helper_allowed(ProgType type, int32_t id, const KernelProfile& kernel, Caps caps);
/// The first release in which a program of that type, loaded with `caps`, may call
/// the helper; nullopt when no release up to the latest allows it.
std::optional<KernelVersion> helper_allowed_since(ProgType type, int32_t id, Caps caps);
/// Whether the helper's (mem, size) argument pair at `mem_arg` may point to packet data.
bool helper_accepts_packet(const HelperProto& h, int mem_arg);

const char* arg_type_name(ArgType t);
const char* ret_type_name(RetType t);

}  // namespace bpfvet::isa
