// BPF -> A64 translation of loads, stores, atomics and legacy packet loads.
#include "jit/arm64/arm64_lowerer.h"

namespace bpfvet::jit::arm64 {

using namespace a64;

namespace {

uint32_t log2_size(uint8_t size) { return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3; }

}  // namespace

std::pair<Reg, int32_t> Lowerer::address(Reg base, int32_t off, uint8_t size, bool write, bool atomic) {
  if (opt_.checked) {
    add_const(10, base, off, 12);
    call_abs(
        service_address(uint32_t(Service::Check) + log2_size(size) + (write ? 4 : 0) + (atomic ? 8 : 0)));
    return {10, 0};
  }
  return {base, off};
}

void Lowerer::access(bool load, uint8_t size, bool sign, Reg rt, Reg base, int32_t off) {
  if (off >= 0 && off % size == 0 && off / size < 4096) {
    emit(load ? ldr_uimm(size, sign, rt, base, static_cast<uint32_t>(off))
              : str_uimm(size, rt, base, static_cast<uint32_t>(off)));
  } else if (off >= -256 && off < 256) {
    emit(load ? ldur(size, sign, rt, base, off) : stur(size, rt, base, off));
  } else {
    mov_imm(true, 12, static_cast<uint64_t>(int64_t(off)));
    emit(load ? ldr_reg(size, sign, rt, base, 12) : str_reg(size, rt, base, 12));
  }
}

void Lowerer::load(const isa::Insn& in) {
  const auto [b, o] = address(kBpfReg[in.src], in.off, in.size, false, false);
  access(true, in.size, in.sign_extend, kBpfReg[in.dst], b, o);
}

void Lowerer::store(const isa::Insn& in) {
  const auto [b, o] = address(kBpfReg[in.dst], in.off, in.size, true, false);
  Reg v = kBpfReg[in.src];
  if (in.kind == isa::Kind::Store) {
    mov_imm(true, 11, static_cast<uint64_t>(int64_t(in.imm)));
    v = 11;
  }
  access(false, in.size, false, v, b, o);
}

void Lowerer::atomic(const isa::Insn& in) {
  using isa::AtomicOp;
  const uint8_t size = in.size;
  const bool acquire = in.atomic == AtomicOp::LoadAcquire;
  const bool release = in.atomic == AtomicOp::StoreRelease;
  // Every atomic form takes a plain register address: x10 unless the offset is 0.
  const Reg base = kBpfReg[acquire ? in.src : in.dst];
  Reg a = base;
  if (opt_.checked) {
    a = address(base, in.off, size, !acquire, !(acquire || release)).first;
  } else if (in.off != 0) {
    add_const(10, base, in.off, 12);
    a = 10;
  }
  const Reg s = kBpfReg[in.src];
  if (acquire) {
    emit(ldar(size, kBpfReg[in.dst], a));
    return;
  }
  if (release) {
    emit(stlr(size, s, a));
    return;
  }
  if (!opt_.lse) {
    atomic_llsc(in, a);
    return;
  }
  const bool sf = size == 8;
  switch (in.atomic) {
    case AtomicOp::Add:
      emit(ldop(LseOp::Add, size, false, s, kZr, a));
      return;
    case AtomicOp::Or:
      emit(ldop(LseOp::Set, size, false, s, kZr, a));
      return;
    case AtomicOp::Xor:
      emit(ldop(LseOp::Eor, size, false, s, kZr, a));
      return;
    case AtomicOp::And:
      emit(mvn(sf, 11, s));
      emit(ldop(LseOp::Clr, size, false, 11, kZr, a));
      return;
    case AtomicOp::FetchAdd:
      emit(ldop(LseOp::Add, size, true, s, s, a));
      return;
    case AtomicOp::FetchOr:
      emit(ldop(LseOp::Set, size, true, s, s, a));
      return;
    case AtomicOp::FetchXor:
      emit(ldop(LseOp::Eor, size, true, s, s, a));
      return;
    case AtomicOp::FetchAnd:
      emit(mvn(sf, 11, s));
      emit(ldop(LseOp::Clr, size, true, 11, s, a));
      return;
    case AtomicOp::Xchg:
      emit(swp(size, true, s, s, a));
      return;
    case AtomicOp::CmpXchg:
      emit(mov_reg(true, 11, 7));
      emit(cas(size, true, 11, s, a));
      emit(mov_reg(true, 7, 11));
      return;
    default:
      break;
  }
  fail("unsupported atomic operation");
}

// LDAXR/STLXR retry loop: x11 = old value, x12 = new value, w9 = store status.
void Lowerer::atomic_llsc(const isa::Insn& in, Reg a) {
  using isa::AtomicOp;
  const uint8_t size = in.size;
  const bool sf = size == 8;
  const Reg s = kBpfReg[in.src];
  const int64_t loop = static_cast<int64_t>(buf_.size());
  auto back = [&] { return loop - static_cast<int64_t>(buf_.size()); };
  emit(ldaxr(size, 11, a));
  if (in.atomic == AtomicOp::CmpXchg) {
    emit(cmp_reg(sf, 11, 7));
    emit(b_cond(Cond::Ne, 12));  // to the barrier, past the store and retry
    emit(stlxr(size, 9, s, a));
    emit(cbnz(false, 9, back()));
    emit(dmb_ish());
    emit(mov_reg(true, 7, 11));
    return;
  }
  Reg value = 12;
  switch (in.atomic) {
    case AtomicOp::Add:
    case AtomicOp::FetchAdd:
      emit(add_reg(sf, 12, 11, s));
      break;
    case AtomicOp::Or:
    case AtomicOp::FetchOr:
      emit(orr_reg(sf, 12, 11, s));
      break;
    case AtomicOp::And:
    case AtomicOp::FetchAnd:
      emit(and_reg(sf, 12, 11, s));
      break;
    case AtomicOp::Xor:
    case AtomicOp::FetchXor:
      emit(eor_reg(sf, 12, 11, s));
      break;
    case AtomicOp::Xchg:
      value = s;
      break;
    default:
      fail("unsupported atomic operation");
      return;
  }
  emit(stlxr(size, 9, value, a));
  emit(cbnz(false, 9, back()));
  emit(dmb_ish());
  if (isa::atomic_op_fetches(in.atomic)) emit(mov_reg(true, s, 11));
}

void Lowerer::legacy_load(const isa::Insn& in) {
  if (in.kind == isa::Kind::LdInd) {
    // (s32)((u32)src + (u32)imm), sign-extended to 64 bits.
    mov_imm(false, 10, static_cast<uint32_t>(in.imm));
    emit(add_reg(false, 10, 10, kBpfReg[in.src]));
    emit(sxtw(10, 10));
  } else {
    mov_imm(true, 10, static_cast<uint64_t>(int64_t(in.imm)));
  }
  call_abs(service_address(uint32_t(Service::LdAbs) + log2_size(in.size)));
}

}  // namespace bpfvet::jit::arm64
