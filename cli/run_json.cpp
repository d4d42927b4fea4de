// --ctx / --maps parsing and run result printing.
#include "cli/run_json.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

namespace bpfvet::cli {

using nlohmann::json;

namespace {

std::string where(const std::string& path, const std::string& ptr) { return path + ": " + ptr + ": "; }

Result<uint64_t> as_u64(const json& v, const std::string& at) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer()) {
    const int64_t x = v.get<int64_t>();
    if (x < 0) return Error{at + "must be a non-negative integer, is " + std::to_string(x)};
    return static_cast<uint64_t>(x);
  }
  return Error{at + "must be an integer, is " + std::string(v.type_name())};
}

Result<jit::MapBytes> as_bytes(const json& v, const std::string& at) {
  jit::MapBytes b;
  if (v.is_string()) {
    auto h = parse_hex(v.get<std::string>());
    if (!h) return Error{at + h.message()};
    b.bytes = std::move(*h);
    return b;
  }
  if (v.is_number()) {
    auto n = as_u64(v, at);
    if (!n) return n.error();
    b.integer = *n;
    return b;
  }
  return Error{at + "must be a hex byte string or an integer, is " + std::string(v.type_name())};
}

const char* event_type_name(const std::string& kind) { return kind.c_str(); }

std::string retval_name(uint64_t r, isa::ProgType t) {
  if (t == isa::ProgType::Xdp) {
    static const char* kXdp[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};
    if (r < 5) return kXdp[r];
  }
  if (t == isa::ProgType::SchedCls || t == isa::ProgType::SchedAct) {
    switch (static_cast<int64_t>(static_cast<int32_t>(r))) {
      case -1: return "TC_ACT_UNSPEC";
      case 0: return "TC_ACT_OK";
      case 1: return "TC_ACT_RECLASSIFY";
      case 2: return "TC_ACT_SHOT";
      case 3: return "TC_ACT_PIPE";
      case 4: return "TC_ACT_STOLEN";
      case 7: return "TC_ACT_REDIRECT";
      default: break;
    }
  }
  return "";
}

}  // namespace

std::string hex_bytes(const std::vector<uint8_t>& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

Result<std::vector<uint8_t>> parse_hex(const std::string& s) {
  std::string digits;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (!std::isxdigit(static_cast<unsigned char>(c)))
      return Error{"'" + s + "' is not hex bytes (unexpected '" + std::string(1, c) + "')"};
    digits += c;
  }
  if (digits.size() % 2 != 0) return Error{"'" + s + "' has an odd number of hex digits"};
  std::vector<uint8_t> out(digits.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(std::stoi(digits.substr(2 * i, 2), nullptr, 16));
  return out;
}

Result<jit::CtxInput> parse_ctx_json(const std::string& text, const std::string& path) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e999
    return Error{path + ": malformed JSON: " + e.what()};
  }
  if (!j.is_object()) return Error{path + ": the context must be a JSON object of field names"};
  jit::CtxInput ctx;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string key = it.key();
    const json& v = it.value();
    const std::string at = where(path, "/" + key);
    if (key == "regs") {
      if (!v.is_object()) return Error{at + "must be an object of register names"};
      for (auto r = v.begin(); r != v.end(); ++r) {
        auto n = as_u64(r.value(), where(path, "/regs/" + r.key()));
        if (!n) return n.error();
        ctx.fields.emplace_back(r.key(), *n);
      }
    } else if (key == "args") {
      if (!v.is_array()) return Error{at + "must be an array of integers"};
      for (size_t i = 0; i < v.size(); ++i) {
        auto n = v[i].is_number_integer() && v[i].get<int64_t>() < 0
                     ? Result<uint64_t>(static_cast<uint64_t>(v[i].get<int64_t>()))
                     : as_u64(v[i], where(path, "/args/" + std::to_string(i)));
        if (!n) return n.error();
        ctx.args.push_back(*n);
      }
    } else if (key == "buffer") {
      std::vector<uint8_t> buf;
      if (v.is_string()) {
        auto h = parse_hex(v.get<std::string>());
        if (!h) return Error{at + h.message()};
        buf = std::move(*h);
      } else if (v.is_array()) {
        for (size_t i = 0; i < v.size(); ++i) {
          auto n = as_u64(v[i], where(path, "/buffer/" + std::to_string(i)));
          if (!n) return n.error();
          if (*n > 255) return Error{where(path, "/buffer/" + std::to_string(i)) + "a byte must be 0..255"};
          buf.push_back(static_cast<uint8_t>(*n));
        }
      } else {
        return Error{at + "must be a hex string or an array of bytes"};
      }
      ctx.buffer = std::move(buf);
    } else if (key == "cb") {
      if (!v.is_array() || v.size() > 5) return Error{at + "must be an array of at most 5 integers"};
      for (size_t i = 0; i < v.size(); ++i) {
        auto n = as_u64(v[i], where(path, "/cb/" + std::to_string(i)));
        if (!n) return n.error();
        ctx.fields.emplace_back("cb" + std::to_string(i), *n);
      }
    } else if (key == "task") {
      if (!v.is_object()) return Error{at + "must be an object (pid, tgid, uid, gid, comm)"};
      jit::TaskInput t;
      for (auto f = v.begin(); f != v.end(); ++f) {
        const std::string fat = where(path, "/task/" + f.key());
        if (f.key() == "comm") {
          if (!f.value().is_string()) return Error{fat + "must be a string"};
          t.comm = f.value().get<std::string>();
          if (t.comm.size() > 15) return Error{fat + "is longer than 15 characters (TASK_COMM_LEN 16)"};
          continue;
        }
        auto n = as_u64(f.value(), fat);
        if (!n) return n.error();
        if (*n > 0xffffffffu) return Error{fat + "does not fit in 32 bits"};
        const auto x = static_cast<uint32_t>(*n);
        if (f.key() == "pid") t.pid = x;
        else if (f.key() == "tgid") t.tgid = x;
        else if (f.key() == "uid") t.uid = x;
        else if (f.key() == "gid") t.gid = x;
        else return Error{fat + "unknown task field (valid: pid, tgid, uid, gid, comm)"};
      }
      ctx.task = t;
    } else {
      auto n = as_u64(v, at);
      if (!n) return n.error();
      ctx.fields.emplace_back(key, *n);
    }
  }
  return ctx;
}

Result<std::vector<jit::MapInput>> parse_maps_json(const std::string& text, const std::string& path,
                                                    const isa::Program& prog) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e999
    return Error{path + ": malformed JSON: " + e.what()};
  }
  if (!j.is_object()) return Error{path + ": must be a JSON object of map names"};
  std::vector<jit::MapInput> out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string name = it.key();
    const json& m = it.value();
    const std::string at = where(path, "/" + name);
    const isa::MapDef* def = nullptr;
    for (const auto& d : prog.maps)
      if (d.name == name) def = &d;
    if (def == nullptr) {
      std::string names;
      for (const auto& d : prog.maps) names += (names.empty() ? "" : ", ") + d.name;
      return Error{at + "the program has no map '" + name + "' (maps: " + (names.empty() ? "none" : names) + ")"};
    }
    if (!m.is_object()) return Error{at + "must be an object with \"entries\""};
    jit::MapInput mi;
    mi.name = name;
    for (auto f = m.begin(); f != m.end(); ++f)
      if (f.key() != "type" && f.key() != "entries" && f.key() != "values")
        return Error{where(path, "/" + name + "/" + f.key()) + "unknown key (valid: type, entries, values)"};
    if (m.contains("type")) {
      if (!m["type"].is_string()) return Error{at + "\"type\" must be a string"};
      mi.type = m["type"].get<std::string>();
    }
    const bool prog_array = def->type == isa::MapType::ProgArray;
    const bool percpu = def->type == isa::MapType::PercpuArray || def->type == isa::MapType::PercpuHash ||
                        def->type == isa::MapType::LruPercpuHash;
    if (m.contains("values")) {  // queue / stack shorthand
      if (!m["values"].is_array()) return Error{at + "\"values\" must be an array"};
      for (size_t i = 0; i < m["values"].size(); ++i) {
        auto b = as_bytes(m["values"][i], where(path, "/" + name + "/values/" + std::to_string(i)));
        if (!b) return b.error();
        jit::MapEntryInput e;
        e.value = std::move(*b);
        mi.entries.push_back(std::move(e));
      }
    }
    if (m.contains("entries")) {
      const json& es = m["entries"];
      if (!es.is_array()) return Error{at + "\"entries\" must be an array"};
      for (size_t i = 0; i < es.size(); ++i) {
        const std::string eat = "/" + name + "/entries/" + std::to_string(i);
        const json& e = es[i];
        if (!e.is_object()) return Error{where(path, eat) + "must be an object {\"key\": ..., \"value\": ...}"};
        for (auto f = e.begin(); f != e.end(); ++f)
          if (f.key() != "key" && f.key() != "value")
            return Error{where(path, eat + "/" + f.key()) + "unknown key (valid: key, value)"};
        jit::MapEntryInput ent;
        if (e.contains("key")) {
          auto k = as_bytes(e["key"], where(path, eat + "/key"));
          if (!k) return k.error();
          ent.key = std::move(*k);
        } else if (def->key_size != 0) {
          return Error{where(path, eat) + "missing \"key\""};
        }
        if (!e.contains("value")) return Error{where(path, eat) + "missing \"value\""};
        const json& v = e["value"];
        if (prog_array) {
          if (!v.is_string()) return Error{where(path, eat + "/value") + "must name a program of the object"};
          ent.program = v.get<std::string>();
        } else if (percpu && v.is_array()) {
          for (size_t c = 0; c < v.size(); ++c) {
            auto b = as_bytes(v[c], where(path, eat + "/value/" + std::to_string(c)));
            if (!b) return b.error();
            ent.per_cpu.push_back(std::move(*b));
          }
        } else {
          auto b = as_bytes(v, where(path, eat + "/value"));
          if (!b) return b.error();
          ent.value = std::move(*b);
        }
        mi.entries.push_back(std::move(ent));
      }
    }
    out.push_back(std::move(mi));
  }
  return out;
}

namespace {

// Why the parts were left out, naming the helpers.
std::string not_compared_why(const jit::VolatileParts& v) {
  std::string names;
  for (const auto& h : v.helpers) names += (names.empty() ? "" : ", ") + h;
  return "derived from " + names +
         ", whose values the kernel and the mock runtime do not share: the parts that changed when the "
         "interpreter ran again with other clock values, random seeds and task ids";
}

}  // namespace

nlohmann::json not_compared_json(const jit::VolatileParts& v, const std::string& error) {
  if (v.helpers.empty() && error.empty()) return nullptr;
  json j{{"with", "kernel"}, {"helpers", v.helpers}, {"why", not_compared_why(v)}, {"parts", v.describe()}};
  if (!error.empty()) j["error"] = error;
  return j;
}

std::string not_compared_text(const jit::VolatileParts& v, const std::string& error) {
  if (v.helpers.empty() && error.empty()) return "";
  if (!error.empty()) return "kernel compared in full: cannot tell which parts vary (" + error + ")\n";
  const auto parts = v.describe();
  std::string out = "not compared with the kernel (" + not_compared_why(v) + "):";
  if (parts.empty()) return out + " nothing (no part of the result varied)\n";
  out += "\n";
  for (const auto& p : parts) out += "  " + p + "\n";
  return out;
}

nlohmann::json engine_error_json(const std::string& engine, const std::string& message) {
  return json{{"engine", engine}, {"error", message}};
}

nlohmann::json result_json(const jit::RunResult& r, isa::ProgType type) {
  json j;
  j["engine"] = r.engine;
  j["retval"] = r.retval_32 ? (r.retval & 0xffffffffu) : r.retval;
  const std::string rn = retval_name(r.retval, type);
  if (!rn.empty()) j["retval_name"] = rn;
  j["data_out"] = hex_bytes(r.data_out);
  if (!r.mem_out.empty()) j["mem_out"] = hex_bytes(r.mem_out);
  json maps = json::object();
  for (const auto& m : r.maps) {
    json jm;
    std::string tname = isa::map_type_name(m.type);
    jm["type"] = tname;
    if (m.type == isa::MapType::Queue || m.type == isa::MapType::Stack) {
      json vs = json::array();
      for (const auto& v : m.values) vs.push_back(hex_bytes(v));
      jm["values"] = vs;
    } else {
      json es = json::array();
      for (const auto& [k, v] : m.entries) {
        json e;
        e["key"] = hex_bytes(k);
        if (m.cpus > 1) {
          json per = json::array();
          for (uint32_t c = 0; c < m.cpus; ++c)
            per.push_back(hex_bytes(std::vector<uint8_t>(v.begin() + c * m.value_size, v.begin() + (c + 1) * m.value_size)));
          e["value"] = per;
        } else {
          e["value"] = hex_bytes(v);
        }
        es.push_back(e);
      }
      jm["entries"] = es;
    }
    maps[m.name] = jm;
  }
  j["maps"] = maps;
  json out = json::array();
  for (const auto& e : r.output) {
    json o;
    o["type"] = event_type_name(e.kind);
    if (!e.map.empty()) o["map"] = e.map;
    if (e.kind == "trace_printk") o["text"] = e.text;
    if (e.kind == "ringbuf" || e.kind == "perf_event") o["data"] = hex_bytes(e.data);
    if (e.kind == "redirect") {
      o[e.map.empty() ? "ifindex" : "key"] = e.target;
      o["flags"] = e.flags;
    } else if (e.flags != 0) {
      o["flags"] = e.flags;
    }
    out.push_back(o);
  }
  j["output"] = out;
  j["runs"] = r.runs;
  j["ns_per_run"] = r.ns_per_run;
  if (r.compile_us) j["compile_us"] = *r.compile_us;
  if (r.bpf_insns_per_run) j["bpf_insns_per_run"] = *r.bpf_insns_per_run;
  if (r.emulated) j["emulated"] = true;
  if (r.a64_insns_per_run) j["a64_insns_per_run"] = *r.a64_insns_per_run;
  if (r.est_cycles_per_run) {
    j["est_cycles_per_run"] = std::round(*r.est_cycles_per_run * 10) / 10;
    j["mca_cpu"] = r.mca_cpu;
  }
  if (!r.notes.empty()) j["notes"] = r.notes;
  return j;
}

std::string cost_text(const jit::RunResult& r) {
  std::ostringstream os;
  if (r.bpf_insns_per_run) os << *r.bpf_insns_per_run << " BPF insns";
  if (r.a64_insns_per_run) os << (os.tellp() > 0 ? ", " : "") << *r.a64_insns_per_run << " A64 insns (emulated)";
  if (r.est_cycles_per_run)
    os << (os.tellp() > 0 ? ", " : "") << "~" << std::fixed << std::setprecision(1) << *r.est_cycles_per_run
       << " cycles on " << r.mca_cpu << " (static estimate, LLVM MCA)";
  return os.str();
}

std::string bench_table(const std::vector<const jit::RunResult*>& results) {
  std::ostringstream os;
  char line[256];
  std::snprintf(line, sizeof line, "%-8s %14s %14s %14s %16s\n", "engine", "ns/run", "BPF insns/run", "A64 insns/run",
                "est. cycles/run");
  os << line;
  std::string cpu;
  for (const auto* r : results) {
    auto num = [](const auto& v) { return v ? std::to_string(*v) : std::string("-"); };
    char ns[32], cyc[32] = "-";
    std::snprintf(ns, sizeof ns, "%.1f%s", r->ns_per_run, r->emulated ? "*" : "");
    if (r->est_cycles_per_run) {
      std::snprintf(cyc, sizeof cyc, "%.1f", *r->est_cycles_per_run);
      cpu = r->mca_cpu;
    }
    std::snprintf(line, sizeof line, "%-8s %14s %14s %14s %16s\n", r->engine.c_str(), ns,
                  num(r->bpf_insns_per_run).c_str(), num(r->a64_insns_per_run).c_str(), cyc);
    os << line;
  }
  for (const auto* r : results)
    if (r->emulated) {
      os << "* emulated (unicorn): its ns/run times the emulator, not the code; the instruction count is exact";
      if (!cpu.empty()) os << ", the cycles a static estimate for " << cpu << " from LLVM MCA";
      os << "\n";
      break;
    }
  return os.str();
}

std::string result_text(const jit::RunResult& r, isa::ProgType type) {
  std::ostringstream os;
  const uint64_t rv = r.retval_32 ? (r.retval & 0xffffffffu) : r.retval;
  os << r.engine << ": retval " << rv;
  if (rv > 9) os << " (0x" << std::hex << rv << std::dec << ")";
  const std::string rn = retval_name(r.retval, type);
  if (!rn.empty()) os << " " << rn;
  os << "  [" << r.runs << " run" << (r.runs == 1 ? "" : "s") << ", " << r.ns_per_run << " ns/run";
  if (r.emulated) os << " (emulated)";
  if (r.compile_us) os << ", compiled in " << *r.compile_us << " us";
  os << "]\n";
  if (const std::string cost = cost_text(r); !cost.empty()) os << "  cost per run: " << cost << "\n";
  if (!r.data_out.empty()) os << "  data_out (" << r.data_out.size() << " bytes): " << hex_bytes(r.data_out) << "\n";
  if (!r.mem_out.empty()) os << "  mem_out (" << r.mem_out.size() << " bytes): " << hex_bytes(r.mem_out) << "\n";
  for (const auto& m : r.maps) {
    os << "  map " << m.name << " (" << isa::map_type_name(m.type) << "):";
    if (m.entries.empty() && m.values.empty()) os << " empty";
    os << "\n";
    for (const auto& [k, v] : m.entries) os << "    " << hex_bytes(k) << " -> " << hex_bytes(v) << "\n";
    for (const auto& v : m.values) os << "    " << hex_bytes(v) << "\n";
  }
  for (const auto& e : r.output) {
    os << "  output " << e.kind;
    if (!e.map.empty()) os << " " << e.map;
    if (e.kind == "trace_printk") os << ": " << e.text;
    if (!e.data.empty()) os << ": " << hex_bytes(e.data);
    if (e.kind == "redirect") os << ": target " << e.target << " flags " << e.flags;
    os << "\n";
  }
  for (const auto& n : r.notes) os << "  note: " << n << "\n";
  return os.str();
}

}  // namespace bpfvet::cli
