// EXPECT: rejected
// CODE: MEM_OUT_OF_BOUNDS
// INSN: 18
// KERNEL: invalid access to memory, mem_size=4 off=4 size=4
// The slice of a dynptr is as long as the size asked of bpf_dynptr_data (4 bytes),
// not the record: writing its second word is out of bounds.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int tp_dynptr_slice_past_end(void *ctx)
{
	struct bpf_dynptr rec;
	__u32 *w;

	bpf_ringbuf_reserve_dynptr(&rb, 16, 0, &rec);
	w = bpf_dynptr_data(&rec, 0, 4);
	if (w) {
		w[0] = bpf_get_current_pid_tgid() >> 32;
		w[1] = bpf_get_current_uid_gid(); /* BUG: the slice is 4 bytes */
	}
	bpf_ringbuf_submit_dynptr(&rec, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
