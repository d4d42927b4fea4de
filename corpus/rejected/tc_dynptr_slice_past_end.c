// EXPECT: rejected
// CODE: MEM_OUT_OF_BOUNDS
// INSN: 17
// KERNEL: invalid access to memory, mem_size=14 off=23 size=1
// The slice is as long as the buffer size passed to bpf_dynptr_slice (an Ethernet
// header); reading the IPv4 protocol byte beyond it is out of bounds.
#include "corpus_common.h"

extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer__opt,
			      __u32 buffer__szk) __ksym;

SEC("tc")
int tc_dynptr_slice_past_end(struct __sk_buff *skb)
{
	struct bpf_dynptr dp;
	__u8 buf[14];
	__u8 *p;

	if (bpf_dynptr_from_skb(skb, 0, &dp))
		return TC_ACT_OK;
	p = bpf_dynptr_slice(&dp, 0, buf, sizeof(buf));
	if (!p)
		return TC_ACT_OK;
	return p[23] == 17 ? TC_ACT_SHOT : TC_ACT_OK; /* BUG: the slice is 14 bytes */
}

char LICENSE[] SEC("license") = "GPL";
