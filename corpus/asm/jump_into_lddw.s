; EXPECT: rejected
; CODE: JUMP_OUT_OF_RANGE
; INSN: 2
; KERNEL: jump into the middle of ldimm64 insn 2
; TYPE: socket_filter
; A jump whose offset was computed counting the 64-bit immediate load as one slot: it
; lands on the second half of the lddw.
	r0 = 0
	if r1 == 0 goto +1
	r0 = 0x100000000 ll
	exit
