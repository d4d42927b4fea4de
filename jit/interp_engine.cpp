// The "interp" engine: Runtime + Interpreter, with repeat and benchmark timing.
#include <algorithm>
#include <chrono>

#include "jit/interp.h"

namespace bpfvet::jit {

namespace {

constexpr uint32_t kBenchBatches = 9;

class InterpEngine final : public Engine {
 public:
  std::string name() const override { return "interp"; }
  Status available() const override { return Ok{}; }

  Result<RunResult> run(const RunRequest& req) override {
    auto rt = Runtime::create(req);
    if (!rt) return rt.error();
    // Tail-call targets are not covered by the entry program's verification: when the
    // session can reach other programs, stay checked.
    const bool others = req.object != nullptr && req.object->programs.size() > 1;
    Interpreter interp(**rt, req.verified == nullptr || others);
    if (auto code = interp.prepare(req.program ? *req.program : (*rt)->program()); !code) return code.error();
    const uint32_t repeat = std::max<uint32_t>(1, req.repeat);
    uint64_t retval = 0;
    using Clock = std::chrono::steady_clock;
    auto one = [&]() -> Status {
      (*rt)->begin_run();
      auto r = interp.run();
      if (!r) return r.error();
      retval = *r;
      return Ok{};
    };
    double ns_per_run = 0;
    if (req.bench) {
      const uint32_t warmup = std::max<uint32_t>(1, repeat / 10);
      for (uint32_t i = 0; i < warmup; ++i)
        if (auto st = one(); !st) return st.error();
      const uint32_t per_batch = std::max<uint32_t>(1, repeat / kBenchBatches);
      std::vector<double> batches;
      for (uint32_t b = 0; b < kBenchBatches; ++b) {
        const auto t0 = Clock::now();
        for (uint32_t i = 0; i < per_batch; ++i)
          if (auto st = one(); !st) return st.error();
        const double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
        batches.push_back(ns / per_batch);
      }
      std::sort(batches.begin(), batches.end());
      ns_per_run = batches[batches.size() / 2];
    } else {
      const auto t0 = Clock::now();
      for (uint32_t i = 0; i < repeat; ++i)
        if (auto st = one(); !st) return st.error();
      ns_per_run = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / repeat;
    }
    RunResult res;
    if (req.bench) {
      // Timing ran many times over one session; report the state after a single run.
      auto fresh = Runtime::create(req);
      if (!fresh) return fresh.error();
      Interpreter once(**fresh, req.verified == nullptr || others);
      (*fresh)->begin_run();
      auto r = once.run();
      if (!r) return r.error();
      res = (*fresh)->collect(*r);
    } else {
      res = (*rt)->collect(retval);
    }
    res.engine = name();
    res.runs = req.bench ? 0 : repeat;
    if (req.bench) res.runs = std::max<uint32_t>(1, repeat / kBenchBatches) * kBenchBatches;
    res.ns_per_run = ns_per_run;
    return res;
  }
};

}  // namespace

std::unique_ptr<Engine> make_interp_engine() { return std::make_unique<InterpEngine>(); }

}  // namespace bpfvet::jit
