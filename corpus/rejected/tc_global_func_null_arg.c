// EXPECT: rejected
// CODE: NULL_POINTER_DEREF
// INSN: 11
// KERNEL: R1 invalid mem access 'mem_or_null'
// A global (non-static) function is verified on its own, with its pointer argument
// possibly NULL; it dereferences the argument without checking it.
#include "corpus_common.h"

struct pkt_info {
	__u32 len;
	__u32 mark;
};

__noinline int classify(struct pkt_info *info)
{
	return info->len > 1000 ? 2 : 1; /* BUG: info may be NULL */
}

SEC("tc")
int tc_global_func_null_arg(struct __sk_buff *skb)
{
	struct pkt_info info = { .len = skb->len, .mark = skb->mark };

	skb->mark = classify(&info);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
