// Small shared pieces of the mock helper implementations (helpers_*.cpp): guest
// address to host pointer, negated errno return values, the output event cap, and
// HelperOps, through which each file enters its helpers into helper_table().
#pragma once

#include <cstddef>
#include <cstdint>

#include "jit/runtime.h"

namespace bpfvet::jit {

namespace helper_util {

/// Most output events (trace lines, records, redirects) one session keeps.
inline constexpr size_t kMaxOutputEvents = 4096;
/// The host pointer of a guest address (guest memory is mapped 1:1).
inline uint8_t* ptr(uint64_t a) { return reinterpret_cast<uint8_t*>(a); }
/// A helper's return value for errno `e`: -e as the u64 in r0.
inline uint64_t neg(int64_t e) { return static_cast<uint64_t>(-e); }

}  // namespace helper_util

/// The helper implementations, a friend of Runtime: each add_* enters the helpers of
/// one file into `table` (indexed by helper id, kHelperTableSize entries) as captureless
/// lambdas, which share the friendship of the function they are written in.
struct HelperOps {
  /// Fails naming the current helper: "unsupported helper NAME (id N) in the mock runtime".
  static uint64_t unsupported(Runtime& rt, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
  /// Maps, clocks, random numbers, task fields, probes, ring buffers (helpers_impl.cpp).
  static void add_core(HelperImpl* table);
  /// Packet access, checksums, redirects, XDP adjustments, printk, perf output, bpf_loop
  /// (helpers_packet.cpp).
  static void add_packet(HelperImpl* table);
  /// Socket program helpers (helpers_sock.cpp).
  static void add_sock(HelperImpl* table);
  /// Dynptr helpers: from_mem, ringbuf reserve/submit/discard_dynptr, read/write/data
  /// (helpers_dynptr.cpp).
  static void add_dynptr(HelperImpl* table);
};

}  // namespace bpfvet::jit
