// verify, explain, lint: load, verify every selected program, print the reports.
#include <algorithm>
#include <atomic>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "cli/commands.h"
#include "cli/error_path.h"
#include "cli/output_json.h"
#include "cli/output_sarif.h"
#include "cli/output_text.h"
#include "cli/report.h"
#include "isa/kernel_version.h"
#include "verifier/verifier.h"

namespace bpfvet::cli {
namespace {

struct VerifyFlags {
  std::string kernel = "latest";
  bool unpriv = false;
  std::string caps = "full";
  int log_level = 0;
  std::string format = "text";
};

std::string kernel_option_help() {
  return "Verify under this kernel's rules: " + std::string(isa::known_kernel_versions()) + " or any x.y";
}

/// Adds --kernel (unless the command has its own, as lint does), --unpriv and --log-level.
void add_verify_flags(CLI::App& cmd, VerifyFlags& f, bool with_log_level, bool with_kernel = true) {
  if (with_kernel) cmd.add_option("--kernel", f.kernel, kernel_option_help());
  cmd.add_flag("--unpriv", f.unpriv, "Verify as an unprivileged loader would (same as --caps none)");
  cmd.add_option("--caps", f.caps,
                 "The loader's capabilities: full (root), bpf (CAP_BPF alone: no pointer leaks, Spectre "
                 "rules, no CAP_PERFMON helpers) or none (unprivileged)")
      ->check(CLI::IsMember({"full", "bpf", "none"}));
  if (with_log_level)
    cmd.add_option("--log-level", f.log_level, "Print the verifier log in the kernel's format: 0, 1 or 2")
        ->check(CLI::Range(0, 2));
}

verifier::VerifyOptions verify_options(const VerifyFlags& f, const std::string& kernel) {
  auto k = isa::parse_kernel_version(kernel);
  if (!k) throw InputError(k.message());
  verifier::VerifyOptions o;
  o.kernel = kernel;
  o.unpriv = f.unpriv;
  o.caps = isa::parse_caps(f.caps).value_or(isa::Caps::Full);
  o.log_level = f.log_level;
  return o;
}

verifier::VerifyOptions verify_options(const VerifyFlags& f) { return verify_options(f, f.kernel); }

std::vector<ProgramReport> verify_object(const isa::Object& obj, const verifier::VerifyOptions& o) {
  std::vector<ProgramReport> reports;
  for (const auto& prog : obj.programs) reports.push_back(make_report(prog, verifier::verify(prog, o)));
  return reports;
}

void print_reports(const std::vector<ProgramReport>& reports, const std::string& format) {
  if (format == "json") {
    std::cout << reports_json(reports, false).dump(2) << "\n";
  } else if (format == "sarif") {
    std::cout << reports_sarif(reports).dump(2) << "\n";
  } else {
    for (const auto& r : reports) print_report_text(std::cout, r);
  }
}

// verify INPUT
struct VerifyCmd {
  InputOptions in;
  VerifyFlags flags;
};

// The input as loaded for `kernel`: its __kconfig LINUX_KERNEL_VERSION is that release.
isa::Object load_input_for(InputOptions in, const std::string& kernel) {
  in.linux_version = linux_version_of(kernel);
  return load_input(in);
}

void run_verify(const VerifyCmd& c, int& status) {
  const auto opts = verify_options(c.flags);
  const auto obj = load_input_for(c.in, c.flags.kernel);
  const auto reports = verify_object(obj, opts);
  print_reports(reports, c.flags.format);
  status = reports_status(reports);
}

// explain INPUT: verify with a log so the path to the error can be reconstructed.
void run_explain(const VerifyCmd& c, int& status) {
  auto opts = verify_options(c.flags);
  const auto obj = load_input_for(c.in, c.flags.kernel);
  std::vector<ProgramReport> reports;
  for (const auto& prog : obj.programs) {
    auto o = opts;
    o.log_level = std::max(1, opts.log_level);
    auto result = verifier::verify(prog, o);
    auto path = result.error ? error_path(prog, result.log, result.error->insn) : std::vector<PathStep>{};
    if (c.flags.log_level == 0) result.log.clear();
    auto r = make_report(prog, std::move(result));
    r.path = std::move(path);
    reports.push_back(std::move(r));
  }
  if (c.flags.format == "json") {
    std::cout << reports_json(reports, true).dump(2) << "\n";
  } else {
    bool first = true;
    for (const auto& r : reports) {
      if (!first) std::cout << "\n";
      first = false;
      print_explain_text(std::cout, r);
    }
  }
  status = reports_status(reports);
}

// lint INPUT...: every file loaded and verified on a pool of --jobs threads; reports
// keep the order of the inputs.  A bad input anywhere is exit 2 (the first, in input
// order, is the one reported).  With several --kernel values every program is verified
// under each (reports tagged with their version) and text output ends with the matrix
// "which kernels accept my program?".
struct LintCmd {
  std::vector<std::string> paths;
  InputOptions in;
  VerifyFlags flags;
  std::vector<std::string> kernels;
  unsigned jobs = 0;
};

/// One row per program, one column per kernel: "ok" or the rejection code.
void print_kernel_matrix(std::ostream& os, const std::vector<ProgramReport>& reports,
                         const std::vector<std::string>& kernels) {
  std::vector<std::vector<std::string>> rows;  // label, then one cell per kernel
  for (size_t i = 0; i + kernels.size() <= reports.size(); i += kernels.size()) {
    const auto& first = reports[i];
    std::vector<std::string> row{first.file + ":" + first.section + ":" + first.name};
    for (size_t k = 0; k < kernels.size(); ++k) {
      const auto& r = reports[i + k].result;
      row.push_back(r.accepted ? "ok" : r.error ? verifier::error_code_id(r.error->code) : "rejected");
    }
    rows.push_back(std::move(row));
  }
  std::vector<size_t> width(kernels.size() + 1, 7);
  for (size_t k = 0; k < kernels.size(); ++k) width[k + 1] = std::max(width[k + 1], kernels[k].size());
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  auto cell = [&](const std::string& text, size_t c) {
    os << text << std::string(width[c] - text.size() + 2, ' ');
  };
  os << "\nkernel matrix:\n";
  cell("program", 0);
  for (size_t k = 0; k < kernels.size(); ++k) cell(kernels[k], k + 1);
  os << "\n";
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) cell(row[c], c);
    os << "\n";
  }
}

void run_lint(const LintCmd& c, int& status) {
  const std::vector<std::string> kernels = c.kernels.empty() ? std::vector<std::string>{"latest"} : c.kernels;
  std::vector<verifier::VerifyOptions> per_kernel;
  for (const auto& k : kernels) per_kernel.push_back(verify_options(c.flags, k));
  const bool tag = kernels.size() > 1;
  if (!c.in.type.empty()) parse_type_option(c.in.type);  // fail before any work
  struct Slot {
    std::vector<ProgramReport> reports;
    std::optional<std::string> error;
  };
  std::vector<Slot> slots(c.paths.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < c.paths.size(); i = next++) {
      try {
        InputOptions in = c.in;
        in.path = c.paths[i];
        // Loaded once per kernel: __kconfig LINUX_KERNEL_VERSION differs between them.
        std::vector<std::vector<ProgramReport>> by_kernel;
        for (size_t k = 0; k < kernels.size(); ++k)
          by_kernel.push_back(verify_object(load_input_for(in, kernels[k]), per_kernel[k]));
        for (size_t p = 0; p < by_kernel[0].size(); ++p)
          for (size_t k = 0; k < kernels.size(); ++k) {
            auto r = std::move(by_kernel[k][p]);
            if (tag) r.kernel = kernels[k];
            slots[i].reports.push_back(std::move(r));
          }
      } catch (const std::exception& e) {
        slots[i].error = e.what();
      }
    }
  };
  unsigned jobs = c.jobs ? c.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<size_t>(jobs, c.paths.size()));
  std::vector<std::thread> pool;
  for (unsigned j = 1; j < jobs; ++j) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();

  std::vector<ProgramReport> reports;
  for (auto& s : slots) {
    if (s.error) throw InputError(*s.error);
    for (auto& r : s.reports) reports.push_back(std::move(r));
  }
  if (c.flags.format == "json" && tag) {
    auto doc = reports_json(reports, false);
    doc["kernels"] = kernels;
    std::cout << doc.dump(2) << "\n";
  } else {
    print_reports(reports, c.flags.format);
    if (tag && c.flags.format == "text") print_kernel_matrix(std::cout, reports, kernels);
  }
  status = reports_status(reports);
}

}  // namespace

void add_verify_commands(CLI::App& app, int& status) {
  auto verify = std::make_shared<VerifyCmd>();
  auto* v = app.add_subcommand("verify", "Decide whether the kernel would accept each program, and why not");
  add_input_options(*v, verify->in);
  add_verify_flags(*v, verify->flags, true);
  v->add_option("--format", verify->flags.format, "Output: text, json or sarif")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  v->callback([verify, &status] { run_verify(*verify, status); });

  auto explain = std::make_shared<VerifyCmd>();
  auto* e =
      app.add_subcommand("explain", "Explain a rejection: the error, the path to it, why, and how to fix it");
  add_input_options(*e, explain->in);
  add_verify_flags(*e, explain->flags, true);
  e->add_option("--format", explain->flags.format, "Output: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  e->callback([explain, &status] { run_explain(*explain, status); });

  auto lint = std::make_shared<LintCmd>();
  auto* l = app.add_subcommand("lint", "Verify several files in parallel, one combined result");
  l->add_option("inputs", lint->paths, "Programs: ELF objects, raw bytecode or .s/.asm files")->required();
  add_selection_options(*l, lint->in);
  add_verify_flags(*l, lint->flags, false, false);
  l->add_option("--kernel", lint->kernels,
                kernel_option_help() + "; repeat it or give a comma-separated list to get one verdict per "
                "kernel and a matrix of which kernels accept each program")
      ->delimiter(',');
  l->add_option("--format", lint->flags.format, "Output: text, json or sarif")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  l->add_option("--jobs,-j", lint->jobs, "Worker threads (default: one per CPU)")->check(CLI::Range(1, 256));
  l->callback([lint, &status] { run_lint(*lint, status); });
}

}  // namespace bpfvet::cli
