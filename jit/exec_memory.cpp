// ExecMemory: mmap RW, copy, mprotect RX (see exec_memory.h).
#include "jit/exec_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace bpfvet::jit {

Result<std::unique_ptr<ExecMemory>> ExecMemory::create(std::span<const uint8_t> code) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t mapped = std::max<size_t>(page, (code.size() + page - 1) / page * page);
  void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return Error{std::string("cannot map JIT code: ") + std::strerror(errno)};
  if (!code.empty()) std::memcpy(p, code.data(), code.size());
  if (mprotect(p, mapped, PROT_READ | PROT_EXEC) != 0) {
    const int e = errno;
    munmap(p, mapped);
    return Error{std::string("cannot make JIT code executable: ") + std::strerror(e)};
  }
  return std::unique_ptr<ExecMemory>(new ExecMemory(static_cast<uint8_t*>(p), code.size(), mapped));
}

ExecMemory::~ExecMemory() { munmap(data_, mapped_); }

}  // namespace bpfvet::jit
