// EXPECT: accepted
// Token-bucket shaper shared by all CPUs: the bucket lives in an ARRAY value with a
// struct bpf_spin_lock, refilled and drained under the lock; packets that find the
// bucket empty are dropped.
#include "corpus_common.h"

#define RATE_BYTES_PER_MS 125000ULL
#define BURST_BYTES 1000000ULL

struct bucket {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 tokens;
	__u64 last_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bucket);
} shaper SEC(".maps");

SEC("tc")
int tc_spin_lock(struct __sk_buff *skb)
{
	__u32 zero = 0, len = skb->len;
	__u64 now = bpf_ktime_get_ns();
	struct bucket *b = bpf_map_lookup_elem(&shaper, &zero);
	int verdict = TC_ACT_OK;
	__u64 refill;

	if (!b)
		return TC_ACT_OK;
	bpf_spin_lock(&b->lock);
	refill = (now - b->last_ns) / 1000000 * RATE_BYTES_PER_MS;
	b->tokens += refill;
	if (b->tokens > BURST_BYTES)
		b->tokens = BURST_BYTES;
	b->last_ns = now;
	if (b->tokens >= len)
		b->tokens -= len;
	else
		verdict = TC_ACT_SHOT;
	bpf_spin_unlock(&b->lock);
	return verdict;
}

char LICENSE[] SEC("license") = "GPL";
