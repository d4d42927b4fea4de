; 64-bit immediates, stack stores and loads, atomics, a helper call
  r2 = 0x123456789abcdef0 ll
  *(u64 *)(r10 -8) = r2
  *(u32 *)(r10 -16) = 5
  *(u16 *)(r10 -18) = 7
  *(u8 *)(r10 -19) = 1
  r3 = *(u32 *)(r10 -8)
  w3 += 7
  lock *(u64 *)(r10 -8) += r3
  r4 = atomic_fetch_add((u64 *)(r10 -8), r4)
  r0 = *(u8 *)(r10 -16)
  call 1
  exit
