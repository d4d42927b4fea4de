// EXPECT: accepted
// Payload signature scan with a real bounded loop (not unrolled): looks for a
// 4-byte magic in the first 64 bytes of UDP payload, each byte behind a bounds check.
#include "corpus_common.h"

#define SCAN_LEN 64
#define MAGIC 0xdeadbeef

SEC("xdp")
int xdp_bounded_loop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	unsigned char *payload = (void *)(udp + 1);
	__u32 window = 0;
	int i;

	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return XDP_PASS;

#pragma clang loop unroll(disable)
	for (i = 0; i < SCAN_LEN; i++) {
		if ((void *)(payload + i + 1) > data_end)
			break;
		window = (window << 8) | payload[i];
		if (i >= 3 && window == MAGIC)
			return XDP_DROP;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
