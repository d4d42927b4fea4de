// ELF objects: maps, relocations, linking order, functions and source lines, checked
// on C fixtures compiled in-test (tests/data/elf/*.c).
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>

#include "isa/btf.h"
#include "isa/elf.h"
#include "isa/program.h"
#include "tests/data/elf/fixtures.h"

#include <elf.h>

#include <cstring>
#include <functional>
#include <random>
#include <unistd.h>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

namespace bpfvet::isa {
namespace {

using bpfvet::testing::compile_fixture;

Object load_fixture(const std::string& name, LoadOptions opts = {}) {
  const std::string path = compile_fixture(name);
  EXPECT_FALSE(path.empty()) << "clang failed on " << name;
  auto obj = load_object(path, opts);
  EXPECT_TRUE(obj.ok()) << (obj.ok() ? "" : obj.message());
  return obj.ok() ? std::move(obj).value() : Object{};
}

const Program* find_prog(const Object& obj, const std::string& name) {
  for (const auto& p : obj.programs)
    if (p.name == name) return &p;
  return nullptr;
}

int find_map(const std::vector<MapDef>& maps, const std::string& name) {
  for (size_t i = 0; i < maps.size(); ++i)
    if (maps[i].name == name) return static_cast<int>(i);
  return -1;
}

// The (map index, offset) of every map reference lddw, in program order.
std::vector<std::pair<int, int>> map_refs(const Program& p, Pseudo kind) {
  std::vector<std::pair<int, int>> out;
  for (size_t i = 0; i + 1 < p.raw.size(); ++i)
    if (p.raw[i].code == 0x18 && p.raw[i].src() == static_cast<uint8_t>(kind)) out.emplace_back(p.raw[i].imm, p.raw[i + 1].imm);
  return out;
}

TEST(ElfLegacyMaps, DefinitionsAndReferences) {
  Object obj = load_fixture("legacy_maps");
  ASSERT_EQ(obj.programs.size(), 1u);
  const Program& p = obj.programs[0];
  EXPECT_EQ(p.name, "count_packets");
  EXPECT_EQ(p.section, "socket");
  EXPECT_EQ(p.type, ProgType::SocketFilter);
  EXPECT_EQ(p.license, "GPL");
  EXPECT_EQ(obj.license, "GPL");
  EXPECT_EQ(p.kern_version, 0x050a00u);
  ASSERT_EQ(obj.maps.size(), 2u);
  const MapDef& counters = obj.maps[find_map(obj.maps, "counters")];
  EXPECT_EQ(counters.type, MapType::Array);
  EXPECT_EQ(counters.key_size, 4u);
  EXPECT_EQ(counters.value_size, 8u);
  EXPECT_EQ(counters.max_entries, 16u);
  EXPECT_EQ(counters.flags, 0u);
  const MapDef& flows = obj.maps[find_map(obj.maps, "flows")];
  EXPECT_EQ(flows.type, MapType::Hash);
  EXPECT_EQ(flows.key_size, 8u);
  EXPECT_EQ(flows.value_size, 16u);
  EXPECT_EQ(flows.max_entries, 1024u);
  EXPECT_EQ(flows.flags, 1u);
  // Both lookups reference their map by index, counters first as in the source.
  auto refs = map_refs(p, Pseudo::MapIdx);
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0].first, find_map(obj.maps, "counters"));
  EXPECT_EQ(refs[1].first, find_map(obj.maps, "flows"));
  EXPECT_EQ(p.maps.size(), obj.maps.size());
  EXPECT_EQ(p.insns.size(), p.raw.size());
}

TEST(ElfBtfMaps, DefinitionsIncludingMapInMap) {
  Object obj = load_fixture("btf_maps");
  ASSERT_EQ(obj.programs.size(), 1u);
  // libbpf's order: BTF maps, then .data, .rodata, .bss in section order, then inner templates.
  std::vector<std::string> names;
  for (const auto& m : obj.maps) names.push_back(m.name);
  EXPECT_EQ(names, (std::vector<std::string>{"flow_bytes", "outer", ".data", ".rodata", ".bss", "outer.inner"}));
  const MapDef& fb = obj.maps[0];
  EXPECT_EQ(fb.type, MapType::Hash);
  EXPECT_EQ(fb.key_size, 12u);  // struct flow_key
  EXPECT_EQ(fb.value_size, 8u);
  EXPECT_EQ(fb.max_entries, 4096u);
  EXPECT_EQ(fb.flags, 1u);  // BPF_F_NO_PREALLOC
  EXPECT_NE(fb.btf_key_type_id, 0u);
  EXPECT_NE(fb.btf_value_type_id, 0u);
  const MapDef& outer = obj.maps[1];
  EXPECT_EQ(outer.type, MapType::ArrayOfMaps);
  EXPECT_EQ(outer.key_size, 4u);
  EXPECT_EQ(outer.value_size, 4u);
  EXPECT_EQ(outer.max_entries, 4u);
  ASSERT_EQ(outer.inner_map, 5);
  const MapDef& inner = obj.maps[5];
  EXPECT_EQ(inner.type, MapType::Array);
  EXPECT_EQ(inner.key_size, 4u);
  EXPECT_EQ(inner.value_size, 32u);
  EXPECT_EQ(inner.max_entries, 8u);
  const MapDef& data = obj.maps[2];
  EXPECT_TRUE(data.global_data);
  EXPECT_FALSE(data.read_only);
  EXPECT_EQ(data.type, MapType::Array);
  EXPECT_EQ(data.max_entries, 1u);
  EXPECT_EQ(data.value_size, 8u);
  EXPECT_EQ(data.initial, (std::vector<uint8_t>{7, 0, 0, 0, 0, 0, 0, 0}));
  const MapDef& ro = obj.maps[3];
  EXPECT_TRUE(ro.read_only);
  EXPECT_EQ(ro.flags, 0x80u);  // BPF_F_RDONLY_PROG
  EXPECT_EQ(ro.initial, (std::vector<uint8_t>{0xdc, 0x05, 0, 0}));  // 1500
  const MapDef& bss = obj.maps[4];
  EXPECT_EQ(bss.value_size, 8u);
  EXPECT_EQ(bss.initial, std::vector<uint8_t>(8, 0));

  const Program& p = obj.programs[0];
  auto maps = map_refs(p, Pseudo::MapIdx);
  ASSERT_EQ(maps.size(), 2u);
  EXPECT_EQ(maps[0].first, 0);
  EXPECT_EQ(maps[1].first, 1);
  auto values = map_refs(p, Pseudo::MapIdxValue);
  std::vector<int> value_maps;
  for (auto [idx, off] : values) {
    value_maps.push_back(idx);
    EXPECT_EQ(off, 0) << "each global is the only one of its section";
  }
  std::sort(value_maps.begin(), value_maps.end());
  value_maps.erase(std::unique(value_maps.begin(), value_maps.end()), value_maps.end());
  EXPECT_EQ(value_maps, (std::vector<int>{2, 3, 4}));
  EXPECT_FALSE(p.btf.empty());
  // DATASEC sizes and offsets are filled in from the ELF, as libbpf does before loading.
  auto btf = Btf::parse(p.btf);
  ASSERT_TRUE(btf.ok()) << btf.message();
  auto data_sec = btf->find(".data", BtfKind::Datasec);
  ASSERT_TRUE(data_sec.has_value());
  EXPECT_EQ(btf->type(*data_sec)->size, 8u);
  EXPECT_EQ(obj.maps[2].btf_value_type_id, *data_sec);
  auto dotmaps = btf->find(".maps", BtfKind::Datasec);
  ASSERT_TRUE(dotmaps.has_value());
  ASSERT_EQ(btf->type(*dotmaps)->members.size(), 2u);
  EXPECT_EQ(btf->type(*dotmaps)->members[1].offset, 40u);  // `outer` follows the 40-byte flow_bytes
}

// The kernel itself accepts our BTF and the func/line info we rebased for a linked
// program with subprograms: BPF_PROG_LOAD checks that every func_info record starts a
// subprogram and that line info is sorted and in range.
TEST(ElfKernel, KernelAcceptsLinkedProgramWithDebugInfo) {
  LoadOptions opts;
  opts.program = "second";
  Object obj = load_fixture("subprogs", opts);
  ASSERT_EQ(obj.programs.size(), 1u);
  const Program& p = obj.programs[0];
  libbpf_set_print(nullptr);
  const int btf_fd = bpf_btf_load(p.btf.data(), p.btf.size(), nullptr);
  if (btf_fd < 0 && (errno == EPERM || errno == ENOSYS || errno == EACCES)) GTEST_SKIP() << "bpf() is not available here";
  ASSERT_GE(btf_fd, 0) << "kernel rejected our BTF: errno " << errno;
  std::vector<char> log(1 << 16);
  LIBBPF_OPTS(bpf_prog_load_opts, lo, .prog_btf_fd = static_cast<uint32_t>(btf_fd),
              .func_info = p.func_info.data(), .func_info_cnt = static_cast<uint32_t>(p.func_info.size()),
              .func_info_rec_size = sizeof(FuncInfo), .line_info = p.line_info.data(),
              .line_info_cnt = static_cast<uint32_t>(p.line_info.size()), .line_info_rec_size = sizeof(LineInfo),
              .log_level = 1, .log_size = static_cast<uint32_t>(log.size()), .log_buf = log.data());
  const int fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "second", "GPL", reinterpret_cast<const bpf_insn*>(p.raw.data()),
                               p.raw.size(), &lo);
  EXPECT_GE(fd, 0) << "errno " << errno << "\n" << log.data();
  if (fd >= 0) close(fd);
  close(btf_fd);
}

// Expected layout of each linked program: function names and [start, end).
struct LinkCase {
  std::string program;
  std::vector<std::tuple<std::string, uint32_t, uint32_t, bool>> functions;
  std::vector<std::pair<uint32_t, int32_t>> calls;  // slot of a call -> its relative imm
};

class ElfLink : public ::testing::TestWithParam<LinkCase> {};

TEST_P(ElfLink, SubprogramsAppendedInOrderOfFirstReference) {
  const LinkCase& c = GetParam();
  LoadOptions opts;
  opts.type = ProgType::SchedCls;  // "mystery_section" has no type of its own
  Object obj = load_fixture("subprogs", opts);
  const Program* p = find_prog(obj, c.program);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->functions.size(), c.functions.size());
  for (size_t i = 0; i < c.functions.size(); ++i) {
    const auto& [name, start, end, global] = c.functions[i];
    EXPECT_EQ(p->functions[i].name, name);
    EXPECT_EQ(p->functions[i].start, start) << name;
    EXPECT_EQ(p->functions[i].end, end) << name;
    EXPECT_EQ(p->functions[i].global, global) << name;
    EXPECT_NE(p->functions[i].btf_type_id, 0u) << name << " has func info";
  }
  EXPECT_EQ(p->raw.size(), p->functions.back().end);
  EXPECT_EQ(p->func_info.size(), c.functions.size());
  for (auto [slot, imm] : c.calls) {
    ASSERT_LT(slot, p->insns.size());
    EXPECT_EQ(p->insns[slot].kind, Kind::Call);
    EXPECT_EQ(p->insns[slot].call, CallKind::Local);
    EXPECT_EQ(p->raw[slot].imm, imm) << "call at " << slot;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Subprogs, ElfLink,
    ::testing::Values(
        // first: twice is appended at 10, and add_one (called by twice) after it.
        LinkCase{"first", {{"first", 0, 10, false}, {"twice", 10, 13, false}, {"add_one", 13, 16, false}},
                 {{1, 8}, {10, 2}}},
        // second: global_helper first (first referenced), then add_one; global flag set.
        LinkCase{"second",
                 {{"second", 0, 15, false}, {"global_helper", 15, 18, true}, {"add_one", 18, 21, false}},
                 {{2, 12}, {5, 12}}},
        LinkCase{"third", {{"third", 0, 8, false}, {"global_helper", 8, 11, true}}, {{1, 6}}},
        LinkCase{"fourth", {{"fourth", 0, 2, false}}, {}}),
    [](const auto& info) { return info.param.program; });

TEST(ElfLink, ProgramsOfOneSectionAreSeparate) {
  LoadOptions opts;
  opts.sections = {"tc"};
  Object obj = load_fixture("subprogs", opts);
  ASSERT_EQ(obj.programs.size(), 2u);
  EXPECT_EQ(obj.programs[0].name, "first");
  EXPECT_EQ(obj.programs[1].name, "second");
  for (const auto& p : obj.programs) {
    EXPECT_EQ(p.section, "tc");
    EXPECT_EQ(p.type, ProgType::SchedCls);
  }
}

TEST(ElfLines, EverySlotMapsToItsSourceLine) {
  LoadOptions opts;
  opts.program = "second";
  Object obj = load_fixture("subprogs", opts);
  ASSERT_EQ(obj.programs.size(), 1u);
  const Program& p = obj.programs[0];
  ASSERT_EQ(p.lines.size(), p.raw.size());
  for (size_t i = 0; i < p.raw.size(); ++i) {
    const SourceLine* l = p.line_of(i);
    ASSERT_NE(l, nullptr) << "slot " << i;
    EXPECT_NE(l->file.find("subprogs.c"), std::string::npos) << l->file;
  }
  // The call of global_helper at slot 2 is `int a = global_helper(skb->len);`, line 26.
  const SourceLine* call = p.line_of(2);
  EXPECT_EQ(call->line, 26u);
  EXPECT_NE(call->text.find("global_helper(skb->len)"), std::string::npos) << call->text;
  EXPECT_GT(call->column, 0u);
  // The appended subprogram keeps its own lines: it starts at slot 15 on its opening
  // line 14, and its multiply (slot 16) is line 15.
  EXPECT_EQ(p.line_of(15)->line, 14u);
  const SourceLine* body = p.line_of(16);
  EXPECT_EQ(body->line, 15u);
  EXPECT_NE(body->text.find("return x * 3;"), std::string::npos) << body->text;
  // Line info records are sorted and rebased into the program.
  ASSERT_FALSE(p.line_info.empty());
  for (size_t i = 1; i < p.line_info.size(); ++i) EXPECT_LE(p.line_info[i - 1].insn_off, p.line_info[i].insn_off);
  EXPECT_EQ(p.func_info[1].insn_off, 15u);
}

TEST(ElfLink, StaticFunctionInTheProgramSection) {
  Object obj = load_fixture("static_in_section");
  ASSERT_EQ(obj.programs.size(), 1u);  // `pick` is static: a subprogram, not a program
  const Program& p = obj.programs[0];
  EXPECT_EQ(p.name, "entry");
  ASSERT_EQ(p.functions.size(), 2u);
  EXPECT_EQ(p.functions[1].name, "pick");
  EXPECT_EQ(p.functions[1].start, 3u);
  EXPECT_EQ(p.functions[1].end, 9u);
  EXPECT_FALSE(p.functions[1].global);
  EXPECT_EQ(p.insns[1].target(1), 3);
}

TEST(ElfBtfMaps, EnumValuedFieldAndKeylessMap) {
  Object obj = load_fixture("map_extra_ulong");
  ASSERT_EQ(obj.maps.size(), 1u);
  const MapDef& m = obj.maps[0];
  EXPECT_EQ(m.name, "seen");
  EXPECT_EQ(m.type, MapType::BloomFilter);
  EXPECT_EQ(m.key_size, 0u);
  EXPECT_EQ(m.value_size, 4u);
  EXPECT_EQ(m.max_entries, 256u);
}

TEST(ElfLegacyMaps, Iproute2Layout) {
  Object obj = load_fixture("iproute2_maps");
  ASSERT_EQ(obj.maps.size(), 1u);
  EXPECT_EQ(obj.maps[0].name, "acc_map");
  EXPECT_EQ(obj.maps[0].type, MapType::PercpuArray);
  EXPECT_EQ(obj.maps[0].key_size, 4u);
  EXPECT_EQ(obj.maps[0].value_size, 8u);
  EXPECT_EQ(obj.maps[0].max_entries, 2u);
  ASSERT_EQ(obj.programs.size(), 1u);
  EXPECT_EQ(obj.programs[0].type, ProgType::SchedCls);  // "classifier"
  EXPECT_EQ(map_refs(obj.programs[0], Pseudo::MapIdx).size(), 1u);
}

TEST(ElfLink, TextOnlyObjectHasOneProgramPerGlobalFunction) {
  const std::string path = compile_fixture("text_only");
  ASSERT_FALSE(path.empty());
  auto untyped = load_object(path);
  ASSERT_FALSE(untyped.ok());
  EXPECT_NE(untyped.message().find("cannot determine program type of section '.text'; use --type"), std::string::npos);
  Object obj = load_fixture("text_only", LoadOptions{.type = ProgType::Raw});
  ASSERT_EQ(obj.programs.size(), 2u);
  EXPECT_EQ(obj.programs[0].name, "double_it");
  EXPECT_EQ(obj.programs[1].name, "negate");
  EXPECT_EQ(obj.programs[1].section, ".text");
}

// Hand-built objects exercise what clang never emits: RELA relocations with addends.
class ElfModel : public ::testing::Test {
 protected:
  void SetUp() override {
    elf_.sections.resize(4);
    ElfSection& code = elf_.sections[1];
    code = ElfSection{1, "xdp", kShtProgbits, kShfExecinstr, 0, 0, {}};
    const std::vector<RawInsn> insns = {
        RawInsn::make(0x18, 1, 0, 0, 0), RawInsn::make(0, 0, 0, 0, 0),  // r1 = <.data + 12> ll
        RawInsn::make(0x85, 0, 1, 0, 0),                               // call helper
        RawInsn::make(0x95, 0, 0, 0, 0),                               // exit
        RawInsn::make(0xb7, 0, 0, 0, 1), RawInsn::make(0x95, 0, 0, 0, 0)};  // helper: r0 = 1; exit
    code.data = bytes_from_raw(insns);
    code.size = code.data.size();
    elf_.sections[2] = ElfSection{2, ".data", kShtProgbits, 0, 16, 0, std::vector<uint8_t>(16, 0xaa)};
    elf_.sections[3] = ElfSection{3, ".symtab", kShtSymtab, 0, 0, 0, {}};
    elf_.symbols = {ElfSymbol{},
                    ElfSymbol{"main", 1, 0, 32, kSttFunc, kStbGlobal},
                    ElfSymbol{"helper", 1, 32, 16, kSttFunc, kStbLocal},
                    ElfSymbol{".data", 2, 0, 0, kSttSection, kStbLocal},
                    ElfSymbol{"ext", kShnUndef, 0, 0, kSttNotype, kStbGlobal}};
    elf_.relocs = {ElfRelocSection{".relaxdp", 1,
                                   {ElfReloc{0, 3, kRBpf64_64, 12, true}, ElfReloc{16, 2, kRBpf64_32, 0, true}}}};
  }
  Result<std::vector<Program>> link() {
    auto maps = collect_maps(elf_, nullptr);
    if (!maps) return maps.error();
    maps_ = *maps;
    return link_programs(elf_, maps_, DebugInfo{}, "model.o");
  }
  ElfFile elf_;
  ObjectMaps maps_;
};

TEST_F(ElfModel, RelaAddendsAreUsed) {
  auto progs = link();
  ASSERT_TRUE(progs.ok()) << progs.message();
  ASSERT_EQ(progs->size(), 1u);
  const Program& p = (*progs)[0];
  ASSERT_EQ(p.raw.size(), 6u);
  EXPECT_EQ(p.raw[0].src(), static_cast<uint8_t>(Pseudo::MapIdxValue));
  EXPECT_EQ(maps_.maps[p.raw[0].imm].name, ".data");
  EXPECT_EQ(p.raw[1].imm, 12);
  EXPECT_EQ(p.raw[2].imm, 1);  // helper appended at 4: 4 - 2 - 1
  EXPECT_EQ(p.functions.size(), 2u);
  EXPECT_EQ(p.license, "");
}

TEST_F(ElfModel, RelocationErrorsNameTheProblem) {
  struct Case {
    ElfReloc reloc;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {ElfReloc{0, 4, kRBpf64_64, 0, false}, "section 'xdp' insn 0 refers to undefined symbol 'ext'"},
      {ElfReloc{16, 4, kRBpf64_32, 0, false}, "section 'xdp' insn 2: call to undefined function 'ext'"},
      {ElfReloc{24, 3, kRBpf64_64, 0, false}, "R_BPF_64_64 relocation at section 'xdp' insn 3 is not on a 64-bit immediate load"},
      {ElfReloc{0, 2, kRBpf64_32, 0, false}, "R_BPF_64_32 relocation at section 'xdp' insn 0 is not on a call instruction"},
      {ElfReloc{16, 2, kRBpf64_32, 800, true}, "call to 'helper' lands outside section 'xdp'"},
      {ElfReloc{16, 3, kRBpf64_32, 0, false}, "call to '.data' in section '.data', which is not code"},
      {ElfReloc{4, 3, kRBpf64_64, 0, false}, "byte offset 4 of section 'xdp' is not on an instruction"},
      {ElfReloc{0, 3, kRBpfNodyld32, 0, false}, "R_BPF_64_NODYLD32 relocation at section 'xdp' insn 0"},
      {ElfReloc{0, 3, 99, 0, false}, "unknown relocation type 99 in relocation section '.relaxdp'"},
  };
  for (const auto& c : cases) {
    elf_.relocs[0].relocs = {c.reloc};
    auto progs = link();
    ASSERT_FALSE(progs.ok()) << c.expect;
    EXPECT_NE(progs.message().find(c.expect), std::string::npos) << progs.message();
  }
}

TEST_F(ElfModel, LegacyMapsSectionMustDivideEvenly) {
  elf_.sections.push_back(ElfSection{4, "maps", kShtProgbits, 0, 20, 0, std::vector<uint8_t>(20, 0)});
  elf_.symbols.push_back(ElfSymbol{"a", 4, 0, 0, kSttObject, kStbGlobal});
  elf_.symbols.push_back(ElfSymbol{"b", 4, 10, 0, kSttObject, kStbGlobal});
  auto maps = collect_maps(elf_, nullptr);
  ASSERT_FALSE(maps.ok());
  EXPECT_NE(maps.message().find("does not divide into 2 map definitions"), std::string::npos) << maps.message();
}

// libbpf's own linking must give the same instructions: that is what the kernel sees,
// so our slot indices are the kernel's.  libbpf's light-skeleton mode
// (bpf_object__gen_loader) relocates and links every program without creating maps or
// loading anything, and names maps the way we do: lddw src=5/6 with imm = the index
// into the object's maps.  So every field of every slot must be equal.

std::string libbpf_log;
int capture_libbpf(enum libbpf_print_level, const char* fmt, va_list args) {
  char buf[1024];
  vsnprintf(buf, sizeof buf, fmt, args);
  libbpf_log += buf;
  return 0;
}

// True when the object carries .BTF.ext CO-RE relocation records.
bool has_core_relocations(const std::string& path) {
  const std::vector<uint8_t> bytes = bpfvet::testing::read_bytes(path);
  auto elf = read_elf(bytes);
  if (!elf) return false;
  const ElfSection* b = elf->find(".BTF");
  const ElfSection* e = elf->find(".BTF.ext");
  if (!b || !e) return false;
  auto btf = Btf::parse(b->data);
  if (!btf) return false;
  auto ext = BtfExt::parse(e->data, *btf);
  return ext && !ext->core_relos.empty();
}

// Compares every program of `path` with libbpf's; returns the number compared, or -1
// when libbpf cannot handle the object (legacy "maps" sections are gone from libbpf 1.x).
int compare_with_libbpf(const std::string& path) {
  // libbpf's gen_loader leaves CO-RE relocations to the kernel, so its instructions are
  // the unrelocated ones; isa_core_load_test compares those objects with a real load.
  if (has_core_relocations(path)) return -1;
  LoadOptions opts;
  opts.type = ProgType::SocketFilter;  // only used where the section says nothing
  auto ours = load_object(path, opts);
  EXPECT_TRUE(ours.ok()) << ours.message();
  if (!ours.ok()) return 0;
  libbpf_log.clear();
  libbpf_set_print(capture_libbpf);
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj) {
    libbpf_set_print(nullptr);
    return -1;
  }
  LIBBPF_OPTS(gen_loader_opts, gen);
  const int gen_err = bpf_object__gen_loader(obj, &gen);
  bpf_program* prog;
  bpf_object__for_each_program(prog, obj) {
    if (bpf_program__type(prog) == BPF_PROG_TYPE_UNSPEC) bpf_program__set_type(prog, BPF_PROG_TYPE_SOCKET_FILTER);
  }
  const int err = gen_err ? gen_err : bpf_object__load(obj);
  libbpf_set_print(nullptr);
  if (err) {
    bpf_object__close(obj);
    return -1;
  }
  int compared = 0;
  bpf_object__for_each_program(prog, obj) {
    const Program* p = find_prog(*ours, bpf_program__name(prog));
    EXPECT_NE(p, nullptr) << bpf_program__name(prog);
    if (!p) continue;
    const bpf_insn* theirs = bpf_program__insns(prog);
    const size_t n = bpf_program__insn_cnt(prog);
    EXPECT_EQ(p->raw.size(), n) << path << ": " << p->name;
    if (p->raw.size() != n) continue;
    for (size_t i = 0; i < n; ++i) {
      const RawInsn& a = p->raw[i];
      const bpf_insn& b = theirs[i];
      SCOPED_TRACE(path + ": " + p->name + " insn " + std::to_string(i));
      EXPECT_EQ(a.code, b.code);
      EXPECT_EQ(a.dst(), b.dst_reg);
      EXPECT_EQ(a.src(), b.src_reg);
      EXPECT_EQ(a.off, b.off);
      // gen_loader resolves kfunc BTF ids at load time (its imm is 0); ours is the id.
      const bool kfunc_call = b.code == (BPF_JMP | BPF_CALL) && b.src_reg == BPF_PSEUDO_KFUNC_CALL;
      if (!kfunc_call) EXPECT_EQ(a.imm, b.imm);
    }
    ++compared;
  }
  bpf_object__close(obj);
  return compared;
}

class ElfVsLibbpf : public ::testing::TestWithParam<std::string> {};

TEST_P(ElfVsLibbpf, SameInstructionsAsLibbpf) {
  const std::string path = compile_fixture(GetParam());
  ASSERT_FALSE(path.empty());
  auto ours = load_object(path, LoadOptions{.type = ProgType::SocketFilter});
  ASSERT_TRUE(ours.ok());
  const int n = compare_with_libbpf(path);
  if (n < 0) GTEST_SKIP() << "libbpf cannot link " << path << " here:\n" << libbpf_log;
  EXPECT_EQ(n, static_cast<int>(ours->programs.size()));
}

// The whole compiled corpus (accepted and rejected programs alike).
TEST(ElfVsLibbpfCorpus, EveryObjectLinksLikeLibbpf) {
  namespace fs = std::filesystem;
  std::error_code ec;
  int objects = 0, compared = 0;
  for (const auto& e : fs::directory_iterator(BPFVET_CORPUS_DIR, ec)) {
    if (e.path().extension() != ".o") continue;
    ++objects;
    const int n = compare_with_libbpf(e.path().string());
    if (n > 0) compared += n;
  }
  if (objects == 0) GTEST_SKIP() << "no compiled corpus in " << BPFVET_CORPUS_DIR;
  std::cout << "compared " << compared << " programs of " << objects << " objects with libbpf\n";
  EXPECT_GT(compared, 0);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ElfVsLibbpf, ::testing::Values("btf_maps", "subprogs", "funcptr"));

// ---- Corrupted objects: each mutation of a good object must give an Error naming the
// problem, never a crash.

template <typename T>
T get(const std::vector<uint8_t>& b, size_t off) {
  T v{};
  if (off + sizeof(T) <= b.size()) std::memcpy(&v, b.data() + off, sizeof(T));
  return v;
}
template <typename T>
void put(std::vector<uint8_t>& b, size_t off, T v) {
  ASSERT_LE(off + sizeof(T), b.size());
  std::memcpy(b.data() + off, &v, sizeof(T));
}

// Offset of the header of the section named `name` (its Elf64_Shdr), or 0.
size_t shdr_of(const std::vector<uint8_t>& b, const std::string& name) {
  const auto eh = get<Elf64_Ehdr>(b, 0);
  const auto strtab = get<Elf64_Shdr>(b, eh.e_shoff + eh.e_shstrndx * sizeof(Elf64_Shdr));
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    const size_t at = eh.e_shoff + i * sizeof(Elf64_Shdr);
    const auto sh = get<Elf64_Shdr>(b, at);
    if (std::strcmp(reinterpret_cast<const char*>(b.data() + strtab.sh_offset + sh.sh_name), name.c_str()) == 0) return at;
  }
  return 0;
}

// Offset of the Elf64_Sym named `name`, or 0.
size_t sym_of(const std::vector<uint8_t>& b, const std::string& name) {
  const auto symtab = get<Elf64_Shdr>(b, shdr_of(b, ".symtab"));
  const auto eh = get<Elf64_Ehdr>(b, 0);
  const auto strtab = get<Elf64_Shdr>(b, eh.e_shoff + symtab.sh_link * sizeof(Elf64_Shdr));
  for (size_t at = symtab.sh_offset; at < symtab.sh_offset + symtab.sh_size; at += sizeof(Elf64_Sym)) {
    const auto sym = get<Elf64_Sym>(b, at);
    if (std::strcmp(reinterpret_cast<const char*>(b.data() + strtab.sh_offset + sym.st_name), name.c_str()) == 0) return at;
  }
  return 0;
}

// Offset of the first Elf64_Rel of section `code`'s relocation section.
size_t first_rel(const std::vector<uint8_t>& b, const std::string& code) {
  return get<Elf64_Shdr>(b, shdr_of(b, ".rel" + code)).sh_offset;
}

size_t section_data(const std::vector<uint8_t>& b, const std::string& name) {
  return get<Elf64_Shdr>(b, shdr_of(b, name)).sh_offset;
}

struct Corruption {
  std::string name;
  std::function<void(std::vector<uint8_t>&)> mutate;
  std::string expect;  // a substring of the error
};

class ElfCorrupt : public ::testing::TestWithParam<Corruption> {};

TEST_P(ElfCorrupt, IsAnErrorNotACrash) {
  const Corruption& c = GetParam();
  const std::string good = compile_fixture("btf_maps");
  ASSERT_FALSE(good.empty());
  std::vector<uint8_t> bytes = bpfvet::testing::read_bytes(good);
  c.mutate(bytes);
  const std::string path = bpfvet::testing::write_bytes("corrupt_" + c.name + ".o", bytes);
  auto obj = load_object(path);
  ASSERT_FALSE(obj.ok()) << c.name << " loaded";
  EXPECT_EQ(obj.message().rfind(path + ": ", 0), 0u) << obj.message();
  EXPECT_NE(obj.message().find(c.expect), std::string::npos) << obj.message();
  EXPECT_EQ(obj.message().find('\n'), std::string::npos) << "one line: " << obj.message();
}

INSTANTIATE_TEST_SUITE_P(
    Mutations, ElfCorrupt,
    ::testing::Values(
        Corruption{"truncated_header", [](auto& b) { b.resize(40); }, "truncated ELF header"},
        Corruption{"truncated_half", [](auto& b) { b.resize(b.size() / 2); }, "malformed ELF"},
        Corruption{"huge_shnum", [](auto& b) { put<uint16_t>(b, offsetof(Elf64_Ehdr, e_shnum), 0xfff0); }, "malformed ELF"},
        Corruption{"shoff_past_end", [](auto& b) { put<uint64_t>(b, offsetof(Elf64_Ehdr, e_shoff), b.size() + 4096); }, "malformed ELF"},
        Corruption{"bad_shstrndx", [](auto& b) { put<uint16_t>(b, offsetof(Elf64_Ehdr, e_shstrndx), 0x7000); }, "section name"},
        Corruption{"wrong_machine", [](auto& b) { put<uint16_t>(b, offsetof(Elf64_Ehdr, e_machine), EM_X86_64); }, "not BPF"},
        Corruption{"elf32", [](auto& b) { b[EI_CLASS] = ELFCLASS32; }, "32-bit"},
        Corruption{"big_endian", [](auto& b) { b[EI_DATA] = ELFDATA2MSB; }, "big-endian"},
        Corruption{"reloc_bad_symbol",
                   [](auto& b) { put<uint64_t>(b, first_rel(b, "xdp") + 8, ELF64_R_INFO(0xfffff, 1)); },
                   "refers to symbol 1048575"},
        Corruption{"reloc_unknown_type",
                   [](auto& b) {
                     auto r = get<Elf64_Rel>(b, first_rel(b, "xdp"));
                     put<uint64_t>(b, first_rel(b, "xdp") + 8, ELF64_R_INFO(ELF64_R_SYM(r.r_info), 77));
                   },
                   "unknown relocation type 77 in relocation section '.relxdp'"},
        Corruption{"reloc_abs64_in_code",
                   [](auto& b) {
                     auto r = get<Elf64_Rel>(b, first_rel(b, "xdp"));
                     put<uint64_t>(b, first_rel(b, "xdp") + 8, ELF64_R_INFO(ELF64_R_SYM(r.r_info), 2));
                   },
                   "R_BPF_64_ABS64 relocation at section 'xdp'"},
        Corruption{"reloc_missing_map",
                   [](auto& b) {
                     // `packets` moves into .maps, where no map definition starts at offset 8.
                     const size_t sym = sym_of(b, "packets");
                     const auto eh = get<Elf64_Ehdr>(b, 0);
                     const uint16_t maps_idx = static_cast<uint16_t>((shdr_of(b, ".maps") - eh.e_shoff) / sizeof(Elf64_Shdr));
                     put<uint16_t>(b, sym + offsetof(Elf64_Sym, st_shndx), maps_idx);
                     put<uint64_t>(b, sym + offsetof(Elf64_Sym, st_value), 8);
                   },
                   "missing map: symbol 'packets' at offset 8 of section '.maps'"},
        Corruption{"symbol_section_out_of_range",
                   [](auto& b) { put<uint16_t>(b, sym_of(b, "xdp_count") + offsetof(Elf64_Sym, st_shndx), 500); },
                   "symbol 'xdp_count' is in section 500"},
        Corruption{"symbol_name_out_of_range",
                   [](auto& b) { put<uint32_t>(b, sym_of(b, "xdp_count") + offsetof(Elf64_Sym, st_name), 0x7fffffff); },
                   "bad name"},
        Corruption{"function_outside_section",
                   [](auto& b) { put<uint64_t>(b, sym_of(b, "xdp_count") + offsetof(Elf64_Sym, st_value), 0x100000); },
                   "does not fit section 'xdp'"},
        Corruption{"code_size_not_multiple_of_8",
                   [](auto& b) {
                     const size_t sh = shdr_of(b, "xdp");
                     put<uint64_t>(b, sh + offsetof(Elf64_Shdr, sh_size), get<uint64_t>(b, sh + offsetof(Elf64_Shdr, sh_size)) - 4);
                   },
                   "not a multiple of 8"},
        Corruption{"btf_bad_magic", [](auto& b) { put<uint16_t>(b, section_data(b, ".BTF"), 0x1234); }, "bad BTF: bad magic 0x1234"},
        Corruption{"btf_types_past_end", [](auto& b) { put<uint32_t>(b, section_data(b, ".BTF") + 12, 0x10000000); },
                   "bad BTF: type section runs past the end"},
        Corruption{"btf_ext_bad_record_size",
                   [](auto& b) {
                     const size_t ext = section_data(b, ".BTF.ext");
                     const uint32_t hdr = get<uint32_t>(b, ext + 4), func_off = get<uint32_t>(b, ext + 8);
                     put<uint32_t>(b, ext + hdr + func_off, 3);
                   },
                   "bad .BTF.ext: func_info record size 3"},
        Corruption{"garbage_after_magic",
                   [](auto& b) {
                     std::mt19937 rng(7);
                     for (size_t i = 4; i < b.size(); ++i) b[i] = static_cast<uint8_t>(rng());
                     b[EI_CLASS] = ELFCLASS64;
                     b[EI_DATA] = ELFDATA2LSB;
                     put<uint16_t>(b, offsetof(Elf64_Ehdr, e_machine), EM_BPF);
                   },
                   "ELF"}),
    [](const auto& info) { return info.param.name; });

TEST(ElfErrors, CallToUndefinedFunctionNamesIt) {
  const std::string path = compile_fixture("undefined_call");
  ASSERT_FALSE(path.empty());
  auto obj = load_object(path);
  ASSERT_FALSE(obj.ok());
  EXPECT_NE(obj.message().find("call to undefined function 'not_defined_anywhere'"), std::string::npos) << obj.message();
  EXPECT_NE(obj.message().find("section 'xdp'"), std::string::npos) << obj.message();
}

// Random damage anywhere: every outcome is a value (an Object or an Error with the
// path in front), whatever the bytes.  A crash or hang fails the whole binary.
TEST(ElfErrors, RandomByteDamageNeverCrashes) {
  const std::string good = compile_fixture("subprogs");
  ASSERT_FALSE(good.empty());
  const std::vector<uint8_t> orig = bpfvet::testing::read_bytes(good);
  std::mt19937 rng(12345);
  int errors = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<uint8_t> b = orig;
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    if (round % 10 == 0) b.resize(rng() % b.size() + 1);
    const std::string path = bpfvet::testing::write_bytes("damaged.o", b);
    LoadOptions opts;
    opts.type = ProgType::SchedCls;
    auto obj = load_object(path, opts);
    if (!obj.ok()) {
      ++errors;
      EXPECT_EQ(obj.message().rfind(path + ": ", 0), 0u) << obj.message();
    } else {
      for (const auto& p : obj->programs) EXPECT_EQ(p.insns.size(), p.raw.size());
    }
  }
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace bpfvet::isa
