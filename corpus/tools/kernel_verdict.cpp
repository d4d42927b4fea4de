// kernel_verdict: prints what the running kernel's verifier says about every program of
// a BPF object (or a kernel-syntax .s file, assembled with llvm-mc-14), in the form of
// the corpus expectation block, so that expectations are re-derived rather than guessed.
//
//   kernel_verdict FILE.o|FILE.s [--type T] [--log]
//
// Needs root (bpf()).  Exit code: 0 when every program loaded, 1 when one was
// rejected, 2 on bad usage or a libbpf-level failure.
#include <cstdio>
#include <cstring>
#include <string>

#include "tests/support/kernel_loader.h"

int main(int argc, char** argv) {
  std::string path, type;
  bool show_log = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--type" && i + 1 < argc) {
      type = argv[++i];
    } else if (a == "--log") {
      show_log = true;
    } else if (path.empty() && a[0] != '-') {
      path = a;
    } else {
      std::fprintf(stderr, "usage: kernel_verdict FILE.o|FILE.s [--type T] [--log]\n");
      return 2;
    }
  }
  if (path.empty()) {
    std::fprintf(stderr, "usage: kernel_verdict FILE.o|FILE.s [--type T] [--log]\n");
    return 2;
  }
  std::string object = path;
  std::string load_type = type;
  if (path.size() > 2 && path.compare(path.size() - 2, 2, ".s") == 0) {
    std::string err;
    object = bpfvet::testsupport::assemble_with_llvm_mc(path, bpfvet::testsupport::section_for_type(type), "/tmp", &err);
    if (object.empty()) {
      std::fprintf(stderr, "kernel_verdict: %s\n", err.c_str());
      return 2;
    }
  }
  const bool is_asm = object != path;
  bpfvet::testsupport::ObjectVerdicts r = is_asm ? bpfvet::testsupport::load_object_by_hand(object, load_type)
                                                 : bpfvet::testsupport::load_object_file(object, load_type);
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
