// The "kernel" engine: the same program, maps and input run by the running Linux kernel.
//
// How it works: maps are created with BPF_MAP_CREATE and filled with exactly the
// contents the mock runtime builds from --maps (a Runtime is created first and its
// initial snapshot copied in, so both engines start from the same state); map
// references in the program become map fds, tail-call targets are loaded and put
// into their prog arrays, the program is loaded with BPF_PROG_LOAD (with its BTF when
// the kernel takes it), and run with BPF_PROG_TEST_RUN on the packet / context, pinned
// to CPU 0 so per-CPU maps line up with the mock's CPU 0.  Afterwards map contents
// are read back and ring buffer records consumed.  Nothing is attached or pinned;
// every fd is closed at the end.  Without bpf() (not root, EPERM, ENOSYS) run()
// fails with "kernel engine unavailable: ...".
#pragma once

#include <memory>

#include "jit/engine.h"

namespace bpfvet::jit {

/// The "kernel" engine.
std::unique_ptr<Engine> make_kernel_engine();

/// Whether bpf() program loading works here; the error explains why not.
Status kernel_bpf_available();

}  // namespace bpfvet::jit
