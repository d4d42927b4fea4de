; EXPECT: rejected
; CODE: FALL_OFF_END
; INSN: 3
; KERNEL: last insn is not an exit or jmp
; TYPE: socket_filter
; The final `exit` was forgotten: execution would run past the last instruction.
	r0 = *(u32 *)(r1 + 0)
	if r0 == 0 goto +1
	r0 = 1
	r0 += 1
