// EXPECT: rejected
// CODE: UNRELEASED_REFERENCE
// INSN: 18
// KERNEL: Unreleased reference
// A ring buffer record is reserved, but the early return for kernel threads (pid 0)
// forgets to discard it: the reservation leaks on that path.
#include "corpus_common.h"

struct event {
	__u32 pid;
	__u32 nr;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int tp_ringbuf_leak(struct trace_event_raw_sys_enter *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	__u32 pid;

	if (!e)
		return 0;
	pid = bpf_get_current_pid_tgid() >> 32;
	if (pid == 0)
		return 0; /* BUG: e is neither submitted nor discarded */
	e->pid = pid;
	e->nr = ctx->id;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
