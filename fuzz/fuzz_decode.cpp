// Fuzz target: the decoder over arbitrary bytes.  Whatever decodes must encode back
// to the very same slots, and every decoded instruction must print.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>

#include "isa/insn.h"
#include "isa/printer.h"

using namespace bpfvet;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto raw = isa::raw_from_bytes(std::span<const uint8_t>(data, size - size % 8));
  if (!raw) return 0;
  // Every slot on its own: decode_one must never crash, even on a lone lddw half.
  for (size_t i = 0; i < raw->size(); ++i) {
    const isa::RawInsn* next = i + 1 < raw->size() ? &(*raw)[i + 1] : nullptr;
    (void)isa::decode_one((*raw)[i], next);
  }
  auto insns = isa::decode(*raw);
  if (!insns) return 0;
  if (insns->size() != raw->size()) {
    std::fprintf(stderr, "decode: %zu insns for %zu slots\n", insns->size(), raw->size());
    __builtin_trap();
  }
  const auto back = isa::encode(*insns);
  if (back != *raw) {
    std::fprintf(stderr, "encode(decode(x)) != x\n");
    __builtin_trap();
  }
  for (size_t i = 0; i < insns->size(); ++i) {
    const auto text = isa::print_insn((*insns)[i], static_cast<int64_t>(i));
    if (text.empty() && (*insns)[i].kind != isa::Kind::LdImm64Hi) __builtin_trap();
  }
  return 0;
}
