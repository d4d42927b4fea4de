// load_object() and program_from_raw() (program.h): every input format into Programs.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "isa/assembler.h"
#include "isa/elf.h"
#include "isa/program.h"

namespace bpfvet::isa {
namespace {

constexpr uint8_t kOpLdImm64 = 0x18;
constexpr uint8_t kOpCall = 0x85;
}  // namespace

Result<std::vector<uint8_t>> read_input_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Error{path + ": no such file"};
  if (fs::is_directory(st)) return Error{path + ": is a directory, not a file"};
  // Devices and FIFOs (/dev/zero, a pipe) may never end: refuse them before opening.
  if (!fs::is_regular_file(st)) return Error{path + ": not a regular file"};
  const auto too_big = [&] {
    return Error{path + ": file is larger than " + std::to_string(kMaxInputFileBytes >> 20) + " MiB"};
  };
  if (const uintmax_t size = fs::file_size(path, ec); !ec && size > kMaxInputFileBytes) return too_big();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": cannot open: " + std::strerror(errno)};
  std::vector<uint8_t> bytes;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    bytes.insert(bytes.end(), buf, buf + in.gcount());
    if (bytes.size() > kMaxInputFileBytes) return too_big();  // grew while we read it
  }
  if (in.bad()) return Error{path + ": read error"};
  return bytes;
}

namespace {

bool has_asm_extension(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  return ext == ".s" || ext == ".S" || ext == ".asm";
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

// Keeps the programs --section and --program ask for; naming a missing one is an error
// that lists what there is.
Status select_programs(const std::string& path, const LoadOptions& opts, std::vector<Program>& progs) {
  if (!opts.sections.empty()) {
    std::vector<std::string> have;
    for (const auto& p : progs)
      if (std::find(have.begin(), have.end(), p.section) == have.end()) have.push_back(p.section);
    for (const auto& want : opts.sections)
      if (std::find(have.begin(), have.end(), want) == have.end())
        return Error{path + ": no program section '" + want + "' (available: " + join(have) + ")"};
    std::erase_if(progs, [&](const Program& p) {
      return std::find(opts.sections.begin(), opts.sections.end(), p.section) == opts.sections.end();
    });
  }
  if (!opts.program.empty()) {
    std::vector<std::string> have;
    for (const auto& p : progs) have.push_back(p.name);
    std::erase_if(progs, [&](const Program& p) { return p.name != opts.program; });
    if (progs.empty()) return Error{path + ": no program named '" + opts.program + "' (available: " + join(have) + ")"};
  }
  return Ok{};
}

Status finish(const std::string& path, const LoadOptions& opts, Program& p, bool from_elf) {
  if (opts.type) p.type = *opts.type;
  if (from_elf && p.type == ProgType::Unspec)
    return Error{path + ": cannot determine program type of section '" + p.section + "'; use --type"};
  auto insns = decode(p.raw);
  if (!insns) {
    const std::string where = p.section.empty() ? "" : "section '" + p.section + "': ";
    return Error{path + ": " + where + insns.message()};
  }
  p.insns = std::move(*insns);
  if (p.lines.size() != p.raw.size()) p.lines.resize(p.raw.size());
  return Ok{};
}

Result<Object> load_elf(const std::string& path, std::span<const uint8_t> bytes, const LoadOptions& opts) {
  auto obj = object_from_elf(bytes, path, opts.target);
  if (!obj) return Error{path + ": " + obj.message()};
  Status st = select_programs(path, opts, obj->programs);
  if (!st) return st.error();
  for (auto& p : obj->programs) {
    st = finish(path, opts, p, true);
    if (!st) return st.error();
  }
  return std::move(obj).value();
}

Result<Object> single_program(const std::string& path, Program p, const LoadOptions& opts) {
  p.file = path;
  if (!opts.sections.empty())
    return Error{path + ": --section '" + opts.sections.front() + "' needs an ELF object; this input has no sections"};
  if (!opts.program.empty() && opts.program != p.name)
    return Error{path + ": no program named '" + opts.program + "' (available: " + p.name + ")"};
  Status st = finish(path, opts, p, false);
  if (!st) return st.error();
  Object obj;
  obj.path = path;
  obj.programs.push_back(std::move(p));
  return obj;
}

std::string stem_of(const std::string& path) {
  const std::string stem = std::filesystem::path(path).stem().string();
  return stem.empty() ? "prog" : stem;
}

Result<Object> load_asm(const std::string& path, std::span<const uint8_t> bytes, const LoadOptions& opts) {
  const std::string text(bytes.begin(), bytes.end());
  auto listing = assemble_listing(text, path);
  if (!listing) return listing.error();  // already "FILE:LINE: message"
  auto prog = program_from_raw(listing->insns, opts.type.value_or(ProgType::Unspec), stem_of(path));
  if (!prog) return Error{path + ": " + prog.message()};
  // Subprograms take the name of a label at their first slot.
  for (auto& f : prog->functions)
    for (const auto& [label, slot] : listing->labels)
      if (slot == f.start && f.start != 0) { f.name = label; break; }
  std::vector<std::string> source_lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    source_lines.push_back(std::move(l));
  }
  for (size_t i = 0; i < listing->lines.size() && i < prog->lines.size(); ++i) {
    const uint32_t n = listing->lines[i];
    if (n == 0) continue;
    prog->lines[i] = SourceLine{path, n, 0, n <= source_lines.size() ? source_lines[n - 1] : std::string()};
  }
  return single_program(path, std::move(*prog), opts);
}

Result<Object> load_raw(const std::string& path, std::span<const uint8_t> bytes, const LoadOptions& opts) {
  if (bytes.size() % 8)
    return Error{path + ": raw bytecode is " + std::to_string(bytes.size()) + " bytes, not a multiple of 8"};
  auto raw = raw_from_bytes(bytes);
  if (!raw) return Error{path + ": " + raw.message()};
  auto prog = program_from_raw(std::move(*raw), opts.type.value_or(ProgType::Unspec), stem_of(path));
  if (!prog) return Error{path + ": " + prog.message()};
  return single_program(path, std::move(*prog), opts);
}

}  // namespace

Result<Object> load_object(const std::string& path, const LoadOptions& opts) {
  auto bytes = read_input_file(path);
  if (!bytes) return bytes.error();
  if (bytes->empty()) return Error{path + ": empty file"};
  InputFormat fmt = opts.format;
  if (fmt == InputFormat::Auto) {
    if (is_elf(*bytes))
      fmt = InputFormat::Elf;
    else if (has_asm_extension(path))
      fmt = InputFormat::Asm;
    else
      fmt = InputFormat::Raw;
  }
  switch (fmt) {
    case InputFormat::Elf:
      if (!is_elf(*bytes)) return Error{path + ": not an ELF file (bad magic)"};
      return load_elf(path, *bytes, opts);
    case InputFormat::Asm:
      return load_asm(path, *bytes, opts);
    case InputFormat::Raw:
    case InputFormat::Auto:
      break;
  }
  return load_raw(path, *bytes, opts);
}

Result<Program> program_from_raw(std::vector<RawInsn> raw, ProgType type, std::string name) {
  if (raw.empty()) return Error{"program has no instructions"};
  auto insns = decode(raw);
  if (!insns) return insns.error();
  Program p;
  p.name = std::move(name);
  p.type = type;
  p.raw = std::move(raw);
  p.insns = std::move(*insns);
  p.lines.resize(p.raw.size());
  // Subprograms start where a bpf-to-bpf call or a function pointer points, as the
  // kernel's add_subprog() finds them.
  const int64_t n = static_cast<int64_t>(p.raw.size());
  std::set<uint32_t> starts{0};
  for (int64_t pc = 0; pc < n; ++pc) {
    const RawInsn& in = p.raw[pc];
    const bool call = in.code == kOpCall && in.src() == 1;
    const bool fptr = in.code == kOpLdImm64 && in.src() == static_cast<uint8_t>(Pseudo::Func);
    if (!call && !fptr) continue;
    const int64_t t = pc + 1 + in.imm;
    if (t < 0 || t >= n)
      return Error{"insn " + std::to_string(pc) + ": " + (call ? "call" : "function pointer") + " target " +
                   std::to_string(t) + " is outside the program"};
    starts.insert(static_cast<uint32_t>(t));
  }
  for (auto it = starts.begin(); it != starts.end(); ++it) {
    const auto next = std::next(it);
    const uint32_t end = next == starts.end() ? static_cast<uint32_t>(n) : *next;
    p.functions.push_back(Function{*it == 0 ? p.name : "func_" + std::to_string(*it), *it, end, false, 0});
  }
  return p;
}

}  // namespace bpfvet::isa
