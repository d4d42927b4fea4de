// EXPECT: rejected
// CODE: HELPER_ARG_TYPE
// INSN: 8
// KERNEL: R1 type=fp expected=ringbuf_mem
// A refactoring switched from bpf_ringbuf_output (stack copy) to reserve/submit but left
// the event on the stack: bpf_ringbuf_submit needs a reserved record.
#include "corpus_common.h"

struct event {
	__u32 pid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int tp_ringbuf_discard_stack(void *ctx)
{
	struct event e = {};

	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_ringbuf_submit(&e, 0); /* BUG: not a ring buffer record */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
