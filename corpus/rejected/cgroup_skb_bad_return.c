// EXPECT: rejected
// CODE: INVALID_RETURN_VALUE
// INSN: 4
// KERNEL: At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]
// A cgroup_skb ingress policy returns 2 (the author thought of "2 = log and allow");
// ingress programs may only return 0 (drop) or 1 (allow).
#include "corpus_common.h"

SEC("cgroup_skb/ingress")
int cgroup_skb_bad_return(struct __sk_buff *skb)
{
	if (skb->len > 1500)
		return 2;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
