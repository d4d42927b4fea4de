// EXPECT: rejected
// CODE: NULL_POINTER_DEREF
// INSN: 15
// KERNEL: R7 invalid mem access 'mem_or_null'
// bpf_dynptr_data returns NULL when the range is out of the record: the slice is used
// without a check.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int tp_dynptr_slice_no_null_check(void *ctx)
{
	struct bpf_dynptr rec;
	__u32 *pid;

	bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &rec);
	pid = bpf_dynptr_data(&rec, 0, 4);
	*pid = bpf_get_current_pid_tgid() >> 32; /* BUG: pid may be NULL */
	bpf_ringbuf_submit_dynptr(&rec, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
