// Fuzz target: the verifier on decodable random programs.  The first byte picks the
// program type, privilege and kernel; the rest are instruction slots.  verify() must
// always return (accept or reject with a diagnostic), never crash, never hang: the
// budget of processed instructions is kept small so every input ends quickly.
#include <cstddef>
#include <cstdint>
#include <span>

#include "isa/program.h"
#include "verifier/verifier.h"

using namespace bpfvet;

namespace {

constexpr isa::ProgType kTypes[] = {
    isa::ProgType::SocketFilter, isa::ProgType::Xdp, isa::ProgType::SchedCls,  isa::ProgType::Kprobe,
    isa::ProgType::Tracepoint,   isa::ProgType::Raw, isa::ProgType::CgroupSkb, isa::ProgType::PerfEvent};
constexpr const char* kKernels[] = {"latest", "6.1", "5.4", "4.14"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 + 8) return 0;
  const uint8_t sel = data[0];
  auto bytes = std::span<const uint8_t>(data + 1, size - 1);
  auto raw = isa::raw_from_bytes(bytes.first(bytes.size() - bytes.size() % 8));
  if (!raw) return 0;
  auto prog = isa::program_from_raw(*raw, kTypes[sel % 8], "fuzz");
  if (!prog) return 0;
  verifier::VerifyOptions opts;
  opts.kernel = kKernels[(sel >> 3) % 4];
  opts.unpriv = (sel & 0x20) != 0;
  opts.log_level = (sel & 0x40) ? 2 : 0;
  opts.insn_limit = 20000;
  const auto result = verifier::verify(*prog, opts);
  if (result.accepted == result.error.has_value()) __builtin_trap();  // exactly one of them
  if (result.error && result.error->insn >= static_cast<int64_t>(prog->insns.size())) __builtin_trap();
  return 0;
}
