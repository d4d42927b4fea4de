// EXPECT: rejected
// CODE: STACK_TOO_LARGE
// INSN: -1
// KERNEL: combined stack size of 3 calls is 608. Too large
// Two noinline functions, each with a 300-byte buffer on its stack, one calling the
// other: each frame is fine but the call chain needs more than 512 bytes.
#include "corpus_common.h"

static __noinline int checksum_region(struct __sk_buff *skb, __u32 off)
{
	unsigned char buf[300];
	__u32 sum = 0;

	if (bpf_skb_load_bytes(skb, off, buf, sizeof(buf)) < 0)
		return 0;
	for (int i = 0; i < 8; i++)
		sum += buf[i * 37];
	return sum;
}

static __noinline int checksum_packet(struct __sk_buff *skb)
{
	unsigned char hdr[300];

	if (bpf_skb_load_bytes(skb, 0, hdr, sizeof(hdr)) < 0)
		return 0;
	return hdr[0] + hdr[299] + checksum_region(skb, sizeof(hdr));
}

SEC("tc")
int tc_combined_stack_too_large(struct __sk_buff *skb)
{
	skb->mark = checksum_packet(skb);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
