#!/usr/bin/env bash
# Checks the native ARM64 runner (jit/arm64/a64_native.*) on an x86-64 machine:
# cross-compiles a static AArch64 driver (scripts/a64_native_check.cpp) and runs it
# under qemu-aarch64-static.  The driver runs the hand-assembled runner cases
# (tests/support/a64_native_cases.h) and, unless --quick, BPF programs compiled by the
# ARM64 JIT (tests/support/a64_native_jit_cases.h; this cross-compiles the isa sources
# that need neither LLVM nor zlib, about a minute on two cores).  Needs
# aarch64-linux-gnu-g++ and qemu-aarch64-static (Debian: g++-aarch64-linux-gnu,
# qemu-user-static); not a build dependency.  Exit 77 when they are missing, else the
# driver's status.  Usage: scripts/a64_native_check.sh [--quick] [OUT_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
QUICK=0
if [[ "${1:-}" == --quick ]]; then QUICK=1; shift; fi
CXX="${AARCH64_CXX:-aarch64-linux-gnu-g++}"
QEMU="${QEMU_AARCH64:-qemu-aarch64-static}"
for tool in "$CXX" "$QEMU"; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool not found" >&2; exit 77; }
done
OUT="${1:-$(mktemp -d)}"
mkdir -p "$OUT"
SRCS=(scripts/a64_native_check.cpp jit/arm64/a64_native.cpp jit/arm64/a64_encoder.cpp)
FLAGS=(-std=c++20 -O1 -Wall -Wextra -static -I.)
if [[ $QUICK == 1 ]]; then
  FLAGS+=(-DBPFVET_NATIVE_RUNNER_ONLY)
else
  # The JIT and the isa parts it needs; ELF/BTF loading (LLVM, zlib) is left out and
  # unreferenced code is dropped at link time.
  SRCS+=(jit/arm64/arm64_jit.cpp jit/arm64/arm64_jit_mem.cpp jit/code_buffer.cpp)
  for f in isa/*.cpp; do
    case "$f" in isa/elf*.cpp | isa/core_relo.cpp | isa/llvm_disasm.cpp | isa/mc_layer.cpp) ;; *) SRCS+=("$f") ;; esac
  done
  FLAGS+=(-ffunction-sections -Wl,--gc-sections -idirafter /usr/include)
fi
"$CXX" "${FLAGS[@]}" -o "$OUT/a64_native_check" "${SRCS[@]}"
"$QEMU" "$OUT/a64_native_check"
