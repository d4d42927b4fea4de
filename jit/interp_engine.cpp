// The "interp" engine: Runtime + Interpreter, with repeat and benchmark timing.
#include "jit/bench_timing.h"
#include "jit/interp.h"

namespace bpfvet::jit {

namespace {

class InterpEngine final : public Engine {
 public:
  std::string name() const override { return "interp"; }
  Status available() const override { return Ok{}; }

  Result<RunResult> run(const RunRequest& req) override {
    auto rt = Runtime::create(req);
    if (!rt) return rt.error();
    // Tail-call targets are not covered by the entry program's verification: when the
    // session can reach other programs, stay checked; so do program types the runtime
    // has no context struct for (r1 is 0).
    const bool others = req.object != nullptr && req.object->programs.size() > 1;
    const bool checked = req.verified == nullptr || others || !(*rt)->context().mocked();
    Interpreter interp(**rt, checked);
    if (auto code = interp.prepare(req.program ? *req.program : (*rt)->program()); !code) return code.error();
    uint64_t retval = 0;
    auto one = [&]() -> Status {
      (*rt)->begin_run();
      auto r = interp.run();
      if (!r) return r.error();
      retval = *r;
      return Ok{};
    };
    auto timing = time_runs(req.repeat, req.bench, one);
    if (!timing) return timing.error();
    RunResult res;
    if (req.bench) {
      // Timing ran many times over one session; report the state after a single run.
      auto fresh = Runtime::create(req);
      if (!fresh) return fresh.error();
      Interpreter once(**fresh, checked);
      (*fresh)->begin_run();
      auto r = once.run();
      if (!r) return r.error();
      res = (*fresh)->collect(*r);
    } else {
      res = (*rt)->collect(retval);
    }
    res.engine = name();
    res.runs = timing->runs;
    res.ns_per_run = timing->ns_per_run;
    return res;
  }
};

}  // namespace

std::unique_ptr<Engine> make_interp_engine() { return std::make_unique<InterpEngine>(); }

}  // namespace bpfvet::jit
