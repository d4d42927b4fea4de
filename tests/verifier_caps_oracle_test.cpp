// The rules of loaders without CAP_PERFMON, checked against the running kernel.
//
// kernel.unprivileged_bpf_disabled forbids unprivileged bpf() on most machines, but a
// child that keeps only CAP_BPF (tests/support/caps_loader.h) gets the kernel's
// unprivileged verifier rules all the same: no pointer leaks (allow_ptr_leaks), no
// pointer comparisons, the Spectre v1 pointer-arithmetic limits (bypass_spec_v1), no
// reads of uninitialised stack (allow_uninit_stack), only the CAP_BPF tier of the
// helpers, and only program types that need neither CAP_NET_ADMIN nor CAP_PERFMON.
// bpfvet verifies the same programs with VerifyOptions::caps = Caps::BpfOnly: the
// verifier cases (tests/data/verifier/*.txt), and random programs from progen of the
// types such a loader may load.  Verdicts, failing instructions and wording must agree.
// Everything skips cleanly without bpf() or without the right to drop capabilities.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "isa/kernel_version.h"
#include "tests/support/progen.h"
#include "tests/verifier_case_format.h"
#include "verifier/verifier.h"
// NOLINTNEXTLINE(llvm-include-order)
#include "tests/support/caps_loader.h"
#include "tests/support/kernel_loader.h"

namespace bpfvet::testing {
namespace {

using isa::Caps;
using isa::ProgType;

/// bpfvet's and the kernel's verdicts side by side, for one program.
struct Comparison {
  bool compared = false;  // false: the kernel could not be asked (maps, fork)
  bool allowed = false;   // a documented difference (kSpeculative), not counted against bpfvet
  bool same_verdict = false;
  bool same_insn = false;
  bool same_words = false;  // rejections: the kernel's log has our wording
  std::string text;         // both verdicts, for failure messages
};

std::string verdict_text(bool accepted, int64_t insn, const std::string& message) {
  return accepted ? "accepted" : "rejected at insn " + std::to_string(insn) + ": " + message;
}

// What bpfvet does not model exactly for these loaders: the kernel walks speculative
// paths (the edge of a decided conditional jump, with the compared registers
// forgotten; bpfvet does too) and also the pointer before a masked add/sub with a
// register offset (bpfvet does not), and its state-pruning heuristics differ from
// bpfvet's on them; where that makes the kernel give up on a loop or on its budgets
// while bpfvet accepts, the difference is counted, not failed.
bool speculative_difference(bool ours_accepted, const testsupport::KernelVerdict& k) {
  if (!ours_accepted || k.accepted) return false;
  return k.log.find("infinite loop detected") != std::string::npos ||
         k.log.find("BPF program is too large") != std::string::npos ||
         k.log.find("jumps is too complex") != std::string::npos;
}

Comparison compare_with_kernel(const isa::Program& prog, Caps caps) {
  Comparison c;
  verifier::VerifyOptions opts;
  opts.caps = caps;
  const verifier::VerifyResult r = verifier::verify(prog, opts);
  const CapsVerdict kv = kernel_load_with_caps(prog, caps);
  if (!kv.available || !kv.verdict) return c;
  c.compared = true;
  testsupport::KernelVerdict k;
  k.log = kv.verdict->log;
  k.accepted = kv.verdict->accepted;
  k.insn_count = static_cast<int>(prog.raw.size());
  if (!k.accepted) testsupport::parse_rejection_log(k);
  // The kernel prints its loop verdict on the jump's own log line, then the states.
  static const std::regex loop(R"(infinite loop detected at insn (\d+))");
  std::smatch m;
  if (!k.accepted && std::regex_search(k.log, m, loop)) {
    k.insn = std::stoi(m[1]);
    k.message = m[0];
  }
  // EPERM/E2BIG before verification leave an empty log: compared by verdict only.
  const bool kernel_insn_known = !k.log.empty() && (k.insn >= 0 || k.log.find("processed 0 insns") == std::string::npos);
  const int64_t ours = r.error ? r.error->insn : -1;
  c.same_verdict = r.accepted == k.accepted;
  c.allowed = speculative_difference(r.accepted, k) ||
              (!r.accepted && !k.accepted && r.error->code == verifier::ErrorCode::ProgramTooLarge &&
               k.log.find("jumps is too complex") != std::string::npos);
  c.same_insn = c.same_verdict && (r.accepted || !kernel_insn_known || ours == k.insn);
  c.same_words = r.accepted || !c.same_verdict || k.log.empty() ||
                 k.log.find(r.error->kernel_message) != std::string::npos;
  c.text = "bpfvet: " + verdict_text(r.accepted, ours, r.error ? r.error->kernel_message : "") +
           "\n  kernel: " + verdict_text(k.accepted, k.insn, k.message) + " (errno " +
           std::to_string(kv.verdict->err) + ")";
  if (!c.same_insn) {
    std::string tail = k.log.size() > 1500 ? k.log.substr(k.log.size() - 1500) : k.log;
    c.text += "\n" + testsupport::program_listing(prog) + "kernel log tail:\n" + tail;
  }
  return c;
}

isa::Program trivial_program(ProgType t) {
  isa::Program p;
  p.type = t;
  p.raw = {isa::RawInsn::make(0xb7, 0, 0, 0, 0), isa::RawInsn::make(0x95, 0, 0, 0, 0)};
  return p;
}

// ---- which program types CAP_BPF alone may load ------------------------------------

TEST(CapBpfOracle, ProgramTypesLoadableWithCapBpfAlone) {
  if (!cap_bpf_oracle_available()) GTEST_SKIP() << "bpf() or capset() unavailable here";
  int checked = 0;
  for (int i = 1; i < static_cast<int>(ProgType::Raw); ++i) {
    const auto t = static_cast<ProgType>(i);
    const CapsVerdict v = kernel_load_with_caps(trivial_program(t), Caps::BpfOnly);
    ASSERT_TRUE(v.available && v.verdict) << isa::prog_type_name(t);
    // A type the loader may not load is refused with EPERM before anything else; a
    // loadable one is accepted or refused for other reasons (a missing attach type).
    const bool eperm = !v.verdict->accepted && v.verdict->err == EPERM;
    EXPECT_EQ(!eperm, isa::prog_type_loadable(t, Caps::BpfOnly))
        << isa::prog_type_name(t) << ": errno " << v.verdict->err << "\n" << v.verdict->log;
    ++checked;
  }
  EXPECT_GE(checked, 17);
}

// ---- the verifier cases ------------------------------------------------------------

std::vector<VerifierCase> oracle_cases() {
  std::vector<VerifierCase> cases;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(BPFVET_SOURCE_DIR "/tests/data/verifier"))
    if (e.path().extension() == ".txt") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files)
    for (auto& c : parse_verifier_cases(f.string())) {
      auto type = isa::parse_prog_type(c.type);
      if (c.differential && c.kernel == "latest" && type && isa::prog_type_loadable(*type, Caps::BpfOnly))
        cases.push_back(c);
    }
  return cases;
}

class CapBpfOracleCase : public ::testing::TestWithParam<VerifierCase> {};

TEST_P(CapBpfOracleCase, SameVerdictAsKernel) {
  if (!cap_bpf_oracle_available()) GTEST_SKIP() << "bpf() or capset() unavailable here";
  const VerifierCase& c = GetParam();
  auto prog = build_case_program(c);
  ASSERT_TRUE(prog.ok()) << prog.message();
  const Comparison cmp = compare_with_kernel(*prog, Caps::BpfOnly);
  if (!cmp.compared) GTEST_SKIP() << "could not create the case's maps";
  if (cmp.allowed) GTEST_SKIP() << "speculative paths, not modelled (see speculative_difference):\n  " << cmp.text;
  EXPECT_TRUE(cmp.same_insn) << c.name << "\n  " << cmp.text;
  EXPECT_TRUE(cmp.same_words) << c.name << ": wording differs\n  " << cmp.text;
}

INSTANTIATE_TEST_SUITE_P(Cases, CapBpfOracleCase, ::testing::ValuesIn(oracle_cases()),
                         [](const ::testing::TestParamInfo<VerifierCase>& info) { return info.param.name; });

// ---- random programs ---------------------------------------------------------------

constexpr uint64_t kSeeds = 150;  // per flavour; only the CAP_BPF-loadable types are compared
constexpr size_t kShown = 3;

class CapBpfOracleRandom : public ::testing::TestWithParam<testsupport::GenFlavour> {};

TEST_P(CapBpfOracleRandom, SameVerdictAsKernel) {
  if (!cap_bpf_oracle_available()) GTEST_SKIP() << "bpf() or capset() unavailable here";
  const testsupport::GenFlavour flavour = GetParam();
  int compared = 0, agreed = 0, worded = 0, rejected = 0, allowed = 0, root_differs = 0;
  std::vector<std::string> shown;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    auto gen = testsupport::generate_program(flavour, seed);
    ASSERT_TRUE(gen.ok()) << gen.message();
    if (!isa::prog_type_loadable(gen->program.type, Caps::BpfOnly)) continue;
    // Differences that show as root too are verifier_random_test's business: here only
    // what the capabilities change is compared.
    const Comparison root = compare_with_kernel(gen->program, Caps::Full);
    if (!root.compared) continue;
    if (!root.same_insn || !root.same_words) {
      ++root_differs;
      continue;
    }
    const Comparison cmp = compare_with_kernel(gen->program, Caps::BpfOnly);
    if (!cmp.compared) continue;
    if (cmp.allowed) {
      ++allowed;
      continue;
    }
    ++compared;
    if (cmp.same_insn) ++agreed;
    if (cmp.same_insn && cmp.same_words) ++worded;
    if (cmp.text.find("bpfvet: rejected") != std::string::npos) ++rejected;
    if ((!cmp.same_insn || !cmp.same_words) && shown.size() < kShown)
      shown.push_back("seed " + std::to_string(seed) + " (" + gen->recipe + ")\n  " + cmp.text);
  }
  std::printf("[caps=bpf] %-8s %d/%d agree with the kernel (%d with the same wording), bpfvet rejected %d; "
              "%d speculative-path differences, %d skipped (differ as root too)\n",
              testsupport::gen_flavour_name(flavour), agreed, compared, worded, rejected, allowed, root_differs);
  for (const std::string& s : shown) ADD_FAILURE() << s;
  EXPECT_EQ(agreed, compared);
  EXPECT_EQ(worded, compared);
}

INSTANTIATE_TEST_SUITE_P(Flavours, CapBpfOracleRandom, ::testing::ValuesIn(testsupport::kGenFlavours),
                         [](const auto& info) { return std::string(testsupport::gen_flavour_name(info.param)); });

}  // namespace
}  // namespace bpfvet::testing
