// count_bpf_insns: the BPF instruction count of one run (see interp.h).
#include "jit/interp.h"

namespace bpfvet::jit {

Result<uint64_t> count_bpf_insns(const RunRequest& req) {
  auto rt = Runtime::create(req);
  if (!rt) return rt.error();
  Interpreter counter(**rt, /*checked=*/true);
  if (auto code = counter.prepare(req.program ? *req.program : (*rt)->program()); !code) return code.error();
  (*rt)->begin_run();
  if (auto r = counter.run(); !r) return r.error();
  return counter.executed();
}

}  // namespace bpfvet::jit
