// EXPECT: rejected
// CODE: READ_ONLY_MEMORY
// INSN: 11
// KERNEL: write into map forbidden
// A configuration map created with BPF_F_RDONLY_PROG (user space fills it, programs
// may only read it), but the program also counts its hits in the value.
#include "corpus_common.h"

struct config {
	__u32 allowed_port;
	__u32 hits;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, struct config);
} tc_config SEC(".maps");

SEC("tc")
int count_config_hits(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct config *cfg = bpf_map_lookup_elem(&tc_config, &zero);

	if (!cfg)
		return TC_ACT_OK;
	cfg->hits++;
	return skb->len > 1000 && cfg->allowed_port ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
