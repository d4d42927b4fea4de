// EXPECT: rejected
// CODE: UNRELEASED_REFERENCE
// INSN: 20
// KERNEL: BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region
// An early return inside the critical section skips bpf_spin_unlock.
#include "corpus_common.h"

struct counter {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counter);
} counters SEC(".maps");

SEC("tc")
int tc_spin_lock_missing_unlock(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct counter *c = bpf_map_lookup_elem(&counters, &zero);

	if (!c)
		return TC_ACT_OK;
	bpf_spin_lock(&c->lock);
	if (c->packets > 1000000)
		return TC_ACT_SHOT; /* BUG: still holding the lock */
	c->packets++;
	bpf_spin_unlock(&c->lock);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
