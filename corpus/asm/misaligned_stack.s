; EXPECT: rejected
; CODE: MISALIGNED_ACCESS
; INSN: 1
; KERNEL: misaligned stack access off 0+0+-12 size 8
; TYPE: socket_filter
; An 8-byte store to a stack slot that is not 8-byte aligned.
	r1 = 0
	*(u64 *)(r10 - 12) = r1
	r0 = 0
	exit
