// verify_bench: bpfvet's verifier against the running kernel's, per corpus program.
//
//   verify_bench [CORPUS_DIR] [--repeat N]
//
// For every object (.o) and assembly file (.s) in CORPUS_DIR (default build/corpus),
// each program is verified by bpfvet (best of N runs) and, where bpf() works, loaded
// into the kernel by the kernel oracle (tests/support/kernel_loader.h: the way libbpf
// loads it, with expected attach type, attach BTF id, func and line info; `.s` files
// assembled and loaded by hand) at log level BPF_LOG_STATS, to read "verification time
// N usec", "processed N insns" and the state counts without a trace slowing the
// kernel down.  The program type comes from the corpus expectation header (`TYPE:` in
// the .s file, or in corpus/{accepted,rejected}/NAME.c next to the sources) when it
// has one.  Prints one row per program (`states`: the kernel's "max_states_per_insn M
// total_states T peak_states P" equals bpfvet's), the number of programs whose
// processed instructions and state counts equal the kernel's (among those both
// verdicts agree on), and the median time ratio.  With BPFVET_BENCH_VERBOSE set, rows
// whose counts differ show both, and programs the kernel refused before verifying
// them show the reason.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "isa/program.h"
#include "tests/support/kernel_loader.h"
#include "verifier/verifier.h"

namespace {

namespace fs = std::filesystem;
namespace ts = bpfvet::testsupport;

struct Row {
  std::string name;
  bool accepted = false;
  uint64_t insns = 0, us = 0;
  std::string states;  // "max_states_per_insn M total_states T peak_states P"
  const ts::KernelVerdict* kernel = nullptr;  // null when the kernel did not load it
  ts::KernelStats kstats;
  std::string kernel_missing;  // why there is no kernel verdict
};

std::string states_text(uint64_t max_per_insn, uint64_t total, uint64_t peak) {
  return "max_states_per_insn " + std::to_string(max_per_insn) + " total_states " + std::to_string(total) +
         " peak_states " + std::to_string(peak);
}

// The `TYPE:` line of a corpus expectation header ("" when none): the .s file itself,
// or the C source of an object.
std::string corpus_type(const fs::path& file) {
  fs::path src = file;
  if (file.extension() == ".o") {
    src.clear();
    for (const char* dir : {"accepted", "rejected"}) {
      const fs::path c = fs::path(BPFVET_SOURCE_DIR) / "corpus" / dir / (file.stem().string() + ".c");
      if (fs::exists(c)) src = c;
    }
    if (src.empty()) return "";
  }
  const std::regex re(R"(^(//|;)\s*TYPE:\s*(\S+))");
  std::ifstream in(src);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("//", 0) != 0 && line.rfind(";", 0) != 0) break;
    std::smatch m;
    if (std::regex_search(line, m, re)) return m[2];
  }
  return "";
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

  const bool kernel = ts::bpf_syscall_available();
  std::vector<ts::ObjectVerdicts> verdicts;  // kept alive: rows point into them
  verdicts.reserve(files.size());
  std::vector<Row> rows;
  for (const auto& f : files) {
    const std::string type = corpus_type(f);
    bpfvet::isa::LoadOptions lo;
    if (!type.empty()) lo.type = bpfvet::isa::parse_prog_type(type);
    else if (f.extension() == ".s") lo.type = bpfvet::isa::ProgType::SocketFilter;
    auto obj = bpfvet::isa::load_object(f.string(), lo);
    if (!obj) continue;
    verdicts.push_back({});
    ts::ObjectVerdicts& kv = verdicts.back();
    if (kernel)
      kv = f.extension() == ".s" ? ts::load_assembly_file(f.string(), type.empty() ? "socket_filter" : type, ts::kLogStats)
                                 : ts::load_object_file(f.string(), type, ts::kLogStats);
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
        row.states = states_text(res.stats.max_states_per_insn, res.stats.total_states, res.stats.peak_states);
      }
      row.us = best;
      if (!kernel) {
        row.kernel_missing = "no bpf()";
      } else if (!kv.error.empty()) {
        row.kernel_missing = kv.error;
      } else {
        // The kernel's verdict of the same program: same section and function (an
        // assembled file has one program, named differently).
        for (const auto& v : kv.programs)
          if ((v.section == prog.section && v.name == prog.name) || (f.extension() == ".s" && kv.programs.size() == 1))
            row.kernel = &v;
        if (!row.kernel) row.kernel_missing = "the kernel oracle found no program " + prog.section + "/" + prog.name;
        else if (!row.kernel->accepted && row.kernel->log.empty())
          row.kernel_missing = std::string("refused before verification: ") + std::strerror(-row.kernel->error);
        if (!row.kernel_missing.empty()) row.kernel = nullptr;
        else row.kstats = ts::parse_stats(row.kernel->log);
      }
      rows.push_back(row);
    }
  }
  const bool verbose = std::getenv("BPFVET_BENCH_VERBOSE") != nullptr;
  std::printf("%-58s %9s %9s %9s %9s %7s %7s\n", "program", "insns", "us", "k.insns", "k.us", "agree", "states");
  std::vector<double> ratios;
  size_t compared = 0, same_insns = 0, same_states = 0, loaded = 0;
  for (const auto& r : rows) {
    std::printf("%-58s %9llu %9llu ", r.name.c_str(), static_cast<unsigned long long>(r.insns),
                static_cast<unsigned long long>(r.us));
    if (!r.kernel) {
      std::printf("%9s %9s %7s %7s\n", "-", "-", "-", "-");
      if (verbose) std::printf("    kernel: %s\n", r.kernel_missing.c_str());
      continue;
    }
    ++loaded;
    const ts::KernelStats& k = r.kstats;
    const bool agree = r.accepted == r.kernel->accepted;
    const std::string kstates = k.found ? states_text(k.max_states_per_insn, k.total_states, k.peak_states) : "";
    const bool states = r.states == kstates;
    std::printf("%9llu %9llu %7s %7s\n", static_cast<unsigned long long>(k.processed_insns),
                static_cast<unsigned long long>(k.verification_us), agree ? "yes" : "NO", states ? "yes" : "NO");
    if (verbose && (!states || r.insns != k.processed_insns))
      std::printf("    bpfvet: processed %llu, %s\n    kernel: processed %llu, %s\n",
                  static_cast<unsigned long long>(r.insns), r.states.c_str(),
                  static_cast<unsigned long long>(k.processed_insns), kstates.c_str());
    if (verbose && !agree && !r.kernel->accepted) std::printf("    kernel: %s\n", r.kernel->log.c_str());
    if (agree) {
      ++compared;
      same_insns += r.insns == k.processed_insns;
      same_states += states;
    }
    if (k.verification_us > 0) ratios.push_back(static_cast<double>(std::max<uint64_t>(r.us, 1)) / k.verification_us);
  }
  if (kernel) std::printf("the kernel loaded %zu of %zu programs\n", loaded, rows.size());
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
