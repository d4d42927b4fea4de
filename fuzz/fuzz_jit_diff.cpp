// Fuzz target: interpreter vs the x86_64 and arm64 JITs (arm64 under unicorn, where
// it is available) on random verified programs.  The first byte picks the program
// type, the next 32 the packet bytes, the rest are instruction slots.  Only programs
// the verifier accepts run (the JITs take nothing else); every JIT must then agree
// with the interpreter exactly (retval, packet, maps, output, or the same error).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "isa/program.h"
#include "jit/arm64/arm64_engine.h"
#include "jit/interp.h"
#include "jit/x86_64/x86_64_engine.h"
#include "verifier/verifier.h"

using namespace bpfvet;

namespace {

constexpr isa::ProgType kTypes[] = {isa::ProgType::SocketFilter, isa::ProgType::Xdp, isa::ProgType::SchedCls,
                                    isa::ProgType::Kprobe};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kHeader = 1 + 32;
  if (size < kHeader + 8) return 0;
  const auto bytes = std::span<const uint8_t>(data + kHeader, size - kHeader);
  auto raw = isa::raw_from_bytes(bytes.first(bytes.size() - bytes.size() % 8));
  if (!raw) return 0;
  auto prog = isa::program_from_raw(*raw, kTypes[data[0] % 4], "fuzz");
  if (!prog) return 0;
  verifier::VerifyOptions opts;
  opts.insn_limit = 20000;
  auto verified = verifier::verify_for_execution(*prog, opts);
  if (!verified) return 0;
  jit::RunRequest req;
  req.program = &*prog;
  req.verified = &*verified;
  req.input.type = prog->type;
  req.input.data.assign(data + 1, data + kHeader);
  auto a = jit::make_interp_engine()->run(req);
  static const std::unique_ptr<jit::Engine> jits[] = {jit::make_x86_64_engine(), jit::make_arm64_engine()};
  for (const auto& engine : jits) {
    if (!engine->available()) continue;
    auto b = engine->run(req);
    if (a.ok() != b.ok()) __builtin_trap();
    if (!a) {
      if (a.message() != b.message()) __builtin_trap();
      continue;
    }
    if (!jit::compare_results(*a, *b).empty()) __builtin_trap();
  }
  return 0;
}
