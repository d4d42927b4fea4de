; cpu v4 instructions clang 14 cannot emit
  r1 = 100
  r2 = 7
  r1 s/= r2
  r1 s%= 3
  r3 = (s8)r1
  w4 = (s16)w2
  r5 = bswap64 r5
  r6 = le16 r6
  r7 = be32 r7
  r8 = *(s32 *)(r10 -8)
  gotol +1
  r0 = 1
  may_goto +1
  r0 = 0
  exit
