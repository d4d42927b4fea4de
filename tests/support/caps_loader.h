// Ground truth for loaders with fewer capabilities: BPF_PROG_LOAD from a forked child
// that keeps only some capabilities.
//
// How it works: the child drops its capabilities with capset(2) (this changes only the
// child's own credentials, never a sysctl or anything system-wide), keeping CAP_BPF
// alone for isa::Caps::BpfOnly and nothing for Caps::None, then creates the program's
// maps and loads it exactly as testing::kernel_load() does, and sends the verdict and
// the verifier log back through a pipe.  With CAP_BPF alone the kernel verifies with
// bpf_capable = true but allow_ptr_leaks, allow_uninit_stack and bypass_spec_v1/v4 =
// false: the pointer-leak, pointer-comparison, Spectre and uninitialised-stack rules of
// unprivileged loaders, observable even where kernel.unprivileged_bpf_disabled forbids
// unprivileged bpf() altogether.  Nothing is attached or pinned.
#pragma once

#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "isa/kernel_version.h"
#include "tests/verifier_kernel_loader.h"

namespace bpfvet::testing {

namespace capsdetail {

inline bool write_all(int fd, const void* p, size_t n) {
  const char* c = static_cast<const char*>(p);
  while (n) {
    ssize_t w = write(fd, c, n);
    if (w <= 0) return false;
    c += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

inline bool read_all(int fd, void* p, size_t n) {
  char* c = static_cast<char*>(p);
  while (n) {
    ssize_t r = read(fd, c, n);
    if (r <= 0) return false;
    c += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

/// Keeps only the capabilities `caps` stands for (permitted and effective); false when
/// capset refuses.
inline bool drop_capabilities(isa::Caps caps) {
  __user_cap_header_struct hdr{};
  hdr.version = _LINUX_CAPABILITY_VERSION_3;
  hdr.pid = 0;
  __user_cap_data_struct data[2]{};
  if (caps == isa::Caps::BpfOnly) {
    constexpr int kCapBpf = 39;  // CAP_BPF (Linux 5.8)
    data[kCapBpf / 32].permitted = 1u << (kCapBpf % 32);
    data[kCapBpf / 32].effective = 1u << (kCapBpf % 32);
  }
  return syscall(SYS_capset, &hdr, data) == 0;
}

// Child-to-parent message: status byte (0 = loaded or refused, 1 = maps failed,
// 2 = capset failed), accepted, errno, log length, log.
enum : uint8_t { kLoaded = 0, kNoMaps = 1, kNoCapset = 2 };

}  // namespace capsdetail

/// What loading with reduced capabilities gave.
struct CapsVerdict {
  bool available = false;  // false: fork/capset failed, nothing to compare
  std::optional<KernelVerdict> verdict;  // nullopt: the maps could not be created
};

/// Loads `prog` in a child that keeps only `caps` (see the top of this file).
/// Full caps loads in this process directly.
inline CapsVerdict kernel_load_with_caps(const isa::Program& prog, isa::Caps caps) {
  CapsVerdict out;
  if (caps == isa::Caps::Full) {
    out.available = true;
    out.verdict = kernel_load(prog);
    return out;
  }
  int fds[2];
  if (pipe(fds) != 0) return out;
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return out;
  }
  if (pid == 0) {
    close(fds[0]);
    uint8_t status = capsdetail::kNoCapset;
    std::optional<KernelVerdict> v;
    if (capsdetail::drop_capabilities(caps)) {
      v = kernel_load(prog);
      status = v ? capsdetail::kLoaded : capsdetail::kNoMaps;
    }
    capsdetail::write_all(fds[1], &status, 1);
    if (v) {
      uint8_t acc = v->accepted;
      int32_t err = v->err;
      uint64_t len = v->log.size();
      capsdetail::write_all(fds[1], &acc, 1);
      capsdetail::write_all(fds[1], &err, sizeof err);
      capsdetail::write_all(fds[1], &len, sizeof len);
      capsdetail::write_all(fds[1], v->log.data(), v->log.size());
    }
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  uint8_t status = capsdetail::kNoCapset;
  bool ok = capsdetail::read_all(fds[0], &status, 1);
  if (ok && status == capsdetail::kLoaded) {
    KernelVerdict v;
    uint8_t acc = 0;
    int32_t err = 0;
    uint64_t len = 0;
    ok = capsdetail::read_all(fds[0], &acc, 1) && capsdetail::read_all(fds[0], &err, sizeof err) &&
         capsdetail::read_all(fds[0], &len, sizeof len) && len < (64u << 20);
    if (ok) {
      v.log.resize(len);
      ok = capsdetail::read_all(fds[0], v.log.data(), len);
    }
    v.accepted = acc != 0;
    v.err = err;
    if (ok) {
      out.available = true;
      out.verdict = std::move(v);
    }
  } else if (ok && status == capsdetail::kNoMaps) {
    out.available = true;
  }
  close(fds[0]);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  return out;
}

/// True when a child keeping only CAP_BPF can load `r0 = 0; exit` as a socket filter
/// (bpf() works here and this process may drop capabilities).
inline bool cap_bpf_oracle_available() {
  static const bool ok = [] {
    if (!kernel_bpf_available()) return false;
    isa::Program p;
    p.type = isa::ProgType::SocketFilter;
    isa::RawInsn mov{};
    mov.code = 0xb7;  // r0 = 0
    isa::RawInsn exit_insn{};
    exit_insn.code = 0x95;
    p.raw = {mov, exit_insn};
    CapsVerdict v = kernel_load_with_caps(p, isa::Caps::BpfOnly);
    return v.available && v.verdict && v.verdict->accepted;
  }();
  return ok;
}

}  // namespace bpfvet::testing
