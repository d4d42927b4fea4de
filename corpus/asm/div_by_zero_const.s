; EXPECT: rejected
; CODE: DIVISION_BY_ZERO
; INSN: 1
; KERNEL: div by zero
; TYPE: socket_filter
; A division by the constant zero (a macro that expanded to 0).
	r0 = *(u32 *)(r1 + 0)
	r0 /= 0
	exit
