// EXPECT: rejected
// CODE: HELPER_ARG_TYPE
// INSN: 24
// KERNEL: Expected an initialized dynptr as arg #2
// One byte of a local dynptr is overwritten, which destroys the whole dynptr; the
// later bpf_dynptr_read sees no initialised dynptr.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cfg SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int tp_dynptr_local_clobbered(void *ctx)
{
	struct bpf_dynptr dp;
	__u32 key = 0;
	__u64 out = 0;
	__u64 *v = bpf_map_lookup_elem(&cfg, &key);

	if (!v)
		return 0;
	bpf_dynptr_from_mem(v, sizeof(*v), 0, &dp);
	((volatile char *)&dp)[12] = 1; /* BUG: partial write into the dynptr */
	bpf_dynptr_read(&out, sizeof(out), &dp, 0, 0);
	return out == 1;
}

char LICENSE[] SEC("license") = "GPL";
