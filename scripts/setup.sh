#!/usr/bin/env bash
# bpfvet set-up on a fresh Debian 12 machine, in one command:
#   1. installs the Debian packages that are missing (apt-get, as root or via sudo),
#   2. configures and builds into build/ with 2 jobs,
#   3. runs the bundled example: verifies an XDP program of corpus/ and runs it on a
#      bundled packet (the run step is skipped, with a note, while `bpfvet run` is
#      not part of the build).
# Options:
#   --install-only   only step 1 (what .ci/run uses before scripts/test.sh)
#   --no-install     skip step 1
# Environment: BPFVET_JOBS (default 2), BPFVET_BUILD_DIR (default build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

JOBS="${BPFVET_JOBS:-2}"
BUILD_DIR="${BPFVET_BUILD_DIR:-build}"

# Everything the build, the tests and the sanitizer/fuzz job need.
PACKAGES=(
  cmake ninja-build g++ make pkg-config file
  clang-14 llvm-14 llvm-14-dev libclang-rt-14-dev
  libz3-dev libcli11-dev nlohmann-json3-dev libgtest-dev libgmock-dev
  libunicorn-dev libbpf-dev libelf-dev zlib1g-dev bpftool linux-libc-dev gcc-multilib
  graphviz
)

log() { printf '==> %s\n' "$*"; }

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "all ${#PACKAGES[@]} packages already installed"
    return 0
  fi
  log "installing: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "setup.sh: packages missing (${missing[*]}) and not root; run as root or install them" >&2
      return 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

configure_and_build() {
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    log "configuring $BUILD_DIR/"
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  fi
  log "building with $JOBS jobs"
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

# The bundled example: an XDP program of the corpus and a packet for it.
pick_example() {
  EXAMPLE_PROG=""
  for name in xdp_ddos_filter xdp_parse_l4 xdp_tx_reflect; do
    if [ -f "$BUILD_DIR/corpus/$name.o" ]; then EXAMPLE_PROG="$BUILD_DIR/corpus/$name.o"; break; fi
  done
  if [ -z "$EXAMPLE_PROG" ]; then
    EXAMPLE_PROG="$(ls "$BUILD_DIR"/corpus/xdp_*.o 2>/dev/null | head -n 1 || true)"
  fi
  EXAMPLE_PACKET="$(ls corpus/packets/*.bin 2>/dev/null | head -n 1 || true)"
  for name in tcp_syn_80 tcp_syn_22 udp_dns_query; do
    for f in corpus/packets/*"$name"*.bin; do
      if [ -f "$f" ]; then EXAMPLE_PACKET="$f"; break 2; fi
    done
  done
}

run_example() {
  pick_example
  if [ -z "$EXAMPLE_PROG" ]; then
    echo "setup.sh: no XDP program in $BUILD_DIR/corpus/ to run the example on" >&2
    return 1
  fi
  log "bpfvet verify $EXAMPLE_PROG"
  "$BUILD_DIR/bpfvet" verify "$EXAMPLE_PROG"
  if ! "$BUILD_DIR/bpfvet" run --help >/dev/null 2>&1; then
    log "bpfvet run is not part of this build yet: skipping the run example"
    return 0
  fi
  if [ -z "$EXAMPLE_PACKET" ]; then
    log "bpfvet run $EXAMPLE_PROG (no bundled packet: empty input)"
    "$BUILD_DIR/bpfvet" run "$EXAMPLE_PROG"
  else
    log "bpfvet run $EXAMPLE_PROG --data $EXAMPLE_PACKET"
    "$BUILD_DIR/bpfvet" run "$EXAMPLE_PROG" --data "$EXAMPLE_PACKET"
  fi
}

main() {
  local install=1 rest=1
  for arg in "$@"; do
    case "$arg" in
      --install-only) rest=0 ;;
      --no-install) install=0 ;;
      -h|--help) sed -n '2,12p' "$0"; return 0 ;;
      *) echo "setup.sh: unknown option '$arg'" >&2; return 2 ;;
    esac
  done
  if [ "$install" -eq 1 ]; then install_packages; fi
  if [ "$rest" -eq 1 ]; then
    configure_and_build
    run_example
    log "done: the binary is $BUILD_DIR/bpfvet"
  fi
}

main "$@"
