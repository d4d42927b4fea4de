// kernel_verdict: prints what the running kernel's verifier says about every program of
// a BPF object (or a kernel-syntax .s file, assembled with llvm-mc-14), in the form of
// the corpus expectation block, so that expectations are re-derived rather than guessed.
//
//   kernel_verdict FILE.o|FILE.s [--type T] [--log] [--log-level N]
//
// Needs root (bpf()).  Exit code: 0 when every program loaded, 1 when one was
// rejected, 2 on bad usage or a libbpf-level failure.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tests/support/kernel_loader.h"

int main(int argc, char** argv) {
  std::string path, type;
  bool show_log = false;
  int log_level = 1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--type" && i + 1 < argc) {
      type = argv[++i];
    } else if (a == "--log") {
      show_log = true;
    } else if (a == "--log-level" && i + 1 < argc) {
      show_log = true;
      log_level = std::atoi(argv[++i]);
    } else if (path.empty() && a[0] != '-') {
      path = a;
    } else {
      std::fprintf(stderr, "usage: kernel_verdict FILE.o|FILE.s [--type T] [--log] [--log-level N]\n");
      return 2;
    }
  }
  if (path.empty()) {
    std::fprintf(stderr, "usage: kernel_verdict FILE.o|FILE.s [--type T] [--log] [--log-level N]\n");
    return 2;
  }
  namespace ts = bpfvet::testsupport;
  const bool is_asm = path.size() > 2 && path.compare(path.size() - 2, 2, ".s") == 0;
  const ts::ObjectVerdicts r =
      is_asm ? ts::load_assembly_file(path, type, log_level) : ts::load_object_file(path, type, log_level);
  int rc = 0;
  for (const auto& v : r.programs) {
    if (show_log) std::printf("----- log of %s -----\n%s\n-----\n", v.section.c_str(), v.log.c_str());
    std::printf("// SECTION: %s   (%s, %d insns)\n", v.section.c_str(), v.name.c_str(), v.insn_count);
    if (!v.accepted && v.log.empty()) {
      rc = 2;
      std::printf("// (refused before verification: %s)\n", std::strerror(-v.error));
    } else if (v.accepted) {
      std::printf("// EXPECT: accepted\n");
    } else {
      rc = 1;
      std::printf("// EXPECT: rejected\n// INSN: %d\n// KERNEL: %s\n", v.insn, v.message.c_str());
    }
  }
  if (!r.error.empty()) {
    std::fprintf(stderr, "kernel_verdict: %s\n", r.error.c_str());
    return 2;
  }
  return rc;
}
