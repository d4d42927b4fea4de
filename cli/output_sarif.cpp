// SARIF renderer (output_sarif.h).
#include "cli/output_sarif.h"

#include <cctype>
#include <string>
#include <string_view>

namespace bpfvet::cli {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* kSarifSchema = "https://json.schemastore.org/sarif-2.1.0.json";

struct Rule {
  verifier::ErrorCode code;
  const char* name;
};
constexpr Rule kRules[] = {
#define ERROR_CODE(Name, id, meaning) {verifier::ErrorCode::Name, #Name},
#include "verifier/error_codes.def"
};

// A file path as a SARIF artifact URI: absolute paths become file:// URIs, relative
// ones stay relative references; characters URIs reserve are percent-encoded.
std::string path_uri(const std::string& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = path.empty() || path[0] != '/' ? "" : "file://";
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::string_view("/-._~").find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

json rules_json() {
  json rules = json::array();
  for (const Rule& r : kRules)
    rules.push_back({{"id", verifier::error_code_id(r.code)},
                     {"name", r.name},
                     {"shortDescription", {{"text", verifier::error_code_meaning(r.code)}}},
                     {"defaultConfiguration", {{"level", "error"}}}});
  return rules;
}

json location_json(const ProgramReport& r, const verifier::Diagnostic& d) {
  json physical;
  if (d.source && !d.source->file.empty() && d.source->line > 0) {
    json region{{"startLine", d.source->line}};
    if (d.source->column > 0) region["startColumn"] = d.source->column;
    if (!d.source->text.empty()) region["snippet"] = {{"text", d.source->text}};
    physical = {{"artifactLocation", {{"uri", path_uri(d.source->file)}}}, {"region", region}};
  } else {
    json address{{"kind", "instruction"}, {"name", r.section.empty() ? r.name : r.section}};
    if (d.insn >= 0) address["offsetFromParent"] = d.insn * 8;
    physical = {{"artifactLocation", {{"uri", path_uri(r.file)}}}, {"address", address}};
  }
  json logical{{"name", r.name},
               {"fullyQualifiedName", r.section.empty() ? r.name : r.section + "/" + r.name},
               {"kind", "function"}};
  return {{"physicalLocation", physical}, {"logicalLocations", json::array({logical})}};
}

}  // namespace

json reports_sarif(const std::vector<ProgramReport>& reports) {
  json results = json::array();
  for (const auto& r : reports) {
    if (r.result.accepted || !r.result.error) continue;
    const auto& d = *r.result.error;
    std::string text = r.name + ": " + d.message;
    if (!d.hint.empty()) text += " (hint: " + d.hint + ")";
    json props{{"file", r.file},
               {"section", r.section},
               {"program", r.name},
               {"insn", d.insn},
               {"kernel_message", d.kernel_message}};
    if (!r.kernel.empty()) {
      props["kernel"] = r.kernel;
      text = "[kernel " + r.kernel + "] " + text;
    }
    results.push_back({{"ruleId", verifier::error_code_id(d.code)},
                       {"ruleIndex", static_cast<int>(d.code)},
                       {"level", "error"},
                       {"message", {{"text", text}}},
                       {"locations", json::array({location_json(r, d)})},
                       {"properties", props}});
  }
  json driver{{"name", "bpfvet"}, {"version", BPFVET_VERSION}, {"rules", rules_json()}};
  return {{"$schema", kSarifSchema},
          {"version", "2.1.0"},
          {"runs", json::array({{{"tool", {{"driver", driver}}}, {"results", results}}})}};
}

}  // namespace bpfvet::cli
