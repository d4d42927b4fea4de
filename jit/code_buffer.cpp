// CodeBuffer: labels and fixups (see code_buffer.h).
#include "jit/code_buffer.h"

#include <cassert>

namespace bpfvet::jit {

Label CodeBuffer::new_label() {
  labels_.push_back(-1);
  return Label{static_cast<uint32_t>(labels_.size() - 1)};
}

void CodeBuffer::bind(Label l) {
  assert(l.valid() && l.id < labels_.size() && labels_[l.id] < 0);
  labels_[l.id] = static_cast<int64_t>(bytes_.size());
}

void CodeBuffer::emit16(uint16_t v) {
  emit8(static_cast<uint8_t>(v));
  emit8(static_cast<uint8_t>(v >> 8));
}

void CodeBuffer::emit32(uint32_t v) {
  for (int i = 0; i < 4; ++i) emit8(static_cast<uint8_t>(v >> (8 * i)));
}

void CodeBuffer::emit64(uint64_t v) {
  for (int i = 0; i < 8; ++i) emit8(static_cast<uint8_t>(v >> (8 * i)));
}

void CodeBuffer::patch32(size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes_[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

void CodeBuffer::add_fixup(Label l, FixupKind kind, size_t field, size_t anchor) {
  fixups_.push_back(Fixup{l, kind, field, anchor});
}

Status CodeBuffer::resolve() {
  for (const Fixup& f : fixups_) {
    if (!is_bound(f.label)) return Error{"code buffer: label " + std::to_string(f.label.id) + " is never bound"};
    const int64_t d = static_cast<int64_t>(offset_of(f.label)) - static_cast<int64_t>(f.anchor);
    auto out_of_range = [&] {
      return Error{"code buffer: displacement " + std::to_string(d) + " to label " + std::to_string(f.label.id) +
                   " does not fit its field"};
    };
    switch (f.kind) {
      case FixupKind::Rel8:
        if (d < INT8_MIN || d > INT8_MAX) return out_of_range();
        bytes_[f.field] = static_cast<uint8_t>(d);
        break;
      case FixupKind::Rel32:
        if (d < INT32_MIN || d > INT32_MAX) return out_of_range();
        patch32(f.field, static_cast<uint32_t>(d));
        break;
      case FixupKind::Arm26:
      case FixupKind::Arm19: {
        const int bits = f.kind == FixupKind::Arm26 ? 26 : 19;
        const int shift = f.kind == FixupKind::Arm26 ? 0 : 5;
        if (d % 4 != 0) return out_of_range();
        const int64_t w = d / 4;
        if (w < -(int64_t(1) << (bits - 1)) || w >= (int64_t(1) << (bits - 1))) return out_of_range();
        uint32_t insn = 0;
        for (int i = 0; i < 4; ++i) insn |= uint32_t(bytes_[f.field + i]) << (8 * i);
        const uint32_t mask = ((1u << bits) - 1) << shift;
        insn = (insn & ~mask) | ((static_cast<uint32_t>(w) << shift) & mask);
        patch32(f.field, insn);
        break;
      }
    }
  }
  return Ok{};
}

}  // namespace bpfvet::jit
