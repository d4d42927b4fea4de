// EXPECT: rejected
// CODE: INVALID_RELEASE
// INSN: 23
// KERNEL: R1 type=scalar expected=ringbuf_mem
// Error handling that submits a record and then, on a later failure, discards the same
// record again.
#include "corpus_common.h"

struct event {
	__u32 pid;
	__u32 ok;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int tp_ringbuf_double_submit(struct trace_event_raw_sys_enter *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ok = ctx->id != 59;
	bpf_ringbuf_submit(e, 0);
	if (ctx->id == 59)
		bpf_ringbuf_discard(e, 0); /* BUG: already submitted */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
