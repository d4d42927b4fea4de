// EXPECT: rejected
// CODE: PACKET_OUT_OF_BOUNDS
// INSN: 5
// KERNEL: invalid access to packet, off=34 size=1
// Off-by-one bounds check: the check proves 34 bytes (Ethernet + IPv4 header) but the
// code then reads the first byte after them (the TCP source port's first byte).
#include "corpus_common.h"

SEC("xdp")
int xdp_off_by_one(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *data_end = (void *)(long)ctx->data_end;

	if (data + ETH_HLEN + sizeof(struct iphdr) > data_end)
		return XDP_PASS;
	/* BUG: index 34 is the 35th byte; the check covered 0..33 */
	if (data[ETH_HLEN + sizeof(struct iphdr)] == 0)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
