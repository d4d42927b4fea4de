; EXPECT: rejected
; CODE: UNREACHABLE_INSN
; INSN: 2
; KERNEL: unreachable insn 2
; TYPE: socket_filter
; Dead code left after an unconditional return: the kernel refuses unreachable code.
	r0 = 0
	exit
	r0 = 1
	exit
