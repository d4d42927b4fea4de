// EXPECT: accepted
// Per-CPU system call counter: raw_syscalls/sys_enter bumps a PERCPU_ARRAY slot per
// syscall number (user space sums the CPUs), like `syscount` does.
#include "corpus_common.h"

#define MAX_SYSCALLS 512

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, __u64);
} syscall_counts SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int tp_syscall_counter(struct trace_event_raw_sys_enter *ctx)
{
	__u32 nr = ctx->id;
	__u64 *count;

	if (nr >= MAX_SYSCALLS)
		return 0;
	count = bpf_map_lookup_elem(&syscall_counts, &nr);
	if (count)
		*count += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
