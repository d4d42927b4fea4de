; TYPE: socket_filter
; LEVEL: 1
; MAP: m hash 4 48 16
*(u32 *)(r10 -8) = 0
r2 = r10
r2 += -8
r1 = map_idx(0) ll
call 1
if r0 == 0 goto +1
r0 = *(u32 *)(r0 +60)
r0 = 0
exit
