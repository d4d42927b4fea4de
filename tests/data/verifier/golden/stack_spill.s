; TYPE: socket_filter
; LEVEL: 2
*(u32 *)(r10 -8) = 0
*(u64 *)(r10 -16) = r1
r3 = 5
*(u64 *)(r10 -24) = r3
*(u8 *)(r10 -26) = r3
r4 = *(u64 *)(r10 -16)
r0 = 0
if r4 == 0 goto +1
r0 = 1
exit
