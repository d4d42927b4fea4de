// Fuzz target: the assembler on arbitrary text.  Text that assembles must print back
// (disasm) to text that assembles to the very same slots.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "isa/assembler.h"
#include "isa/printer.h"

using namespace bpfvet;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto raw = isa::assemble(text, "fuzz.s");
  if (!raw) {
    if (raw.message().empty() || raw.message().find('\n') != std::string::npos) __builtin_trap();  // one line
    return 0;
  }
  auto insns = isa::decode(*raw);
  if (!insns) {
    std::fprintf(stderr, "assembled slots do not decode: %s\n", insns.message().c_str());
    __builtin_trap();
  }
  std::string listing;
  for (size_t i = 0; i < insns->size(); ++i) {
    const auto line = isa::disasm_line((*insns)[i], static_cast<int64_t>(i));
    if (!line.empty()) listing += line + "\n";
  }
  auto again = isa::assemble(listing, "listing.s");
  if (!again || *again != *raw) {
    std::fprintf(stderr, "disasm -> asm round trip differs%s%s\n--- listing\n%s", again ? "" : ": ",
                 again ? "" : again.message().c_str(), listing.c_str());
    __builtin_trap();
  }
  return 0;
}
