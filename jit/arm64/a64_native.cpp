// Native execution of ARM64 JIT code on an AArch64 host (see a64_native.h).
#include "jit/arm64/a64_native.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "jit/arm64/arm64_jit.h"

namespace bpfvet::jit::arm64 {

namespace {

constexpr uint64_t kAreaSize = kTrampolineSize + kCodeSize;
constexpr uint32_t kVeneer = kTrampolineSize - 16;  // LDR x16, [pc + 8]; BR x16; .quad stub
constexpr uint64_t kNoSlot = ~0ull;

// The slot a trampoline entry came for: x30 inside the page (a RET into the Stop slot)
// or the BL just before x30; kNoSlot when neither holds.
uint64_t slot_of(uint64_t lr) {
  if (lr >= kTrampolineBase && lr < kTrampolineBase + kTrampolineSize) return lr - kTrampolineBase;
  if (lr < kCodeBase + 4 || lr > kCodeBase + kCodeSize) return kNoSlot;
  uint32_t w = 0;
  std::memcpy(&w, reinterpret_cast<const void*>(lr - 4), 4);
  if ((w & 0xfc000000u) != 0x94000000u) return kNoSlot;  // not a BL
  const int64_t imm = static_cast<int64_t>(static_cast<uint64_t>(w & 0x03ffffffu) << 38) >> 36;
  const uint64_t target = lr - 4 + static_cast<uint64_t>(imm);
  if (target < kTrampolineBase || target >= kTrampolineBase + kVeneer) return kNoSlot;
  return target - kTrampolineBase;
}

}  // namespace

uint64_t NativeA64::dispatch(NativeRegs& regs) {
  const uint64_t slot = slot_of(regs.x[30]);
  const bool go = handler_(user_, slot, regs);
  if (go && slot != kNoSlot) return 0;
  return reinterpret_cast<uint64_t>(exits_.back());
}

#if defined(__aarch64__)

namespace {
thread_local NativeA64* t_active = nullptr;
}  // namespace

extern "C" uint64_t bpfvet_a64_native_dispatch(NativeRegs* regs) { return t_active->dispatch(*regs); }
extern "C" uint64_t bpfvet_a64_native_enter(uint64_t addr, const uint64_t* args, uint64_t fp, uint64_t* exit_sp,
                                            uint64_t stop);
extern "C" void bpfvet_a64_native_stub();

// enter: save the host's callee-saved registers, remember sp in *exit_sp, load the
// generated code's entry state and jump.  stub: save x0-x30, dispatch; continue =
// restore and return to the code; stop = x0 is the exit frame: restore the host's
// registers from enter's frame and return the saved x7.
asm(R"(
  .text
  .p2align 2
  .globl bpfvet_a64_native_enter
  .type bpfvet_a64_native_enter, %function
bpfvet_a64_native_enter:
  stp x29, x30, [sp, #-96]!
  stp x19, x20, [sp, #16]
  stp x21, x22, [sp, #32]
  stp x23, x24, [sp, #48]
  stp x25, x26, [sp, #64]
  stp x27, x28, [sp, #80]
  mov x29, sp
  mov x9, sp
  str x9, [x3]
  mov x16, x0
  mov x17, x1
  mov x25, x2
  mov x30, x4
  ldp x0, x1, [x17]
  ldp x2, x3, [x17, #16]
  ldr x4, [x17, #32]
  mov x7, xzr
  mov x19, xzr
  mov x20, xzr
  mov x21, xzr
  mov x22, xzr
  mov x26, xzr
  mov x27, xzr
  br x16
  .size bpfvet_a64_native_enter, .-bpfvet_a64_native_enter

  .p2align 2
  .globl bpfvet_a64_native_stub
  .type bpfvet_a64_native_stub, %function
bpfvet_a64_native_stub:
  sub sp, sp, #256
  stp x0, x1, [sp, #0]
  stp x2, x3, [sp, #16]
  stp x4, x5, [sp, #32]
  stp x6, x7, [sp, #48]
  stp x8, x9, [sp, #64]
  stp x10, x11, [sp, #80]
  stp x12, x13, [sp, #96]
  stp x14, x15, [sp, #112]
  stp x16, x17, [sp, #128]
  stp x18, x19, [sp, #144]
  stp x20, x21, [sp, #160]
  stp x22, x23, [sp, #176]
  stp x24, x25, [sp, #192]
  stp x26, x27, [sp, #208]
  stp x28, x29, [sp, #224]
  str x30, [sp, #240]
  mov x0, sp
  bl bpfvet_a64_native_dispatch
  cbnz x0, 1f
  ldp x2, x3, [sp, #16]
  ldp x4, x5, [sp, #32]
  ldp x6, x7, [sp, #48]
  ldp x8, x9, [sp, #64]
  ldp x10, x11, [sp, #80]
  ldp x12, x13, [sp, #96]
  ldp x14, x15, [sp, #112]
  ldp x16, x17, [sp, #128]
  ldp x18, x19, [sp, #144]
  ldp x20, x21, [sp, #160]
  ldp x22, x23, [sp, #176]
  ldp x24, x25, [sp, #192]
  ldp x26, x27, [sp, #208]
  ldp x28, x29, [sp, #224]
  ldr x30, [sp, #240]
  ldp x0, x1, [sp, #0]
  add sp, sp, #256
  ret
1:
  ldr x7, [sp, #56]
  ldr x9, [x0]
  mov sp, x9
  ldp x19, x20, [sp, #16]
  ldp x21, x22, [sp, #32]
  ldp x23, x24, [sp, #48]
  ldp x25, x26, [sp, #64]
  ldp x27, x28, [sp, #80]
  ldp x29, x30, [sp], #96
  mov x0, x7
  ret
  .size bpfvet_a64_native_stub, .-bpfvet_a64_native_stub
)");

Status native_available() { return Ok{}; }

Result<std::unique_ptr<NativeA64>> NativeA64::create(NativeHandler handler, void* user) {
  void* want = reinterpret_cast<void*>(kTrampolineBase);
  void* p = mmap(want, kAreaSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
                 -1, 0);
  if (p == MAP_FAILED || p != want) {
    const int e = errno;
    if (p != MAP_FAILED) munmap(p, kAreaSize);
    return Error{"native arm64: cannot map the code area at its fixed address (another run active?): " +
                 std::string(std::strerror(e))};
  }
  std::unique_ptr<NativeA64> n(new NativeA64(handler, user));
  n->area_ = static_cast<uint8_t*>(p);
  // Every slot branches to the veneer, which jumps to the host stub.
  for (uint32_t off = 0; off < kVeneer; off += 4) {
    const uint32_t b = 0x14000000u | (((kVeneer - off) / 4) & 0x03ffffffu);
    std::memcpy(n->area_ + off, &b, 4);
  }
  const uint32_t veneer[2] = {0x58000050u /* ldr x16, #8 */, 0xd61f0200u /* br x16 */};
  const uint64_t stub = reinterpret_cast<uint64_t>(&bpfvet_a64_native_stub);
  std::memcpy(n->area_ + kVeneer, veneer, 8);
  std::memcpy(n->area_ + kVeneer + 8, &stub, 8);
  if (mprotect(n->area_, kAreaSize, PROT_READ | PROT_EXEC) != 0)
    return Error{"native arm64: cannot make the code executable: " + std::string(std::strerror(errno))};
  __builtin___clear_cache(reinterpret_cast<char*>(n->area_), reinterpret_cast<char*>(n->area_ + kTrampolineSize));
  return n;
}

NativeA64::~NativeA64() {
  if (area_ != nullptr) munmap(area_, kAreaSize);
}

Status NativeA64::load(uint64_t offset, std::span<const uint32_t> words) {
  const uint64_t bytes = words.size() * 4;
  if (offset > kCodeSize || bytes > kCodeSize - offset) return Error{"native arm64: code outside the code area"};
  if (bytes == 0) return Ok{};
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  uint8_t* at = area_ + kTrampolineSize + offset;
  auto* lo = reinterpret_cast<uint8_t*>(reinterpret_cast<uint64_t>(at) & ~(page - 1));
  const uint64_t len = (at + bytes - lo + page - 1) & ~(page - 1);
  if (mprotect(lo, len, PROT_READ | PROT_WRITE) != 0)
    return Error{"native arm64: cannot write code: " + std::string(std::strerror(errno))};
  std::memcpy(at, words.data(), bytes);
  if (mprotect(lo, len, PROT_READ | PROT_EXEC) != 0)
    return Error{"native arm64: cannot make the code executable: " + std::string(std::strerror(errno))};
  __builtin___clear_cache(reinterpret_cast<char*>(at), reinterpret_cast<char*>(at + bytes));
  return Ok{};
}

uint64_t NativeA64::enter(uint64_t addr, const uint64_t args[5], uint64_t fp) {
  uint64_t exit_sp = 0;
  exits_.push_back(&exit_sp);
  NativeA64* outer = t_active;
  t_active = this;
  const uint64_t r0 = bpfvet_a64_native_enter(addr, args, fp, &exit_sp, service_address(uint32_t(Service::Stop)));
  t_active = outer;
  exits_.pop_back();
  return r0;
}

#else  // not an AArch64 host

Status native_available() { return Error{"native ARM64 execution needs an ARM64 host"}; }

Result<std::unique_ptr<NativeA64>> NativeA64::create(NativeHandler, void*) { return native_available().error(); }

NativeA64::~NativeA64() = default;

Status NativeA64::load(uint64_t, std::span<const uint32_t>) { return native_available(); }

uint64_t NativeA64::enter(uint64_t, const uint64_t[5], uint64_t) { return 0; }

#endif

}  // namespace bpfvet::jit::arm64
