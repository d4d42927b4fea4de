// Small shared pieces of the mock helper implementations (helpers_*.cpp): guest
// address to host pointer, negated errno return values, the output event cap.
#pragma once

#include <cstddef>
#include <cstdint>

namespace bpfvet::jit::helper_util {

/// Most output events (trace lines, records, redirects) one session keeps.
inline constexpr size_t kMaxOutputEvents = 4096;
/// The host pointer of a guest address (guest memory is mapped 1:1).
inline uint8_t* ptr(uint64_t a) { return reinterpret_cast<uint8_t*>(a); }
/// A helper's return value for errno `e`: -e as the u64 in r0.
inline uint64_t neg(int64_t e) { return static_cast<uint64_t>(-e); }

}  // namespace bpfvet::jit::helper_util
