; EXPECT: rejected
; CODE: UNINIT_REGISTER
; INSN: 4
; KERNEL: R0 !read_ok
; TYPE: xdp
; One path returns without setting the return value r0.
	r2 = *(u32 *)(r1 + 0)
	if r2 == 0 goto +2
	r0 = 2
	exit
	exit
