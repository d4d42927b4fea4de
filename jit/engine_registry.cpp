// Engine lookup by name, and result comparison.
#include <algorithm>
#include <sstream>

#include "jit/engine.h"
#include "jit/interp.h"
#include "jit/kernel_engine.h"
#include "jit/arm64/arm64_engine.h"
#include "jit/x86_64/x86_64_engine.h"

namespace bpfvet::jit {

std::string hex(const std::vector<uint8_t>& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) { s += d[x >> 4]; s += d[x & 15]; }
  return s;
}

namespace {

std::string events_text(const OutputEvent& e) {
  std::string s = e.kind;
  if (!e.map.empty()) s += " map=" + e.map;
  if (!e.text.empty()) s += " \"" + e.text + "\"";
  if (!e.data.empty()) s += " data=" + hex(e.data);
  if (e.kind == "redirect") s += " target=" + std::to_string(e.target) + " flags=" + std::to_string(e.flags);
  return s;
}

}  // namespace

std::vector<std::string> engine_names() { return {"interp", "x86_64", "arm64", "kernel"}; }

Result<std::unique_ptr<Engine>> make_engine(const std::string& name) {
  if (name == "interp") return make_interp_engine();
  if (name == "kernel") return make_kernel_engine();
  if (name == "x86_64") return make_x86_64_engine();
  if (name == "arm64") return make_arm64_engine();
  return Error{"unknown engine '" + name + "' (engines: interp, x86_64, arm64, kernel, all)"};
}

std::string compare_results(const RunResult& a, const RunResult& b) {
  std::ostringstream os;
  const std::string an = a.engine, bn = b.engine;
  const uint64_t mask = (a.retval_32 || b.retval_32) ? 0xffffffffull : ~0ull;
  if ((a.retval & mask) != (b.retval & mask)) os << "retval: " << an << " " << a.retval << ", " << bn << " " << b.retval << "\n";
  if (a.data_out != b.data_out) {
    size_t i = 0;
    while (i < a.data_out.size() && i < b.data_out.size() && a.data_out[i] == b.data_out[i]) ++i;
    os << "data_out: differs from byte " << i << " (" << an << " " << a.data_out.size() << " bytes, " << bn << " "
       << b.data_out.size() << " bytes)\n  " << an << ": " << hex(a.data_out) << "\n  " << bn << ": " << hex(b.data_out) << "\n";
  }
  if (a.mem_out != b.mem_out) os << "mem_out: " << an << " " << hex(a.mem_out) << ", " << bn << " " << hex(b.mem_out) << "\n";
  for (const auto& ma : a.maps) {
    const MapSnapshot* mb = nullptr;
    for (const auto& m : b.maps)
      if (m.name == ma.name) mb = &m;
    if (mb == nullptr) continue;  // an engine that cannot read a map back says so in its notes
    if (ma.entries != mb->entries || ma.values != mb->values) {
      os << "map '" << ma.name << "':\n";
      for (const auto& [k, v] : ma.entries) {
        const auto& key = k;  // clang 14 cannot capture a structured binding
        auto it = std::find_if(mb->entries.begin(), mb->entries.end(), [&](const auto& e) { return e.first == key; });
        if (it == mb->entries.end()) os << "  key " << hex(k) << ": " << an << " " << hex(v) << ", " << bn << " absent\n";
        else if (it->second != v) os << "  key " << hex(k) << ": " << an << " " << hex(v) << ", " << bn << " " << hex(it->second) << "\n";
      }
      for (const auto& [k, v] : mb->entries) {
        const auto& key = k;
        auto it = std::find_if(ma.entries.begin(), ma.entries.end(), [&](const auto& e) { return e.first == key; });
        if (it == ma.entries.end()) os << "  key " << hex(k) << ": " << an << " absent, " << bn << " " << hex(v) << "\n";
      }
      if (ma.values != mb->values) os << "  queued values differ\n";
    }
  }
  // An engine that only captures ring buffer records is compared on those alone.
  const bool rb_only = a.output_ringbuf_only || b.output_ringbuf_only;
  auto comparable = [&](const std::vector<OutputEvent>& v) {
    std::vector<OutputEvent> out;
    for (const auto& e : v)
      if (!rb_only || e.kind == "ringbuf") out.push_back(e);
    return out;
  };
  const auto oa = comparable(a.output), ob = comparable(b.output);
  if (oa != ob) {
    os << "output:\n";
    const size_t n = std::max(oa.size(), ob.size());
    for (size_t i = 0; i < n; ++i) {
      const std::string x = i < oa.size() ? events_text(oa[i]) : "(none)";
      const std::string y = i < ob.size() ? events_text(ob[i]) : "(none)";
      if (x != y) os << "  #" << i << ": " << an << " " << x << "\n  #" << i << ": " << bn << " " << y << "\n";
    }
  }
  return os.str();
}

}  // namespace bpfvet::jit
