// Fuzz target: the object loader on arbitrary files.  load_object must return a
// program or an error for any bytes, never crash or hang; a loaded program's
// instructions are decoded, so they must encode back to its raw slots.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "isa/program.h"

using namespace bpfvet;

namespace {

// One scratch file per fuzzing process (libFuzzer runs inputs one at a time).
const std::string& scratch_path() {
  static const std::string path = "/tmp/bpfvet_fuzz_elf_" + std::to_string(getpid()) + ".o";
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = scratch_path();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  if (size) std::fwrite(data, 1, size, f);
  std::fclose(f);
  isa::LoadOptions opts;
  opts.format = isa::InputFormat::Elf;
  auto obj = isa::load_object(path, opts);
  if (obj) {
    for (const auto& prog : obj->programs) {
      if (prog.insns.size() != prog.raw.size()) __builtin_trap();
      if (isa::encode(prog.insns) != prog.raw) __builtin_trap();
      for (size_t i = 0; i < prog.insns.size(); ++i) (void)prog.line_of(i);
    }
  } else if (obj.message().empty()) {
    __builtin_trap();  // an error must say what is wrong
  }
  std::remove(path.c_str());
  return 0;
}
