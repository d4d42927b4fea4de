// Corpus programs on bundled packets: every packet-carrying program of corpus/accepted
// runs on the interpreter over each corpus/packets/*.bin, and where bpf() works on the
// kernel too; retval and packet out must agree, and map contents unless the program
// reads the clock or the random generator (whose mock values differ by design).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "jit/interp.h"
#include "jit/kernel_engine.h"
#include "tests/support/kfunc_calls.h"

namespace bpfvet::jit {
namespace {

namespace fs = std::filesystem;

struct CorpusRun {
  std::string object;  // path of the .o
  std::string packet;  // path of the .bin
};

bool packet_type(isa::ProgType t) {
  return t == isa::ProgType::Xdp || t == isa::ProgType::SchedCls || t == isa::ProgType::SchedAct ||
         t == isa::ProgType::SocketFilter || t == isa::ProgType::CgroupSkb || t == isa::ProgType::FlowDissector;
}

std::vector<CorpusRun> corpus_runs() {
  std::vector<CorpusRun> out;
  const fs::path src = fs::path(BPFVET_SOURCE_DIR) / "corpus";
  std::vector<fs::path> packets;
  for (const auto& e : fs::directory_iterator(src / "packets"))
    if (e.path().extension() == ".bin") packets.push_back(e.path());
  std::sort(packets.begin(), packets.end());
  std::vector<fs::path> objects;
  for (const auto& e : fs::directory_iterator(src / "accepted"))
    if (e.path().extension() == ".c") objects.push_back(fs::path(BPFVET_CORPUS_DIR) / (e.path().stem().string() + ".o"));
  std::sort(objects.begin(), objects.end());
  for (const auto& o : objects)
    for (const auto& p : packets) out.push_back({o.string(), p.string()});
  return out;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

bool uses_nondeterminism(const isa::Program& p) {
  for (const auto& in : p.insns)
    if (in.kind == isa::Kind::Call && in.call == isa::CallKind::Helper &&
        (in.imm == 5 || in.imm == 7 || in.imm == 125 || in.imm == 160))  // ktime_*, prandom
      return true;
  return false;
}

class Corpus : public testing::TestWithParam<CorpusRun> {};

TEST_P(Corpus, InterpreterRunsAndKernelAgrees) {
  const auto& run = GetParam();
  if (!fs::exists(run.object)) GTEST_SKIP() << run.object << " not built (corpus needs clang)";
  // A "// TYPE: x" line in the source's expectation block gives types section names hide.
  isa::LoadOptions lo;
  const fs::path src = fs::path(BPFVET_SOURCE_DIR) / "corpus/accepted" / (fs::path(run.object).stem().string() + ".c");
  std::ifstream in(src);
  for (std::string line; std::getline(in, line) && line.rfind("//", 0) == 0;)
    if (line.rfind("// TYPE:", 0) == 0) {
      std::string t = line.substr(8);
      t.erase(0, t.find_first_not_of(' '));
      lo.type = isa::parse_prog_type(t);
    }
  auto obj = isa::load_object(run.object, lo);
  ASSERT_TRUE(obj) << obj.message();
  const bool kernel = kernel_bpf_available().ok();
  int ran = 0;
  for (const auto& prog : obj->programs) {
    if (!packet_type(prog.type)) continue;
    if (calls_kfunc(prog)) continue;  // the mock runtime runs no kfuncs
    RunRequest req;
    req.program = &prog;
    req.object = &*obj;
    req.input.type = prog.type;
    req.input.data = read_file(run.packet);
    auto mine = make_interp_engine()->run(req);
    // Accepted programs only call helpers the mock implements, and never fault.
    ASSERT_TRUE(mine) << prog.name << ": " << mine.message();
    ++ran;
    if (!kernel) continue;
    auto theirs = make_kernel_engine()->run(req);
    // The object's raw .BTF is not yet fixed up the way libbpf does (DATASEC sizes), so
    // the kernel refuses the few programs that need BTF-described maps (spin locks).
    if (!theirs && theirs.message().find("BTF") != std::string::npos) continue;
    ASSERT_TRUE(theirs) << prog.name << ": " << theirs.message();
    if (uses_nondeterminism(prog)) {
      mine->maps.clear();
      theirs->maps.clear();
    }
    EXPECT_EQ(compare_results(*mine, *theirs), "") << prog.name << " on " << run.packet;
  }
  if (ran == 0) GTEST_SKIP() << "no packet program in " << run.object;
}

INSTANTIATE_TEST_SUITE_P(Packets, Corpus, testing::ValuesIn(corpus_runs()),
                         [](const testing::TestParamInfo<CorpusRun>& i) {
                           std::string s = fs::path(i.param.object).stem().string() + "_" +
                                           fs::path(i.param.packet).stem().string();
                           for (char& c : s)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return s;
                         });

}  // namespace
}  // namespace bpfvet::jit
