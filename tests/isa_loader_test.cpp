// load_object() on every input format and its option handling, program_from_raw(),
// and the program-type tables (section names, CLI names, kernel numbers).
#include <gtest/gtest.h>

#include <algorithm>

#include "isa/elf.h"
#include "isa/program.h"
#include "tests/data/elf/fixtures.h"

// After our headers: linux/bpf.h defines macros that opcodes.def uses as names.
#include <linux/bpf.h>

namespace bpfvet::isa {
namespace {

using bpfvet::testing::compile_fixture;
using bpfvet::testing::write_bytes;
using bpfvet::testing::write_text;

std::vector<uint8_t> bytes_of(std::initializer_list<RawInsn> insns) {
  return bytes_from_raw(std::vector<RawInsn>(insns));
}

const RawInsn kMovR0 = RawInsn::make(0xb7, 0, 0, 0, 0);  // r0 = 0
const RawInsn kExit = RawInsn::make(0x95, 0, 0, 0, 0);

struct BadInput {
  std::string name;
  std::function<std::string()> make;  // writes the input, returns its path
  LoadOptions opts;
  std::string expect;                 // substring of the error (after the path)
};

class LoaderErrors : public ::testing::TestWithParam<BadInput> {};

TEST_P(LoaderErrors, IsAnErrorNamingTheFile) {
  const BadInput& c = GetParam();
  const std::string path = c.make();
  auto obj = load_object(path, c.opts);
  ASSERT_FALSE(obj.ok()) << c.name;
  EXPECT_EQ(obj.message().rfind(path, 0), 0u) << obj.message();
  EXPECT_NE(obj.message().find(c.expect), std::string::npos) << obj.message();
  EXPECT_EQ(obj.message().find('\n'), std::string::npos) << obj.message();
}

LoadOptions with_sections(std::vector<std::string> s) {
  LoadOptions o;
  o.sections = std::move(s);
  return o;
}
LoadOptions with_program(std::string p) {
  LoadOptions o;
  o.program = std::move(p);
  o.type = ProgType::Xdp;
  return o;
}
LoadOptions with_format(InputFormat f) {
  LoadOptions o;
  o.format = f;
  return o;
}

// The mystery_section program of subprogs.o with its first opcode made invalid.
std::string broken_code_object() {
  auto b = bpfvet::testing::read_bytes(compile_fixture("subprogs"));
  const std::vector<uint8_t> pattern = bytes_of({kMovR0, kExit});
  auto it = std::search(b.begin(), b.end(), pattern.begin(), pattern.end());
  EXPECT_NE(it, b.end());
  EXPECT_EQ(std::search(it + 1, b.end(), pattern.begin(), pattern.end()), b.end()) << "pattern must be unique";
  if (it != b.end()) *it = 0xff;
  return write_bytes("broken_code.o", b);
}

INSTANTIATE_TEST_SUITE_P(
    Table, LoaderErrors,
    ::testing::Values(
        BadInput{"missing", [] { return (bpfvet::testing::temp_dir() / "does_not_exist.o").string(); }, {}, ": no such file"},
        BadInput{"directory", [] { return bpfvet::testing::temp_dir().string(); }, {}, ": is a directory"},
        BadInput{"empty", [] { return write_bytes("empty.bin", {}); }, {}, ": empty file"},
        BadInput{"raw_odd_size", [] { return write_bytes("odd.bin", {1, 2, 3}); }, {}, "3 bytes, not a multiple of 8"},
        BadInput{"raw_bad_opcode", [] { return write_bytes("badop.bin", bytes_of({RawInsn::make(0xff, 0, 0, 0, 0), kExit})); },
                 {}, ": insn 0: "},
        BadInput{"raw_call_outside", [] {
                   return write_bytes("callout.bin", bytes_of({RawInsn::make(0x85, 0, 1, 0, 5), kExit}));
                 }, {}, "call target 6 is outside the program"},
        BadInput{"garbage", [] { return write_bytes("garbage.o", std::vector<uint8_t>(13, 0xab)); }, {}, "not a multiple of 8"},
        BadInput{"elf_forced_on_raw", [] { return write_bytes("notelf.bin", bytes_of({kMovR0, kExit})); },
                 with_format(InputFormat::Elf), ": not an ELF file"},
        BadInput{"asm_syntax", [] { return write_text("bad.s", "r0 = 0\nr0 +=+ frob\nexit\n"); }, {}, "bad.s:2: "},
        BadInput{"unknown_section", [] { return compile_fixture("subprogs"); }, with_sections({"tc", "nope"}),
                 ": no program section 'nope' (available: tc, xdp, mystery_section)"},
        BadInput{"unknown_program", [] { return compile_fixture("subprogs"); }, with_program("fifth"),
                 ": no program named 'fifth' (available: first, second, third, fourth)"},
        BadInput{"no_type", [] { return compile_fixture("subprogs"); }, {},
                 ": cannot determine program type of section 'mystery_section'; use --type"},
        BadInput{"section_on_raw", [] { return write_bytes("sec.bin", bytes_of({kMovR0, kExit})); }, with_sections({"xdp"}),
                 "needs an ELF object"},
        BadInput{"decode_error_in_elf", broken_code_object, with_program("fourth"),
                 ": section 'mystery_section': insn 0: "}),
    [](const auto& info) { return info.param.name; });

TEST(Loader, RawBytecode) {
  const std::string path = write_bytes("prog.bin", bytes_of({kMovR0, kExit}));
  auto obj = load_object(path);
  ASSERT_TRUE(obj.ok()) << obj.message();
  ASSERT_EQ(obj->programs.size(), 1u);
  const Program& p = obj->programs[0];
  EXPECT_EQ(p.name, "prog");
  EXPECT_EQ(p.file, path);
  EXPECT_EQ(p.section, "");
  EXPECT_EQ(p.type, ProgType::Unspec);  // raw input says nothing; callers ask for --type
  EXPECT_EQ(p.insns.size(), 2u);
  EXPECT_EQ(p.insns[1].kind, Kind::Exit);
  ASSERT_EQ(p.functions.size(), 1u);
  EXPECT_EQ(p.functions[0].end, 2u);
  EXPECT_EQ(p.lines.size(), 2u);

  LoadOptions opts;
  opts.type = ProgType::Raw;
  auto typed = load_object(path, opts);
  ASSERT_TRUE(typed.ok());
  EXPECT_EQ(typed->programs[0].type, ProgType::Raw);
}

TEST(Loader, RawSubprogramsFromCallTargets) {
  // 0: call +2 -> 3;  1: exit... 3: r0 = 0; 4: exit
  auto p = program_from_raw({RawInsn::make(0x85, 0, 1, 0, 2), kMovR0, kExit, kMovR0, kExit}, ProgType::Xdp, "main");
  ASSERT_TRUE(p.ok()) << p.message();
  ASSERT_EQ(p->functions.size(), 2u);
  EXPECT_EQ(p->functions[0].name, "main");
  EXPECT_EQ(p->functions[0].end, 3u);
  EXPECT_EQ(p->functions[1].start, 3u);
  EXPECT_EQ(p->functions[1].end, 5u);
  EXPECT_EQ(p->type, ProgType::Xdp);
  EXPECT_FALSE(program_from_raw({}, ProgType::Xdp).ok());
}

TEST(Loader, AssemblyWithLabelsAndLines) {
  const std::string path = write_text("calls.s", "; a comment\nr1 = 1\ncall helper_fn\nexit\nhelper_fn:\nr0 = r1\nexit\n");
  LoadOptions opts;
  opts.type = ProgType::SocketFilter;
  auto obj = load_object(path, opts);
  ASSERT_TRUE(obj.ok()) << obj.message();
  const Program& p = obj->programs[0];
  EXPECT_EQ(p.name, "calls");
  EXPECT_EQ(p.type, ProgType::SocketFilter);
  ASSERT_EQ(p.functions.size(), 2u);
  EXPECT_EQ(p.functions[1].name, "helper_fn");
  EXPECT_EQ(p.functions[1].start, 3u);
  ASSERT_NE(p.line_of(3), nullptr);
  EXPECT_EQ(p.line_of(3)->line, 6u);
  EXPECT_EQ(p.line_of(3)->text, "r0 = r1");
  EXPECT_EQ(p.line_of(0)->file, path);
  // --input-format asm works whatever the extension.
  const std::string other = write_text("calls.txt", "r0 = 0\nexit\n");
  auto forced = load_object(other, with_format(InputFormat::Asm));
  ASSERT_TRUE(forced.ok()) << forced.message();
  EXPECT_EQ(forced->programs[0].raw.size(), 2u);
}

TEST(Loader, ElfSelectionAndTypeOverride) {
  const std::string path = compile_fixture("subprogs");
  ASSERT_FALSE(path.empty());
  auto tc = load_object(path, with_sections({"tc"}));
  ASSERT_TRUE(tc.ok()) << tc.message();
  EXPECT_EQ(tc->programs.size(), 2u);

  LoadOptions both = with_sections({"xdp", "tc"});
  auto two = load_object(path, both);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->programs.size(), 3u);

  LoadOptions typed;
  typed.type = ProgType::SchedAct;
  auto all = load_object(path, typed);
  ASSERT_TRUE(all.ok()) << all.message();
  ASSERT_EQ(all->programs.size(), 4u);
  for (const auto& p : all->programs) {
    EXPECT_EQ(p.type, ProgType::SchedAct) << p.name;
    EXPECT_EQ(p.insns.size(), p.raw.size());
  }

  auto one = load_object(path, with_program("third"));
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->programs.size(), 1u);
  EXPECT_EQ(one->programs[0].section, "xdp");

  // An ELF file named .s is still an ELF file: the magic wins.
  const std::string renamed = write_bytes("object.s", bpfvet::testing::read_bytes(path));
  auto magic = load_object(renamed, with_sections({"xdp"}));
  ASSERT_TRUE(magic.ok()) << magic.message();
}

// ---- Program types.

struct SectionCase {
  const char* section;
  std::optional<ProgType> type;
};

class SectionTypes : public ::testing::TestWithParam<SectionCase> {};

TEST_P(SectionTypes, FollowLibbpf) {
  EXPECT_EQ(prog_type_from_section(GetParam().section), GetParam().type) << GetParam().section;
}

INSTANTIATE_TEST_SUITE_P(
    Libbpf, SectionTypes,
    ::testing::Values(
        SectionCase{"socket", ProgType::SocketFilter}, SectionCase{"socket1", ProgType::SocketFilter},
        SectionCase{"xdp", ProgType::Xdp}, SectionCase{"xdp.frags", ProgType::Xdp}, SectionCase{"xdp/devmap", ProgType::Xdp},
        SectionCase{"xdp_prog", ProgType::Xdp},  // libbpf 0.x prefix match
        SectionCase{"tc", ProgType::SchedCls}, SectionCase{"tc/ingress", ProgType::SchedCls},
        SectionCase{"classifier", ProgType::SchedCls}, SectionCase{"classifier/x", ProgType::SchedCls},
        SectionCase{"action", ProgType::SchedAct},
        SectionCase{"kprobe/do_sys_open", ProgType::Kprobe}, SectionCase{"kprobe", ProgType::Kprobe},
        SectionCase{"kretprobe/do_sys_open", ProgType::Kretprobe}, SectionCase{"kprobe.multi/vfs_*", ProgType::Kprobe},
        SectionCase{"uprobe//bin/bash:readline", ProgType::Uprobe}, SectionCase{"uretprobe/x", ProgType::Uprobe},
        SectionCase{"ksyscall/openat", ProgType::Kprobe}, SectionCase{"kretsyscall/openat", ProgType::Kretprobe},
        SectionCase{"tracepoint/syscalls/sys_enter_openat", ProgType::Tracepoint},
        SectionCase{"tp/sched/sched_switch", ProgType::Tracepoint},
        SectionCase{"raw_tracepoint/sys_enter", ProgType::RawTracepoint}, SectionCase{"raw_tp/sys_enter", ProgType::RawTracepoint},
        SectionCase{"tp_btf/sched_switch", std::nullopt},  // BPF_PROG_TYPE_TRACING: not modelled
        SectionCase{"fentry/do_unlinkat", std::nullopt},
        SectionCase{"perf_event", ProgType::PerfEvent},
        SectionCase{"cgroup_skb/ingress", ProgType::CgroupSkb}, SectionCase{"cgroup_skb/egress", ProgType::CgroupSkb},
        SectionCase{"cgroup/skb", ProgType::CgroupSkb}, SectionCase{"cgroup/sock", ProgType::CgroupSock},
        SectionCase{"cgroup/sock_create", ProgType::CgroupSock}, SectionCase{"cgroup/post_bind4", ProgType::CgroupSock},
        SectionCase{"cgroup/connect4", ProgType::CgroupSockAddr}, SectionCase{"cgroup/sendmsg6", ProgType::CgroupSockAddr},
        SectionCase{"lsm/file_open", ProgType::Lsm}, SectionCase{"lsm.s/bprm_check_security", ProgType::Lsm},
        SectionCase{"sockops", ProgType::SockOps}, SectionCase{"sk_skb", ProgType::SkSkb},
        SectionCase{"sk_skb/stream_verdict", ProgType::SkSkb}, SectionCase{"sk_msg", ProgType::SkMsg},
        SectionCase{"flow_dissector", ProgType::FlowDissector},
        SectionCase{"cgroup/sysctl", std::nullopt}, SectionCase{".text", std::nullopt},
        SectionCase{"mystery_section", std::nullopt}, SectionCase{"", std::nullopt},
        SectionCase{"kprobes", std::nullopt},
        // libbpf's '?' prefix only turns autoload off: the type is the base name's.
        SectionCase{"?raw_tp", ProgType::RawTracepoint}, SectionCase{"?tc", ProgType::SchedCls},
        SectionCase{"?cgroup_skb/ingress", ProgType::CgroupSkb}, SectionCase{"?socket", ProgType::SocketFilter},
        SectionCase{"?fentry/x", std::nullopt}, SectionCase{"?", std::nullopt}, SectionCase{"??tc", std::nullopt}));

TEST(ProgTypes, NamesRoundTripAndKernelNumbers) {
  const std::pair<ProgType, uint32_t> kernel[] = {
      {ProgType::SocketFilter, BPF_PROG_TYPE_SOCKET_FILTER}, {ProgType::Kprobe, BPF_PROG_TYPE_KPROBE},
      {ProgType::Kretprobe, BPF_PROG_TYPE_KPROBE},          {ProgType::Uprobe, BPF_PROG_TYPE_KPROBE},
      {ProgType::Tracepoint, BPF_PROG_TYPE_TRACEPOINT},      {ProgType::RawTracepoint, BPF_PROG_TYPE_RAW_TRACEPOINT},
      {ProgType::PerfEvent, BPF_PROG_TYPE_PERF_EVENT},       {ProgType::Xdp, BPF_PROG_TYPE_XDP},
      {ProgType::SchedCls, BPF_PROG_TYPE_SCHED_CLS},         {ProgType::SchedAct, BPF_PROG_TYPE_SCHED_ACT},
      {ProgType::CgroupSkb, BPF_PROG_TYPE_CGROUP_SKB},       {ProgType::CgroupSock, BPF_PROG_TYPE_CGROUP_SOCK},
      {ProgType::Lsm, BPF_PROG_TYPE_LSM},                    {ProgType::SockOps, BPF_PROG_TYPE_SOCK_OPS},
      {ProgType::CgroupSockAddr, BPF_PROG_TYPE_CGROUP_SOCK_ADDR}, {ProgType::SkSkb, BPF_PROG_TYPE_SK_SKB},
      {ProgType::SkMsg, BPF_PROG_TYPE_SK_MSG},               {ProgType::FlowDissector, BPF_PROG_TYPE_FLOW_DISSECTOR},
      {ProgType::Raw, BPF_PROG_TYPE_SOCKET_FILTER},          {ProgType::Unspec, BPF_PROG_TYPE_UNSPEC},
  };
  const std::string names = prog_type_names();
  for (auto [t, k] : kernel) {
    EXPECT_EQ(kernel_prog_type(t), k) << prog_type_name(t);
    if (t == ProgType::Unspec) continue;
    EXPECT_EQ(parse_prog_type(prog_type_name(t)), t) << prog_type_name(t);
    EXPECT_NE(names.find(prog_type_name(t)), std::string::npos) << names;
  }
  EXPECT_EQ(parse_prog_type("tc"), ProgType::SchedCls);
  EXPECT_EQ(parse_prog_type("xdp"), ProgType::Xdp);
  EXPECT_FALSE(parse_prog_type("unspec").has_value());
  EXPECT_FALSE(parse_prog_type("XDP").has_value());
  EXPECT_FALSE(parse_prog_type("").has_value());
  EXPECT_EQ(names.find("unspec"), std::string::npos);
  EXPECT_STREQ(prog_type_name(ProgType::Unspec), "unspec");
  EXPECT_STREQ(map_type_name(MapType::ArrayOfMaps), "array_of_maps");
  EXPECT_STREQ(map_type_name(MapType::Arena), "arena");
}

}  // namespace
}  // namespace bpfvet::isa
