; EXPECT: rejected
; CODE: JUMP_OUT_OF_RANGE
; INSN: 2
; KERNEL: jump out of range from insn 2 to 8
; TYPE: xdp
; A hand-computed jump offset that overshoots the end of the program by one block.
	r0 = *(u32 *)(r1 + 0)
	r2 = *(u32 *)(r1 + 4)
	if r0 > r2 goto +5
	r0 = 2
	exit
