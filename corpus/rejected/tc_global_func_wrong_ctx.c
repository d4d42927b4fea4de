// EXPECT: rejected
// CODE: HELPER_ARG_TYPE
// INSN: 9
// KERNEL: arg#0 expects pointer to ctx
// A global function declared to take the skb context is called with a pointer to a
// stack copy of a header instead; global functions are checked against their BTF
// signature at every call.
#include "corpus_common.h"

__noinline int classify(struct __sk_buff *skb)
{
	if (!skb)
		return 0;
	return skb->len > 1000 ? 1 : 0;
}

SEC("tc")
int tc_global_wrong_ctx(struct __sk_buff *skb)
{
	struct ethhdr eth;

	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)))
		return TC_ACT_OK;
	return classify((struct __sk_buff *)&eth) ? TC_ACT_SHOT : TC_ACT_OK; /* BUG */
}

char LICENSE[] SEC("license") = "GPL";
