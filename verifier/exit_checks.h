// Checks at program exit and after exploration: references released, r0 initialized
// and inside the program type's return range, the combined stack of call chains.
#pragma once

#include <optional>
#include <vector>

#include "verifier/transfer.h"

namespace bpfvet::verifier {

/// Bytes of the buffer a `raw` program receives in r1 (bpfvet's own program type).
inline constexpr uint32_t kRawMemSize = 65536;

/// The range the entry function's return value must lie in (checked as a 32-bit signed
/// value when `ret32`), or nothing when any value is allowed.
struct RetRange {
  int64_t lo = 0;
  int64_t hi = 0;
  bool ret32 = false;
};
std::optional<RetRange> exit_ret_range(const VerifierContext& ctx);

/// BPF_EXIT of the entry function (kernel: check_reference_leak + check_return_code).
Check check_main_exit(Step& s);

/// BPF_EXIT of a callback (bpf_loop, bpf_for_each_map_elem...): r0 in the range the
/// calling helper accepts, as the kernel's "At callback return" check.
Check check_callback_exit(Step& s);

/// Stack of every call chain, each frame rounded up to 32 bytes, within 512 bytes
/// (kernel: check_max_stack_depth).  `depth` is per subprogram.
Check check_combined_stack(const VerifierContext& ctx, const std::vector<uint32_t>& depth);

}  // namespace bpfvet::verifier
