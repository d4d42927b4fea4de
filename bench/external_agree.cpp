// external_agree: bpfvet's verdicts against the running kernel's on an external corpus
// of real objects (the Linux selftests built by scripts/external_corpus.sh).
//
//   external_agree [OBJ_DIR] [--filter SUBSTR] [--tsv FILE] [--examples N]
//
// For every program of every object in OBJ_DIR (default build/external/obj):
// - the kernel's verdict: the object opened with libbpf and only that program loaded
//   (tests/support/kernel_loader.h).  A refusal without a verifier log happened before
//   verification (libbpf 1.1 cannot open the object, a missing attach target or module
//   kfunc, EPERM on LSM): such programs are counted as "kernel: not loadable here", not
//   as agreement or disagreement.
// - bpfvet's verdict, as `bpfvet verify` reaches it (isa::load_object, then
//   verifier::verify), computed in a forked child per object so that a crash or a hang
//   (60 s) is reported as a class of its own instead of ending the run.  When the whole
//   object does not load, each program is retried on its own (--program).
// - the selftests' test_loader annotation, when the program has one: the BTF decl tags
//   `comment:test_expect_success|failure` (__success / __failure in bpf_misc.h).
// Each program the kernel judged is classified: agree (and whether the rejection's
// wording matches the kernel's line), or bpfvet load error, unsupported feature (kfunc
// calls, typed ksyms), false reject, false accept, crash.  Prints the counts, the
// agreement percentage and the top classes with example programs; --tsv writes one row
// per program.  Only loads programs: nothing is attached or pinned.
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "isa/program.h"
#include "tests/support/kernel_loader.h"
#include "verifier/verifier.h"

namespace {

namespace fs = std::filesystem;
using bpfvet::testsupport::KernelVerdict;

// bpfvet's view of one program, as the child reports it.
struct OurVerdict {
  std::string status = "missing";  // accept | reject | loaderr | crash | missing
  std::string code, message;       // error code id and kernel-worded message, or load error
  long insn = -1;
  bool kfunc = false;              // calls a kfunc (BPF_PSEUDO_KFUNC_CALL)
};

struct Row {
  std::string object, name, section;
  KernelVerdict kernel;
  std::string kernel_error;   // libbpf-level failure of the object
  OurVerdict ours;
  std::string annotation;     // success | failure | ""
  std::string cls;            // classification
};

// One line per program from the child: fields separated by tabs, newlines flattened.
std::string flat(std::string s) {
  for (char& c : s)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return s;
}

bool calls_kfunc(const bpfvet::isa::Program& p) {
  for (const auto& r : p.raw)
    if (r.code == 0x85 && r.src() == 2) return true;
  return false;
}

void emit(std::ostream& out, const bpfvet::isa::Program& p) {
  bpfvet::verifier::VerifyOptions o;
  const auto res = bpfvet::verifier::verify(p, o);
  out << flat(p.name) << '\t' << (res.accepted ? "accept" : "reject") << '\t'
      << (res.error ? bpfvet::verifier::error_code_id(res.error->code) : "") << '\t'
      << (res.error ? res.error->insn : -1) << '\t' << (calls_kfunc(p) ? 1 : 0) << '\t'
      << (res.error ? flat(res.error->kernel_message.empty() ? res.error->message : res.error->kernel_message) : "")
      << '\n';
}

// Child side: bpfvet on the whole object, or program by program when that fails.
void bpfvet_child(const std::string& path, const std::vector<std::string>& names, int fd) {
  std::ostringstream out;
  auto obj = bpfvet::isa::load_object(path, {});
  if (obj) {
    for (const auto& p : obj->programs) emit(out, p);
  } else {
    for (const auto& name : names) {
      bpfvet::isa::LoadOptions lo;
      lo.program = name;
      auto one = bpfvet::isa::load_object(path, lo);
      if (one && !one->programs.empty()) {
        for (const auto& p : one->programs) emit(out, p);
      } else {
        out << flat(name) << "\tloaderr\t\t-1\t0\t" << flat(one ? "no programs" : one.message()) << '\n';
      }
    }
    if (names.empty()) out << "*\tloaderr\t\t-1\t0\t" << flat(obj.message()) << '\n';
  }
  const std::string s = out.str();
  for (size_t off = 0; off < s.size();) {
    const ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
}

// Runs bpfvet on `path` in a child; maps program name -> verdict.  A crash or timeout
// marks every program of the object ("*" when the names are unknown).
std::map<std::string, OurVerdict> bpfvet_verdicts(const std::string& path, const std::vector<std::string>& names) {
  std::map<std::string, OurVerdict> out;
  int fds[2];
  if (pipe(fds) != 0) return out;
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    alarm(60);
    bpfvet_child(path, names, fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buf[65536];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f;
    std::istringstream ls(line);
    for (std::string x; std::getline(ls, x, '\t');) f.push_back(x);
    if (f.size() < 5) continue;
    OurVerdict v;
    v.status = f[1];
    v.code = f[2];
    v.insn = std::strtol(f[3].c_str(), nullptr, 10);
    v.kfunc = f[4] == "1";
    v.message = f.size() > 5 ? f[5] : "";
    out[f[0]] = v;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string why = WIFSIGNALED(status) ? (WTERMSIG(status) == SIGALRM ? "timeout (60 s)"
                                                                                : "signal " + std::to_string(WTERMSIG(status)))
                                                : "exit " + std::to_string(WEXITSTATUS(status));
    for (const auto& n : names)
      if (!out.count(n)) out[n] = OurVerdict{"crash", "", why, -1, false};
    if (names.empty()) out["*"] = OurVerdict{"crash", "", why, -1, false};
  }
  return out;
}

// test_loader annotations: function name -> "success" | "failure" (privileged only).
std::map<std::string, std::string> annotations(const std::string& path) {
  std::map<std::string, std::string> out;
  btf* b = btf__parse_elf(path.c_str(), nullptr);
  if (!b) return out;
  const unsigned n = btf__type_cnt(b);
  for (unsigned id = 1; id < n; ++id) {
    const btf_type* t = btf__type_by_id(b, id);
    if (!btf_is_decl_tag(t) || btf_decl_tag(t)->component_idx != -1) continue;
    const std::string tag = btf__name_by_offset(b, t->name_off);
    const btf_type* target = btf__type_by_id(b, t->type);
    if (!target || !btf_is_func(target)) continue;
    const std::string fn = btf__name_by_offset(b, target->name_off);
    if (tag == "comment:test_expect_success") out[fn] = "success";
    if (tag == "comment:test_expect_failure") out[fn] = "failure";
  }
  btf__free(b);
  return out;
}

bool same_message(const std::string& ours, const std::string& kernel) {
  if (ours.empty() || kernel.empty()) return false;
  return ours == kernel || kernel.find(ours) != std::string::npos || ours.find(kernel) != std::string::npos;
}

// The first words of a message, numbers blanked: groups similar load errors.
std::string gist(const std::string& s, size_t words = 6) {
  std::istringstream in(s);
  std::string out, w;
  for (size_t i = 0; i < words && in >> w; ++i) {
    for (char& c : w)
      if (c >= '0' && c <= '9') c = '#';
    out += (out.empty() ? "" : " ") + w;
  }
  return out;
}

std::string classify(const Row& r) {
  const auto& o = r.ours;
  if (o.status == "crash") return "bpfvet crash: " + o.message;
  if (o.status == "missing") return "bpfvet did not list the program";
  if (o.status == "loaderr") {
    if (o.message.find("ksym") != std::string::npos) return "unsupported: typed ksym";
    if (o.message.find("kfunc") != std::string::npos) return "unsupported: kfunc";
    // Group by the error itself, not by the object path it starts with.
    const size_t at = o.message.find(".o: ");
    return "bpfvet load error: " + gist(at == std::string::npos ? o.message : o.message.substr(at + 4));
  }
  const bool ours_ok = o.status == "accept";
  if (ours_ok == r.kernel.accepted) {
    if (ours_ok) return "agree";
    return same_message(o.message, r.kernel.message) ? "agree" : "agree, message differs";
  }
  if (o.kfunc) return "unsupported: kfunc";
  if (ours_ok) return "false accept (kernel: " + gist(r.kernel.message, 5) + ")";
  return "false reject (" + o.code + ")";
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "build/external/obj", filter, tsv;
  size_t examples = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--filter" && i + 1 < argc) filter = argv[++i];
    else if (a == "--tsv" && i + 1 < argc) tsv = argv[++i];
    else if (a == "--examples" && i + 1 < argc) examples = static_cast<size_t>(std::atoi(argv[++i]));
    else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "usage: external_agree [OBJ_DIR] [--filter SUBSTR] [--tsv FILE] [--examples N]\n");
      return 2;
    } else dir = a;
  }
  if (!fs::is_directory(dir)) {
    std::fprintf(stderr, "external_agree: %s is not a directory (run scripts/external_corpus.sh first)\n", dir.c_str());
    return 2;
  }
  if (!bpfvet::testsupport::bpf_syscall_available()) {
    std::fprintf(stderr, "external_agree: bpf() is not available here; nothing to compare against\n");
    return 2;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".o" && e.path().filename().string().find(filter) != std::string::npos)
      files.push_back(e.path());
  std::sort(files.begin(), files.end());

  std::vector<Row> rows;
  for (const auto& f : files) {
    const std::string path = f.string();
    std::fprintf(stderr, "\r[%zu/%zu] %-60s", static_cast<size_t>(&f - files.data()) + 1, files.size(),
                 f.filename().string().c_str());
    const auto kernel = bpfvet::testsupport::load_object_file(path);
    std::vector<std::string> names;
    for (const auto& k : kernel.programs) names.push_back(k.name);
    const auto ours = bpfvet_verdicts(path, names);
    const auto notes = annotations(path);
    if (kernel.programs.empty()) {
      Row r;
      r.object = f.filename().string();
      r.name = "*";
      r.kernel_error = kernel.error.empty() ? "no programs" : kernel.error;
      r.cls = "kernel: not loadable here (" + gist(r.kernel_error, 3) + ")";
      rows.push_back(r);
      continue;
    }
    for (const auto& k : kernel.programs) {
      Row r;
      r.object = f.filename().string();
      r.name = k.name;
      r.section = k.section;
      r.kernel = k;
      auto it = ours.find(k.name);
      if (it == ours.end()) it = ours.find("*");
      if (it != ours.end()) r.ours = it->second;
      auto a = notes.find(k.name);
      if (a != notes.end()) r.annotation = a->second;
      // The verifier finished without an error line but libbpf failed afterwards
      // (filling a prog array with programs that were left unloaded): the verifier
      // accepted the program.
      if (!k.accepted && k.message.empty() && k.log.find("processed ") != std::string::npos)
        r.kernel.accepted = true;
      if (!r.kernel.accepted && k.log.empty())
        r.cls = "kernel: not loadable here (" + std::string(strerror(-k.error)) + ")";
      else
        r.cls = classify(r);
      rows.push_back(r);
    }
  }

  std::fprintf(stderr, "\n");
  // Summary.
  size_t compared = 0, agree = 0, agree_msg = 0, env = 0, annotated = 0, ann_kernel = 0, ann_ours = 0;
  std::map<std::string, std::vector<const Row*>> classes;
  for (const auto& r : rows) {
    classes[r.cls].push_back(&r);
    if (r.cls.rfind("kernel: not loadable", 0) == 0) {
      ++env;
      continue;
    }
    ++compared;
    if (r.cls.rfind("agree", 0) == 0) ++agree;
    if (r.cls == "agree") ++agree_msg;
    if (!r.annotation.empty()) {
      ++annotated;
      ann_kernel += (r.annotation == "success") == r.kernel.accepted;
      ann_ours += (r.ours.status == "accept" || r.ours.status == "reject") &&
                  (r.annotation == "success") == (r.ours.status == "accept");
    }
  }
  auto pct = [](size_t a, size_t b) { return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0; };
  std::printf("external_agree: %zu objects, %zu programs; %zu not loadable by the kernel here\n", files.size(),
              rows.size(), env);
  std::printf("compared %zu programs: verdict agrees on %zu (%.1f%%), verdict and wording on %zu (%.1f%%)\n",
              compared, agree, pct(agree, compared), agree_msg, pct(agree_msg, compared));
  std::printf("annotated (__success/__failure): %zu; kernel matches the annotation on %zu, bpfvet on %zu\n",
              annotated, ann_kernel, ann_ours);
  std::vector<std::pair<std::string, std::vector<const Row*>>> sorted(classes.begin(), classes.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
  std::printf("\nclasses:\n");
  for (const auto& [cls, rs] : sorted) {
    std::printf("%6zu  %s\n", rs.size(), cls.c_str());
    if (cls == "agree") continue;
    for (size_t i = 0; i < std::min(examples, rs.size()); ++i) {
      const Row& r = *rs[i];
      std::printf("          %s:%s", r.object.c_str(), r.name.c_str());
      if (!r.kernel.message.empty()) std::printf("  kernel: %s", r.kernel.message.c_str());
      if (!r.ours.message.empty()) std::printf("  bpfvet: %s", r.ours.message.c_str());
      std::printf("\n");
    }
  }
  if (!tsv.empty()) {
    std::ofstream out(tsv);
    out << "object\tprogram\tsection\tclass\tannotation\tkernel\tkernel_insn\tkernel_message\tbpfvet\tbpfvet_code"
           "\tbpfvet_insn\tbpfvet_message\n";
    for (const auto& r : rows)
      out << r.object << '\t' << r.name << '\t' << r.section << '\t' << r.cls << '\t' << r.annotation << '\t'
          << (r.kernel.accepted ? "accept" : r.kernel.log.empty() ? "noload" : "reject") << '\t' << r.kernel.insn
          << '\t' << flat(r.kernel.message.empty() ? r.kernel_error : r.kernel.message) << '\t' << r.ours.status
          << '\t' << r.ours.code << '\t' << r.ours.insn << '\t' << flat(r.ours.message) << '\n';
  }
  return 0;
}
