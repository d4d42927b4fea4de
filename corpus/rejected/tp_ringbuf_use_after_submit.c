// EXPECT: rejected
// CODE: INVALID_MEM_ACCESS
// INSN: 19
// KERNEL: R6 invalid mem access 'scalar'
// The record is written after bpf_ringbuf_submit handed it to the consumer.
#include "corpus_common.h"

struct event {
	__u32 pid;
	__u32 seq;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

__u32 seq;

SEC("tracepoint/raw_syscalls/sys_enter")
int tp_ringbuf_use_after_submit(void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_ringbuf_submit(e, 0);
	e->seq = seq++; /* BUG: e belongs to user space now */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
