// Finding what a run derived from the clock, random numbers or the current task (see
// nondeterminism.h).
#include "jit/nondeterminism.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>

#include "isa/helpers.h"
#include "jit/interp.h"

namespace bpfvet::jit {

namespace {

constexpr int32_t kGetPrandomU32 = 7;
constexpr int32_t kGetCurrentPidTgid = 14;
// Helpers reading the mock clock (RunInput::clock_start_ns / clock_step_ns).
constexpr std::array<int32_t, 5> kClockHelpers = {5 /* ktime_get_ns */, 118 /* jiffies64 */,
                                                  125 /* ktime_get_boot_ns */, 160 /* ktime_get_coarse_ns */,
                                                  208 /* ktime_get_tai_ns */};

bool is_clock_helper(int32_t id) { return std::find(kClockHelpers.begin(), kClockHelpers.end(), id) != kClockHelpers.end(); }
bool is_nondeterministic(int32_t id) { return is_clock_helper(id) || id == kGetPrandomU32 || id == kGetCurrentPidTgid; }

bool is_helper_call(const isa::Insn& in) { return in.kind == isa::Kind::Call && in.call == isa::CallKind::Helper; }

// Marks the bytes where any of the three byte strings differ; every byte when their
// sizes differ.  True when one differs.
bool diff_bytes(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, const std::vector<uint8_t>& c,
                std::vector<bool>& mask) {
  const size_t n = std::max({a.size(), b.size(), c.size()});
  mask.assign(n, false);
  const bool sizes = a.size() != n || b.size() != n || c.size() != n;
  bool any = false;
  for (size_t i = 0; i < n; ++i) {
    mask[i] = sizes || a[i] != b[i] || a[i] != c[i];
    any = any || mask[i];
  }
  return any;
}

// "bytes 0-7, 12" from a mask.
std::string byte_ranges(const std::vector<bool>& mask) {
  std::string out;
  for (size_t i = 0; i < mask.size();) {
    if (!mask[i]) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j + 1 < mask.size() && mask[j + 1]) ++j;
    out += (out.empty() ? "" : ", ") + std::to_string(i) + (j > i ? "-" + std::to_string(j) : "");
    i = j + 1;
  }
  return (out.find_first_of(",-") == std::string::npos ? "byte " : "bytes ") + out;
}

void blank(std::vector<uint8_t>& bytes, const std::vector<bool>& mask) {
  for (size_t i = 0; i < bytes.size() && i < mask.size(); ++i)
    if (mask[i]) bytes[i] = 0;
}

const MapSnapshot* find_map(const RunResult& r, const std::string& name) {
  for (const auto& m : r.maps)
    if (m.name == name) return &m;
  return nullptr;
}

const std::vector<uint8_t>* find_value(const MapSnapshot& m, const std::vector<uint8_t>& key) {
  for (const auto& [k, v] : m.entries)
    if (k == key) return &v;
  return nullptr;
}

std::optional<VolatileParts::Map> map_parts(const MapSnapshot& a, const MapSnapshot* b, const MapSnapshot* c) {
  VolatileParts::Map out;
  out.name = a.name;
  if (!b || !c) return std::nullopt;  // same program, same maps: cannot happen
  bool any = false;
  for (const auto& [key, va] : a.entries) {
    const auto* vb = find_value(*b, key);
    const auto* vc = find_value(*c, key);
    if (!vb || !vc) continue;
    out.stable_keys.push_back(key);
    std::vector<bool> mask;
    if (diff_bytes(va, *vb, *vc, mask)) {
      out.values.emplace_back(key, std::move(mask));
      any = true;
    }
  }
  out.keys_vary = out.stable_keys.size() != a.entries.size() || out.stable_keys.size() != b->entries.size() ||
                  out.stable_keys.size() != c->entries.size();
  if (!out.keys_vary) out.stable_keys.clear();
  out.queued_vary = a.values != b->values || a.values != c->values;
  if (!any && !out.keys_vary && !out.queued_vary) return std::nullopt;
  return out;
}

VolatileParts compare_three(const RunResult& a, const RunResult& b, const RunResult& c) {
  VolatileParts v;
  v.retval = a.retval != b.retval || a.retval != c.retval;
  if (!diff_bytes(a.data_out, b.data_out, c.data_out, v.data_out)) v.data_out.clear();
  if (!diff_bytes(a.mem_out, b.mem_out, c.mem_out, v.mem_out)) v.mem_out.clear();
  for (const auto& m : a.maps)
    if (auto parts = map_parts(m, find_map(b, m.name), find_map(c, m.name))) v.maps.push_back(std::move(*parts));
  if (a.output.size() != b.output.size() || a.output.size() != c.output.size()) {
    v.output_count = true;
    return v;
  }
  std::map<std::string, size_t> ordinals;
  for (size_t i = 0; i < a.output.size(); ++i) {
    const OutputEvent &ea = a.output[i], &eb = b.output[i], &ec = c.output[i];
    VolatileParts::Event e;
    e.kind = ea.kind;
    e.ordinal = ordinals[ea.kind]++;
    e.text = ea.text != eb.text || ea.text != ec.text;
    const bool data = diff_bytes(ea.data, eb.data, ec.data, e.data);
    if (ea.kind != eb.kind || ea.kind != ec.kind) {
      v.output_count = true;  // different events: nothing lines up
      return v;
    }
    if (!data) e.data.clear();
    if (e.text || data) v.events.push_back(std::move(e));
  }
  return v;
}

}  // namespace

bool VolatileParts::empty() const {
  return !retval && data_out.empty() && mem_out.empty() && maps.empty() && events.empty() && !output_count;
}

std::vector<std::string> VolatileParts::describe() const {
  std::vector<std::string> out;
  if (retval) out.push_back("return value");
  if (!data_out.empty()) out.push_back("packet " + byte_ranges(data_out));
  if (!mem_out.empty()) out.push_back("--mem buffer " + byte_ranges(mem_out));
  for (const auto& m : maps) {
    for (const auto& [key, mask] : m.values)
      out.push_back("map '" + m.name + "' key " + hex(key) + ": value " + byte_ranges(mask));
    if (m.keys_vary)
      out.push_back("map '" + m.name + "': entries under varying keys (" + std::to_string(m.stable_keys.size()) +
                    " stable keys compared)");
    if (m.queued_vary) out.push_back("map '" + m.name + "': queued values");
  }
  if (output_count) out.push_back("output events (their number varies)");
  for (const auto& e : events) {
    std::string what = "output " + e.kind + " #" + std::to_string(e.ordinal) + ":";
    if (e.text) what += " text";
    if (!e.data.empty()) what += std::string(e.text ? "," : "") + " data " + byte_ranges(e.data);
    out.push_back(what);
  }
  return out;
}

std::vector<std::string> nondeterministic_helpers(const isa::Program& prog, const isa::Object* object) {
  std::vector<int32_t> ids;
  auto scan = [&](const isa::Program& p) {
    for (const auto& in : p.insns)
      if (is_helper_call(in) && is_nondeterministic(in.imm)) ids.push_back(in.imm);
  };
  scan(prog);
  if (object)
    for (const auto& p : object->programs) scan(p);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<std::string> names;
  for (int32_t id : ids) {
    const isa::HelperProto* h = isa::find_helper(id);
    names.push_back(h ? std::string(h->name) : "helper #" + std::to_string(id));
  }
  return names;
}

Result<VolatileParts> find_volatile_parts(const RunRequest& req) {
  if (req.program == nullptr) return Error{"no program to run"};
  VolatileParts parts;
  parts.helpers = nondeterministic_helpers(*req.program, req.object);
  if (parts.helpers.empty()) return parts;

  auto engine = make_interp_engine();
  RunRequest base = req;
  base.bench = false;
  auto a = engine->run(base);
  if (!a) return a.error();

  // Two variants: the mock clock starts elsewhere and advances by other steps (so
  // timestamps and durations both differ in every byte), the task has other ids and
  // random numbers come from other seeds.
  struct Variant {
    uint64_t clock_start, clock_step;
    uint32_t pid, tgid;
    uint64_t seed;
  };
  const std::array<Variant, 2> kVariants = {{{0x89abcdef01234567ull, 0x1111, 0x89abcdefu, 0x01234567u, 0x9e3779b97f4a7c15ull},
                                             {0x7654321efedcba98ull, 0x2222, 0x76543210u, 0xfedcba98u, 0x6a09e667f3bcc909ull}}};
  std::vector<RunResult> variants;
  for (const Variant& v : kVariants) {
    RunRequest r = base;
    TaskInput task = req.input.ctx.task.value_or(TaskInput{});
    task.pid = v.pid;
    task.tgid = v.tgid;
    r.input.ctx.task = task;
    r.input.seed = v.seed;
    r.input.clock_start_ns = v.clock_start;
    r.input.clock_step_ns = v.clock_step;
    auto res = engine->run(r);
    if (!res) return res.error();
    variants.push_back(std::move(*res));
  }
  VolatileParts found = compare_three(*a, variants[0], variants[1]);
  found.helpers = std::move(parts.helpers);
  return found;
}

RunResult strip(const RunResult& r, const VolatileParts& v) {
  RunResult out = r;
  if (v.retval) out.retval = 0;
  blank(out.data_out, v.data_out);
  blank(out.mem_out, v.mem_out);
  for (const auto& vm : v.maps) {
    for (auto& m : out.maps) {
      if (m.name != vm.name) continue;
      if (vm.keys_vary)
        std::erase_if(m.entries, [&](const auto& e) {
          return std::find(vm.stable_keys.begin(), vm.stable_keys.end(), e.first) == vm.stable_keys.end();
        });
      for (auto& [key, value] : m.entries)
        for (const auto& [vkey, mask] : vm.values)
          if (key == vkey) blank(value, mask);
      if (vm.queued_vary) m.values.clear();
    }
  }
  if (v.output_count) {
    out.output.clear();
    return out;
  }
  for (const auto& ve : v.events) {
    size_t seen = 0;
    for (auto& e : out.output) {
      if (e.kind != ve.kind || seen++ != ve.ordinal) continue;
      if (ve.text) e.text.clear();
      blank(e.data, ve.data);
      break;
    }
  }
  return out;
}

}  // namespace bpfvet::jit
