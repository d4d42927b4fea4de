// Relocating code sections and linking programs the way libbpf does (elf.h).
#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>

#include "isa/elf.h"

namespace bpfvet::isa {
namespace {

constexpr uint8_t kOpLdImm64 = 0x18;  // BPF_LD | BPF_IMM | BPF_DW
constexpr uint8_t kOpCall = 0x85;     // BPF_JMP | BPF_CALL
constexpr uint8_t kSrcPseudoCall = 1;
constexpr uint8_t kSrcPseudoKfuncCall = 2;  // BPF_PSEUDO_KFUNC_CALL
// The kernel refuses programs above BPF_COMPLEXITY_LIMIT_INSNS slots at load; beyond
// that linking would only let a hostile object make us allocate without bound.
constexpr size_t kMaxProgramSlots = 1000000;
constexpr size_t kMaxTotalSlots = 64 * kMaxProgramSlots;

struct FuncSym {
  std::string name;
  uint32_t start = 0, end = 0;  // slot range inside the section
  bool global = false;          // STB_GLOBAL or STB_WEAK
};

// Where a call or function pointer goes: a slot of some code section.
struct Target {
  uint32_t section = 0;
  uint32_t insn = 0;
};

struct CodeSection {
  const ElfSection* sec = nullptr;
  std::vector<RawInsn> insns;
  std::vector<FuncSym> funcs;          // sorted by start, non-overlapping
  std::map<uint32_t, Target> targets;  // slot -> target, from relocations

  const FuncSym* func_at(uint32_t slot) const {
    auto it = std::upper_bound(funcs.begin(), funcs.end(), slot, [](uint32_t s, const FuncSym& f) { return s < f.start; });
    if (it == funcs.begin()) return nullptr;
    --it;
    return slot < it->end ? &*it : nullptr;
  }
  std::string where(uint32_t slot) const { return "section '" + sec->name + "' insn " + std::to_string(slot); }
};

using CodeMap = std::map<uint32_t, CodeSection>;

void set_src(RawInsn& in, uint8_t src) { in.regs = static_cast<uint8_t>((in.regs & 0x0f) | (src << 4)); }

Result<int32_t> to_imm(int64_t v, const std::string& what) {
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
    return Error{what + ": offset " + std::to_string(v) + " does not fit in 32 bits"};
  return static_cast<int32_t>(v);
}

// The function symbols of a code section as slot ranges.  A symbol without a size
// (hand-written assembly) extends to the next symbol; a section without any
// function symbol is one function named after the section.
Result<std::vector<FuncSym>> functions_of(const ElfSection& sec, std::vector<const ElfSymbol*> syms,
                                          uint32_t nslots) {
  std::stable_sort(syms.begin(), syms.end(), [](auto* a, auto* b) { return a->value < b->value; });
  std::vector<FuncSym> out;
  for (size_t i = 0; i < syms.size(); ++i) {
    const ElfSymbol& s = *syms[i];
    if (s.value % 8 || s.size % 8 || s.value / 8 >= nslots || s.size / 8 > nslots - s.value / 8)
      return Error{"function '" + s.name + "' (offset " + std::to_string(s.value) + ", size " + std::to_string(s.size) +
                   ") does not fit section '" + sec.name + "'"};
    if (!out.empty() && out.back().start == s.value / 8) continue;  // an alias of the previous one
    FuncSym f{s.name, static_cast<uint32_t>(s.value / 8), 0, s.bind == kStbGlobal || s.bind == kStbWeak};
    uint32_t next = nslots;
    for (size_t j = i + 1; j < syms.size(); ++j)
      if (syms[j]->value / 8 > f.start) { next = static_cast<uint32_t>(syms[j]->value / 8); break; }
    f.end = s.size ? f.start + static_cast<uint32_t>(s.size / 8) : next;
    if (f.end > next) return Error{"function '" + s.name + "' overlaps the next function in section '" + sec.name + "'"};
    out.push_back(std::move(f));
  }
  if (out.empty()) out.push_back(FuncSym{sec.name, 0, nslots, true});
  return out;
}

// Applies one relocation of a code section: map and data references become
// MapIdx/MapIdxValue lddw, calls and function pointers get a Target.
Status apply_reloc(const ElfFile& elf, const ObjectMaps& maps, const CodeMap& code, CodeSection& cs,
                   const ElfRelocSection& rs, const ElfReloc& r) {
  if (r.type == kRBpfNone) return Ok{};
  if (r.offset % 8 || r.offset / 8 >= cs.insns.size())
    return Error{"relocation at byte offset " + std::to_string(r.offset) + " of section '" + cs.sec->name +
                 "' is not on an instruction"};
  const uint32_t i = static_cast<uint32_t>(r.offset / 8);
  RawInsn& in = cs.insns[i];
  const ElfSymbol& sym = elf.symbols[r.symbol];
  const std::string at = cs.where(i);
  const bool defined = sym.shndx != kShnUndef && sym.shndx < elf.sections.size();

  switch (r.type) {
    case kRBpf64_64: {
      if (in.code != kOpLdImm64 || i + 1 >= cs.insns.size())
        return Error{"R_BPF_64_64 relocation at " + at + " is not on a 64-bit immediate load"};
      if (!defined) {
        auto ext = maps.externs.find(sym.name);
        if (ext == maps.externs.end())
          return Error{at + " refers to undefined symbol '" + sym.name +
                       "' (only __kconfig and typeless __ksym extern variables are resolved)"};
        if (ext->second.in_map) {
          set_src(in, static_cast<uint8_t>(Pseudo::MapIdxValue));
          in.imm = static_cast<int32_t>(ext->second.map);
          cs.insns[i + 1].imm = static_cast<int32_t>(ext->second.offset);
        } else {  // a typeless __ksym: its address, as libbpf loads it
          set_src(in, 0);
          in.imm = static_cast<int32_t>(static_cast<uint32_t>(ext->second.value));
          cs.insns[i + 1].imm = static_cast<int32_t>(static_cast<uint32_t>(ext->second.value >> 32));
        }
        return Ok{};
      }
      const int64_t addend = r.rela ? r.addend : in.imm;
      const uint64_t key = sym.value + (sym.type == kSttSection ? addend : 0);
      if (auto m = maps.by_location.find({sym.shndx, key}); m != maps.by_location.end()) {
        set_src(in, static_cast<uint8_t>(Pseudo::MapIdx));
        in.imm = static_cast<int32_t>(m->second);
        cs.insns[i + 1].imm = 0;
        return Ok{};
      }
      if (auto d = maps.data_sections.find(sym.shndx); d != maps.data_sections.end()) {
        auto off = to_imm(static_cast<int64_t>(sym.value) + addend, at);
        if (!off) return off.error();
        set_src(in, static_cast<uint8_t>(Pseudo::MapIdxValue));
        in.imm = static_cast<int32_t>(d->second);
        cs.insns[i + 1].imm = *off;
        return Ok{};
      }
      if (code.count(sym.shndx)) {
        const int64_t byte = static_cast<int64_t>(sym.value) + addend;
        if (byte < 0 || byte % 8) return Error{at + ": function pointer to '" + sym.name + "' is not on an instruction"};
        cs.targets[i] = Target{sym.shndx, static_cast<uint32_t>(byte / 8)};
        set_src(in, static_cast<uint8_t>(Pseudo::Func));
        in.imm = 0;
        return Ok{};
      }
      const std::string& target_sec = elf.sections[sym.shndx].name;
      if (target_sec == "maps" || target_sec == ".maps")
        return Error{at + " refers to a missing map: symbol '" + sym.name + "' at offset " + std::to_string(key) +
                     " of section '" + target_sec + "' is not a map definition"};
      return Error{at + " refers to symbol '" + sym.name + "' in section '" + target_sec +
                   "', which holds no map, global data or code"};
    }
    case kRBpf64_32: {
      if (in.code != kOpCall) return Error{"R_BPF_64_32 relocation at " + at + " is not on a call instruction"};
      if (!defined) {
        // A kfunc: BPF_PSEUDO_KFUNC_CALL with the kernel BTF id (0 for an unresolved __weak one).
        auto k = maps.kfuncs.find(sym.name);
        if (k == maps.kfuncs.end() && sym.bind != kStbWeak)
          return Error{at + ": call to undefined function '" + sym.name + "' (not a kfunc of the target kernel)"};
        set_src(in, kSrcPseudoKfuncCall);
        in.imm = k == maps.kfuncs.end() ? 0 : k->second.btf_id;
        in.off = 0;
        return Ok{};
      }
      if (!code.count(sym.shndx))
        return Error{at + ": call to '" + sym.name + "' in section '" + elf.sections[sym.shndx].name + "', which is not code"};
      // REL: imm counts slots from the symbol (clang: -1 for a function symbol, the
      // function's slot - 1 for a section symbol), as libbpf computes it.
      const int64_t slot = r.rela ? (static_cast<int64_t>(sym.value) + r.addend) / 8
                                  : static_cast<int64_t>(sym.value / 8) + in.imm + 1;
      if (slot < 0 || static_cast<uint64_t>(slot) >= code.at(sym.shndx).insns.size())
        return Error{at + ": call to '" + sym.name + "' lands outside section '" + elf.sections[sym.shndx].name + "'"};
      cs.targets[i] = Target{sym.shndx, static_cast<uint32_t>(slot)};
      set_src(in, kSrcPseudoCall);
      return Ok{};
    }
    case kRBpfAbs64: case kRBpfAbs32: case kRBpfNodyld32:
      return Error{bpf_reloc_name(r.type) + " relocation at " + at + " (in '" + rs.name + "') is not valid in code"};
    default:
      return Error{bpf_reloc_name(r.type) + " in relocation section '" + rs.name + "' (against '" + sym.name + "')"};
  }
}

Result<CodeMap> relocate_code(const ElfFile& elf, const ObjectMaps& maps, const DebugInfo& debug) {
  CodeMap code;
  std::map<uint32_t, std::vector<const ElfSymbol*>> func_syms;  // section -> its function symbols
  for (const auto& s : elf.symbols)
    if (s.type == kSttFunc) func_syms[s.shndx].push_back(&s);
  for (const auto& sec : elf.sections) {
    if (!sec.is_code()) continue;
    if (sec.size % 8) return Error{"code section '" + sec.name + "' is " + std::to_string(sec.size) + " bytes, not a multiple of 8"};
    CodeSection cs;
    cs.sec = &sec;
    cs.insns.resize(sec.size / 8);
    std::memcpy(cs.insns.data(), sec.data.data(), sec.size);
    auto funcs = functions_of(sec, std::move(func_syms[sec.index]), static_cast<uint32_t>(cs.insns.size()));
    if (!funcs) return funcs.error();
    cs.funcs = std::move(*funcs);
    if (debug.btf && debug.ext) {
      Status st = apply_core_relocations(sec.name, *debug.btf, *debug.ext, debug.target, cs.insns);
      if (!st) return st.error();
    }
    code.emplace(sec.index, std::move(cs));
  }
  for (const auto& rs : elf.relocs) {
    auto it = code.find(rs.target);
    if (it == code.end()) {
      for (const auto& r : rs.relocs)  // debug info and data: only the type must make sense
        if (r.type != kRBpfNone && r.type != kRBpf64_64 && r.type != kRBpfAbs64 && r.type != kRBpfAbs32 &&
            r.type != kRBpfNodyld32 && r.type != kRBpf64_32)
          return Error{bpf_reloc_name(r.type) + " in relocation section '" + rs.name + "'"};
      continue;
    }
    for (const auto& r : rs.relocs) {
      Status st = apply_reloc(elf, maps, code, it->second, rs, r);
      if (!st) return st.error();
    }
  }
  return code;
}

// One function copied into a program: which, and at which slot.
struct Piece {
  uint32_t section;
  const FuncSym* fn;
  uint32_t off;
};

// Links `entry` of section `sec`: depth-first over calls, appending each subprogram at
// its first reference, exactly the order of libbpf's bpf_object__reloc_code().
Result<std::vector<Piece>> link_one(const CodeMap& code, uint32_t sec, const FuncSym& entry, std::vector<RawInsn>& raw) {
  std::vector<Piece> pieces{{sec, &entry, 0}};
  std::map<const FuncSym*, size_t> placed{{&entry, 0}};
  const auto& es = code.at(sec).insns;
  raw.assign(es.begin() + entry.start, es.begin() + entry.end);
  std::vector<std::pair<size_t, uint32_t>> stack{{0, 0}};  // (piece, next slot in it)
  while (!stack.empty()) {
    const size_t pi = stack.back().first;
    const Piece pc = pieces[pi];
    const uint32_t i = stack.back().second++;
    if (i >= pc.fn->end - pc.fn->start) {
      stack.pop_back();
      continue;
    }
    const RawInsn in = raw[pc.off + i];
    const bool is_call = in.code == kOpCall && in.src() == kSrcPseudoCall;
    const bool is_fptr = in.code == kOpLdImm64 && in.src() == static_cast<uint8_t>(Pseudo::Func);
    if (!is_call && !is_fptr) continue;
    const CodeSection& cs = code.at(pc.section);
    const uint32_t slot = pc.fn->start + i;
    Target t;
    if (auto it = cs.targets.find(slot); it != cs.targets.end()) {
      t = it->second;
    } else if (is_call) {  // a call inside one section needs no relocation
      const int64_t dst = int64_t{slot} + in.imm + 1;
      if (dst < 0 || dst >= static_cast<int64_t>(cs.insns.size()))
        return Error{cs.where(slot) + ": call target " + std::to_string(dst) + " is outside the section"};
      t = Target{pc.section, static_cast<uint32_t>(dst)};
    } else {
      return Error{cs.where(slot) + ": function pointer load has no relocation"};
    }
    const CodeSection& ts = code.at(t.section);
    const FuncSym* tf = ts.func_at(t.insn);
    if (!tf) return Error{cs.where(slot) + ": call target " + ts.where(t.insn) + " is in no function"};
    auto found = placed.find(tf);
    const bool fresh = found == placed.end();
    const size_t tpi = fresh ? pieces.size() : found->second;
    if (fresh) {
      if (raw.size() + (tf->end - tf->start) > kMaxProgramSlots)
        return Error{"program is larger than " + std::to_string(kMaxProgramSlots) + " instructions after linking"};
      placed.emplace(tf, tpi);
      pieces.push_back(Piece{t.section, tf, static_cast<uint32_t>(raw.size())});
      raw.insert(raw.end(), ts.insns.begin() + tf->start, ts.insns.begin() + tf->end);
    }
    const int64_t rel = int64_t{pieces[tpi].off} + (t.insn - tf->start) - (int64_t{pc.off} + i) - 1;
    auto imm = to_imm(rel, cs.where(slot));
    if (!imm) return imm.error();
    raw[pc.off + i].imm = *imm;
    if (fresh) stack.emplace_back(tpi, 0);
  }
  return pieces;
}

// Func info, line info and per-slot source lines of the linked program.
void attach_debug(const DebugInfo& debug, const CodeMap& code, const std::vector<Piece>& pieces, Program& p) {
  p.lines.assign(p.raw.size(), std::nullopt);
  if (!debug.btf || !debug.ext) return;
  for (size_t k = 0; k < pieces.size(); ++k) {
    const Piece& pc = pieces[k];
    const std::string& sec = code.at(pc.section).sec->name;
    const uint32_t len = pc.fn->end - pc.fn->start;
    if (auto it = debug.ext->func_info.find(sec); it != debug.ext->func_info.end())
      for (const auto& fi : it->second)
        if (fi.insn_off >= pc.fn->start && fi.insn_off < pc.fn->end) {
          p.func_info.push_back(FuncInfo{fi.insn_off - pc.fn->start + pc.off, fi.type_id});
          if (fi.insn_off == pc.fn->start) p.functions[k].btf_type_id = fi.type_id;
        }
    auto it = debug.ext->line_info.find(sec);
    if (it == debug.ext->line_info.end()) continue;
    std::vector<LineInfo> mine;
    for (const auto& li : it->second)
      if (li.insn_off >= pc.fn->start && li.insn_off < pc.fn->end)
        mine.push_back(LineInfo{li.insn_off - pc.fn->start + pc.off, li.file_name_off, li.line_off, li.line_col});
    std::stable_sort(mine.begin(), mine.end(), [](auto& a, auto& b) { return a.insn_off < b.insn_off; });
    for (size_t j = 0; j < mine.size(); ++j) {
      const LineInfo& li = mine[j];
      SourceLine sl{std::string(debug.btf->string_at(li.file_name_off)), li.line_col >> 10, li.line_col & 0x3ff,
                    std::string(debug.btf->string_at(li.line_off))};
      const uint32_t stop = j + 1 < mine.size() ? mine[j + 1].insn_off : pc.off + len;
      for (uint32_t s = li.insn_off; s < stop; ++s) p.lines[s] = sl;
      p.line_info.push_back(li);
    }
  }
}

std::string read_license(const ElfFile& elf) {
  const ElfSection* s = elf.find("license");
  if (!s) return {};
  const auto nul = std::find(s->data.begin(), s->data.end(), uint8_t{0});
  return std::string(s->data.begin(), nul);
}

uint32_t read_version(const ElfFile& elf) {
  const ElfSection* s = elf.find("version");
  uint32_t v = 0;
  if (s && s->data.size() >= 4) std::memcpy(&v, s->data.data(), 4);
  return v;
}

// clang leaves DATASEC sizes and variable offsets at 0 and lets the loader fill them in
// from the ELF (libbpf's btf_fixup_datasec); the kernel refuses a DATASEC of size 0.
// Returns the .BTF bytes with those fields patched, as libbpf hands them to the kernel.
std::vector<uint8_t> finalize_btf(const ElfFile& elf, const Btf& btf, std::vector<uint8_t> raw) {
  std::map<std::pair<uint32_t, std::string_view>, uint64_t> sym_offsets;  // (section, name) -> value
  for (const auto& s : elf.symbols)
    if (s.type == kSttObject || s.type == kSttNotype) sym_offsets.emplace(std::make_pair(uint32_t{s.shndx}, std::string_view(s.name)), s.value);
  auto put32 = [&](size_t off, uint64_t v) {
    if (off + 4 > raw.size() || v > UINT32_MAX) return;
    const uint32_t w = static_cast<uint32_t>(v);
    std::memcpy(raw.data() + off, &w, 4);
  };
  for (uint32_t id = 1; id < btf.type_count(); ++id) {
    const BtfType* t = btf.type(id);
    if (t->kind != BtfKind::Datasec) continue;
    const ElfSection* sec = elf.find(t->name);
    if (!sec) continue;  // .kconfig/.ksyms externs have no section; nothing to take
    if (t->size == 0) put32(t->raw_offset + 8, sec->size);
    for (size_t k = 0; k < t->members.size(); ++k) {
      const BtfType* var = btf.type(t->members[k].type);
      auto it = sym_offsets.find({sec->index, std::string_view(var->name)});
      if (var->kind == BtfKind::Var && it != sym_offsets.end()) put32(t->raw_offset + 12 + k * 12 + 4, it->second);
    }
  }
  return raw;
}

}  // namespace

Result<std::vector<Program>> link_programs(const ElfFile& elf, const ObjectMaps& maps, const DebugInfo& debug,
                                           const std::string& path) {
  auto code = relocate_code(elf, maps, debug);
  if (!code) return code.error();
  bool has_prog_sections = false;
  for (const auto& [idx, cs] : *code) has_prog_sections |= cs.sec->name != ".text";

  const std::string license = read_license(elf);
  const uint32_t version = read_version(elf);
  std::vector<Program> out;
  size_t total_slots = 0;
  for (const auto& [idx, cs] : *code) {
    // .text holds subprograms; its functions are programs only in an object that has
    // nothing else (compiled without SEC() annotations).
    if (cs.sec->name == ".text" && has_prog_sections) continue;
    const bool any_global = std::any_of(cs.funcs.begin(), cs.funcs.end(), [](auto& f) { return f.global; });
    for (const auto& fn : cs.funcs) {
      if (any_global && !fn.global) continue;  // static functions are subprograms
      Program p;
      p.file = path;
      p.section = cs.sec->name;
      p.name = fn.name;
      p.type = prog_type_from_section(cs.sec->name).value_or(ProgType::Unspec);
      auto pieces = link_one(*code, idx, fn, p.raw);
      if (!pieces) return Error{"section '" + cs.sec->name + "', program '" + fn.name + "': " + pieces.message()};
      for (size_t k = 0; k < pieces->size(); ++k) {
        const Piece& pc = (*pieces)[k];
        p.functions.push_back(Function{pc.fn->name, pc.off, pc.off + (pc.fn->end - pc.fn->start), k > 0 && pc.fn->global, 0});
      }
      total_slots += p.raw.size();
      if (total_slots > kMaxTotalSlots)
        return Error{"the object's programs exceed " + std::to_string(kMaxTotalSlots) + " instructions in total after linking"};
      attach_debug(debug, *code, *pieces, p);
      p.maps = maps.maps;
      for (const auto& [name, proto] : maps.kfuncs) p.kfuncs.push_back(proto);
      p.license = license;
      p.kern_version = version;
      if (debug.btf) p.btf = debug.btf_raw;
      out.push_back(std::move(p));
    }
  }
  return out;
}

Result<Object> object_from_elf(std::span<const uint8_t> bytes, const std::string& path, const TargetKernel& target) {
  auto elf = read_elf(bytes);
  if (!elf) return elf.error();
  DebugInfo debug;
  debug.target = target;
  std::optional<Btf> btf;
  std::optional<BtfExt> ext;
  if (const ElfSection* s = elf->find(".BTF")) {
    auto b = Btf::parse(s->data);
    if (!b) return b.error();
    debug.btf_raw = finalize_btf(*elf, *b, s->data);
    auto fixed = Btf::parse(debug.btf_raw);  // queries then see the same sizes as the kernel
    if (!fixed) return fixed.error();
    btf = std::move(*fixed);
    debug.btf = &*btf;
    if (const ElfSection* e = elf->find(".BTF.ext")) {
      auto x = BtfExt::parse(e->data, *btf);
      if (!x) return x.error();
      ext = std::move(*x);
      debug.ext = &*ext;
    }
  }
  auto maps = collect_maps(*elf, debug.btf);
  if (!maps) return maps.error();
  Status st = resolve_externs(*elf, debug.btf, target, *maps);
  if (!st) return st.error();
  auto progs = link_programs(*elf, *maps, debug, path);
  if (!progs) return progs.error();
  if (progs->empty()) return Error{"no BPF programs in the object (no code sections)"};
  Object obj;
  obj.path = path;
  obj.programs = std::move(*progs);
  obj.maps = std::move(maps->maps);
  obj.license = read_license(*elf);
  return obj;
}

}  // namespace bpfvet::isa
