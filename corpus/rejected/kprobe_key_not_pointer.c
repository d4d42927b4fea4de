// EXPECT: rejected
// CODE: HELPER_ARG_TYPE
// INSN: 5
// KERNEL: R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value
// The pid is passed to bpf_map_lookup_elem by value instead of by address (a missing
// `&`, silenced with a cast).
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

SEC("kprobe/do_nanosleep")
int kprobe_key_not_pointer(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 *n = bpf_map_lookup_elem(&calls, (void *)(long)pid); /* BUG: &pid */

	if (n)
		*n += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
