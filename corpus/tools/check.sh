#!/bin/sh
# Compiles one corpus C file the way corpus/CMakeLists.txt does and prints the kernel's
# verdict for it (needs root and the kernel_verdict tool: build target corpus_kernel_verdict,
# or pass its path in KV).   usage: corpus/tools/check.sh FILE.c|FILE.s [--type T] [--log]
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
kv=${KV:-$here/../build/corpus/corpus_kernel_verdict}
[ -x "$kv" ] || { echo "check.sh: no kernel_verdict at $kv (build target corpus_kernel_verdict or set KV)" >&2; exit 2; }
src=$1; shift
case "$src" in
  *.c)
    obj=/tmp/corpus-check-$(basename "$src" .c).o
    clang-14 -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -I"$here/include" -Wall -c "$src" -o "$obj"
    exec "$kv" "$obj" "$@" ;;
  *) exec "$kv" "$src" "$@" ;;
esac
