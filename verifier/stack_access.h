// Stack memory of a frame: bounds, writes (spills), reads (fills).  Internal to the
// memory-access transfer functions.
#pragma once

#include "verifier/transfer.h"

namespace bpfvet::verifier {

/// Access [reg + off, reg + off + size) inside the 512-byte frame; `what` is the
/// kernel's " read from" / " write to" / " indirect access to".  `off` includes reg->off.
Check check_stack_bounds(const Step& s, int regno, int32_t off, int size, const char* what);

/// Store of `size` bytes at reg + off (off includes reg->off): `value` is the stored
/// register (null for an immediate store of `imm`); a scalar spill gives it an id when
/// it has none, as the kernel does, so the register and the slot stay linked.
Check stack_write(Step& s, int regno, int32_t off, int size, RegState* value, bool store_imm, int32_t imm);

/// Load of `size` bytes at reg + off into register `dst` (-1: only check readability).
Check stack_read(Step& s, int regno, int32_t off, int size, int dst, bool sign_extend);

}  // namespace bpfvet::verifier
