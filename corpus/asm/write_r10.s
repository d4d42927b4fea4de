; EXPECT: rejected
; CODE: READ_ONLY_REGISTER
; INSN: 0
; KERNEL: frame pointer is read only
; TYPE: socket_filter
; Hand-written prologue that tries to "allocate" stack by moving the frame pointer,
; as one would on a CPU: r10 is read-only in BPF.
	r10 -= 64
	r0 = 0
	exit
