// EXPECT: rejected
// CODE: HELPER_ARG_TYPE
// INSN: 22
// KERNEL: Expected an initialized dynptr as arg #2
// The dynptr is only initialised when the map lookup succeeds, but read on both paths.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cfg SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int tp_dynptr_uninit(void *ctx)
{
	struct bpf_dynptr dp;
	__u32 key = 0;
	__u64 out = 0;
	__u64 *v = bpf_map_lookup_elem(&cfg, &key);

	if (v)
		bpf_dynptr_from_mem(v, sizeof(*v), 0, &dp);
	bpf_dynptr_read(&out, sizeof(out), &dp, 0, 0); /* BUG: dp uninitialised when !v */
	return out == 1;
}

char LICENSE[] SEC("license") = "GPL";
