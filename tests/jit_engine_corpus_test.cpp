// Every execution engine against the interpreter on real programs, one suite
// parametrised over the engines.  EngineCorpus: every program of every corpus object
// (corpus/accepted) runs on each bundled packet (or once with an empty context for
// non-packet types), verified when the verifier accepts it (the fast, unchecked code)
// and unverified (the checked code), three times so the later runs see the maps the
// first one left; the whole RunResult (retval, packet out, maps, output events) must
// equal the interpreter's, and so must errors.  EngineFaults: unverified programs
// that stray outside their regions stop with an error naming the instruction (never
// touching host memory), with the interpreter's diagnosis.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <tuple>

#include "isa/assembler.h"
#include "jit/engine.h"
#include "jit/interp.h"
#include "tests/support/kfunc_calls.h"
#include "tests/support/kfunc_calls.h"
#include "verifier/verifier.h"

namespace bpfvet::jit {
namespace {

namespace fs = std::filesystem;

// The engines compared with the interpreter (the reference itself is in EngineFaults,
// whose expectations are absolute).
const std::vector<std::string> kJitEngines = {"x86_64", "arm64"};
const std::vector<std::string> kAllEngines = {"interp", "x86_64", "arm64"};

std::unique_ptr<Engine> engine_named(const std::string& name) {
  auto e = make_engine(name);
  EXPECT_TRUE(e) << e.message();
  return e ? std::move(*e) : nullptr;
}

bool packet_type(isa::ProgType t) {
  return t == isa::ProgType::Xdp || t == isa::ProgType::SchedCls || t == isa::ProgType::SchedAct ||
         t == isa::ProgType::SocketFilter || t == isa::ProgType::CgroupSkb || t == isa::ProgType::SkSkb ||
         t == isa::ProgType::SkMsg || t == isa::ProgType::FlowDissector;
}

std::vector<std::string> objects() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(fs::path(BPFVET_SOURCE_DIR) / "corpus/accepted"))
    if (e.path().extension() == ".c")
      out.push_back((fs::path(BPFVET_CORPUS_DIR) / (e.path().stem().string() + ".o")).string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::vector<uint8_t>> packets() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(BPFVET_SOURCE_DIR) / "corpus/packets"))
    if (e.path().extension() == ".bin") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<std::vector<uint8_t>> out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    out.emplace_back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  return out;
}

// A "// TYPE: x" line in the source's expectation block gives types section names hide.
isa::LoadOptions options_for(const std::string& object) {
  isa::LoadOptions lo;
  std::ifstream in(fs::path(BPFVET_SOURCE_DIR) / "corpus/accepted" / (fs::path(object).stem().string() + ".c"));
  for (std::string line; std::getline(in, line) && line.rfind("//", 0) == 0;)
    if (line.rfind("// TYPE:", 0) == 0) {
      std::string t = line.substr(8);
      t.erase(0, t.find_first_not_of(' '));
      lo.type = isa::parse_prog_type(t);
    }
  return lo;
}

std::string identifier(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

using CorpusParam = std::tuple<std::string, std::string>;  // engine, object path

// Engine differences the corpus shows that are not fixed yet: (engine, object stem) -> why.
// A listed pair that starts agreeing fails, so the list only shrinks.
const std::map<std::pair<std::string, std::string>, std::string>& known_engine_gaps() {
  static const std::map<std::pair<std::string, std::string>, std::string> gaps = {
  };
  return gaps;
}

class EngineCorpus : public testing::TestWithParam<CorpusParam> {};

TEST_P(EngineCorpus, EveryProgramMatchesTheInterpreter) {
  const auto& [engine_name, object] = GetParam();
  auto engine = engine_named(engine_name);
  ASSERT_NE(engine, nullptr);
  if (auto st = engine->available(); !st) GTEST_SKIP() << st.message();
  if (!fs::exists(object)) GTEST_SKIP() << object << " not built (corpus needs clang)";
  auto gap = known_engine_gaps().find({engine_name, fs::path(object).stem().string()});
  auto obj = isa::load_object(object, options_for(object));
  ASSERT_TRUE(obj) << obj.message();
  const auto pkts = packets();
  int compared = 0;
  bool differs = false;
  for (const auto& prog : obj->programs) {
    if (calls_kfunc(prog)) continue;  // the mock runtime runs no kfuncs: every engine refuses them
    auto verified = verifier::verify_for_execution(prog, verifier::VerifyOptions{});
    const std::vector<std::vector<uint8_t>> inputs =
        packet_type(prog.type) ? pkts : std::vector<std::vector<uint8_t>>{{}};
    for (const auto& data : inputs) {
      for (bool use_verified : {true, false}) {
        if (use_verified && !verified) continue;
        RunRequest req;
        req.program = &prog;
        req.object = &*obj;
        req.verified = use_verified ? &*verified : nullptr;
        req.input.type = prog.type;
        req.input.data = data;
        req.repeat = 3;  // maps persist across runs: the second and third see the first's updates
        auto a = make_interp_engine()->run(req);
        auto b = engine->run(req);
        std::string diff;
        if (a.ok() != b.ok())
          diff = "interp " + (a ? std::string("ok") : a.message()) + ", " + engine_name + " " + (b ? "ok" : b.message());
        else if (!a && a.message() != b.message())
          diff = "interp '" + a.message() + "', " + engine_name + " '" + b.message() + "'";
        else if (a)
          diff = compare_results(*a, *b);
        if (gap != known_engine_gaps().end()) {
          differs |= !diff.empty();
          continue;
        }
        ASSERT_EQ(a.ok(), b.ok()) << prog.name << ": " << diff;
        if (!a) {
          EXPECT_EQ(a.message(), b.message()) << prog.name;
          continue;
        }
        EXPECT_EQ(diff, "") << prog.name << (use_verified ? " (verified)" : " (unverified)");
        ++compared;
      }
    }
  }
  if (gap != known_engine_gaps().end()) {
    ASSERT_TRUE(differs) << engine_name << " now agrees on " << object << ": remove it from known_engine_gaps()";
    GTEST_SKIP() << "known gap: " << gap->second;
  }
  if (compared == 0) GTEST_SKIP() << "nothing runnable in " << object;
}

INSTANTIATE_TEST_SUITE_P(Objects, EngineCorpus,
                         testing::Combine(testing::ValuesIn(kJitEngines), testing::ValuesIn(objects())),
                         [](const testing::TestParamInfo<CorpusParam>& i) {
                           return identifier(std::get<0>(i.param) + "_" +
                                             fs::path(std::get<1>(i.param)).stem().string());
                         });

struct Fault {
  const char* name;
  const char* text;
  const char* expect;  // substring of the error
};

using FaultParam = std::tuple<std::string, Fault>;  // engine, case

class EngineFaults : public testing::TestWithParam<FaultParam> {};

TEST_P(EngineFaults, UnverifiedAccessStopsTheRunNamingTheInstruction) {
  const auto& [engine_name, f] = GetParam();
  auto engine = engine_named(engine_name);
  ASSERT_NE(engine, nullptr);
  if (auto st = engine->available(); !st) GTEST_SKIP() << st.message();
  auto raw = isa::assemble(f.text, f.name);
  ASSERT_TRUE(raw) << raw.message();
  auto prog = isa::program_from_raw(std::move(*raw), isa::ProgType::SocketFilter, f.name);
  ASSERT_TRUE(prog) << prog.message();
  RunRequest req;
  req.program = &*prog;
  req.input.type = isa::ProgType::SocketFilter;
  req.input.data.assign(32, 0xab);
  auto r = engine->run(req);
  ASSERT_FALSE(r.ok()) << "the run must fail";
  EXPECT_NE(r.message().find(f.expect), std::string::npos) << r.message();
  auto i = make_interp_engine()->run(req);
  ASSERT_FALSE(i.ok());
  // Guest addresses differ between the two sessions' allocations.
  const std::regex addr("0x[0-9a-f]+");
  EXPECT_EQ(std::regex_replace(r.message(), addr, "0x?"), std::regex_replace(i.message(), addr, "0x?"))
      << "same diagnosis as the interpreter";
}

INSTANTIATE_TEST_SUITE_P(
    Unverified, EngineFaults,
    testing::Combine(
        testing::ValuesIn(kAllEngines),
        testing::ValuesIn(std::vector<Fault>{
            {"null_read", "r0 = 0\nr0 = *(u64 *)(r0 +0)\nexit\n", "insn 1: invalid read of 8 bytes at 0x0"},
            {"host_pointer_write", "r1 = 0x7fff00001000 ll\n*(u32 *)(r1 +0) = 1\nr0 = 0\nexit\n",
             "insn 2: invalid write"},
            {"stack_overrun", "r0 = *(u64 *)(r10 +8)\nexit\n", "insn 0: invalid read of 8 bytes"},
            {"ctx_past_end", "r0 = *(u32 *)(r1 +4096)\nexit\n", "insn 0: invalid read"},
            {"atomic_misaligned",
             "r1 = 1\n*(u64 *)(r10 -16) = r1\nr2 = r10\nr2 += -15\nlock *(u64 *)(r2 +0) += r1\nr0 = 0\nexit\n",
             "misaligned atomic"},
            {"fell_off", "r0 = 0\n", "fell off the end"},
            {"deep_recursion", "call pc-1\nexit\n", "call depth"},
        })),
    [](const testing::TestParamInfo<FaultParam>& i) {
      return identifier(std::get<0>(i.param) + "_" + std::get<1>(i.param).name);
    });

}  // namespace
}  // namespace bpfvet::jit
