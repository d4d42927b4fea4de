// EXPECT: rejected
// CODE: CTX_ACCESS
// INSN: 4
// KERNEL: invalid bpf_context access off=0 size=4
// A TC program tries to trim the packet by writing skb->len; the field is read-only
// (bpf_skb_change_tail is the way to do it).
#include "corpus_common.h"

SEC("tc")
int tc_write_ctx_readonly(struct __sk_buff *skb)
{
	if (skb->len > 1000)
		skb->len = 1000;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
