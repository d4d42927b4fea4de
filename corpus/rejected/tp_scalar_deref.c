// EXPECT: rejected
// CODE: INVALID_MEM_ACCESS
// INSN: 1
// KERNEL: R1 invalid mem access 'scalar'
// A tracepoint argument that holds a user-space pointer (openat's filename) is
// dereferenced directly instead of through bpf_probe_read_user_str.
#include "corpus_common.h"

__u64 slash_opens;

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_scalar_deref(struct trace_event_openat *ctx)
{
	const char *name = ctx->filename;

	if (name[0] == '/') /* BUG: user memory cannot be read directly */
		slash_opens++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
