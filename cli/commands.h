// The bpfvet subcommands.  Each group registers its subcommands on the CLI11 app;
// a subcommand's callback stores the process exit status in `status`:
//   0 accepted / finished, 1 rejected / engines disagree, 2 bad usage or bad input.
// Bad input is reported by throwing InputError (main prints "bpfvet: <message>" on
// stderr and exits 2), so no subcommand prints its own fatal errors.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/program.h"

namespace bpfvet::cli {

/// Malformed input or impossible request: one line, exit code 2.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// verify, explain, lint (cli/verify_cmd.cpp).
void add_verify_commands(CLI::App& app, int& status);
/// run, bench (cli/run_cmd.cpp).
void add_run_commands(CLI::App& app, int& status);
/// disasm, asm, cfg, jit (cli/tool_cmd.cpp).
void add_tool_commands(CLI::App& app, int& status);

/// Options every program-taking command shares (--section, --type, --input-format, --program,
/// --btf).
struct InputOptions {
  std::string path;
  std::vector<std::string> sections;
  std::string type;
  std::string input_format = "auto";
  std::string program;
  std::string btf;  // CO-RE target BTF; "" = the host's /sys/kernel/btf/vmlinux
  // LINUX_KERNEL_VERSION for `__kconfig` externs (verify/lint/explain --kernel x.y);
  // unset = the running kernel's (uname -r), as libbpf would.
  std::optional<uint32_t> linux_version;
};
/// Adds the positional INPUT and the shared selection options to a subcommand.
void add_input_options(CLI::App& cmd, InputOptions& opts);
/// Adds only --section/--type/--input-format/--program/--btf (for commands with several inputs).
void add_selection_options(CLI::App& cmd, InputOptions& opts);
/// Parses a --type value (incl. alias tc) or throws InputError listing the valid names.
isa::ProgType parse_type_option(const std::string& name);
/// The whole contents of a text file, or InputError (missing, directory, empty, unreadable).
std::string read_text_file(const std::string& path);
/// LINUX_KERNEL_VERSION (KERNEL_VERSION(x, y, 0)) of a --kernel value; nullopt for
/// "latest" (the running kernel's then applies).  Throws InputError on a bad value.
std::optional<uint32_t> linux_version_of(const std::string& kernel);
/// Loads the input or throws InputError with the loader's message.
isa::Object load_input(const InputOptions& opts);

}  // namespace bpfvet::cli
