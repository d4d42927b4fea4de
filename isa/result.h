// Result<T>: a value or an error message, for malformed input (exit code 2 territory).
//
// libstdc++ 12 has no std::expected; this is the small subset bpfvet needs.  An error
// is a single human-readable line that names what is wrong and where.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace bpfvet {

/// An error value: one line, no trailing newline.
struct Error {
  std::string message;
};

/// Holds either a T or an Error.  `if (!r) return r.error();` propagates.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error err) : v_(std::move(err)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }
  const std::string& message() const { return error().message; }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation with no value.
struct Ok {};
using Status = Result<Ok>;

}  // namespace bpfvet
