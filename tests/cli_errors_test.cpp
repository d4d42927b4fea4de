// Bad input of every kind: exit code 2, nothing on stdout, exactly one line on
// stderr that starts with "bpfvet: " and names the problem; never a crash or hang.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdint>
#include <functional>

#include "tests/cli_helpers.h"

namespace bpfvet::clitest {
namespace {

namespace fs = std::filesystem;

std::string pseudo_random_bytes(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  for (auto& c : s) {
    seed = seed * 1664525u + 1013904223u;
    c = static_cast<char>(seed >> 24);
  }
  return s;
}

std::string corpus_object(const std::string& name) {
  return read_file(fs::path(corpus_dir()) / (name + ".o"));
}

struct BadCase {
  const char* name;
  std::function<void(const ScratchDir&)> setup;  // writes the input files
  std::vector<std::string> args;                 // "{dir}" is replaced by the scratch dir
  const char* expect;                            // a substring of the stderr line
};

const char* kOkAsm = "r0 = 0\nexit\n";

std::vector<BadCase> bad_cases() {
  auto write = [](const char* name, std::string bytes) {
    return [name, bytes](const ScratchDir& d) { write_file(d / name, bytes); };
  };
  auto ok_asm = write("ok.s", kOkAsm);
  return {
      {"MissingFile", nullptr, {"verify", "{dir}/missing.o"}, "missing.o"},
      {"Directory", nullptr, {"verify", "{dir}"}, "directory"},
      {"EmptyFile", write("empty.o", ""), {"verify", "{dir}/empty.o"}, "empty"},
      {"EmptyRaw", write("empty.bin", ""), {"disasm", "{dir}/empty.bin"}, "empty"},
      {"SevenByteRaw", write("seven.bin", "1234567"), {"verify", "{dir}/seven.bin"}, "seven.bin"},
      {"GarbageNamedObject",
       write("garbage.o", pseudo_random_bytes(300, 7)),
       {"verify", "{dir}/garbage.o"},
       "garbage.o"},
      {"GarbageAfterElfMagic",
       write("magic.o",
             "\x7f"
             "ELF" +
                 pseudo_random_bytes(200, 3)),
       {"verify", "{dir}/magic.o"},
       "magic.o"},
      {"ElfForcedOnText",
       write("text.bin", std::string(64, 'A')),
       {"verify", "{dir}/text.bin", "--input-format", "elf"},
       "text.bin"},
      {"TruncatedElf",
       [](const ScratchDir& d) {
         write_file(d / "trunc.o", corpus_object("xdp_ddos_filter").substr(0, 1000));
       },
       {"verify", "{dir}/trunc.o"},
       "trunc.o"},
      {"ElfHeaderOnly",
       [](const ScratchDir& d) { write_file(d / "hdr.o", corpus_object("xdp_ddos_filter").substr(0, 64)); },
       {"verify", "{dir}/hdr.o"},
       "hdr.o"},
      {"BadShstrndx",
       [](const ScratchDir& d) {
         std::string elf = corpus_object("xdp_ddos_filter");
         elf[62] = '\xff';  // e_shstrndx (little-endian u16 at offset 62)
         elf[63] = '\x7f';
         write_file(d / "shstrndx.o", elf);
       },
       {"verify", "{dir}/shstrndx.o"},
       "shstrndx.o"},
      {"InvalidOpcodeRaw",
       write("badop.bin", std::string("\xff\x00\x00\x00\x00\x00\x00\x00", 8)),
       {"verify", "{dir}/badop.bin"},
       "badop.bin"},
      {"HalfLddwRaw",
       write("lddw.bin", std::string("\x18\x01\x00\x00\x05\x00\x00\x00", 8)),
       {"disasm", "{dir}/lddw.bin"},
       "lddw.bin"},
      {"AsmSyntaxError",
       write("syntax.s", "r0 = 0\nr0 +== 1\nexit\n"),
       {"verify", "{dir}/syntax.s"},
       "syntax.s:2"},
      {"AsmUnknownLabel", write("label.s", "goto nowhere\nexit\n"), {"verify", "{dir}/label.s"}, "nowhere"},
      {"AsmImmediateOutOfRange",
       write("imm.s", "r0 = 0\n*(u32 *)(r10 -8) = 99999999999\nexit\n"),
       {"verify", "{dir}/imm.s"},
       "imm.s:2"},
      {"AsmOffsetOutOfRange",
       write("off.s", "r0 = *(u64 *)(r10 -40000)\nexit\n"),
       {"disasm", "{dir}/off.s"},
       "off.s:1"},
      {"AsmNoInstructions", write("blank.s", "; nothing here\n\n"), {"verify", "{dir}/blank.s"}, "blank.s"},
      {"AsmCommandSyntaxError",
       write("syntax.s", "r0 = = 1\nexit\n"),
       {"asm", "{dir}/syntax.s", "-o", "{dir}/x.bin"},
       "syntax.s:1"},
      {"AsmCommandMissingOutput", ok_asm, {"asm", "{dir}/ok.s"}, "output"},
      {"AsmCommandUnwritableOutput", ok_asm, {"asm", "{dir}/ok.s", "-o", "{dir}/no/such/dir/x.bin"}, "x.bin"},
      {"UnknownSection", nullptr, {"verify", "{corpus}/xdp_ddos_filter.o", "--section", "nope"}, "nope"},
      {"UnknownProgram", nullptr, {"disasm", "{corpus}/xdp_ddos_filter.o", "--program", "nope"}, "nope"},
      {"UnknownType", ok_asm, {"verify", "{dir}/ok.s", "--type", "bogus"}, "xdp"},
      {"UnknownInputFormat", ok_asm, {"verify", "{dir}/ok.s", "--input-format", "cobol"}, "cobol"},
      {"UnknownOption", ok_asm, {"verify", "{dir}/ok.s", "--bogus"}, "--bogus"},
      {"UnknownCommand", nullptr, {"frobnicate"}, "frobnicate"},
      {"NoCommand", nullptr, {}, "subcommand"},
      {"MissingInput", nullptr, {"verify"}, "input"},
      {"BadKernelVersion", ok_asm, {"verify", "{dir}/ok.s", "--kernel", "2.6"}, "2.6"},
      {"GarbageKernelVersion", ok_asm, {"verify", "{dir}/ok.s", "--kernel", "banana"}, "banana"},
      {"BadLogLevel", ok_asm, {"verify", "{dir}/ok.s", "--log-level", "7"}, "log-level"},
      {"BadFormat", ok_asm, {"verify", "{dir}/ok.s", "--format", "xml"}, "xml"},
      {"ExplainSarifNotOffered", ok_asm, {"explain", "{dir}/ok.s", "--format", "sarif"}, "sarif"},
      {"CfgBadFormat", ok_asm, {"cfg", "{dir}/ok.s", "--format", "png"}, "png"},
      {"CfgJumpOutOfProgram",
       write("far.s", "if r1 == 0 goto +100\nr0 = 0\nexit\n"),
       {"cfg", "{dir}/far.s"},
       "outside the program"},
      {"LintOneMissing", ok_asm, {"lint", "{dir}/ok.s", "{dir}/gone.o"}, "gone.o"},
      {"LintBadJobs", ok_asm, {"lint", "{dir}/ok.s", "--jobs", "0"}, "jobs"},
      {"JitUnknownArch", ok_asm, {"jit", "{dir}/ok.s", "--arch", "mips"}, "mips"},
      {"JitMissingArch", ok_asm, {"jit", "{dir}/ok.s"}, "arch"},
      // Hostile files: refused before reading, so none of them can hang or eat memory.
      {"HugeSparseFile",
       [](const ScratchDir& d) {
         write_file(d / "huge.o", "");
         fs::resize_file(d / "huge.o", uint64_t{1} << 30);  // sparse: costs no disk
       },
       {"verify", "{dir}/huge.o"},
       "larger than"},
      {"DeviceAsProgram", nullptr, {"verify", "/dev/zero"}, "not a regular file"},
      {"FifoAsProgram",
       [](const ScratchDir& d) { ASSERT_EQ(mkfifo((d / "pipe.o").c_str(), 0600), 0); },
       {"verify", "{dir}/pipe.o"},
       "not a regular file"},
      {"AsmHugeNumber", write("big.s", "r0 = 99999999999999999999999999\nexit\n"), {"verify", "{dir}/big.s"}, "64 bits"},
      {"AsmMegabyteLine",
       write("long.s", "r0 = " + std::string(1 << 20, '7') + "\nexit\n"),
       {"verify", "{dir}/long.s"},
       "64 bits"},
      {"RunDataIsDevice", ok_asm, {"run", "{dir}/ok.s", "--type", "xdp", "--data", "/dev/zero"}, "not a regular file"},
      {"RunDataIsDirectory", ok_asm, {"run", "{dir}/ok.s", "--type", "xdp", "--data", "{dir}"}, "directory"},
      {"RunMemIsFifo",
       [](const ScratchDir& d) {
         write_file(d / "ok.s", kOkAsm);
         ASSERT_EQ(mkfifo((d / "mem.fifo").c_str(), 0600), 0);
       },
       {"run", "{dir}/ok.s", "--type", "raw", "--mem", "{dir}/mem.fifo"},
       "not a regular file"},
      {"RunCtxHugeSparse",
       [](const ScratchDir& d) {
         write_file(d / "ok.s", kOkAsm);
         write_file(d / "ctx.json", "{}");
         fs::resize_file(d / "ctx.json", uint64_t{1} << 30);
       },
       {"run", "{dir}/ok.s", "--type", "xdp", "--ctx", "{dir}/ctx.json"},
       "larger than"},
      {"RunCtxNumberOverflow",
       [](const ScratchDir& d) {
         write_file(d / "ok.s", kOkAsm);
         write_file(d / "ctx.json", R"({"ingress_ifindex": 1e400})");
       },
       {"run", "{dir}/ok.s", "--type", "xdp", "--ctx", "{dir}/ctx.json"},
       "malformed JSON"},
      {"RunMapsNumberOverflow",
       [](const ScratchDir& d) {
         write_file(d / "ok.s", kOkAsm);
         write_file(d / "maps.json", R"({"m": {"entries": [{"key": -1e999, "value": 1}]}})");
       },
       {"run", "{dir}/ok.s", "--type", "xdp", "--maps", "{dir}/maps.json"},
       "malformed JSON"},
  };
}

class BadInput : public testing::TestWithParam<BadCase> {};

std::string substitute(std::string arg, const ScratchDir& dir) {
  for (auto [key, value] : {std::pair<std::string, std::string>{"{dir}", dir.path().string()},
                            std::pair<std::string, std::string>{"{corpus}", corpus_dir()}}) {
    if (auto pos = arg.find(key); pos != std::string::npos) arg.replace(pos, key.size(), value);
  }
  return arg;
}

TEST_P(BadInput, ExitsTwoWithOneLine) {
  const BadCase& c = GetParam();
  ScratchDir dir;
  if (c.setup) c.setup(dir);
  std::vector<std::string> args;
  for (const auto& a : c.args) args.push_back(substitute(a, dir));
  const auto r = run_bpfvet(args, std::chrono::seconds(60));
  ASSERT_NE(r.status, -1) << "bpfvet hung";
  EXPECT_EQ(r.status, 2) << "stderr: " << r.err;
  EXPECT_EQ(r.out, "");
  const auto lines = r.err_lines();
  ASSERT_EQ(lines.size(), 1u) << "stderr: " << r.err;
  EXPECT_EQ(lines[0].rfind("bpfvet: ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(c.expect), std::string::npos) << "expected '" << c.expect << "' in: " << lines[0];
  EXPECT_EQ(lines[0].find("internal error"), std::string::npos) << lines[0];
}

INSTANTIATE_TEST_SUITE_P(Cli, BadInput, testing::ValuesIn(bad_cases()),
                         [](const testing::TestParamInfo<BadCase>& i) { return std::string(i.param.name); });

// --help and --version are not errors.
TEST(Usage, HelpAndVersion) {
  const auto help = run_bpfvet({"--help"});
  EXPECT_EQ(help.status, 0);
  for (const char* cmd : {"verify", "explain", "lint", "disasm", "asm", "cfg", "jit"})
    EXPECT_NE(help.out.find(cmd), std::string::npos) << cmd;
  const auto version = run_bpfvet({"--version"});
  EXPECT_EQ(version.status, 0);
  EXPECT_NE(version.out.find(BPFVET_VERSION), std::string::npos);
}

}  // namespace
}  // namespace bpfvet::clitest
