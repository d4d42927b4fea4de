// EXPECT: rejected
// CODE: INVALID_MEM_ACCESS
// INSN: 24
// KERNEL: R6 invalid mem access 'scalar'
// A data slice of a ring buffer dynptr is written after the record was submitted.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int tp_dynptr_slice_after_submit(void *ctx)
{
	struct bpf_dynptr rec;
	__u32 *w;

	bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &rec);
	w = bpf_dynptr_data(&rec, 0, 4);
	if (!w) {
		bpf_ringbuf_discard_dynptr(&rec, 0);
		return 0;
	}
	bpf_ringbuf_submit_dynptr(&rec, 0);
	*w = 1; /* BUG: the record belongs to user space now */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
