// The "x86_64" engine: Runtime + Session, with repeat and benchmark timing.
#include "jit/x86_64/x86_64_engine.h"

#include "jit/bench_timing.h"
#include "jit/x86_64/x86_session.h"

namespace bpfvet::jit {

namespace {

class X86Engine final : public Engine {
 public:
  std::string name() const override { return "x86_64"; }
  Status available() const override {
#if defined(__x86_64__)
    return Ok{};
#else
    return Error{"x86_64 engine unavailable: this host is not x86-64"};
#endif
  }

  Result<RunResult> run(const RunRequest& req) override {
    if (auto st = available(); !st) return st.error();
    auto rt = Runtime::create(req);
    if (!rt) return rt.error();
    // Unverified (--no-verify) programs run checked, and so do program types the
    // runtime has no context struct for.  Tail-call targets are not covered
    // by the entry program's verification: the session verifies each one as it first
    // compiles it (see Session::compile) and checks only those the verifier rejects.
    const bool checked = req.verified == nullptr || !(*rt)->context().mocked();
    auto session = x86::Session::create(**rt, checked);
    if (!session) return session.error();
    if (auto id = (*session)->compile(req.program ? *req.program : (*rt)->program()); !id) return id.error();
    uint64_t retval = 0;
    auto one = [&](x86::Session& s, Runtime& r) -> Status {
      r.begin_run();
      auto v = s.run();
      if (!v) return v.error();
      retval = *v;
      return Ok{};
    };
    auto timing = time_runs(req.repeat, req.bench, [&] { return one(**session, **rt); });
    if (!timing) return timing.error();
    RunResult res;
    if (req.bench) {
      // Timing ran many times over one session; report the state after a single run.
      auto fresh = Runtime::create(req);
      if (!fresh) return fresh.error();
      auto s2 = x86::Session::create(**fresh, checked);
      if (!s2) return s2.error();
      if (auto st = one(**s2, **fresh); !st) return st.error();
      res = (*fresh)->collect(retval);
    } else {
      res = (*rt)->collect(retval);
    }
    res.engine = name();
    res.runs = timing->runs;
    res.ns_per_run = timing->ns_per_run;
    res.compile_us = (*session)->compile_us();
    return res;
  }
};

}  // namespace

std::unique_ptr<Engine> make_x86_64_engine() { return std::make_unique<X86Engine>(); }

namespace x86 {

Result<CompiledProgram> compile_for_listing(const isa::Program& prog, bool checked) {
  RunRequest req;
  req.program = &prog;
  req.input.type = prog.type;
  std::unique_ptr<Runtime> rt;
  if (auto r = Runtime::create(req)) rt = std::move(*r);
  LowerEnv env;
  env.checked = checked;
  env.ld_imm64 = [&rt](const isa::Insn& in) -> Result<uint64_t> {
    if (rt) {
      if (auto v = rt->ld_imm64(in)) return *v;
    }
    return uint64_t{0};
  };
  // Trampoline addresses only matter for running; a listing shows them symbolically
  // as the movabs immediates, so any stable value does.
  env.helper_fn = env.tail_fn = env.check_fn = env.legacy_fn = 0;
  return compile_program(prog, env);
}

}  // namespace x86
}  // namespace bpfvet::jit
