; EXPECT: rejected
; CODE: INVALID_SHIFT
; INSN: 1
; KERNEL: invalid shift 64
; TYPE: socket_filter
; A shift by 64 on a 64-bit register: C would call it undefined, BPF refuses it.
	r0 = *(u32 *)(r1 + 0)
	r0 <<= 64
	exit
