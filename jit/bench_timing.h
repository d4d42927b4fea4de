// Benchmark timing shared by the in-process engines and bench/: ns per run as the
// median of many short batches.
//
// How it works: after a warm-up of a tenth of the runs (which also estimates the cost
// of one run), the runs are timed in batches of about kBatchNs each, short enough that
// most batches are never interrupted by the scheduler.  The median batch then measures
// what a run costs on the CPU, as BPF_PROG_TEST_RUN's duration does (the kernel stops
// its timer while it reschedules), and not a mean inflated by whatever else shares a
// busy machine.  The same code times the interpreter, the JITs and native C in
// bench/jit_bench, so their ratios compare like with like.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "isa/result.h"

namespace bpfvet::jit {

/// Target length of one timed batch.
inline constexpr double kBatchNs = 20'000;
/// Fewest batches whose median is reported.
inline constexpr uint32_t kMinBatches = 9;

/// The outcome of time_batches().
struct BatchTiming {
  double ns_per_run = 0;  // median over batches
  uint64_t runs = 0;      // timed runs (the warm-up is not counted)
};

/// Calls `one()` (returning Status) about `runs` times plus a warm-up, in batches;
/// the first failing run's Error is returned.
template <class F>
Result<BatchTiming> time_batches(uint64_t runs, F&& one) {
  using Clock = std::chrono::steady_clock;
  auto ns_since = [](Clock::time_point t0) {
    return std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
  };
  runs = std::max<uint64_t>(runs, kMinBatches);
  const uint64_t warmup = std::max<uint64_t>(1, runs / 10);
  const auto w0 = Clock::now();
  for (uint64_t i = 0; i < warmup; ++i)
    if (auto st = one(); !st) return st.error();
  const double estimate = std::max(ns_since(w0) / static_cast<double>(warmup), 0.1);
  const uint64_t per_batch =
      std::clamp<uint64_t>(static_cast<uint64_t>(kBatchNs / estimate), 1, runs / kMinBatches);
  const uint64_t batches = std::max<uint64_t>(kMinBatches, runs / per_batch);
  std::vector<double> ns(batches);
  for (uint64_t b = 0; b < batches; ++b) {
    const auto t0 = Clock::now();
    for (uint64_t i = 0; i < per_batch; ++i)
      if (auto st = one(); !st) return st.error();
    ns[b] = ns_since(t0) / static_cast<double>(per_batch);
  }
  std::nth_element(ns.begin(), ns.begin() + ns.size() / 2, ns.end());
  return BatchTiming{ns[ns.size() / 2], batches * per_batch};
}

/// An engine's timing of `repeat` runs: batches (time_batches) for a benchmark,
/// otherwise exactly `repeat` runs in one timed loop.
template <class F>
Result<BatchTiming> time_runs(uint32_t repeat, bool bench, F&& one) {
  if (bench) return time_batches(repeat, one);
  repeat = std::max<uint32_t>(1, repeat);
  const auto t0 = std::chrono::steady_clock::now();
  for (uint32_t i = 0; i < repeat; ++i)
    if (auto st = one(); !st) return st.error();
  const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  return BatchTiming{ns / repeat, repeat};
}

}  // namespace bpfvet::jit
