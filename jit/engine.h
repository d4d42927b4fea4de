// Engines: the interpreter, the JITs and the running kernel behind one interface.
//
// How it works: a RunRequest names the program (entry first, with the object it came
// from so tail calls can reach its other programs), whether the verifier accepted it
// (then the engine skips the checks the verifier proved), and the run input: packet
// bytes (--data), the raw memory buffer (--mem), context fields (--ctx) and initial map
// contents (--maps), already parsed into the plain structures below (JSON stays in
// cli/).  Every engine answers with a RunResult of the same shape: return value,
// packet out, map contents, output events (trace_printk text, ring buffer and perf
// records, redirects), timing.  Results of different engines are compared with
// compare_results(), which produces a readable diff.
//
// Adding an engine: the JIT backends provide `jit/x86_64/x86_64_engine.h` declaring
// `std::unique_ptr<bpfvet::jit::Engine> make_x86_64_engine();` (and the same for
// arm64 in `jit/arm64/arm64_engine.h`); engine_registry.cpp picks them up with
// __has_include, so no other file changes.  A JIT engine builds its Runtime (runtime.h)
// from the request and calls Runtime::call_helper for every helper call.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "isa/program.h"
#include "isa/result.h"

namespace bpfvet::verifier {
class VerifiedProgram;
}

namespace bpfvet::jit {

/// A key or value from --maps: raw bytes, or an integer to encode little-endian at the
/// map's key or value size (only 1, 2, 4 or 8 bytes wide).
struct MapBytes {
  std::vector<uint8_t> bytes;
  std::optional<uint64_t> integer;
};

/// One initial entry of a map.
struct MapEntryInput {
  MapBytes key;                    // absent (empty, no integer) for queue/stack
  MapBytes value;                  // value for every CPU of a per-CPU map, unless per_cpu
  std::vector<MapBytes> per_cpu;   // per-CPU maps: one value per simulated CPU
  std::string program;             // prog_array: the target program's name or section
};

/// Initial contents of one map, by its name in the program.
struct MapInput {
  std::string name;
  std::string type;  // optional: must match the program's definition when given
  std::vector<MapEntryInput> entries;
};

/// The current task get_current_* report.
struct TaskInput {
  uint32_t pid = 1000, tgid = 1000, uid = 0, gid = 0;
  std::string comm = "bpfvet";
};

/// Context fields from --ctx, flattened: {"regs": {"di": 1}} and {"di": 1} both give
/// field "di".  Which names are valid depends on the program type (ctx_field_names()).
struct CtxInput {
  std::vector<std::pair<std::string, uint64_t>> fields;
  std::vector<uint64_t> args;           // raw_tracepoint / lsm arguments
  std::optional<std::vector<uint8_t>> buffer;  // tracepoint: the raw record
  std::optional<TaskInput> task;
};

struct RunInput {
  isa::ProgType type = isa::ProgType::Unspec;  // the program's (already resolved) type
  std::vector<uint8_t> data;  // packet bytes (--data)
  std::optional<std::vector<uint8_t>> mem;  // --mem buffer (raw programs)
  CtxInput ctx;
  std::vector<MapInput> maps;
  uint64_t seed = 42;          // bpf_get_prandom_u32
  uint64_t clock_start_ns = 1'000'000'000;  // the mock clock before the first read
  uint64_t clock_step_ns = 1000;            // how far each bpf_ktime_get_*_ns read advances it
};

/// Something the program emitted besides its return value.
struct OutputEvent {
  std::string kind;   // "trace_printk", "ringbuf", "perf_event", "redirect"
  std::string map;    // ringbuf / perf_event / redirect_map: the map's name
  std::string text;   // trace_printk: the formatted line
  std::vector<uint8_t> data;  // ringbuf / perf_event record
  uint64_t target = 0;        // redirect: ifindex or map key
  uint64_t flags = 0;
  friend bool operator==(const OutputEvent&, const OutputEvent&) = default;
};

/// Map contents after the run.
struct MapSnapshot {
  std::string name;
  isa::MapType type = isa::MapType::Unspec;
  uint32_t key_size = 0, value_size = 0;
  /// key -> value; per-CPU maps hold every CPU's value concatenated (cpus values).
  std::vector<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>> entries;
  std::vector<std::vector<uint8_t>> values;  // queue/stack, front first
  uint32_t cpus = 1;
  friend bool operator==(const MapSnapshot&, const MapSnapshot&) = default;
};

struct RunResult {
  std::string engine;
  uint64_t retval = 0;
  std::vector<uint8_t> data_out;       // packet after the run (empty for non-packet programs)
  std::vector<uint8_t> mem_out;        // --mem buffer after the run (raw programs)
  std::vector<MapSnapshot> maps;
  std::vector<OutputEvent> output;
  uint64_t runs = 0;
  double ns_per_run = 0;
  std::optional<double> compile_us;    // JIT engines
  std::vector<std::string> notes;      // e.g. what an engine could not compare
  bool retval_32 = false;              // only the low 32 bits are known (BPF_PROG_TEST_RUN)
  bool output_ringbuf_only = false;    // only ring buffer records were captured
  // Deterministic cost of one run from the initial state (not compared between engines).
  std::optional<uint64_t> bpf_insns_per_run;  // BPF instructions executed (interpreter count)
  bool emulated = false;                      // ran on an emulated CPU (arm64 under unicorn)
  std::optional<uint64_t> a64_insns_per_run;  // arm64: A64 instructions executed
  std::optional<double> est_cycles_per_run;   // arm64: static estimate from LLVM MCA for mca_cpu
  std::string mca_cpu;                        // LLVM's name of the core estimated for
};

struct RunRequest {
  const isa::Program* program = nullptr;          // the entry program
  const isa::Object* object = nullptr;            // tail-call targets (may be null)
  const verifier::VerifiedProgram* verified = nullptr;  // null: --no-verify, check everything
  RunInput input;
  uint32_t repeat = 1;     // number of runs; maps persist across them, the packet does not
  bool bench = false;      // warm up first, report the median of batches in ns_per_run
};

/// One way to execute a program.
class Engine {
 public:
  virtual ~Engine() = default;
  /// "interp", "kernel", "x86_64", "arm64".
  virtual std::string name() const = 0;
  /// Ok when the engine can run here; otherwise why not ("kernel engine unavailable: ...").
  virtual Status available() const = 0;
  /// Runs the request.  An Error is a failed run: the program faulted (unverified mode),
  /// called an unsupported helper, or the input does not fit the program.
  virtual Result<RunResult> run(const RunRequest& req) = 0;
};

/// Every engine name the CLI accepts, in "all" order.
std::vector<std::string> engine_names();
/// The engine of that name; an engine that does not exist in this build is returned as
/// one whose available() explains it.  Error for an unknown name.
Result<std::unique_ptr<Engine>> make_engine(const std::string& name);

/// Lower-case hex of the bytes, no separators (diffs and descriptions of results).
std::string hex(const std::vector<uint8_t>& b);

/// Differences between two results (retval, packet out, maps, output), one line each,
/// "" when they agree.  Timing, costs and notes are not compared.
std::string compare_results(const RunResult& a, const RunResult& b);

/// Valid --ctx field names for the program type, comma-separated, for error messages.
std::string ctx_field_names(isa::ProgType type);

}  // namespace bpfvet::jit
