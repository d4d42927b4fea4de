// EXPECT: rejected
// CODE: CTX_ACCESS
// INSN: 1
// KERNEL: invalid bpf_context access off=80 size=4
// A socket filter written like a TC program, with skb->data / skb->data_end direct
// packet access: socket filters may not read those fields.
#include "corpus_common.h"

SEC("socket")
int socket_direct_packet_access(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return 0;
	return eth->h_proto == bpf_htons(ETH_P_IP) ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
