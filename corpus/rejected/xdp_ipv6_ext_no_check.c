// EXPECT: rejected
// CODE: PACKET_OUT_OF_BOUNDS
// INSN: 8
// KERNEL: invalid access to packet, off=54 size=1
// An IPv6 extension-header walker that checks the fixed IPv6 header but reads each
// extension header's next-header byte without checking that it is in the packet.
#include "corpus_common.h"

SEC("xdp")
int xdp_ipv6_ext_no_check(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
	__u8 *ext;
	__u8 next;

	if ((void *)(ip6 + 1) > data_end)
		return XDP_PASS;
	next = ip6->nexthdr;
	ext = (void *)(ip6 + 1);
	if (next == IPPROTO_HOPOPTS)
		next = ext[0]; /* BUG: ext + 2 > data_end not checked */
	return next == IPPROTO_FRAGMENT ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
