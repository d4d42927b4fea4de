; conditional and unconditional jumps, 32-bit compares, a back-edge
  r0 = 0
  r1 = 5
loop:
  if r1 > 3 goto skip
  r0 += 1
skip:
  w2 = w1
  r1 -= 1
  if w2 s< 7 goto done
  goto loop
done:
  exit
