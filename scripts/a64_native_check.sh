#!/usr/bin/env bash
# Checks the native ARM64 runner (jit/arm64/a64_native.*) on an x86-64 machine:
# cross-compiles a static AArch64 driver (scripts/a64_native_check.cpp, the cases of
# tests/support/a64_native_cases.h) and runs it under qemu-aarch64-static.  Needs
# aarch64-linux-gnu-g++ and qemu-aarch64-static (Debian: g++-aarch64-linux-gnu,
# qemu-user-static); not a build dependency.  Exit 77 when they are missing, else the
# driver's status.  Usage: scripts/a64_native_check.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CXX="${AARCH64_CXX:-aarch64-linux-gnu-g++}"
QEMU="${QEMU_AARCH64:-qemu-aarch64-static}"
for tool in "$CXX" "$QEMU"; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool not found" >&2; exit 77; }
done
OUT="${1:-$(mktemp -d)}"
mkdir -p "$OUT"
"$CXX" -std=c++20 -O1 -Wall -Wextra -static -I. -o "$OUT/a64_native_check" \
  scripts/a64_native_check.cpp jit/arm64/a64_native.cpp jit/arm64/a64_encoder.cpp
"$QEMU" "$OUT/a64_native_check"
