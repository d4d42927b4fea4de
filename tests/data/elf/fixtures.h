// Test support for the ELF/BTF/loader tests: compiles the C fixtures of this folder
// with clang -target bpf once per test process, and reads/writes whole files.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace bpfvet::testing {

/// A private temporary directory for this test process, removed at exit.
inline const std::filesystem::path& temp_dir() {
  struct Dir {
    std::filesystem::path path;
    Dir() : path(std::filesystem::temp_directory_path() / ("bpfvet_elf_" + std::to_string(::getpid()))) {
      std::filesystem::create_directories(path);
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

/// Compiles tests/data/elf/<name>.c to an object; "" when clang fails (the test then fails
/// with the compiler's output on stderr).
inline std::string compile_fixture(const std::string& name) {
  static std::map<std::string, std::string> cache;
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  const std::string src = std::string(BPFVET_SOURCE_DIR) + "/tests/data/elf/" + name + ".c";
  const std::string out = (temp_dir() / (name + ".o")).string();
  const std::string cmd = "clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c '" + src + "' -o '" + out + "'";
  const std::string result = std::system(cmd.c_str()) == 0 ? out : "";
  cache[name] = result;
  return result;
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline std::string write_bytes(const std::string& name, const std::vector<uint8_t>& bytes) {
  const std::string path = (temp_dir() / name).string();
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return path;
}

inline std::string write_text(const std::string& name, const std::string& text) {
  return write_bytes(name, std::vector<uint8_t>(text.begin(), text.end()));
}

}  // namespace bpfvet::testing
