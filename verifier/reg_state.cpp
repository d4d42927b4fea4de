#include "verifier/reg_state.h"

#include <cinttypes>
#include <cstdio>

namespace bpfvet::verifier {

const char* reg_type_name(RegType t) {
  switch (t) {
    case RegType::NotInit: return "?";
    case RegType::Scalar: return "scalar";
    case RegType::Ctx: return "ctx";
    case RegType::ConstMapPtr: return "map_ptr";
    case RegType::MapValue: return "map_value";
    case RegType::MapKey: return "map_key";
    case RegType::Stack: return "fp";
    case RegType::Packet: return "pkt";
    case RegType::PacketMeta: return "pkt_meta";
    case RegType::PacketEnd: return "pkt_end";
    case RegType::Mem: return "mem";
    case RegType::Sock: return "sock";
    case RegType::SockCommon: return "sock_common";
    case RegType::TcpSock: return "tcp_sock";
    case RegType::XdpSock: return "xdp_sock";
    case RegType::Func: return "func";
    case RegType::FlowKeys: return "flow_keys";
    case RegType::BtfId: return "ptr_";
  }
  return "?";
}

const char* dynptr_kind_name(DynptrKind k) {
  switch (k) {
    case DynptrKind::None: return "<invalid>";
    case DynptrKind::Local: return "local";
    case DynptrKind::Ringbuf: return "ringbuf";
    case DynptrKind::Skb: return "skb";
    case DynptrKind::Xdp: return "xdp";
  }
  return "<invalid>";
}

std::string RegState::type_string() const {
  std::string s;
  if (read_only) s += "rdonly_";
  if (ringbuf) s += "ringbuf_";
  // A map-in-map lookup result is a map value until null-checked, then the inner map.
  // So is a sockmap/sockhash lookup result (a socket once null-checked).
  const bool map_lookup = maybe_null && (type == RegType::ConstMapPtr || (type == RegType::Sock && map_idx >= 0));
  s += map_lookup ? "map_value" : reg_type_name(type);
  if (maybe_null) s += type == RegType::BtfId ? "or_null_" : "_or_null";
  return s;
}

namespace {

// The kernel prints small numbers in decimal and large ones in hex (verbose_snum).
std::string snum(int64_t v) {
  char buf[32];
  if (v >= -0x7fffffffLL - 1 && v <= 0xffffffffLL)
    std::snprintf(buf, sizeof buf, "%" PRId64, v);
  else
    std::snprintf(buf, sizeof buf, "%#" PRIx64, static_cast<uint64_t>(v));
  return buf;
}

// "smin=..,var_off=(..)" out of Scalar::to_string's "scalar(...)"; empty when unbounded.
std::string scalar_inner(const Scalar& s) {
  std::string text = s.to_string();
  const std::string prefix = "scalar(";
  if (text.rfind(prefix, 0) != 0 || text.size() < prefix.size() + 1) return "";
  return text.substr(prefix.size(), text.size() - prefix.size() - 1);
}

void append(std::string& out, bool& first, const std::string& item) {
  if (item.empty()) return;
  if (!first) out += ',';
  out += item;
  first = false;
}

}  // namespace

std::string RegState::to_string(const std::vector<isa::MapDef>& maps, uint8_t cur_frame) const {
  if (type == RegType::NotInit) return "?";
  if (type == RegType::Scalar) {
    if (var.is_const()) return snum(static_cast<int64_t>(var.const_value()));
    if (id == 0) return var.to_string();
    std::string out = "scalar(id=" + std::to_string(id);
    std::string inner = scalar_inner(var);
    if (!inner.empty()) out += "," + inner;
    return out + ")";
  }
  std::string out = type_string();
  if (type == RegType::BtfId && btf_name) out += btf_name;
  if (type == RegType::Stack) {
    if (frameno != cur_frame) out += "[" + std::to_string(frameno) + "]";
    if (var.is_const()) return out + snum(static_cast<int64_t>(var.const_value()) + off);
  }
  out += '(';
  bool first = true;
  if (id) append(out, first, "id=" + std::to_string(id));
  if (ref_obj_id) append(out, first, "ref_obj_id=" + std::to_string(ref_obj_id));
  if ((type == RegType::ConstMapPtr || type == RegType::MapValue || type == RegType::MapKey) && map_idx >= 0 &&
      static_cast<size_t>(map_idx) < maps.size()) {
    const auto& m = maps[map_idx];
    if (!m.name.empty()) append(out, first, "map=" + m.name.substr(0, 15));
    append(out, first, "ks=" + std::to_string(m.key_size) + ",vs=" + std::to_string(m.value_size));
  }
  if (off) append(out, first, "off=" + std::to_string(off));
  if (is_pkt_pointer(type)) {
    if (range < 0) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%#" PRIx64, static_cast<uint64_t>(static_cast<int64_t>(range)));
      append(out, first, std::string("r=") + buf);
    } else {
      append(out, first, "r=" + std::to_string(range));
    }
  }
  if (type == RegType::Mem) append(out, first, "sz=" + std::to_string(mem_size));
  if (var.is_const()) {
    if (var.const_value()) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "imm=%" PRIx64, var.const_value());
      append(out, first, buf);
    }
  } else {
    append(out, first, scalar_inner(var));
  }
  return out + ")";
}

}  // namespace bpfvet::verifier
