// EXPECT: rejected
// CODE: INVALID_MAP_OP
// INSN: 3
// KERNEL: cannot pass map_type 1 into func bpf_get_stackid#27
// bpf_get_stackid is given the counts hash map instead of the STACK_TRACE map.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("kprobe/schedule")
int kprobe_stackid_wrong_map(struct pt_regs *ctx)
{
	__u32 id = bpf_get_stackid(ctx, &counts, 0); /* BUG: needs a STACK_TRACE map */
	__u64 *n = bpf_map_lookup_elem(&counts, &id);

	if (n)
		*n += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
