#include <cstring>

#include "verifier/verifier.h"

namespace bpfvet::verifier {

namespace {

struct CodeRow {
  const char* id;
  const char* meaning;
};

constexpr CodeRow kCodes[] = {
#define ERROR_CODE(Name, id, meaning) {id, meaning},
#include "verifier/error_codes.def"
};

}  // namespace

const char* error_code_id(ErrorCode code) {
  auto i = static_cast<size_t>(code);
  return i < std::size(kCodes) ? kCodes[i].id : "UNKNOWN";
}

const char* error_code_meaning(ErrorCode code) {
  auto i = static_cast<size_t>(code);
  return i < std::size(kCodes) ? kCodes[i].meaning : "";
}

std::optional<ErrorCode> parse_error_code(const std::string& id) {
  for (size_t i = 0; i < std::size(kCodes); ++i)
    if (id == kCodes[i].id) return static_cast<ErrorCode>(i);
  return std::nullopt;
}

}  // namespace bpfvet::verifier
