// EXPECT: accepted
// XDP to TC hand-off through packet metadata: XDP reserves 4 bytes in front of the
// packet with bpf_xdp_adjust_meta and stores a classification; the TC program reads it
// back (checking data_meta + 4 <= data) and turns it into skb->mark.
#include "corpus_common.h"

struct meta {
	__u32 class_id;
};

SEC("xdp")
int xdp_meta_store(struct xdp_md *ctx)
{
	struct meta *m;
	void *data;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > data)
		return XDP_PASS;
	m->class_id = ctx->rx_queue_index + 1;
	return XDP_PASS;
}

SEC("tc")
int tc_meta_read(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	struct meta *m = (void *)(long)skb->data_meta;

	if ((void *)(m + 1) > data)
		return TC_ACT_OK;
	skb->mark = m->class_id;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
