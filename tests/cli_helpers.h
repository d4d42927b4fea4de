// Helpers for the CLI tests: run the built bpfvet binary as a user would, with a
// time limit (a hang is a failure), and scratch files.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace bpfvet::clitest {

/// What a run of the binary produced.
struct RunResult {
  int status = -1;  // exit code; 128 + signal when killed by a signal; -1 on a timeout
  std::string out;
  std::string err;
  /// Lines of stderr (without their newline).
  std::vector<std::string> err_lines() const {
    std::vector<std::string> lines;
    std::istringstream is(err);
    for (std::string l; std::getline(is, l);) lines.push_back(l);
    return lines;
  }
};

inline std::string bpfvet_binary() { return std::string(BPFVET_BINARY_DIR) + "/bpfvet"; }
inline std::string corpus_dir() { return BPFVET_CORPUS_DIR; }
inline std::string source_dir() { return BPFVET_SOURCE_DIR; }

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

/// A fresh directory under the system temp dir, removed with the object.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bpfvet_cli_XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Runs `bpfvet args...` with stdout and stderr captured in files; kills it after
/// `timeout` and reports status -1 (a hang).
inline RunResult run_bpfvet(const std::vector<std::string>& args,
                            std::chrono::seconds timeout = std::chrono::seconds(120)) {
  ScratchDir dir;
  const auto out_path = (dir / "stdout").string();
  const auto err_path = (dir / "stderr").string();
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const std::string bin = bpfvet_binary();
  std::vector<char*> argv{const_cast<char*>(bin.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  RunResult r;
  if (posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv.data(), environ) != 0) {
    posix_spawn_file_actions_destroy(&fa);
    r.err = "cannot start " + bin;
    return r;
  }
  posix_spawn_file_actions_destroy(&fa);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int wstatus = 0;
  for (;;) {
    const pid_t done = waitpid(pid, &wstatus, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &wstatus, 0);
      r.out = read_file(out_path);
      r.err = read_file(err_path);
      r.status = -1;
      return r;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  return r;
}

/// Every compiled corpus object (<build>/corpus/*.o), sorted by name.
inline std::vector<std::filesystem::path> corpus_objects() {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(corpus_dir(), ec))
    if (e.path().extension() == ".o") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

/// The `--type` a corpus object needs, from its source's `// TYPE:` expectation line
/// (corpus/{accepted,rejected}/NAME.c); empty when the section names the type.
inline std::string corpus_type(const std::filesystem::path& object) {
  for (const char* folder : {"accepted", "rejected"}) {
    const auto src =
        std::filesystem::path(source_dir()) / "corpus" / folder / (object.stem().string() + ".c");
    std::ifstream in(src);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("// TYPE:", 0) != 0) continue;
      const auto start = line.find_first_not_of(' ', 8);
      return start == std::string::npos ? std::string() : line.substr(start);
    }
  }
  return {};
}

/// `args` plus `--type T` when the corpus object needs it.
inline std::vector<std::string> with_corpus_type(std::vector<std::string> args,
                                                 const std::filesystem::path& object) {
  if (auto t = corpus_type(object); !t.empty()) args.insert(args.end(), {"--type", t});
  return args;
}

/// BPFVET_BLESS=1: golden files are rewritten instead of compared.
inline bool blessing() {
  const char* v = std::getenv("BPFVET_BLESS");
  return v && *v && std::string(v) != "0";
}

}  // namespace bpfvet::clitest
