#!/usr/bin/env bash
# External corpus: the Linux kernel's own BPF selftest programs, fetched and built here
# at run time (never copied into this repository), for bench/external_agree.
#
# How it works: Debian's linux-source-6.12 package (about 150 MB) is downloaded once into
# DIR with `apt-get download`; only what the programs need is unpacked from its inner
# tarball (tools/testing/selftests/bpf/{progs,*.h}, tools/lib/bpf, tools/include,
# include/uapi/linux/bpf.h, scripts/bpf_doc.py).  As the selftests' Makefile does, a
# private include directory gets vmlinux.h (dumped by bpftool from the running kernel's
# BTF), libbpf's BPF-side headers and a bpf_helper_defs.h generated from the UAPI
# header.  Each progs/*.c is then compiled with clang-14 -O2 -g --target=bpf -mcpu=v3
# (the selftests' flags) on JOBS parallel jobs; objects that compile land in DIR/obj,
# compiler errors in DIR/logs.  clang 14 is older than these programs expect, so many
# do not compile: they are counted, not fixed.
#
# Usage: scripts/external_corpus.sh [DIR]     (default: build/external)
# Environment: BPFVET_JOBS (default 2), CLANG (default clang-14), BPFVET_FORCE=1 rebuilds
# every object even when it is newer than its source.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/build/external}
jobs=${BPFVET_JOBS:-2}
clang=${CLANG:-clang-14}
pkg=linux-source-6.12
src=$dir/$pkg

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
src=$dir/$pkg
for tool in apt-get dpkg-deb xz bpftool "$clang" python3; do
  command -v "$tool" >/dev/null || { echo "external_corpus: missing tool: $tool" >&2; exit 2; }
done

# 1. Fetch the package once.
deb=$(ls "$dir"/${pkg}_*.deb 2>/dev/null | head -n1 || true)
if [[ -z "$deb" ]]; then
  echo "external_corpus: downloading $pkg into $dir"
  (cd "$dir" && apt-get download "$pkg" >/dev/null)
  deb=$(ls "$dir"/${pkg}_*.deb | head -n1)
fi

# 2. Unpack only what the programs need.
if [[ ! -d "$src/tools/testing/selftests/bpf/progs" ]]; then
  echo "external_corpus: unpacking the selftests from $(basename "$deb")"
  dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" | xz -dc |
    tar -x -C "$dir" --wildcards \
      "$pkg/tools/testing/selftests/bpf/progs/*" "$pkg/tools/testing/selftests/bpf/*.h" \
      "$pkg/tools/lib/bpf/*" "$pkg/tools/include/*" "$pkg/include/uapi/linux/bpf.h" \
      "$pkg/scripts/bpf_doc.py"
fi

# 3. The private include directory (the Makefile's INCLUDE_DIR).
inc=$dir/include
mkdir -p "$inc/bpf"
if [[ ! -s "$inc/vmlinux.h" ]]; then
  bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$inc/vmlinux.h.tmp"
  mv "$inc/vmlinux.h.tmp" "$inc/vmlinux.h"
fi
cp "$src"/tools/lib/bpf/{bpf_helpers,bpf_tracing,bpf_core_read,bpf_endian,usdt.bpf}.h "$inc/bpf/"
if [[ ! -s "$inc/bpf/bpf_helper_defs.h" ]]; then
  python3 "$src/scripts/bpf_doc.py" --header helpers --file "$src/include/uapi/linux/bpf.h" \
    >"$inc/bpf/bpf_helper_defs.h.tmp"
  mv "$inc/bpf/bpf_helper_defs.h.tmp" "$inc/bpf/bpf_helper_defs.h"
fi

# 4. Compile every program (the selftests' BPF_CFLAGS, without -Werror).
progs=$src/tools/testing/selftests/bpf/progs
mkdir -p "$dir/obj" "$dir/logs"
sys_includes=$("$clang" -v -E - </dev/null 2>&1 |
  sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }' | tr '\n' ' ')
export clang dir progs inc src sys_includes
compile_one() {
  local c=$1 name
  name=$(basename "$c" .c)
  local obj=$dir/obj/$name.o log=$dir/logs/$name.err
  if [[ "${BPFVET_FORCE:-0}" != 1 && -s "$obj" && "$obj" -nt "$c" ]]; then
    echo "ok $name"
    return
  fi
  # shellcheck disable=SC2086
  if "$clang" -g -O2 --target=bpf -mcpu=v3 -mlittle-endian -D__TARGET_ARCH_x86 \
       -I"$inc" -I"$progs/.." -I"$src/tools/include/uapi" -I"$src/tools/include" \
       -Wno-compare-distinct-pointer-types -Wno-unknown-attributes $sys_includes \
       -c "$c" -o "$obj.tmp" 2>"$log"; then
    mv "$obj.tmp" "$obj"
    rm -f "$log"
    echo "ok $name"
  else
    rm -f "$obj.tmp" "$obj"
    echo "fail $name"
  fi
}
export -f compile_one
results=$(ls "$progs"/*.c | xargs -P "$jobs" -I{} bash -c 'compile_one "$@"' _ {})
ok=$(grep -c '^ok ' <<<"$results" || true)
fail=$(grep -c '^fail ' <<<"$results" || true)
echo "external_corpus: $((ok + fail)) programs: $ok compiled, $fail failed (clang errors in $dir/logs)"
echo "external_corpus: objects in $dir/obj"
if [[ "$fail" -gt 0 ]]; then
  echo "external_corpus: most common compiler errors:"
  cat "$dir"/logs/*.err 2>/dev/null | grep -o 'error: .*' | sed -E "s/'[^']*'/'X'/g" |
    sort | uniq -c | sort -rn | head -n 8
fi
