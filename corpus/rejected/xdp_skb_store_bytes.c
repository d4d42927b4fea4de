// EXPECT: rejected
// CODE: HELPER_NOT_ALLOWED
// INSN: 7
// KERNEL: program of this type cannot use helper bpf_skb_store_bytes#9
// bpf_skb_store_bytes is an skb helper (tc, lwt); an XDP program must write through
// direct packet access instead.
#include "corpus_common.h"

SEC("xdp")
int xdp_skb_store_bytes(struct xdp_md *ctx)
{
	__u8 ttl = 64;

	bpf_skb_store_bytes((struct __sk_buff *)ctx, ETH_HLEN + offsetof(struct iphdr, ttl), &ttl,
			    sizeof(ttl), 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
