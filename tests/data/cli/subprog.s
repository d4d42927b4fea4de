; a bpf-to-bpf call and a callback address
  r6 = r1
  r1 = 3
  call double
  r2 = func(double) ll
  if r0 == 0 goto out
  r0 = r6
out:
  exit
double:
  w0 = w1
  w0 *= 2
  exit
