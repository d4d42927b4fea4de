// EXPECT: rejected
// CODE: INVALID_MEM_ACCESS
// INSN: 9
// KERNEL: cannot overwrite referenced dynptr
// A ring buffer dynptr's stack slots are overwritten (the struct is reused as scratch
// space) before it is submitted: the kernel would lose the reservation.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int tp_dynptr_overwrite_ringbuf(void *ctx)
{
	struct bpf_dynptr rec;

	bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &rec);
	*(volatile __u64 *)&rec = bpf_get_current_pid_tgid(); /* BUG: clobbers the dynptr */
	bpf_ringbuf_submit_dynptr(&rec, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
