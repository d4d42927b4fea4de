; EXPECT: accepted
; TYPE: socket_filter
; The smallest useful socket filter: accept the whole packet (skb->len).
	r0 = *(u32 *)(r1 + 0)
	exit
