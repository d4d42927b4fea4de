// Reading ELF objects with LLVM's Object library into the ElfFile model (elf.h).
#include "isa/elf.h"

#include <cstring>

#include "llvm/Object/ELF.h"
#include "llvm/Support/Error.h"

namespace bpfvet::isa {
namespace {

using ELFT = llvm::object::ELF64LE;
using ElfObjectFile = llvm::object::ELFFile<ELFT>;

constexpr size_t kEhdrSize = 64;
constexpr uint16_t kShnXindex = 0xffff;

// Consumes an llvm::Error (unconsumed errors abort in debug builds of LLVM).
std::string take(llvm::Error e) { return llvm::toString(std::move(e)); }

Error fail(const std::string& what) { return Error{what}; }

// Checks the ELF identification bytes before LLVM parses anything, so a wrong class,
// byte order or machine gets a precise message instead of a generic one.
Status check_ident(std::span<const uint8_t> b) {
  if (b.size() < 4 || !is_elf(b)) return fail("not an ELF file (bad magic)");
  if (b.size() < kEhdrSize) return fail("truncated ELF header (" + std::to_string(b.size()) + " bytes)");
  if (b[4] == 1) return fail("32-bit ELF object; BPF objects are ELF64");
  if (b[4] != 2) return fail("unknown ELF class " + std::to_string(b[4]));
  if (b[5] == 2) return fail("big-endian ELF object (bpfeb); only little-endian BPF objects are supported");
  if (b[5] != 1) return fail("unknown ELF byte order " + std::to_string(b[5]));
  uint16_t machine;
  std::memcpy(&machine, b.data() + 18, 2);
  if (machine != kEmBpf)
    return fail("ELF machine is " + std::to_string(machine) + ", not BPF (EM_BPF = 247); compile with clang -target bpf");
  return Ok{};
}

}  // namespace

std::string bpf_reloc_name(uint32_t type) {
  switch (type) {
    case kRBpfNone: return "R_BPF_NONE";
    case kRBpf64_64: return "R_BPF_64_64";
    case kRBpfAbs64: return "R_BPF_64_ABS64";
    case kRBpfAbs32: return "R_BPF_64_ABS32";
    case kRBpfNodyld32: return "R_BPF_64_NODYLD32";
    case kRBpf64_32: return "R_BPF_64_32";
  }
  return "unknown relocation type " + std::to_string(type);
}

bool is_elf(std::span<const uint8_t> b) {
  return b.size() >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
}

const ElfSection* ElfFile::find(std::string_view name) const {
  for (const auto& s : sections)
    if (s.name == name) return &s;
  return nullptr;
}

Result<ElfFile> read_elf(std::span<const uint8_t> bytes) {
  Status ident = check_ident(bytes);
  if (!ident) return ident.error();

  // LLVM reads headers in place; give it an 8-byte aligned copy whatever the caller has.
  std::vector<uint64_t> aligned((bytes.size() + 7) / 8);
  std::memcpy(aligned.data(), bytes.data(), bytes.size());
  const llvm::StringRef buffer(reinterpret_cast<const char*>(aligned.data()), bytes.size());

  auto ef = ElfObjectFile::create(buffer);
  if (!ef) return fail("malformed ELF: " + take(ef.takeError()));
  auto shdrs = ef->sections();
  if (!shdrs) return fail("malformed ELF section table: " + take(shdrs.takeError()));
  if (shdrs->empty()) return fail("ELF object has no sections");
  auto shstrtab = ef->getSectionStringTable(*shdrs);
  if (!shstrtab) return fail("malformed ELF section name table: " + take(shstrtab.takeError()));

  ElfFile out;
  const llvm::object::Elf_Shdr_Impl<ELFT>* symtab = nullptr;
  uint32_t index = 0;
  for (const auto& sh : *shdrs) {
    ElfSection s;
    s.index = index;
    auto name = ef->getSectionName(sh, *shstrtab);
    if (!name) return fail("section " + std::to_string(index) + ": bad name: " + take(name.takeError()));
    s.name = name->str();
    s.type = sh.sh_type;
    s.flags = sh.sh_flags;
    s.size = sh.sh_size;
    s.info = sh.sh_info;
    if (index != 0 && s.type != kShtNobits && s.size > 0) {
      auto contents = ef->getSectionContents(sh);
      if (!contents) return fail("section '" + s.name + "': " + take(contents.takeError()));
      s.data.assign(contents->begin(), contents->end());
    }
    if (s.type == kShtSymtab) {
      if (symtab) return fail("ELF object has more than one symbol table");
      symtab = &sh;
    }
    out.sections.push_back(std::move(s));
    ++index;
  }
  const uint32_t nsec = static_cast<uint32_t>(out.sections.size());

  if (symtab) {
    auto strtab = ef->getStringTableForSymtab(*symtab);
    if (!strtab) return fail("symbol table: " + take(strtab.takeError()));
    auto syms = ef->symbols(symtab);
    if (!syms) return fail("symbol table: " + take(syms.takeError()));
    uint32_t si = 0;
    for (const auto& sym : *syms) {
      ElfSymbol s;
      s.shndx = sym.st_shndx;
      s.value = sym.st_value;
      s.size = sym.st_size;
      s.type = sym.getType();
      s.bind = sym.getBinding();
      auto name = sym.getName(*strtab);
      if (!name) return fail("symbol " + std::to_string(si) + ": bad name: " + take(name.takeError()));
      s.name = name->str();
      if (s.shndx == kShnXindex) return fail("symbol '" + s.name + "': extended section indices are not supported");
      if (s.shndx != kShnUndef && s.shndx < kShnLoreserve && s.shndx >= nsec)
        return fail("symbol '" + s.name + "' is in section " + std::to_string(s.shndx) + ", but the object has " +
                    std::to_string(nsec) + " sections");
      if (s.type == kSttSection && s.name.empty() && s.shndx < nsec) s.name = out.sections[s.shndx].name;
      out.symbols.push_back(std::move(s));
      ++si;
    }
  }
  const uint32_t nsym = static_cast<uint32_t>(out.symbols.size());

  index = 0;
  for (const auto& sh : *shdrs) {
    const ElfSection& sec = out.sections[index++];
    if (sec.type != kShtRel && sec.type != kShtRela) continue;
    ElfRelocSection rs;
    rs.name = sec.name;
    rs.target = sec.info;
    if (rs.target == 0 || rs.target >= nsec)
      return fail("relocation section '" + sec.name + "' patches section " + std::to_string(rs.target) +
                  ", which does not exist");
    auto add = [&](uint64_t offset, uint32_t symbol, uint32_t type, int64_t addend, bool rela) -> Status {
      if (symbol >= nsym)
        return fail("relocation section '" + sec.name + "': entry " + std::to_string(rs.relocs.size()) +
                    " refers to symbol " + std::to_string(symbol) + ", but the symbol table has " +
                    std::to_string(nsym) + " entries");
      rs.relocs.push_back(ElfReloc{offset, symbol, type, addend, rela});
      return Ok{};
    };
    if (sec.type == kShtRel) {
      auto rels = ef->rels(sh);
      if (!rels) return fail("relocation section '" + sec.name + "': " + take(rels.takeError()));
      for (const auto& r : *rels) {
        Status st = add(r.r_offset, r.getSymbol(false), r.getType(false), 0, false);
        if (!st) return st.error();
      }
    } else {
      auto relas = ef->relas(sh);
      if (!relas) return fail("relocation section '" + sec.name + "': " + take(relas.takeError()));
      for (const auto& r : *relas) {
        Status st = add(r.r_offset, r.getSymbol(false), r.getType(false), r.r_addend, true);
        if (!st) return st.error();
      }
    }
    out.relocs.push_back(std::move(rs));
  }
  return out;
}

}  // namespace bpfvet::isa
