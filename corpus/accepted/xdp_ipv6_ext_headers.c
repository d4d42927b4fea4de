// EXPECT: accepted
// IPv6 extension header walker: skips up to 4 hop-by-hop / routing / destination-options
// headers (each with its own bounds check, in a loop the verifier walks) and drops
// fragments and packets with too many extension headers, as an IPv6 firewall must.
#include "corpus_common.h"

#define MAX_EXT 4

struct ext_hdr {
	__u8 nexthdr;
	__u8 hdrlen; /* in 8-octet units, not counting the first 8 */
};

SEC("xdp")
int xdp_ipv6_ext_headers(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	void *cursor;
	__u8 next;
	int i;

	if ((void *)(ip6 + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	next = ip6->nexthdr;
	cursor = ip6 + 1;

#pragma clang loop unroll(disable)
	for (i = 0; i < MAX_EXT; i++) {
		struct ext_hdr *eh = cursor;

		if (next == IPPROTO_FRAGMENT)
			return XDP_DROP;
		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS)
			break;
		if ((void *)(eh + 1) > data_end)
			return XDP_DROP;
		next = eh->nexthdr;
		cursor += (eh->hdrlen + 1) * 8;
	}
	if (i == MAX_EXT)
		return XDP_DROP;
	if (next == IPPROTO_TCP) {
		struct tcphdr *tcp = cursor;
		if ((void *)(tcp + 1) > data_end)
			return XDP_DROP;
		if (tcp->dest == bpf_htons(23))
			return XDP_DROP; /* no telnet */
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
