#!/usr/bin/env bash
# bpfvet's whole test suite, in one command (what .ci/run calls):
#   1. builds build/ if needed (RelWithDebInfo, g++) and runs ctest there;
#   2. the sanitizer stage (on by default): a build in build-asan/ with clang-14, ASan +
#      UBSan (-fno-sanitize-recover: any UB aborts) and libFuzzer (the tests, bpfvet and
#      the fuzz targets, not the benchmarks), runs the WHOLE unit test suite there
#      (isa, verifier, jit and cli tests, as ctest shards), then a short fuzz smoke run of
#      every fuzz target (BPFVET_FUZZ_SECONDS each) on fuzz/seeds/<target>.  LeakSanitizer
#      is on; leaks inside third-party libraries would be suppressed by scripts/lsan.supp
#      (a commented entry per library singleton, never our code; none needed so far).
#      a64_mca.cpp is compiled as C++17 there and everywhere (llvm-project#55780).
# Exits non-zero on the first failure.  Environment:
#   BPFVET_JOBS (default 2)              parallel build and test jobs
#   BPFVET_SANITIZE_TESTS (default 1)    0 skips step 2 (quick local runs)
#   BPFVET_FUZZ_SECONDS (default 12)     0 skips the fuzz smoke run
#   BPFVET_BUILD_DIR, BPFVET_ASAN_DIR    build directories (default build, build-asan)
#   BPFVET_BLESS=1                       re-bless golden files instead of comparing
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

JOBS="${BPFVET_JOBS:-2}"
BUILD_DIR="${BPFVET_BUILD_DIR:-build}"
ASAN_DIR="${BPFVET_ASAN_DIR:-build-asan}"
SANITIZE="${BPFVET_SANITIZE_TESTS:-1}"
FUZZ_SECONDS="${BPFVET_FUZZ_SECONDS:-12}"

log() { printf '==> [%4ds] %s\n' "$SECONDS" "$*"; }

build() {  # build DIR [--target T...] -- CMAKE-ARGS...
  local dir="$1" targets=()
  shift
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do targets+=("$1"); shift; done
  shift
  if [ ! -f "$dir/build.ninja" ]; then
    log "configuring $dir/"
    cmake -S . -B "$dir" -G Ninja "$@"
  fi
  log "building $dir/"
  cmake --build "$dir" -j "$JOBS" "${targets[@]}"
}

run_ctest() {  # run_ctest DIR
  log "ctest in $1/"
  (cd "$1" && ctest --output-on-failure -j "$JOBS" --timeout 900)
}

fuzz_smoke() {
  local dir="$ASAN_DIR/fuzz" target name work seeds
  for target in "$dir"/fuzz_*; do
    [ -x "$target" ] || continue
    name="$(basename "$target")"
    name="${name#fuzz_}"
    work="$ASAN_DIR/fuzz-corpus/$name"  # libFuzzer writes new inputs to the first dir
    seeds="fuzz/seeds/$name"
    mkdir -p "$work"
    log "fuzzing $name for ${FUZZ_SECONDS}s"
    if [ -d "$seeds" ]; then
      "$target" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$ASAN_DIR/fuzz-$name-" "$work" "$seeds" 2>"$ASAN_DIR/fuzz-$name.log" ||
        { tail -n 60 "$ASAN_DIR/fuzz-$name.log"; return 1; }
    else
      "$target" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$ASAN_DIR/fuzz-$name-" "$work" 2>"$ASAN_DIR/fuzz-$name.log" ||
        { tail -n 60 "$ASAN_DIR/fuzz-$name.log"; return 1; }
    fi
    grep -E '^(stat::number_of_executed_units|#[0-9]+.*DONE)' "$ASAN_DIR/fuzz-$name.log" | tail -n 1 || true
  done
}

main() {
  build "$BUILD_DIR" -- -DCMAKE_BUILD_TYPE=RelWithDebInfo
  run_ctest "$BUILD_DIR"
  if [ "$SANITIZE" != "0" ]; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
    export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan.supp:print_suppressions=0}"
    # Everything the tests and the fuzz smoke run need; the benchmarks are left out.
    local targets=(--target bpfvet isa_tests verifier_tests jit_tests cli_tests) src
    for src in fuzz/fuzz_*.cpp; do targets+=("$(basename "$src" .cpp)"); done
    # -O1 -g1: sanitizer-friendly and quick to build; assertions stay on.
    build "$ASAN_DIR" "${targets[@]}" -- -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_C_COMPILER=clang-14 \
      -DCMAKE_CXX_COMPILER=clang++-14 -DBPFVET_SANITIZE=ON -DBPFVET_FUZZ=ON
    run_ctest "$ASAN_DIR"
    if [ "$FUZZ_SECONDS" != "0" ]; then fuzz_smoke; fi
  fi
  log "all tests passed"
}

main "$@"
