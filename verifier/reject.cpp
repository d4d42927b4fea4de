#include "verifier/reject.h"

#include <cstdarg>
#include <cstdio>

namespace bpfvet::verifier {

namespace {

std::string vformat(const char* fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (n <= 0) return {};
  std::string out(static_cast<size_t>(n), '\0');
  std::vsnprintf(out.data(), out.size() + 1, fmt, ap);
  return out;
}

}  // namespace

std::string strprintf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  return s;
}

Reject reject(ErrorCode code, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Reject r;
  r.code = code;
  r.kernel_message = vformat(fmt, ap);
  va_end(ap);
  return r;
}

}  // namespace bpfvet::verifier
