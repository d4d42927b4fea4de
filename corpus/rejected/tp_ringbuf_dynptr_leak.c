// EXPECT: rejected
// CODE: UNRELEASED_REFERENCE
// INSN: 25
// KERNEL: Unreleased reference id=3 alloc_insn=10
// A ring buffer dynptr is reserved, but the path where the pid is 0 returns without
// submitting or discarding it: a dynptr reservation is a reference too.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int tp_ringbuf_dynptr_leak(void *ctx)
{
	struct bpf_dynptr rec;
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &rec);
	if (pid == 0)
		return 0; /* BUG: rec is never released on this path */
	bpf_dynptr_write(&rec, 0, &pid, sizeof(pid), 0);
	bpf_ringbuf_submit_dynptr(&rec, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
