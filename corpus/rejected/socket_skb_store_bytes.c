// EXPECT: rejected
// CODE: HELPER_NOT_ALLOWED
// INSN: 11
// KERNEL: program of this type cannot use helper bpf_skb_store_bytes#9
// A capture filter that "anonymises" source addresses before user space sees them, by
// rewriting the packet with bpf_skb_store_bytes: socket filters may only read packets.
#include "corpus_common.h"

SEC("socket")
int socket_skb_store_bytes(struct __sk_buff *skb)
{
	__be32 zero_addr = 0;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	bpf_skb_store_bytes(skb, ETH_HLEN + offsetof(struct iphdr, saddr), &zero_addr,
			    sizeof(zero_addr), 0);
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
