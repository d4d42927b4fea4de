// Runtime: the mock kernel a program runs against, shared by every in-process engine.
//
// How it works: create() builds, from a RunRequest, the guest memory of one session:
// the call stack (16 frames of 512 bytes), the mock context and packet (context.h),
// one MockMap per map definition of the program filled from --maps (maps.h), the
// handles that stand for map pointers, and a mock task_struct.  Engines set r1/r2
// from it, resolve 64-bit immediate loads through it, call call_helper() for every
// helper call, and end with collect().  A helper that cannot proceed (unsupported,
// bad pointer argument) records an error; the engine checks failed() after the call
// and stops.  Nothing here is global: several runtimes may live at once.
//
// Helper calls are one indexed call: helper_table() maps every helper id to its own
// implementation once, and names are looked up only to word an error.  A session is
// trusted when the verifier accepted every program it can run (the entry program and
// every tail-call target) on a mocked context: the verifier proved their pointer
// arguments, so helpers skip the region checks; otherwise (--no-verify, unmocked
// contexts) every pointer argument is checked against the region table.
//
// begin_run() restores only what a run can have changed: the stack bytes the last run
// reached, and the context, packet and --mem buffer unless a scan of the trusted
// session's code shows it cannot write them (every store based on r10, no helper that
// writes memory outside the stack).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "jit/context.h"
#include "jit/engine.h"
#include "jit/maps.h"
#include "jit/memory.h"

namespace bpfvet::jit {

inline constexpr uint32_t kStackFrameSize = 512;
inline constexpr uint32_t kMaxFrames = 16;        // 8 bpf-to-bpf frames plus callbacks
inline constexpr uint32_t kMaxTailCalls = 33;     // MAX_TAIL_CALL_CNT
inline constexpr uint32_t kSimulatedCpus = 2;

class Runtime;

/// One helper's implementation: r1..r5 in, r0 out; it calls Runtime::fail when it
/// cannot proceed.
using HelperImpl = uint64_t (*)(Runtime&, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5);
/// Ids below this index helper_table(); the rest are unsupported.
inline constexpr uint32_t kHelperTableSize = 256;
/// The implementation of every helper id below kHelperTableSize, built once; ids the
/// runtime does not simulate map to one that fails naming the helper.
const HelperImpl* helper_table();

class Runtime {
 public:
  /// Builds the session for `req`: validates map definitions, applies --maps and
  /// --ctx, resolves prog_array targets among the object's programs.
  static Result<std::unique_ptr<Runtime>> create(const RunRequest& req);

  /// Restores context, packet and stack before one run; maps persist.
  void begin_run();
  /// Engines report the deepest call frame a run used, so begin_run() zeroes only those.
  void note_frame_used(uint32_t frame) { frames_used_ = std::max(frames_used_, frame + 1); }
  uint64_t r1() const { return ctx_->r1(); }
  uint64_t r2() const { return ctx_->r2(); }
  /// Frame pointer (r10) of call depth `frame` (0 = entry function).
  uint64_t frame_pointer(uint32_t frame) const {
    return stack_->addr() + uint64_t(kMaxFrames - frame) * kStackFrameSize;
  }
  /// Value of a 64-bit immediate load: the constant, a map handle, or a map value
  /// address.  Func and BTF pseudo sources are the engine's business (Error here).
  Result<uint64_t> ld_imm64(const isa::Insn& insn) const;
  /// Runs helper `id` on r1..r5; returns r0.  On failure sets error() and returns 0.
  uint64_t call_helper(int32_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5) {
    helper_id_ = id;
    return helpers_[static_cast<uint32_t>(id) < kHelperTableSize ? id : 0](*this, r1, r2, r3, r4, r5);
  }
  /// True when the verifier accepted every program of the session (see the top).
  bool trusted() const { return trusted_; }
  /// Whether tail-call target `prog` passed the verifier (checked once at create()).
  bool target_verified(const isa::Program& prog) const;
  /// A plain function for generated code: args points at r1..r5.  Same as call_helper.
  static uint64_t helper_entry(Runtime* rt, int32_t id, const uint64_t* args) {
    return rt->call_helper(id, args[0], args[1], args[2], args[3], args[4]);
  }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  void fail(std::string msg) {
    if (error_.empty()) error_ = std::move(msg);
  }
  /// Clears a failure (between runs of a session).
  void clear_error() { error_.clear(); }

  /// The program a tail call through `map_handle`[index] reaches, or null (empty slot,
  /// not a prog array, out of range).
  const isa::Program* tail_call_target(uint64_t map_handle, uint64_t index) const {
    const int64_t slot = tail_call_slot(map_handle, index);
    return slot < 0 ? nullptr : tail_targets_[static_cast<size_t>(slot)];
  }
  /// The same as an index into the session's tail-call targets (stable for the session,
  /// so engines can cache what they compiled per target), or -1.
  int64_t tail_call_slot(uint64_t map_handle, uint64_t index) const;
  /// The program of target index `slot` (from tail_call_slot).
  const isa::Program& tail_target(size_t slot) const { return *tail_targets_[slot]; }
  /// Entry program of the session.
  const isa::Program& program() const { return *program_; }

  /// Calls a BPF callback (bpf_loop, for_each_map_elem): the engine installs this.
  /// Arguments: the callback value loaded by lddw (Pseudo::Func), r1..r4.
  std::function<uint64_t(uint64_t fn, uint64_t, uint64_t, uint64_t, uint64_t)> invoke_callback;

  const RegionTable& regions() const { return regions_; }
  RegionTable& regions() { return regions_; }
  MockContext& context() { return *ctx_; }
  /// The handle (map pointer value) of map `idx` of the program.
  uint64_t map_handle(size_t idx) const { return handles_->addr() + idx * 16; }
  /// The map a handle stands for, or null.
  MockMap* map_of(uint64_t handle) const;
  uint32_t current_cpu() const { return 0; }

  /// Packet, memory, maps and output after the run(s).
  RunResult collect(uint64_t retval) const;

 private:
  friend struct HelperOps;
  Runtime() = default;
  Status load_maps(const RunRequest& req);
  /// True when [addr, addr+size) is accessible (writable when `write`) or the session
  /// is trusted; otherwise records an error naming `helper` (null: the helper being
  /// called) and the argument.
  bool check_arg(uint64_t addr, uint64_t size, bool write, const char* helper, int arg) {
    return trusted_ || size == 0 || regions_.check(addr, size, write) || bad_arg(addr, size, write, helper, arg);
  }
  /// check_arg's error: records it, returns false.
  bool bad_arg(uint64_t addr, uint64_t size, bool write, const char* helper, int arg);
  uint64_t helper_map(int32_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4);
  uint64_t helper_trace(int32_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5);
  /// Socket program helpers (helpers_sock.cpp): sockmap updates, redirects, sk_msg edits.
  uint64_t helper_sock(int32_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4);
  /// The mock socket's cookie (bpf_get_socket_cookie, the value sockmap updates store).
  static constexpr uint64_t socket_cookie() { return 0x1000 + 1; }
  uint64_t helper_ringbuf(int32_t id, uint64_t r1, uint64_t r2, uint64_t r3);
  std::string format_printk(uint64_t fmt, uint64_t size, const uint64_t* args, int nargs);
  uint64_t probe_read(uint64_t dst, uint64_t size, uint64_t src, bool str);

  const isa::Program* program_ = nullptr;
  std::vector<const isa::Program*> tail_targets_;
  std::vector<bool> target_verified_;  // per tail_targets_ entry
  const HelperImpl* helpers_ = helper_table();
  int32_t helper_id_ = 0;  // the helper being called, for error messages
  bool trusted_ = false;
  RegionTable regions_;
  std::unique_ptr<LowBlock> stack_, handles_, task_;
  std::unique_ptr<MockContext> ctx_;
  std::vector<std::unique_ptr<MockMap>> maps_;  // indexed like Program::maps
  std::vector<OutputEvent> output_;
  uint64_t clock_ns_ = 0;
  uint64_t clock_step_ = 0;
  uint64_t rng_ = 0;
  uint64_t seed_ = 42;
  TaskInput task_info_;
  std::string error_;
  uint32_t frames_used_ = kMaxFrames;
  uint32_t frame0_clear_ = kStackFrameSize;  // bytes of frame 0 begin_run() zeroes
};

/// "bpf_map_lookup_elem" for an id (or "helper #N" when unknown).
std::string helper_name(int32_t id);
/// The same without allocating ("unknown helper" when unknown), for the per-call paths.
const char* helper_cname(int32_t id);

}  // namespace bpfvet::jit
