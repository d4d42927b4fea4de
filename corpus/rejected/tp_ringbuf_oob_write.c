// EXPECT: rejected
// CODE: MEM_OUT_OF_BOUNDS
// INSN: 13
// KERNEL: invalid access to memory, mem_size=8 off=8 size=8
// A ring buffer record reserved for the fixed header only (sizeof(struct hdr)) is
// written as if it had the larger payload struct.
#include "corpus_common.h"

struct hdr {
	__u32 pid;
	__u32 kind;
};

struct full {
	struct hdr h;
	__u64 ts;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int tp_ringbuf_oob_write(void *ctx)
{
	struct full *e = bpf_ringbuf_reserve(&rb, sizeof(struct hdr), 0); /* BUG */

	if (!e)
		return 0;
	e->h.pid = bpf_get_current_pid_tgid() >> 32;
	e->h.kind = 1;
	e->ts = bpf_ktime_get_ns();
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
