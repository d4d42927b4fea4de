// EXPECT: accepted
// XDP DDoS mitigation: per-source-IPv4 packet rate limit in an LRU hash.  A source
// that sends more than LIMIT packets within one WINDOW_NS is dropped until the window
// rolls over; non-IPv4 traffic passes.
#include "corpus_common.h"

#define WINDOW_NS 1000000000ULL
#define LIMIT 1000

struct rate {
	__u64 window_start;
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct rate);
} rate_by_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

enum { STAT_PASSED = 0, STAT_DROPPED = 1 };

static __always_inline void count(__u32 stat)
{
	__u64 *c = bpf_map_lookup_elem(&verdicts, &stat);
	if (c)
		*c += 1;
}

SEC("xdp")
int xdp_ddos_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct rate *r;
	__u64 now;
	__u32 src;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;

	src = ip->saddr;
	now = bpf_ktime_get_ns();
	r = bpf_map_lookup_elem(&rate_by_src, &src);
	if (!r) {
		struct rate fresh = { .window_start = now, .packets = 1 };
		bpf_map_update_elem(&rate_by_src, &src, &fresh, BPF_ANY);
		count(STAT_PASSED);
		return XDP_PASS;
	}
	if (now - r->window_start > WINDOW_NS) {
		r->window_start = now;
		r->packets = 0;
	}
	r->packets++;
	if (r->packets > LIMIT) {
		count(STAT_DROPPED);
		return XDP_DROP;
	}
	count(STAT_PASSED);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
