// cfg: the graph structure (build_cfg on small assembled programs), the JSON shape of
// `bpfvet cfg --format json` on every corpus object, and Graphviz syntax of the dot output.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "isa/assembler.h"
#include "tests/cli_helpers.h"
#include "verifier/cfg_graph.h"

namespace bpfvet::clitest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using verifier::EdgeKind;

struct CfgCase {
  const char* name;
  const char* text;
  std::vector<std::pair<uint32_t, uint32_t>> blocks;  // [first, end)
  std::vector<verifier::CfgEdge> edges;
  size_t functions;
};

constexpr auto kNone = std::nullopt;

std::vector<CfgCase> cfg_cases() {
  return {
      {"StraightLine", "r0 = 0\nr1 = 1\nexit\n", {{0, 3}}, {{0, kNone, EdgeKind::Exit}}, 1},
      {"Diamond",
       "if r1 == 0 goto +2\nr0 = 1\ngoto +1\nr0 = 2\nexit\n",
       {{0, 1}, {1, 3}, {3, 4}, {4, 5}},
       {{0, 1, EdgeKind::Fallthrough},
        {0, 2, EdgeKind::Taken},
        {1, 3, EdgeKind::Jump},
        {2, 3, EdgeKind::Fallthrough},
        {3, kNone, EdgeKind::Exit}},
       1},
      {"LoopBackEdge",
       "r0 = 3\nr0 -= 1\nif r0 != 0 goto -2\nexit\n",
       {{0, 1}, {1, 3}, {3, 4}},
       {{0, 1, EdgeKind::Fallthrough},
        {1, 2, EdgeKind::Fallthrough},
        {1, 1, EdgeKind::Taken},
        {2, kNone, EdgeKind::Exit}},
       1},
      {"LddwStaysWhole",
       "r1 = 0x1122334455667788 ll\nif r1 > 5 goto +0\nexit\n",
       {{0, 3}, {3, 4}},
       {{0, 1, EdgeKind::Fallthrough}, {0, 1, EdgeKind::Taken}, {1, kNone, EdgeKind::Exit}},
       1},
      {"LocalCall",
       "r1 = 1\ncall pc+2\nr0 = 0\nexit\nr0 = r1\nexit\n",
       {{0, 2}, {2, 4}, {4, 6}},
       {{0, 2, EdgeKind::Call},
        {0, 1, EdgeKind::Fallthrough},
        {1, kNone, EdgeKind::Exit},
        {2, kNone, EdgeKind::Exit}},
       2},
      {"MayGoto",
       "may_goto +1\nr0 = 1\nexit\n",
       {{0, 1}, {1, 2}, {2, 3}},
       {{0, 1, EdgeKind::Fallthrough},
        {0, 2, EdgeKind::Taken},
        {1, 2, EdgeKind::Fallthrough},
        {2, kNone, EdgeKind::Exit}},
       1},
  };
}

class CfgStructure : public testing::TestWithParam<CfgCase> {};

TEST_P(CfgStructure, BlocksEdgesFunctions) {
  const auto& c = GetParam();
  auto raw = isa::assemble(c.text, c.name);
  ASSERT_TRUE(raw) << raw.message();
  auto prog = isa::program_from_raw(*raw, isa::ProgType::Raw, c.name);
  ASSERT_TRUE(prog) << prog.message();
  auto g = verifier::build_cfg(*prog);
  ASSERT_TRUE(g) << g.message();
  std::vector<std::pair<uint32_t, uint32_t>> blocks;
  for (const auto& b : g->blocks) blocks.emplace_back(b.first, b.end);
  EXPECT_EQ(blocks, c.blocks);
  EXPECT_EQ(g->edges, c.edges);
  EXPECT_EQ(g->functions.size(), c.functions);
}

INSTANTIATE_TEST_SUITE_P(Cli, CfgStructure, testing::ValuesIn(cfg_cases()),
                         [](const testing::TestParamInfo<CfgCase>& i) { return std::string(i.param.name); });

TEST(CfgStructure, TargetOutsideProgramIsAnError) {
  for (const char* text : {"if r1 == 0 goto +5\nexit\n", "goto -3\nexit\n", "call pc+7\nexit\n"}) {
    auto raw = isa::assemble(text, "bad.s");
    ASSERT_TRUE(raw) << raw.message();
    auto prog = isa::program_from_raw(*raw, isa::ProgType::Raw, "bad");
    if (!prog) continue;  // the loader may already refuse it
    auto g = verifier::build_cfg(*prog);
    EXPECT_FALSE(g) << text;
  }
}

TEST(CfgStructure, JumpIntoLddwIsAnError) {
  auto raw = isa::assemble("goto +1\nr1 = 0x100000000 ll\nexit\n", "lddw.s");
  ASSERT_TRUE(raw) << raw.message();
  auto prog = isa::program_from_raw(*raw, isa::ProgType::Raw, "lddw");
  if (!prog) GTEST_SKIP() << "the loader refuses it: " << prog.message();
  EXPECT_FALSE(verifier::build_cfg(*prog));
}

// The JSON of every corpus object is self-consistent: blocks tile each function in
// order, edges join existing blocks with a known kind, exit edges have a null target.
TEST(CfgJson, ShapeOnEveryCorpusObject) {
  const auto objects = corpus_objects();
  ASSERT_FALSE(objects.empty());
  const std::set<std::string> kinds{"fallthrough", "jump", "taken", "call", "exit"};
  for (const auto& obj : objects) {
    SCOPED_TRACE(obj.filename().string());
    const auto r = run_bpfvet(with_corpus_type({"cfg", obj.string(), "--format", "json"}, obj));
    ASSERT_EQ(r.status, 0) << r.err;
    const json doc = json::parse(r.out);
    EXPECT_EQ(doc.at("tool"), "bpfvet");
    EXPECT_TRUE(doc.at("version").is_string());
    ASSERT_TRUE(doc.at("programs").is_array());
    ASSERT_FALSE(doc["programs"].empty());
    for (const auto& p : doc["programs"]) {
      for (const char* key : {"file", "section", "name", "type"}) EXPECT_TRUE(p.at(key).is_string()) << key;
      const uint32_t n = p.at("insns").get<uint32_t>();
      const auto& blocks = p.at("blocks");
      const auto& functions = p.at("functions");
      ASSERT_FALSE(blocks.empty());
      uint32_t next = 0;
      for (size_t i = 0; i < blocks.size(); ++i) {
        const auto& b = blocks[i];
        EXPECT_EQ(b.at("id").get<size_t>(), i);
        EXPECT_EQ(b.at("start").get<uint32_t>(), next);
        EXPECT_LT(b.at("start").get<uint32_t>(), b.at("end").get<uint32_t>());
        EXPECT_LT(b.at("function").get<size_t>(), functions.size());
        ASSERT_FALSE(b.at("insns").empty());
        EXPECT_EQ(b["insns"][0].at("idx").get<uint32_t>(), b["start"].get<uint32_t>());
        for (const auto& in : b["insns"]) EXPECT_FALSE(in.at("text").get<std::string>().empty());
        next = b["end"].get<uint32_t>();
      }
      EXPECT_EQ(next, n);
      ASSERT_FALSE(functions.empty());
      EXPECT_EQ(functions[0].at("start").get<uint32_t>(), 0u);
      for (const auto& f : functions) {
        EXPECT_TRUE(f.at("name").is_string());
        const auto entry = f.at("entry_block").get<size_t>();
        ASSERT_LT(entry, blocks.size());
        EXPECT_EQ(blocks[entry]["start"], f.at("start"));
        EXPECT_FALSE(f.at("blocks").empty());
      }
      for (const auto& e : p.at("edges")) {
        const auto kind = e.at("kind").get<std::string>();
        EXPECT_TRUE(kinds.count(kind)) << kind;
        EXPECT_LT(e.at("from").get<size_t>(), blocks.size());
        if (kind == "exit") {
          EXPECT_TRUE(e.at("to").is_null());
        } else {
          EXPECT_LT(e.at("to").get<size_t>(), blocks.size());
        }
      }
    }
  }
}

// dot output is accepted by Graphviz (skipped when `dot` is not installed).
TEST(CfgDot, GraphvizAcceptsIt) {
  if (std::system("command -v dot >/dev/null 2>&1") != 0) GTEST_SKIP() << "graphviz (dot) is not installed";
  ScratchDir dir;
  for (const char* name : {"tc_bpf2bpf_calls", "xdp_bounded_loop", "xdp_global_vars"}) {
    SCOPED_TRACE(name);
    const auto r = run_bpfvet({"cfg", (fs::path(corpus_dir()) / (std::string(name) + ".o")).string()});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out.rfind("digraph ", 0), 0u);
    const auto dot = dir / "g.dot";
    write_file(dot, r.out);
    const std::string cmd =
        "dot -Tsvg -o " + (dir / "g.svg").string() + " " + dot.string() + " 2>" + (dir / "dot.err").string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << read_file(dir / "dot.err");
    EXPECT_EQ(read_file(dir / "dot.err"), "");
    EXPECT_GT(fs::file_size(dir / "g.svg"), 0u);
  }
}

}  // namespace
}  // namespace bpfvet::clitest
