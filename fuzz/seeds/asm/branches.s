; a small branchy program
r0 = 0
r1 = 5
if r1 > 3 goto +1
r0 = 1
w2 = w1
if w2 s< 7 goto -2
exit
