; TYPE: socket_filter
; LEVEL: 1
r0 = 0
r0 += 1
if r0 < 10 goto -2
exit
