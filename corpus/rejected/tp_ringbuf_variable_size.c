// EXPECT: rejected
// CODE: HELPER_ARG_SIZE
// INSN: 12
// KERNEL: R2 is not a known constant'
// bpf_ringbuf_reserve with a size computed at run time (the path length): the size of
// a reservation must be a known constant.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_ringbuf_variable_size(struct trace_event_openat *ctx)
{
	char tmp[64];
	long n = bpf_probe_read_user_str(tmp, sizeof(tmp), ctx->filename);
	char *e;

	if (n <= 0 || n > 64)
		return 0;
	e = bpf_ringbuf_reserve(&rb, n, 0); /* BUG: must be a constant */
	if (!e)
		return 0;
	e[0] = tmp[0];
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
