; EXPECT: accepted
; TYPE: xdp
; A counted loop in assembly (bounded: r2 runs from 0 to 10), then XDP_PASS.
	r2 = 0
	r0 = 0
	r0 += r2
	r2 += 1
	if r2 < 10 goto -3
	r0 = 2
	exit
