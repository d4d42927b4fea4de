// EXPECT: accepted
// raw_tracepoint/sys_enter: args[0] is the pt_regs of the task, args[1] the syscall
// number.  Counts kill(2) calls per target signal, reading the signal argument from the
// saved registers with bpf_probe_read_kernel.
#include "corpus_common.h"

#define NR_kill 62

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65);
	__type(key, __u32);
	__type(value, __u64);
} signals SEC(".maps");

SEC("raw_tracepoint/sys_enter")
int raw_tp_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	long nr = ctx->args[1];
	unsigned long sig = 0;
	__u32 key;
	__u64 *count;

	if (nr != NR_kill)
		return 0;
	bpf_probe_read_kernel(&sig, sizeof(sig), &regs->rsi);
	key = sig > 64 ? 64 : sig;
	count = bpf_map_lookup_elem(&signals, &key);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
