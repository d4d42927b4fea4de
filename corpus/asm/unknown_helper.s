; EXPECT: rejected
; CODE: UNKNOWN_HELPER
; INSN: 1
; KERNEL: invalid func unknown#999
; TYPE: socket_filter
; A helper number from a newer kernel's header (or a typo): this kernel has no helper 999.
	r1 = 0
	call 999
	r0 = 0
	exit
