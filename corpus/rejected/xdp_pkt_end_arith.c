// EXPECT: rejected
// CODE: INVALID_POINTER_ARITH
// INSN: 3
// KERNEL: R1 pointer arithmetic on pkt_end prohibited
// To read the packet's trailer the author computes data_end - 4: arithmetic on the
// packet end pointer is not allowed (the check must be written as ptr + 4 > data_end).
#include "corpus_common.h"

SEC("xdp")
int xdp_pkt_end_arith(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 *trailer;

	asm volatile("%[t] = %[end]\n%[t] += -4" : [t] "=r"(trailer) : [end] "r"(data_end));
	if ((void *)trailer < data)
		return XDP_PASS;
	return *trailer == 0xfeedface ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
