// CodeBuffer: the architecture-neutral byte buffer every JIT backend emits into.
//
// How it works: a backend appends bytes and asks for Labels (positions not known
// yet).  A branch to an unbound label reserves its displacement field and records a
// Fixup (where the field is, how wide, and which position the displacement is
// relative to); bind() fixes a label at the current offset, and resolve() patches
// every recorded field once all labels are bound, failing (never truncating) when a
// displacement does not fit its field.  Fixup kinds are the relocation forms the
// backends need: x86-64's rel8/rel32 (PC-relative to the end of the instruction) and
// ARM64's word-scaled imm26/imm19 branch fields.  Knows nothing of eBPF or of any
// instruction set beyond how to patch those fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "isa/result.h"

namespace bpfvet::jit {

/// A position in a CodeBuffer, bound once.
struct Label {
  uint32_t id = UINT32_MAX;
  bool valid() const { return id != UINT32_MAX; }
};

/// How a displacement field is patched.
enum class FixupKind : uint8_t {
  Rel8,     // x86: signed byte, target - anchor
  Rel32,    // x86: signed 32-bit little-endian, target - anchor
  Arm26,    // arm64 B/BL: imm26 in bits 0..25, (target - anchor) / 4
  Arm19,    // arm64 B.cond/CBZ: imm19 in bits 5..23, (target - anchor) / 4
};

class CodeBuffer {
 public:
  /// A new, unbound label.
  Label new_label();
  /// Binds `l` at the current offset.  Binding a label twice is a backend bug (asserted).
  void bind(Label l);
  bool is_bound(Label l) const { return l.valid() && l.id < labels_.size() && labels_[l.id] >= 0; }
  /// Offset of a bound label.
  size_t offset_of(Label l) const { return static_cast<size_t>(labels_[l.id]); }

  void emit8(uint8_t b) { bytes_.push_back(b); }
  void emit16(uint16_t v);
  void emit32(uint32_t v);
  void emit64(uint64_t v);
  void emit(std::span<const uint8_t> b) { bytes_.insert(bytes_.end(), b.begin(), b.end()); }

  /// Records that the field at `field` (already emitted) holds a displacement to `l`,
  /// measured from `anchor` (x86: the end of the instruction; arm64: the instruction).
  void add_fixup(Label l, FixupKind kind, size_t field, size_t anchor);
  /// Patches every fixup.  Error naming the label when one is unbound or a
  /// displacement does not fit its field.
  Status resolve();

  size_t size() const { return bytes_.size(); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  /// Overwrites 4 bytes at `at` (little-endian).
  void patch32(size_t at, uint32_t v);

 private:
  struct Fixup {
    Label label;
    FixupKind kind;
    size_t field;
    size_t anchor;
  };
  std::vector<uint8_t> bytes_;
  std::vector<int64_t> labels_;  // -1 while unbound
  std::vector<Fixup> fixups_;
};

}  // namespace bpfvet::jit
