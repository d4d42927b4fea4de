// verify_bench: bpfvet's verifier against the running kernel's, per corpus program.
//
//   verify_bench [CORPUS_DIR] [--repeat N]
//
// For every object (.o) and assembly file (.s) in CORPUS_DIR (default build/corpus),
// each program is verified by bpfvet (best of N runs) and, where bpf() works, loaded
// into the kernel with BPF_LOG_STATS to read "verification time N usec" and
// "processed N insns" and the state counts.  Prints one row per program (`states`: the
// kernel's "max_states_per_insn M total_states T peak_states P" equals bpfvet's), the
// number of programs whose processed instructions and state counts equal the kernel's
// (among those both verdicts agree on), and the median time ratio.  With
// BPFVET_BENCH_VERBOSE set, rows whose state counts differ show both.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "isa/program.h"
#include "tests/verifier_kernel_loader.h"
#include "verifier/verifier.h"

namespace {

namespace fs = std::filesystem;

struct Row {
  std::string name;
  bool accepted = false;
  uint64_t insns = 0, us = 0;
  bool kernel_ran = false, kernel_accepted = false;
  uint64_t kernel_insns = 0, kernel_us = 0;
  std::string states, kernel_states;  // "max_states_per_insn M total_states T peak_states P"
};

uint64_t parse_number(const std::string& log, const std::regex& re) {
  std::smatch m;
  if (std::regex_search(log, m, re)) return std::stoull(m[1]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "build/corpus";
  int repeat = 5;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    else dir = a;
  }
  if (!fs::is_directory(dir)) {
    std::fprintf(stderr, "verify_bench: %s is not a directory (build the corpus first)\n", dir.c_str());
    return 2;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".o" || e.path().extension() == ".s") files.push_back(e.path());
  std::sort(files.begin(), files.end());

  const bool kernel = bpfvet::testing::kernel_bpf_available();
  const std::regex time_re(R"(verification time (\d+) usec)");
  const std::regex insn_re(R"(processed (\d+) insns)");
  const std::regex states_re(R"(processed \d+ insns \(limit \d+\) (max_states_per_insn \d+ total_states \d+ peak_states \d+))");
  std::vector<Row> rows;
  for (const auto& f : files) {
    bpfvet::isa::LoadOptions lo;
    if (f.extension() == ".s") lo.type = bpfvet::isa::ProgType::SocketFilter;
    auto obj = bpfvet::isa::load_object(f.string(), lo);
    if (!obj) continue;
    for (const auto& prog : obj->programs) {
      Row row;
      row.name = f.filename().string() + ":" + prog.name;
      uint64_t best = UINT64_MAX;
      for (int r = 0; r < repeat; ++r) {
        auto t0 = std::chrono::steady_clock::now();
        auto res = bpfvet::verifier::verify(prog, {});
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
        best = std::min<uint64_t>(best, static_cast<uint64_t>(us));
        row.accepted = res.accepted;
        row.insns = res.stats.processed_insns;
        row.states = "max_states_per_insn " + std::to_string(res.stats.max_states_per_insn) + " total_states " +
                     std::to_string(res.stats.total_states) + " peak_states " + std::to_string(res.stats.peak_states);
      }
      row.us = best;
      if (kernel) {
        if (auto k = bpfvet::testing::kernel_load(prog, true)) {
          row.kernel_ran = true;
          row.kernel_accepted = k->accepted;
          row.kernel_us = parse_number(k->log, time_re);
          row.kernel_insns = parse_number(k->log, insn_re);
          std::smatch m;
          if (std::regex_search(k->log, m, states_re)) row.kernel_states = m[1];
        }
      }
      rows.push_back(row);
    }
  }
  std::printf("%-58s %9s %9s %9s %9s %7s %7s\n", "program", "insns", "us", "k.insns", "k.us", "agree", "states");
  std::vector<double> ratios;
  size_t compared = 0, same_insns = 0, same_states = 0;
  for (const auto& r : rows) {
    std::printf("%-58s %9llu %9llu ", r.name.c_str(), static_cast<unsigned long long>(r.insns),
                static_cast<unsigned long long>(r.us));
    if (r.kernel_ran) {
      const bool agree = r.accepted == r.kernel_accepted;
      const bool states = r.states == r.kernel_states;
      std::printf("%9llu %9llu %7s %7s\n", static_cast<unsigned long long>(r.kernel_insns),
                  static_cast<unsigned long long>(r.kernel_us), agree ? "yes" : "NO", states ? "yes" : "NO");
      if (!states && std::getenv("BPFVET_BENCH_VERBOSE"))
        std::printf("    bpfvet: %s\n    kernel: %s\n", r.states.c_str(), r.kernel_states.c_str());
      if (agree) {
        ++compared;
        same_insns += r.insns == r.kernel_insns;
        same_states += states;
      }
      if (r.kernel_us > 0) ratios.push_back(static_cast<double>(std::max<uint64_t>(r.us, 1)) / r.kernel_us);
    } else {
      std::printf("%9s %9s %7s %7s\n", "-", "-", "-", "-");
    }
  }
  if (compared > 0)
    std::printf("same verdict: %zu programs; processed insns equal the kernel's on %zu, state counts on %zu\n",
                compared, same_insns, same_states);
  if (!ratios.empty()) {
    std::sort(ratios.begin(), ratios.end());
    std::printf("median time ratio bpfvet/kernel: %.2f over %zu programs\n", ratios[ratios.size() / 2], ratios.size());
  } else {
    std::printf("kernel comparison unavailable (no bpf())\n");
  }
  return 0;
}
