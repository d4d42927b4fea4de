// The input options every program-taking command shares, and loading them (commands.h).
#include <filesystem>
#include <sstream>
#include <system_error>

#include "cli/commands.h"
#include "isa/kernel_version.h"
#include "isa/prog_type.h"

namespace bpfvet::cli {
namespace {

isa::InputFormat parse_input_format(const std::string& s) {
  if (s == "auto") return isa::InputFormat::Auto;
  if (s == "elf") return isa::InputFormat::Elf;
  if (s == "raw") return isa::InputFormat::Raw;
  if (s == "asm") return isa::InputFormat::Asm;
  throw InputError("unknown input format '" + s + "' (valid: elf, raw, asm)");
}

// The loader reports malformed contents; these are the checks a path needs before
// anyone opens it, worded for the command line.
void check_path(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw InputError(path + ": no such file");
  if (fs::is_directory(st)) throw InputError(path + ": is a directory, not a program file");
  if (!fs::is_regular_file(st)) throw InputError(path + ": not a regular file");
  if (fs::file_size(path, ec) == 0 && !ec) throw InputError(path + ": empty file");
}

}  // namespace

std::string read_text_file(const std::string& path) {
  auto bytes = isa::read_input_file(path);
  if (!bytes) throw InputError(bytes.message());
  if (bytes->empty()) throw InputError(path + ": empty file");
  return std::string(bytes->begin(), bytes->end());
}

isa::ProgType parse_type_option(const std::string& name) {
  auto t = isa::parse_prog_type(name);
  if (!t) throw InputError("unknown program type '" + name + "' (valid: " + isa::prog_type_names() + ")");
  return *t;
}

void add_input_options(CLI::App& cmd, InputOptions& opts) {
  cmd.add_option("input", opts.path, "Program: ELF object (clang -target bpf), raw bytecode, or .s/.asm text")
      ->required();
  add_selection_options(cmd, opts);
}

void add_selection_options(CLI::App& cmd, InputOptions& opts) {
  cmd.add_option("--section", opts.sections, "Only the programs of this ELF section (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd.add_option(
      "--type", opts.type,
      "Program type where the input does not say it: " + isa::prog_type_names() + " (tc = sched_cls)");
  cmd.add_option("--input-format", opts.input_format, "Override input detection: elf, raw or asm");
  cmd.add_option("--program", opts.program, "Only the program with this function name");
  cmd.add_option("--btf", opts.btf,
                 "Kernel BTF that CO-RE relocations resolve against: raw BTF (a copy of "
                 "/sys/kernel/btf/vmlinux) or a vmlinux ELF image; default: the running kernel's");
}

std::optional<uint32_t> linux_version_of(const std::string& kernel) {
  auto k = isa::parse_kernel_version(kernel);
  if (!k) throw InputError(k.message());
  if (kernel == "latest") return std::nullopt;
  return (uint32_t{k->version.major} << 16) + (uint32_t{k->version.minor} << 8);
}

isa::Object load_input(const InputOptions& opts) {
  isa::LoadOptions lo;
  lo.format = parse_input_format(opts.input_format);
  if (!opts.type.empty()) lo.type = parse_type_option(opts.type);
  lo.sections = opts.sections;
  lo.program = opts.program;
  lo.target.btf_path = opts.btf;
  lo.target.version = opts.linux_version;
  check_path(opts.path);
  auto obj = isa::load_object(opts.path, lo);
  if (!obj) throw InputError(obj.message());
  if (obj->programs.empty()) throw InputError(opts.path + ": no programs found");
  return std::move(obj).value();
}

}  // namespace bpfvet::cli
