// JIT speed: ns per run of corpus programs and compute-heavy programs on the
// interpreter, the x86_64 JIT, the kernel's JIT (BPF_PROG_TEST_RUN with repeat, when
// bpf() works) and the same logic in native C compiled into this file; and the x86_64
// JIT's compile time per BPF instruction.  Prints a table, the ratios and their
// medians, for the compute programs and the corpus programs apart.
// Usage: jit_bench [repeat [corpus_dir [name_filter]]]   (default 200000 runs per
// measurement; name_filter keeps the programs whose name contains it, for profiling).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "isa/assembler.h"
#include "jit/arm64/arm64_engine.h"
#include "jit/bench_timing.h"
#include "jit/interp.h"
#include "jit/kernel_engine.h"
#include "jit/x86_64/x86_64_engine.h"
#include "verifier/verifier.h"

namespace {

using namespace bpfvet;
namespace fs = std::filesystem;

// --- compute-heavy programs (tc, on a 1500-byte packet) and their native twins ---

constexpr size_t kPacketSize = 1500;

// 16-bit one's-complement-style sum over the packet, folded once.
const char* kChecksum = R"(r2 = *(u32 *)(r1 +76)
r3 = *(u32 *)(r1 +80)
r0 = 0
r4 = 0
loop:
r5 = r2
r5 += r4
r6 = r5
r6 += 2
if r6 > r3 goto done
r7 = *(u16 *)(r5 +0)
r0 += r7
r4 += 2
if r4 < 1500 goto loop
done:
r1 = r0
r1 >>= 16
r0 &= 0xffff
r0 += r1
exit
)";
__attribute__((noinline)) uint64_t native_checksum(const uint8_t* data, const uint8_t* end) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < 1500; i += 2) {
    if (data + i + 2 > end) break;
    uint16_t v;
    std::memcpy(&v, data + i, 2);
    sum += v;
  }
  return (sum & 0xffff) + (sum >> 16);
}

// FNV-1a over the first 256 packet bytes.
const char* kFnv = R"(r2 = *(u32 *)(r1 +76)
r3 = *(u32 *)(r1 +80)
r0 = 0x811c9dc5
r4 = 0
loop:
r5 = r2
r5 += r4
r6 = r5
r6 += 1
if r6 > r3 goto done
r7 = *(u8 *)(r5 +0)
w0 ^= w7
w0 *= 16777619
r4 += 1
if r4 < 256 goto loop
done:
exit
)";
__attribute__((noinline)) uint64_t native_fnv(const uint8_t* data, const uint8_t* end) {
  uint32_t h = 0x811c9dc5;
  for (uint64_t i = 0; i < 256; ++i) {
    if (data + i + 1 > end) break;
    h ^= data[i];
    h *= 16777619u;
  }
  return h;
}

// A scanning loop: count the commas in the first 512 packet bytes.
const char* kScan = R"(r2 = *(u32 *)(r1 +76)
r3 = *(u32 *)(r1 +80)
r0 = 0
r4 = 0
loop:
r5 = r2
r5 += r4
r6 = r5
r6 += 1
if r6 > r3 goto done
r7 = *(u8 *)(r5 +0)
r7 ^= 44
r7 -= 1
r7 >>= 63
r0 += r7
r4 += 1
if r4 < 512 goto loop
done:
exit
)";
__attribute__((noinline)) uint64_t native_scan(const uint8_t* data, const uint8_t* end) {
  uint64_t r0 = 0;
  for (uint64_t i = 0; i < 512; ++i) {
    if (data + i + 1 > end) break;
    if (data[i] == 44) ++r0;
  }
  return r0;
}

// Division-heavy arithmetic: sum of i % 7 + i / 3 for i < 500.
const char* kDivLoop = R"(r0 = 0
r1 = 0
loop:
r2 = r1
r2 %= 7
r3 = r1
r3 /= 3
r0 += r2
r0 += r3
r1 += 1
if r1 < 500 goto loop
exit
)";
__attribute__((noinline)) uint64_t native_divloop(const uint8_t*, const uint8_t*) {
  uint64_t r0 = 0;
  for (volatile uint64_t i = 0; i < 500; i = i + 1) r0 += i % 7 + i / 3;
  return r0;
}

struct Compute {
  const char* name;
  const char* text;
  uint64_t (*native)(const uint8_t*, const uint8_t*);
};

const Compute kCompute[] = {{"checksum", kChecksum, native_checksum},
                            {"fnv1a", kFnv, native_fnv},
                            {"scan_count", kScan, native_scan},
                            {"divmod_loop", kDivLoop, native_divloop}};

std::vector<uint8_t> bench_packet() {
  std::vector<uint8_t> p(kPacketSize);
  uint32_t x = 12345;
  for (auto& b : p) {
    x = x * 1103515245 + 12345;
    b = static_cast<uint8_t>(x >> 16);
  }
  return p;
}

double native_ns(const Compute& c, const std::vector<uint8_t>& pkt, uint32_t repeat) {
  volatile uint64_t sink = 0;
  auto t = jit::time_batches(repeat, [&]() -> Status {
    sink = sink + c.native(pkt.data(), pkt.data() + pkt.size());
    return Ok{};
  });
  return t ? t->ns_per_run : 0;
}

struct Row {
  std::string name;
  bool compute = false;
  size_t insns = 0;
  std::optional<double> interp, x86, kernel, native;
  // Deterministic cost of one run: BPF instructions (interpreter count), and on the
  // emulated arm64 engine the A64 instructions and LLVM MCA's static cycle estimate.
  std::optional<uint64_t> bpf_insns, a64_insns;
  std::optional<double> a64_cycles;
  std::string mca_cpu;
};

std::optional<double> time_engine(jit::Engine& e, jit::RunRequest req, uint32_t repeat, std::string* err) {
  req.repeat = repeat;
  req.bench = true;
  auto r = e.run(req);
  if (!r) {
    if (err) *err = r.message();
    return std::nullopt;
  }
  return r->ns_per_run;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string fmt(const std::optional<double>& v) {
  if (!v) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", *v);
  return b;
}

void run_row(Row& row, const isa::Program& prog, const isa::Object* obj, const std::vector<uint8_t>& data,
             uint32_t repeat, bool kernel) {
  row.insns = prog.insns.size();
  auto verified = verifier::verify_for_execution(prog, verifier::VerifyOptions{});
  if (!verified) {
    std::fprintf(stderr, "%s: not verified: %s\n", row.name.c_str(), verified.message().c_str());
    return;
  }
  jit::RunRequest req;
  req.program = &prog;
  req.object = obj;
  req.verified = &*verified;
  req.input.type = prog.type;
  req.input.data = data;
  std::string err;
  row.interp = time_engine(*jit::make_interp_engine(), req, std::max<uint32_t>(repeat / 10, 1000), &err);
  row.x86 = time_engine(*jit::make_x86_64_engine(), req, repeat, &err);
  if (!row.x86) std::fprintf(stderr, "%s: x86_64: %s\n", row.name.c_str(), err.c_str());
  if (kernel) row.kernel = time_engine(*jit::make_kernel_engine(), req, repeat, nullptr);
  if (auto n = jit::count_bpf_insns(req)) row.bpf_insns = *n;
  if (auto a = jit::make_arm64_engine()->run(req)) {
    row.a64_insns = a->a64_insns_per_run;
    row.a64_cycles = a->est_cycles_per_run;
    row.mca_cpu = a->mca_cpu;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const uint32_t repeat = argc > 1 ? static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 10)) : 200000;
  const bool kernel = jit::kernel_bpf_available().ok();
  const std::string filter = argc > 3 ? argv[3] : "";
  auto wanted = [&](const std::string& name) { return name.find(filter) != std::string::npos; };
  const auto pkt = bench_packet();
  std::vector<Row> rows;
  std::vector<isa::Program> keep;
  keep.reserve(16);
  for (const auto& c : kCompute) {
    auto raw = isa::assemble(c.text, c.name);
    if (!raw) { std::fprintf(stderr, "%s: %s\n", c.name, raw.message().c_str()); return 2; }
    auto prog = isa::program_from_raw(std::move(*raw), isa::ProgType::SchedCls, c.name);
    if (!prog) { std::fprintf(stderr, "%s: %s\n", c.name, prog.message().c_str()); return 2; }
    keep.push_back(std::move(*prog));
    if (!wanted(c.name)) continue;
    Row row;
    row.name = c.name;
    row.compute = true;
    run_row(row, keep.back(), nullptr, pkt, repeat, kernel);
    row.native = native_ns(c, pkt, repeat);
    rows.push_back(row);
  }
  // Corpus programs with a packet, on a 64-byte TCP/IPv4-looking packet.
  std::vector<isa::Object> objs;
  // Compiled corpus objects: argv[2] (when not empty), else <build>/corpus next to <build>/bench/jit_bench.
  const fs::path corpus = argc > 2 && *argv[2] ? fs::path(argv[2])
                                   : fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "corpus";
  std::vector<fs::path> files;
  if (fs::exists(corpus))
    for (const auto& e : fs::directory_iterator(corpus))
      if (e.path().extension() == ".o") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  objs.reserve(files.size());
  std::vector<uint8_t> small(pkt.begin(), pkt.begin() + 128);
  small[12] = 0x08, small[13] = 0x00, small[14] = 0x45, small[23] = 6;
  for (const auto& f : files) {
    auto obj = isa::load_object(f.string(), isa::LoadOptions{});
    if (!obj) continue;
    objs.push_back(std::move(*obj));
    for (const auto& prog : objs.back().programs) {
      const auto t = prog.type;
      if (t != isa::ProgType::Xdp && t != isa::ProgType::SchedCls && t != isa::ProgType::SocketFilter) continue;
      Row row;
      row.name = f.stem().string() + "/" + prog.name;
      if (!wanted(row.name)) continue;
      run_row(row, prog, &objs.back(), small, repeat, kernel);
      if (row.x86) rows.push_back(row);
    }
  }

  std::printf("%-40s %6s %10s %10s %10s %10s %9s %9s %9s %9s %9s %9s %9s\n", "program", "insns", "interp", "x86_64",
              "kernel", "native", "int/x86", "x86/kern", "x86/nat", "int/nat", "BPF/run", "A64/run*", "cyc/run*");
  auto count = [](const std::optional<uint64_t>& v) { return v ? std::to_string(*v) : std::string("-"); };
  std::string mca_cpu;
  struct Ratios {
    std::vector<double> speedup, vs_kernel, vs_native, interp_native;
  } ratios[2];  // [0] corpus, [1] compute
  for (const auto& r : rows) {
    Ratios& q = ratios[r.compute];
    std::optional<double> a, b, c, d;
    if (r.interp && r.x86) q.speedup.push_back(*(a = *r.interp / *r.x86));
    if (r.kernel && r.x86) q.vs_kernel.push_back(*(b = *r.x86 / *r.kernel));
    if (r.native && r.x86) q.vs_native.push_back(*(c = *r.x86 / *r.native));
    // interp/native: the most any JIT can reach as interp/x86_64 (a JIT at native speed).
    if (r.native && r.interp) q.interp_native.push_back(*(d = *r.interp / *r.native));
    std::printf("%-40s %6zu %10s %10s %10s %10s %9s %9s %9s %9s %9s %9s %9s\n", r.name.c_str(), r.insns,
                fmt(r.interp).c_str(), fmt(r.x86).c_str(), fmt(r.kernel).c_str(), fmt(r.native).c_str(),
                fmt(a).c_str(), fmt(b).c_str(), fmt(c).c_str(), fmt(d).c_str(), count(r.bpf_insns).c_str(),
                count(r.a64_insns).c_str(), fmt(r.a64_cycles).c_str());
    if (!r.mca_cpu.empty()) mca_cpu = r.mca_cpu;
  }
  std::printf("\nns per run: median of batches of about %.0f us (bench_timing.h); kernel: BPF_PROG_TEST_RUN's "
              "duration%s.\n", jit::kBatchNs / 1000, kernel ? "" : " [kernel unavailable]");
  std::printf("BPF/run: BPF instructions one run executes (the interpreter's count, the same on every engine).\n"
              "* arm64, emulated (unicorn): A64 instructions executed per run (exact), and cycles per run as a static "
              "estimate for %s from LLVM MCA (L1 hits, no mispredictions, helpers not included).\n",
              mca_cpu.empty() ? "-" : mca_cpu.c_str());
  const char* group[2] = {"corpus programs", "compute programs"};
  for (int g = 1; g >= 0; --g)
    std::printf("Medians over %zu %s: interp/x86_64 %.1fx (target >= 20x), x86_64/kernel %.2fx (target <= 0.9x), "
                "x86_64/native %s (target <= 1.3x)\n",
                ratios[g].speedup.size(), group[g], median(ratios[g].speedup), median(ratios[g].vs_kernel),
                ratios[g].vs_native.empty() ? "-" : fmt(median(ratios[g].vs_native)).append("x").c_str());
  if (!ratios[1].interp_native.empty())
    std::printf("Bound on interp/x86_64: interp/native median %.1fx over %zu compute programs (a JIT running at "
                "native C speed would reach this, no more).\n",
                median(ratios[1].interp_native), ratios[1].interp_native.size());

  // Compile time per BPF instruction: lowering only (the W^X mapping is the engine's
  // cost, outside the compiler), median over repeated compilations of each program.
  auto compile_us = [](const isa::Program& prog, uint32_t times) -> std::optional<double> {
    jit::x86::LowerEnv env;
    env.ld_imm64 = [](const isa::Insn&) -> Result<uint64_t> { return uint64_t{0}; };
    auto t = jit::time_batches(times, [&]() -> Status {
      auto code = jit::x86::compile_program(prog, env);
      if (!code) return code.error();
      return Ok{};
    });
    if (!t) return std::nullopt;
    return t->ns_per_run / 1000;
  };
  std::vector<double> per_insn;
  for (const auto& prog : keep)
    if (auto us = compile_us(prog, 200)) per_insn.push_back(*us / prog.insns.size());
  for (const auto& o : objs)
    for (const auto& prog : o.programs)
      if (auto us = compile_us(prog, 50)) per_insn.push_back(*us / prog.insns.size());
  auto raw = isa::assemble("r0 = 0\nexit\n", "tiny");
  auto tiny = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, "tiny");
  const double floor_us = compile_us(*tiny, 1000).value_or(0);
  std::printf("compile: median %.3f us per BPF instruction over %zu programs (target < 0.2), "
              "fixed floor %.2f us for a 2-insn program (target <= 20)\n",
              median(per_insn), per_insn.size(), floor_us);
  return 0;
}
