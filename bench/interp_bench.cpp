// Interpreter speed: ns per executed BPF instruction on ALU-heavy loops, memory-heavy
// loops and call-heavy code, unchecked (verified) and checked (--no-verify) modes.
// Prints the median of several runs, in thread CPU time.  Usage: interp_bench [iterations]
#include <algorithm>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "isa/assembler.h"
#include "jit/interp.h"

namespace {

using namespace bpfvet;

struct Workload {
  const char* name;
  const char* text;  // r1 = iteration count on entry (set below)
};

const Workload kWorkloads[] = {
    {"alu", R"(r0 = 0
r1 = ITER
loop:
r0 += r1
r0 ^= 0x55
r2 = r0
r2 <<= 3
r0 += r2
r0 >>= 1
w3 = w0
w3 *= 7
r0 -= r3
r1 -= 1
if r1 != 0 goto loop
exit
)"},
    {"memory", R"(r0 = 0
r1 = ITER
*(u64 *)(r10 -8) = r0
loop:
r2 = *(u64 *)(r10 -8)
r2 += r1
*(u64 *)(r10 -8) = r2
r3 = *(u32 *)(r10 -8)
r0 += r3
r1 -= 1
if r1 != 0 goto loop
exit
)"},
    {"calls", R"(r6 = ITER
r7 = 0
loop:
r1 = r6
call f
r7 += r0
r6 -= 1
if r6 != 0 goto loop
r0 = r7
exit
f:
r0 = r1
r0 *= 3
exit
)"},
};

// CPU time of this thread: the machine may be shared, wall time would count waiting.
double thread_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 2'000'000;
  constexpr int kRuns = 7;
  std::printf("%-8s %-10s %14s %12s\n", "workload", "mode", "insns/run", "ns/insn");
  for (const auto& w : kWorkloads) {
    std::string text = w.text;
    text.replace(text.find("ITER"), 4, std::to_string(iterations));
    auto raw = isa::assemble(text, w.name);
    if (!raw) {
      std::fprintf(stderr, "%s\n", raw.message().c_str());
      return 2;
    }
    auto prog = isa::program_from_raw(std::move(*raw), isa::ProgType::Raw, w.name);
    if (!prog) {
      std::fprintf(stderr, "%s\n", prog.message().c_str());
      return 2;
    }
    jit::RunRequest req;
    req.program = &*prog;
    req.input.type = isa::ProgType::Raw;
    auto rt = jit::Runtime::create(req);
    if (!rt) {
      std::fprintf(stderr, "%s\n", rt.message().c_str());
      return 2;
    }
    // The checked interpreter counts instructions; both modes execute the same ones.
    uint64_t insns = 0;
    {
      jit::Interpreter counter(**rt, true);
      (*rt)->begin_run();
      if (auto r = counter.run(); !r) {
        std::fprintf(stderr, "%s\n", r.message().c_str());
        return 2;
      }
      insns = counter.executed();
    }
    for (bool checked : {false, true}) {
      jit::Interpreter interp(**rt, checked);
      std::vector<double> ns;
      for (int i = 0; i < kRuns + 1; ++i) {
        (*rt)->begin_run();
        const double t0 = thread_ns();
        auto r = interp.run();
        const double t1 = thread_ns();
        if (!r) {
          std::fprintf(stderr, "%s\n", r.message().c_str());
          return 2;
        }
        if (i > 0) ns.push_back((t1 - t0) / double(insns));  // the first run warms up
      }
      std::printf("%-8s %-10s %14llu %12.3f\n", w.name, checked ? "checked" : "verified",
                  static_cast<unsigned long long>(insns), median(ns));
    }
  }
  return 0;
}
