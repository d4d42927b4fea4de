// Kernel functions (kfuncs) a BPF program calls through `extern ... __ksym` declarations.
//
// How it works: libbpf resolves each extern function against the kernel's BTF (the
// running kernel's, or --btf) to the BTF id of its FUNC type; the call instruction gets
// src_reg BPF_PSEUDO_KFUNC_CALL and that id as imm.  The loader does the same and keeps,
// per program, a KfuncProto for each kfunc it may call: the id, the name and the BTF
// prototype boiled down to what the verifier checks (scalar, constant (`__k`) or size
// (`__sz`) parameters, memory, struct pointers, dynptrs; the return type).  What BTF
// does not say (the kernel's KF_* flags and which program types may call a kfunc, both
// registered by kernel code) comes from a table (kfuncs.cpp) of the commonly used
// kfuncs, written from the kernel's BTF_ID_FLAGS lists and checked by loading programs
// into the running kernel.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "isa/prog_type.h"
#include "isa/result.h"

namespace bpfvet::isa {

class Btf;

/// The kernel's KF_* flags (include/linux/btf.h values).
enum KfuncFlag : uint32_t {
  kKfAcquire = 1u << 0,      // returns a reference to release
  kKfRelease = 1u << 1,      // releases its (first) pointer argument
  kKfRetNull = 1u << 2,      // the returned pointer may be NULL
  kKfTrustedArgs = 1u << 4,  // pointer arguments must be trusted
  kKfSleepable = 1u << 5,    // sleepable programs only
  kKfDestructive = 1u << 6,  // needs CAP_SYS_BOOT
  kKfRcu = 1u << 7,          // pointer arguments may be RCU-protected
  kKfIterNew = 1u << 8,      // open-coded iterator constructor
  kKfIterNext = 1u << 9,
  kKfIterDestroy = 1u << 10,
  kKfRcuProtected = 1u << 11,  // only inside an RCU read section
};

/// Which kernel kfunc id set a kfunc is registered in (which program types may call it).
enum class KfuncSet : uint8_t {
  Common,   // common_kfunc_set: every program type
  Generic,  // generic_kfunc_set: tracing-like programs, TC, XDP, syscall, struct_ops
  Cpumask,  // cpumask_kfunc_set: tracing-like programs, syscall, struct_ops
  Skb,      // bpf_kfunc_set_skb: TC, socket filters, cgroup skb, LWT, netfilter...
  Xdp,      // bpf_kfunc_set_xdp: XDP
};

/// What the kernel registers about one kfunc.
struct KfuncInfo {
  const char* name = nullptr;
  uint32_t flags = 0;  // KfuncFlag bits
  KfuncSet set = KfuncSet::Common;
};

/// The registered facts of a kfunc, or null when the table does not know it.
const KfuncInfo* find_kfunc(std::string_view name);
/// Every kfunc of the table.
std::vector<KfuncInfo> all_kfuncs();
/// Whether a program of that type may call the kfunc (the kernel's per-hook id sets,
/// as of the latest kernel).
bool kfunc_allowed(ProgType type, const KfuncInfo& k);

/// How the verifier treats one kfunc parameter or return value.
enum class KfuncArgKind : uint8_t {
  Void,       // return only: no value
  Scalar,     // an integer (enum, bool, int)
  Const,      // a parameter named `*__k`: a known constant
  Size,       // a parameter named `*__sz` / `*__szk`: the size of the preceding Mem
  Mem,        // pointer to void/integers/arrays: memory of the following Size bytes
  Struct,     // pointer to a kernel struct (PTR_TO_BTF_ID); `type_name` names it
  Dynptr,     // pointer to struct bpf_dynptr (a dynptr on the stack)
  Iter,       // pointer to struct bpf_iter_*: an open-coded iterator on the stack
  Other,      // anything else (function pointers, pointers to pointers)
};

/// One parameter (or the return value) of a kfunc's BTF prototype.
struct KfuncArg {
  KfuncArgKind kind = KfuncArgKind::Scalar;
  std::string name;        // the parameter's name in the kernel ("pid", "buffer__szk")
  std::string type_name;   // Struct: the struct's name ("task_struct"); Iter: "bpf_iter_num"
  uint32_t size = 0;       // Struct: sizeof the struct; Scalar: bytes; Mem returns: pointee size
  bool const_size = false; // Size: `__szk` (must be a known constant)
  /// Struct: the structs nested at offset 0 through first members (bpf_cpumask holds a
  /// cpumask first), which the kernel accepts where a pointer to those is expected.
  std::vector<std::string> embeds;
};

/// A kfunc as a program calls it: its BTF id in the target kernel and its prototype.
struct KfuncProto {
  int32_t btf_id = 0;
  std::string name;
  std::vector<KfuncArg> params;
  KfuncArg ret;
};

/// The prototype of kernel function `name` in `kernel_btf` (a FUNC of that name);
/// Error when there is none.
Result<KfuncProto> kfunc_proto_from_btf(const Btf& kernel_btf, std::string_view name);

}  // namespace bpfvet::isa
