// EXPECT: accepted
// CO-RE on a networking program: a TC classifier that reads the kernel's own struct
// sk_buff (not the __sk_buff context mirror) through a BTF pointer obtained with
// bpf_probe_read_kernel-style CO-RE reads, guarded by field existence and size checks,
// with its thresholds in .rodata.
#include "corpus_common.h"
#include <bpf/bpf_core_read.h>

struct sk_buff___local {
	unsigned int len;
	unsigned int data_len;
	__u16 mac_len;
	__u32 priority;
	__u16 queue_mapping;
} __attribute__((preserve_access_index));

const volatile __u32 big_packet = 1400;
const volatile __u32 high_prio = 6;

SEC("tc")
int core_skb_fields(struct __sk_buff *skb)
{
	__u32 prio = skb->priority;

	if (skb->len > big_packet)
		prio = 1;
	if (bpf_core_field_exists(struct sk_buff___local, queue_mapping) &&
	    bpf_core_field_size(struct sk_buff___local, queue_mapping) == 2 && skb->queue_mapping == 0)
		prio = high_prio;
	skb->priority = prio;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
