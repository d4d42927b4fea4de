// Cycle estimates for A64 blocks from LLVM's MCA library (see a64_mca.h).
#include "jit/arm64/a64_mca.h"

#include <cstdio>
#include <mutex>

#include "isa/mc_layer.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/MC/MCInst.h"
#include "llvm/MC/MCInstrAnalysis.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/MCA/Context.h"
#include "llvm/MCA/CustomBehaviour.h"
#include "llvm/MCA/InstrBuilder.h"
#include "llvm/MCA/Pipeline.h"
#include "llvm/MCA/SourceMgr.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

extern "C" {
void LLVMInitializeAArch64TargetInfo();
void LLVMInitializeAArch64TargetMC();
void LLVMInitializeAArch64Disassembler();
}

namespace bpfvet::jit::a64 {

namespace {

// Iterations of the shorter simulation; the longer one runs twice as many.
constexpr uint32_t kSteadyIterations = 16;

std::string word_hex(uint32_t w) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", w);
  return buf;
}

// Calls and returns as the plain branches they are to the pipeline: MCA gives a call
// an arbitrary 100-cycle latency (it cannot know the callee) and warns about both on
// stderr.  BL -> B, BLR Xn -> BR Xn, RET Xn -> BR Xn; other words unchanged.
uint32_t as_plain_branch(uint32_t w) {
  if ((w & 0xfc000000u) == 0x94000000u) return (w & 0x03ffffffu) | 0x14000000u;  // BL imm26
  if ((w & 0xfffffc1fu) == 0xd63f0000u) return (w & 0x3e0u) | 0xd61f0000u;        // BLR Xn
  if ((w & 0xfffffc1fu) == 0xd65f0000u) return (w & 0x3e0u) | 0xd61f0000u;        // RET Xn
  return w;
}

}  // namespace

struct A64CostModel::Impl : isa::McLayer {
  std::unique_ptr<llvm::MCInstrAnalysis> analysis;
};

A64CostModel::A64CostModel(std::unique_ptr<Impl> impl, std::string cpu) : impl_(std::move(impl)), cpu_(std::move(cpu)) {}
A64CostModel::~A64CostModel() = default;

Result<std::unique_ptr<A64CostModel>> A64CostModel::create(const std::string& cpu) {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64Disassembler();
  });
  std::string err;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget("aarch64", err);
  if (target == nullptr) return Error{"LLVM has no AArch64 target: " + err};
  // Check the name on a generic subtarget first: LLVM warns on stderr about unknown ones.
  std::unique_ptr<llvm::MCSubtargetInfo> generic(target->createMCSubtargetInfo("aarch64", "generic", ""));
  if (!generic || !generic->isCPUStringValid(cpu)) return Error{"LLVM knows no AArch64 CPU '" + cpu + "'"};
  auto impl = std::make_unique<Impl>();
  if (auto st = isa::build_mc_layer(*impl, "aarch64", "AArch64", cpu, "+lse,+rcpc", -1); !st) return st.error();
  if (!impl->subtarget->getSchedModel().hasInstrSchedModel())
    return Error{"LLVM has no instruction scheduling model for AArch64 CPU '" + cpu + "'"};
  impl->analysis.reset(target->createMCInstrAnalysis(impl->instrs.get()));
  return std::unique_ptr<A64CostModel>(new A64CostModel(std::move(impl), cpu));
}

Result<uint64_t> A64CostModel::simulate(const std::vector<uint32_t>& block, uint32_t iterations) {
  if (block.empty() || iterations == 0) return uint64_t{0};
  Impl& mc = *impl_;
  const llvm::MCSchedModel& sm = mc.subtarget->getSchedModel();
  llvm::mca::InstrBuilder builder(*mc.subtarget, *mc.instrs, *mc.regs, mc.analysis.get());
  std::vector<llvm::MCInst> insts(block.size());
  std::vector<std::unique_ptr<llvm::mca::Instruction>> lowered;
  lowered.reserve(block.size());
  for (size_t i = 0; i < block.size(); ++i) {
    const uint32_t w = as_plain_branch(block[i]);
    const uint8_t bytes[4] = {uint8_t(w), uint8_t(w >> 8), uint8_t(w >> 16), uint8_t(w >> 24)};
    uint64_t size = 0;
    const auto status =
        mc.disasm->getInstruction(insts[i], size, llvm::ArrayRef<uint8_t>(bytes, 4), 4 * i, llvm::nulls());
    if (status != llvm::MCDisassembler::Success || size != 4)
      return Error{"mca: cannot decode A64 word " + word_hex(w)};
    auto inst = builder.createInstruction(insts[i]);
    if (!inst) {
      std::string why = llvm::toString(inst.takeError());
      return Error{"mca (" + cpu_ + "): A64 word " + word_hex(w) + ": " + why};
    }
    lowered.push_back(std::move(*inst));
  }
  llvm::mca::Context context(*mc.regs, *mc.subtarget);
  // llvm-mca's defaults: the model's issue width as dispatch width, unbounded queues
  // sized by the model, loads and stores assumed not to alias.
  const llvm::mca::PipelineOptions options(0, 0, sm.IssueWidth, 0, 0, 0, true);
  llvm::mca::SourceMgr source(lowered, iterations);
  llvm::mca::CustomBehaviour behaviour(*mc.subtarget, source, *mc.instrs);
  auto pipeline = context.createDefaultPipeline(options, source, behaviour);
  auto cycles = pipeline->run();
  if (!cycles) return Error{"mca (" + cpu_ + "): " + llvm::toString(cycles.takeError())};
  return static_cast<uint64_t>(*cycles);
}

Result<double> A64CostModel::block_cycles(const std::vector<uint32_t>& block) {
  if (block.empty()) return 0.0;
  if (auto it = cache_.find(block); it != cache_.end()) return it->second;
  auto shorter = simulate(block, kSteadyIterations);
  if (!shorter) return shorter.error();
  auto longer = simulate(block, 2 * kSteadyIterations);
  if (!longer) return longer.error();
  // Steady state; should the difference vanish (it cannot for a real pipeline), the
  // plain average is the fallback.
  const double per = *longer > *shorter ? double(*longer - *shorter) / kSteadyIterations
                                        : double(*longer) / (2 * kSteadyIterations);
  cache_.emplace(block, per);
  return per;
}

}  // namespace bpfvet::jit::a64
