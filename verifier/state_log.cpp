#include "verifier/state_log.h"

#include <cstdio>

#include "isa/helpers.h"
#include "isa/printer.h"

namespace bpfvet::verifier {

namespace {

// The instruction as the kernel's log spells it (helper calls by name).
std::string listing_text(const isa::Insn& in, int64_t pc) {
  if (in.kind == isa::Kind::Call && in.call == isa::CallKind::Helper) {
    const isa::HelperProto* h = isa::find_helper(in.imm);
    return "call " + std::string(h ? h->name : "unknown") + "#" + std::to_string(in.imm);
  }
  if (in.kind == isa::Kind::Jmp && in.jmp != isa::JmpOp::MayGoto) {
    // The kernel's disassembler: "goto pc+2", "if r0 == 0x0 goto pc+1".
    char off[24];
    std::snprintf(off, sizeof off, "pc%+lld", static_cast<long long>(in.target(pc) - pc - 1));
    if (in.jmp == isa::JmpOp::Ja) return std::string(in.is64 ? "goto " : "gotol ") + off;
    const char w = in.is64 ? 'r' : 'w';
    std::string rhs;
    if (in.use_src) {
      rhs = std::string(1, w) + std::to_string(in.src);
    } else {
      char imm[24];
      std::snprintf(imm, sizeof imm, "%#x", static_cast<uint32_t>(in.imm));
      rhs = in.imm == 0 ? "0x0" : imm;
    }
    return "if " + std::string(1, w) + std::to_string(in.dst) + " " + isa::jmp_op_symbol(in.jmp) + " " + rhs +
           " goto " + off;
  }
  return isa::print_insn(in, pc);
}

char hex_digit(int v) { return "0123456789abcdef"[v & 15]; }

}  // namespace

void StateLog::preamble() {
  if (!(level_ & 2)) return;
  for (size_t i = 0; i < ctx_.subprogs.size(); ++i)
    line("func#" + std::to_string(i) + " @" + std::to_string(ctx_.subprogs[i].start));
  line("Live regs before insn:");
  for (int64_t pc = 0; pc < ctx_.insn_count(); ++pc) {
    const isa::Insn& in = ctx_.insn(pc);
    if (in.kind == isa::Kind::LdImm64Hi) continue;
    std::string regs;
    for (int r = 0; r < 10; ++r) regs += (ctx_.info[pc].live_regs & (1u << r)) ? static_cast<char>('0' + r) : '.';
    std::string idx = std::to_string(pc);
    if (idx.size() < 7) idx.insert(0, 7 - idx.size(), ' ');
    line(idx + ": " + regs + " (" + hex_digit(in.opcode >> 4) + hex_digit(in.opcode) + ") " + listing_text(in, pc));
  }
}

void StateLog::state_at(int64_t pc, const AbstractState& st) {
  if (!on()) return;
  line(std::to_string(pc) + ": " + format_state(st, ctx_.prog.maps));
}

void StateLog::branch_from(int64_t from, int64_t to, const AbstractState& st) {
  if (!on()) return;
  line("");
  line("from " + std::to_string(from) + " to " + std::to_string(to) + ": " + format_state(st, ctx_.prog.maps));
  line(std::to_string(to) + ": " + format_state(st, ctx_.prog.maps));
}

void StateLog::message(const std::string& s) {
  if (!on()) return;
  flush(false);
  line(s);
}

void StateLog::safe(int64_t from, int64_t to, bool after_branch) {
  if (!on()) return;
  flush(false);
  if (after_branch && from >= 0)
    line("from " + std::to_string(from) + " to " + std::to_string(to) + ": safe");
  else
    line(std::to_string(to) + ": safe");
}

void StateLog::insn_text(int64_t pc, const isa::Insn& in) {
  if (!on()) return;
  line(std::to_string(pc) + ": (" + hex_digit(in.opcode >> 4) + hex_digit(in.opcode) + ") " +
       listing_text(in, pc));
}

void StateLog::insn(int64_t pc, const isa::Insn& in, const AbstractState& after) {
  if (!on()) return;
  std::string text = std::to_string(pc) + ": (" + hex_digit(in.opcode >> 4) + hex_digit(in.opcode) + ") " +
                     listing_text(in, pc);
  // The registers the instruction read or wrote, as the kernel's "scratched" set.
  uint16_t regs = 0;
  switch (in.kind) {
    case isa::Kind::Alu:
    case isa::Kind::Load:
    case isa::Kind::StoreReg:
    case isa::Kind::Atomic:
      regs = static_cast<uint16_t>((1u << in.dst) | (in.use_src || in.kind != isa::Kind::Alu ? (1u << in.src) : 0));
      break;
    case isa::Kind::Store:
    case isa::Kind::LdImm64: regs = static_cast<uint16_t>(1u << in.dst); break;
    case isa::Kind::Jmp:
      if (in.jmp != isa::JmpOp::Ja) regs = static_cast<uint16_t>((1u << in.dst) | (in.use_src ? (1u << in.src) : 0));
      break;
    case isa::Kind::Call: regs = 1; break;
    default: break;
  }
  std::string state;
  const Frame& f = after.cur();
  for (int r = 0; r < kNumRegs; ++r) {
    if (!(regs & (1u << r)) || f.regs[r].type == RegType::NotInit) continue;
    if (!state.empty()) state += ' ';
    state += "R" + std::to_string(r) + "=" + f.regs[r].to_string(ctx_.prog.maps, f.frameno);
  }
  // The stack slot a load or store through a frame pointer touched.
  bool mem = in.kind == isa::Kind::Load || in.kind == isa::Kind::Store || in.kind == isa::Kind::StoreReg;
  int base = in.kind == isa::Kind::Load ? in.src : in.dst;
  if (mem && f.regs[base].type == RegType::Stack && f.regs[base].var.is_const()) {
    int64_t off = static_cast<int64_t>(f.regs[base].var.const_value()) + f.regs[base].off + in.off;
    if (off < 0 && off >= -kMaxBpfStack) {
      std::string slot = format_slot(after.frames[f.regs[base].frameno], static_cast<int>((-off - 1) / kRegSize),
                                     ctx_.prog.maps);
      if (!slot.empty()) state += (state.empty() ? "" : " ") + slot;
    }
  }
  if (!after.refs.empty()) {
    if (!state.empty()) state += ' ';
    state += "refs=";
    for (size_t i = 0; i < after.refs.size(); ++i) state += (i ? "," : "") + std::to_string(after.refs[i].id);
  }
  if (in.kind == isa::Kind::Jmp && in.jmp == isa::JmpOp::Ja) state.clear();
  flush(true);
  pending_ = text;
  pending_state_ = in.kind == isa::Kind::Exit ? "" : state;
}

void StateLog::flush(bool with_state) {
  if (pending_.empty()) return;
  std::string text = std::move(pending_);
  pending_.clear();
  if (with_state && !pending_state_.empty()) {
    if (text.size() < 38) text.append(38 - text.size(), ' ');
    else text += ' ';
    text += "; " + pending_state_;
  }
  body_ += text + "\n";
}

void StateLog::error(const Reject& r) {
  failed_ = true;
  if (!on()) return;
  line(r.kernel_message);
  for (const auto& d : r.details) line(d);
}

void StateLog::stats(const Stats& s, const std::vector<uint32_t>& depths) {
  if (!on()) return;
  if (level_ & 4) {  // BPF_LOG_STATS
    tail_ += "verification time " + std::to_string(s.time_us) + " usec\nstack depth ";
    for (size_t i = 0; i < depths.size(); ++i) tail_ += (i ? "+" : "") + std::to_string(depths[i]);
    tail_ += "\n";
  }
  tail_ += "processed " + std::to_string(s.processed_insns) + " insns (limit " +
           std::to_string(ctx_.rules.complexity_limit) + ") max_states_per_insn " +
           std::to_string(s.max_states_per_insn) + " total_states " + std::to_string(s.total_states) +
           " peak_states " + std::to_string(s.peak_states) + " mark_read 0\n";
}

std::string StateLog::take() {
  flush(true);
  if ((level_ & 2) == 0 && !failed_) return notes_ + tail_;
  return notes_ + body_ + tail_;
}

}  // namespace bpfvet::verifier
