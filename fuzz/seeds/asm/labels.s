// labels, calls and a subprogram
entry:
  r6 = r1
  r1 = 3
  call sub
  if r0 == 0 goto out
  r0 = r6
out:
  exit
sub:
  w0 = w1
  w0 *= 2
  exit
