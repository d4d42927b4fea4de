// EXPECT: rejected
// CODE: INVALID_RELEASE
// INSN: 17
// KERNEL: arg 1 is an unacquired reference
// A local dynptr (over a map value) is handed to bpf_ringbuf_submit_dynptr, which
// only releases ring buffer reservations.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cfg SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int tp_dynptr_submit_local(void *ctx)
{
	struct bpf_dynptr dp;
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&cfg, &key);

	if (!v)
		return 0;
	bpf_dynptr_from_mem(v, sizeof(*v), 0, &dp);
	bpf_ringbuf_submit_dynptr(&dp, 0); /* BUG: not a ring buffer dynptr */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
