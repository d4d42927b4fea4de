// run and bench: verify (unless --no-verify), run on one or more engines, print results.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "cli/run_json.h"
#include "jit/engine.h"
#include "jit/interp.h"
#include "jit/nondeterminism.h"
#include "jit/runtime.h"
#include "verifier/verifier.h"

namespace bpfvet::cli {
namespace {

constexpr uint32_t kDefaultBenchRepeat = 1000;
constexpr uint32_t kMaxRepeat = 100'000'000;

struct RunCmd {
  InputOptions in;
  std::string engine = "interp";
  std::string data, mem, ctx, maps, format = "text";
  uint32_t repeat = 0;
  bool no_verify = false;
  bool bench = false;
};

std::vector<uint8_t> read_binary(const std::string& path, const char* what) {
  auto bytes = isa::read_input_file(path);
  if (!bytes) throw InputError(std::string(what) + " " + bytes.message());
  return std::move(*bytes);
}

const isa::Program& pick_program(const isa::Object& obj) {
  if (obj.programs.size() == 1) return obj.programs[0];
  std::string names;
  for (const auto& p : obj.programs) names += (names.empty() ? "" : ", ") + p.section + " (" + p.name + ")";
  throw InputError(obj.path + ": " + std::to_string(obj.programs.size()) +
                   " programs; pick one with --section or --program: " + names);
}

std::vector<std::string> engine_list(const std::string& spec) {
  std::vector<std::string> out;
  if (spec == "all") return jit::engine_names();
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) throw InputError("--engine: empty engine name in '" + spec + "'");
    if (item == "all") throw InputError("--engine: 'all' cannot be part of a list");
    auto e = jit::make_engine(item);
    if (!e) throw InputError("--engine: " + e.message());
    if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
  }
  if (out.empty()) throw InputError("--engine: no engine given");
  return out;
}

void run_command(const RunCmd& c, int& status) {
  if (c.format != "text" && c.format != "json") throw InputError("--format must be text or json, not '" + c.format + "'");
  const isa::Object obj = load_input(c.in);
  const isa::Program& prog = pick_program(obj);
  if (prog.type == isa::ProgType::Unspec)
    throw InputError(prog.file + ": the program type is unknown; give it with --type (" + isa::prog_type_names() + ")");

  // Tail calls may reach any program of the object, not only the selected one.
  InputOptions every = c.in;
  every.sections.clear();
  every.program.clear();
  const isa::Object full = (c.in.sections.empty() && c.in.program.empty()) ? isa::Object{} : load_input(every);

  jit::RunRequest req;
  req.program = &prog;
  req.object = full.programs.empty() ? &obj : &full;
  req.input.type = prog.type;
  if (!c.data.empty()) req.input.data = read_binary(c.data, "--data");
  if (!c.mem.empty()) req.input.mem = read_binary(c.mem, "--mem");
  if (!c.ctx.empty()) {
    auto ctx = parse_ctx_json(read_text_file(c.ctx), c.ctx);
    if (!ctx) throw InputError(ctx.message());
    req.input.ctx = std::move(*ctx);
  }
  if (!c.maps.empty()) {
    auto maps = parse_maps_json(read_text_file(c.maps), c.maps, prog);
    if (!maps) throw InputError(maps.message());
    req.input.maps = std::move(*maps);
  }
  if (c.repeat > kMaxRepeat) throw InputError("--repeat must be at most " + std::to_string(kMaxRepeat));
  req.repeat = c.repeat != 0 ? c.repeat : (c.bench ? kDefaultBenchRepeat : 1);
  req.bench = c.bench;

  // The input must fit the program (context fields, map sizes) before any engine runs.
  if (auto probe = jit::Runtime::create(req); !probe) throw InputError(probe.message());

  std::optional<verifier::VerifiedProgram> verified;
  if (!c.no_verify) {
    auto v = verifier::verify_for_execution(prog, verifier::VerifyOptions{});
    if (!v) {
      std::cerr << "bpfvet: " << prog.name << ": rejected by the verifier: " << v.message()
                << " (use --no-verify to run it anyway, with every access checked)\n";
      status = 1;
      return;
    }
    verified.emplace(std::move(*v));
    req.verified = &*verified;
  }

  const std::vector<std::string> names = engine_list(c.engine);
  const bool single = names.size() == 1 && c.engine != "all";
  struct Outcome {
    std::string engine;
    std::optional<jit::RunResult> result;
    std::string error;
  };
  std::vector<Outcome> outcomes;
  for (const auto& name : names) {
    auto engine = jit::make_engine(name);
    Outcome o{name, std::nullopt, ""};
    if (auto st = (*engine)->available(); !st) {
      o.error = st.message();
      // "all" means every available engine; bench lists the others with their reason.
      if (c.engine == "all" && !c.bench) continue;
    } else if (auto r = (*engine)->run(req); r) {
      o.result = std::move(*r);
    } else {
      o.error = r.message();
    }
    outcomes.push_back(std::move(o));
  }
  if (single && !outcomes[0].result) throw InputError(outcomes[0].error);

  // BPF instructions per run, counted once by the interpreter: the same for every engine.
  bool uncounted = false;
  for (const auto& o : outcomes) uncounted |= o.result && !o.result->bpf_insns_per_run;
  if (uncounted)
    if (auto n = jit::count_bpf_insns(req))
      for (auto& o : outcomes)
        if (o.result && !o.result->bpf_insns_per_run) o.result->bpf_insns_per_run = *n;

  // Agreement: every successful result against the first one.  The in-process engines
  // share the mock clock, seed and task, so they must agree exactly; a comparison with
  // the kernel leaves out what the program derived from those (jit/nondeterminism.h).
  std::string diff;
  const jit::RunResult* ref = nullptr;
  size_t ok = 0;
  std::optional<jit::VolatileParts> parts;
  std::string parts_error;
  for (const auto& o : outcomes) {
    if (!o.result) continue;
    ++ok;
    if (ref == nullptr) {
      ref = &*o.result;
      continue;
    }
    std::string d;
    if (ref->engine == "kernel" || o.result->engine == "kernel") {
      if (!parts) {
        auto found = jit::find_volatile_parts(req);
        if (!found) parts_error = found.message();
        parts = found ? std::move(*found) : jit::VolatileParts{};
      }
      d = jit::compare_results(jit::strip(*ref, *parts), jit::strip(*o.result, *parts));
    } else {
      d = jit::compare_results(*ref, *o.result);
    }
    if (!d.empty()) diff += ref->engine + " vs " + o.result->engine + ":\n" + d;
  }
  if (ok == 0) {
    std::string why;
    for (const auto& o : outcomes) why += (why.empty() ? "" : "; ") + o.error;
    throw InputError("no engine could run the program: " + why);
  }
  const bool agree = diff.empty();

  if (c.format == "json") {
    nlohmann::json j;
    if (single) {
      j = result_json(*outcomes[0].result, prog.type);
    } else {
      j["results"] = nlohmann::json::array();
      for (const auto& o : outcomes)
        j["results"].push_back(o.result ? result_json(*o.result, prog.type) : engine_error_json(o.engine, o.error));
      j["agree"] = agree;
      if (!agree) j["diff"] = diff;
      if (parts)
        if (auto nc = not_compared_json(*parts, parts_error); !nc.is_null()) j["not_compared"] = std::move(nc);
    }
    std::cout << j.dump(2) << "\n";
  } else {
    for (const auto& o : outcomes) {
      if (o.result) std::cout << result_text(*o.result, prog.type);
      else std::cout << o.engine << ": " << o.error << "\n";
    }
    if (c.bench && ok > 1) {
      std::vector<const jit::RunResult*> ran;
      for (const auto& o : outcomes)
        if (o.result) ran.push_back(&*o.result);
      std::cout << bench_table(ran);
    }
    if (!single) {
      if (agree) std::cout << "engines agree (" << ok << " ran)\n";
      else std::cout << "ENGINES DISAGREE\n" << diff;
      if (parts) std::cout << not_compared_text(*parts, parts_error);
    }
  }
  status = agree ? 0 : 1;
}

void add_common(CLI::App& cmd, RunCmd& c) {
  add_input_options(cmd, c.in);
  cmd.add_option("--engine", c.engine, "interp, x86_64, arm64, kernel, all, or a comma-separated list");
  cmd.add_option("--data", c.data, "Packet bytes (binary file) for xdp, tc, socket and cgroup_skb programs");
  cmd.add_option("--format", c.format, "text or json");
  cmd.add_option("--repeat", c.repeat, "Number of runs (maps persist across them)");
  cmd.add_option("--ctx", c.ctx, "Context fields as JSON, e.g. {\"ifindex\": 3} or {\"regs\": {\"di\": 1}}");
  cmd.add_option("--maps", c.maps, "Initial map contents as JSON: {\"name\": {\"entries\": [{\"key\":..., \"value\":...}]}}");
  cmd.add_option("--mem", c.mem, "Memory buffer (binary file) for raw programs: r1 = buffer, r2 = length");
  cmd.add_flag("--no-verify", c.no_verify, "Run without verifying: every memory access is checked instead");
}

}  // namespace

void add_run_commands(CLI::App& app, int& status) {
  auto run = std::make_shared<RunCmd>();
  auto* r = app.add_subcommand("run", "Run a program on the interpreter, a JIT or the kernel");
  add_common(*r, *run);
  r->callback([run, &status] { run_command(*run, status); });

  auto bench = std::make_shared<RunCmd>();
  bench->bench = true;
  auto* b = app.add_subcommand("bench", "Time a program: ns per run over --repeat runs after a warm-up");
  add_common(*b, *bench);
  b->callback([bench, &status] { run_command(*bench, status); });
}

}  // namespace bpfvet::cli
