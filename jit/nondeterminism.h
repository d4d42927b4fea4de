// Nondeterministic parts of a run: what a program derived from the clock, random
// numbers or the current task, which the kernel does not share with the mock runtime.
//
// How it works: the mock runtime's clock (bpf_ktime_get_*_ns, bpf_jiffies64), random
// numbers (bpf_get_prandom_u32) and task (bpf_get_current_pid_tgid) are deterministic,
// so the in-process engines must agree on them exactly; the kernel's are not.  To find
// what depends on them, the interpreter runs the request three times: as given, and
// twice with the mock clock started at other 64-bit values and advancing by other
// steps (RunInput::clock_start_ns / clock_step_ns), other task ids and other random
// seeds, chosen so that every byte differs.  Every part of the result that is not the same
// in all three runs (the return value, packet or --mem bytes, map value bytes, map
// entries whose key varies, output records) depends on them; it is left out when a
// kernel result is compared (strip()), and describe() says what was left out.  The
// clock steps differ too, so values built from clock differences (durations) are
// found as well as timestamps.
#pragma once

#include <string>
#include <vector>

#include "isa/program.h"
#include "jit/engine.h"

namespace bpfvet::jit {

/// The parts of a result that changed between runs with different clocks, seeds and
/// tasks (see the top).
struct VolatileParts {
  /// The helpers of the program (and its tail-call targets) that make results vary,
  /// e.g. {"bpf_ktime_get_ns"}; empty when it calls none (then nothing varies).
  std::vector<std::string> helpers;
  bool retval = false;
  std::vector<bool> data_out, mem_out;  // per byte: true = varies
  struct Map {
    std::string name;
    std::vector<std::pair<std::vector<uint8_t>, std::vector<bool>>> values;  // key -> varying value bytes
    bool keys_vary = false;  // entries appeared under different keys: only stable_keys compare
    std::vector<std::vector<uint8_t>> stable_keys;  // keys present in every run (when keys_vary)
    bool queued_vary = false;  // queue/stack contents differ
  };
  std::vector<Map> maps;  // only maps with a varying part
  struct Event {
    std::string kind;      // OutputEvent::kind
    size_t ordinal = 0;    // among the events of that kind
    bool text = false;     // the text varies
    std::vector<bool> data;  // varying data bytes (all, when the size varies)
  };
  std::vector<Event> events;   // only events with a varying part
  bool output_count = false;   // the number of output events varies: no output compares

  /// True when nothing varies.
  bool empty() const;
  /// One line per part left out, e.g. "map 'rate_by_src' key 0a000001: value bytes 0-7".
  std::vector<std::string> describe() const;
};

/// The nondeterministic helpers `prog` or the other programs of `object` (tail-call
/// targets; may be null) call, by name, in helper-id order, each once.
std::vector<std::string> nondeterministic_helpers(const isa::Program& prog, const isa::Object* object);

/// Runs `req` three times on the interpreter (see the top) and reports what varies.
/// Programs calling no nondeterministic helper are not run: nothing varies.  Error when
/// the interpreter cannot run the request.
Result<VolatileParts> find_volatile_parts(const RunRequest& req);

/// `r` with the varying parts blanked (bytes zeroed, the return value 0, entries under
/// varying keys and, when their number varies, all output events dropped), so that two
/// results compare on the rest with compare_results().
RunResult strip(const RunResult& r, const VolatileParts& v);

}  // namespace bpfvet::jit
