// EXPECT: rejected
// CODE: HELPER_NOT_ALLOWED
// INSN: 11
// KERNEL: function calls are not allowed while holding a lock
// A helper call (bpf_ktime_get_ns) inside a bpf_spin_lock critical section: only a few
// calls are allowed while a lock is held.
#include "corpus_common.h"

struct stamp {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 last_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stamp);
} stamps SEC(".maps");

SEC("tc")
int tc_spin_lock_helper_call(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct stamp *s = bpf_map_lookup_elem(&stamps, &zero);

	if (!s)
		return TC_ACT_OK;
	bpf_spin_lock(&s->lock);
	s->last_ns = bpf_ktime_get_ns(); /* BUG: call the helper before taking the lock */
	bpf_spin_unlock(&s->lock);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
