// ExecMemory: machine code in memory that is never writable and executable at once.
//
// How it works: create() maps fresh anonymous pages read+write, copies the code in,
// then mprotect()s them to read+execute before anyone can run them (W^X).  The
// mapping lives as long as the object; nothing ever makes it writable again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "isa/result.h"

namespace bpfvet::jit {

class ExecMemory {
 public:
  /// Maps `code` executable.  Error when mmap/mprotect fail (e.g. a W^X policy).
  static Result<std::unique_ptr<ExecMemory>> create(std::span<const uint8_t> code);
  ~ExecMemory();
  ExecMemory(const ExecMemory&) = delete;
  ExecMemory& operator=(const ExecMemory&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  /// Address of byte `offset` as a callable pointer value.
  uint64_t addr(size_t offset = 0) const { return reinterpret_cast<uint64_t>(data_) + offset; }

 private:
  ExecMemory(uint8_t* d, size_t s, size_t mapped) : data_(d), size_(s), mapped_(mapped) {}
  uint8_t* data_;
  size_t size_;
  size_t mapped_;
};

}  // namespace bpfvet::jit
