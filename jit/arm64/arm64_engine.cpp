// The "arm64" engine and the JIT listing (see arm64_engine.h).
#include "jit/arm64/arm64_engine.h"

#include <cstdio>
#include <optional>
#include <unordered_map>

#include "isa/printer.h"
#include "jit/arm64/a64_disasm.h"
#include "jit/arm64/a64_mca.h"
#include "jit/arm64/a64_native.h"
#include "jit/arm64/arm64_emulator.h"
#include "jit/bench_timing.h"

namespace bpfvet::jit {

namespace {

class Arm64Engine final : public Engine {
 public:
  std::string name() const override { return "arm64"; }
  Status available() const override {
    if (arm64::native_available()) return Ok{};
    return arm64::emulator_available();
  }

  Result<RunResult> run(const RunRequest& req) override {
    const bool others = req.object != nullptr && req.object->programs.size() > 1;
    const bool checked = req.verified == nullptr || others;
    // Natively on an AArch64 host, but only verified code: unverified code may loop
    // forever, and only the emulator has an instruction budget to stop it.
    const bool native = !checked && arm64::native_available().ok();
    auto session = arm64::Arm64Session::create(req, checked, true, native);
    if (!session) return session.error();
    arm64::Arm64Session& s = **session;
    uint64_t retval = 0;
    // The cost of the first run, from the initial state (later runs may see other maps).
    std::optional<uint64_t> executed;
    std::unordered_map<uint64_t, uint64_t> blocks;
    auto one = [&]() -> Status {
      auto r = s.run();
      if (!r) return r.error();
      retval = *r;
      if (!executed) {
        executed = s.executed();
        blocks = s.block_counts();
      }
      return Ok{};
    };
    auto timing = time_runs(req.repeat, req.bench, one);
    if (!timing) return timing.error();
    RunResult res;
    const double compile_us = s.compile_us();
    std::unique_ptr<arm64::Arm64Session> fresh_session;
    const arm64::Arm64Session* costed = &s;
    if (req.bench) {
      // Timing ran many times over one session; report the state after a single run
      // (a native session must go first: only one maps the fixed code addresses).
      if (native) session->reset();
      auto fresh = arm64::Arm64Session::create(req, checked, true, native);
      if (!fresh) return fresh.error();
      auto r = (*fresh)->run();
      if (!r) return r.error();
      res = (*fresh)->runtime().collect(*r);
      executed = (*fresh)->executed();
      blocks = (*fresh)->block_counts();
      fresh_session = std::move(*fresh);
      costed = fresh_session.get();
    } else {
      res = s.runtime().collect(retval);
    }
    res.engine = name();
    res.runs = timing->runs;
    res.ns_per_run = timing->ns_per_run;
    res.compile_us = compile_us;
    res.emulated = !native;
    if (!native) {  // natively nothing counts instructions or blocks
      res.a64_insns_per_run = executed;
      add_cycle_estimate(res, *costed, blocks);
    }
    return res;
  }

 private:
  // The static cycle estimate for the model's core, or a note saying why there is none.
  void add_cycle_estimate(RunResult& res, const arm64::Arm64Session& s,
                          const std::unordered_map<uint64_t, uint64_t>& blocks) {
    if (!model_) {
      auto m = a64::A64CostModel::create();
      if (!m) {
        res.notes.push_back("arm64: no cycle estimate: " + m.message());
        return;
      }
      model_ = std::move(*m);
    }
    auto cycles = s.estimate_cycles(blocks, *model_);
    if (!cycles) {
      res.notes.push_back("arm64: " + cycles.message());
      return;
    }
    res.est_cycles_per_run = *cycles;
    res.mca_cpu = model_->cpu();
  }

  std::unique_ptr<a64::A64CostModel> model_;  // built on first use
};

}  // namespace

std::unique_ptr<Engine> make_arm64_engine() { return std::make_unique<Arm64Engine>(); }

namespace arm64 {

Result<std::string> listing(const isa::Program& prog, bool checked) {
  // Branches inside the program print their target as a listing offset; calls into
  // the runtime's trampolines (outside the program) print their displacement.
  auto dis = a64::A64Disassembler::create(/*absolute_branches=*/true);
  if (!dis) return dis.error();
  auto rel = a64::A64Disassembler::create();
  if (!rel) return rel.error();
  // A scratch runtime resolves map handles as a run would; without one they read as 0.
  RunRequest req;
  req.program = &prog;
  req.input.type = prog.type;
  auto rt = Runtime::create(req);
  Options opt;
  opt.checked = checked;
  if (rt) opt.min_frame_pointer = (*rt)->frame_pointer(7);
  const Runtime* scratch = rt ? rt->get() : nullptr;
  auto code = compile(prog, opt, [scratch](const isa::Insn& in) -> Result<uint64_t> {
    if (scratch != nullptr) return scratch->ld_imm64(in);
    return in.pseudo == isa::Pseudo::Imm ? Result<uint64_t>(in.imm64) : Result<uint64_t>(uint64_t(0));
  });
  if (!code) return code.error();
  std::string out = "; ";
  if (!prog.section.empty()) out += "section " + prog.section + ", ";
  out += "program " + prog.name + ", " + std::to_string(prog.insns.size()) + " insns -> " +
         std::to_string(code->code.size() * 4) + " bytes of arm64" +
         (checked ? " (not verified: checked code, as --no-verify runs it)" : "") + "\n";
  char buf[64];
  auto words = [&](uint32_t from, uint32_t to) {
    for (uint32_t off = from; off < to; off += 4) {
      const uint32_t w = code->code[off / 4];
      std::snprintf(buf, sizeof buf, "  %5x:  %08x  ", off, w);
      bool outside = false;
      if ((w & 0x7c000000u) == 0x14000000u) {  // B / BL imm26
        const int64_t target = int64_t(off) + (int64_t(int32_t(w << 6)) >> 4);
        outside = target < 0 || target >= int64_t(code->code.size() * 4);
      }
      out += buf + (outside ? *rel : *dis)->text(w, off) + "\n";
    }
  };
  const size_t n = prog.insns.size();
  const isa::SourceLine* last = nullptr;
  for (size_t i = 0; i < n; ++i) {
    if (prog.insns[i].kind == isa::Kind::LdImm64Hi) continue;
    for (const auto& f : prog.functions)
      if (f.start == i && i > 0) out += "; function " + f.name + "\n";
    if (const auto* src = prog.line_of(i);
        src != nullptr && src->line > 0 && (last == nullptr || !(*src == *last))) {
      const auto slash = src->file.find_last_of('/');
      out += "; " + (slash == std::string::npos ? src->file : src->file.substr(slash + 1)) + ":" +
             std::to_string(src->line);
      const auto b = src->text.find_first_not_of(" \t");
      if (b != std::string::npos)
        out += ": " + src->text.substr(b, src->text.find_last_not_of(" \t\r") + 1 - b);
      out += "\n";
      last = src;
    }
    out += isa::disasm_line(prog.insns[i], static_cast<int64_t>(i)) + "\n";
    words(code->slot_offset[i], code->slot_offset[i + 1]);
  }
  out += "; end of program (fell off the end)\n";
  words(code->slot_offset[n], static_cast<uint32_t>(code->code.size() * 4));
  return out;
}

}  // namespace arm64
}  // namespace bpfvet::jit
