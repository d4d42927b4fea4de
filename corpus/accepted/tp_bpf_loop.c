// EXPECT: accepted
// bpf_loop helper: on every execve the callback walks the first 32 argv pointers of the
// new process (read from user memory) and counts how many are non-NULL; the total goes
// into a histogram of argument counts.
#include "corpus_common.h"

struct trace_event_sys_enter_execve {
	struct trace_entry ent;
	int __syscall_nr;
	const char *filename;
	const char *const *argv;
	const char *const *envp;
};

struct loop_ctx {
	const char *const *argv;
	__u32 argc;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 33);
	__type(key, __u32);
	__type(value, __u64);
} argc_hist SEC(".maps");

static long count_arg(__u32 index, void *data)
{
	struct loop_ctx *lc = data;
	const char *arg = NULL;

	if (bpf_probe_read_user(&arg, sizeof(arg), &lc->argv[index]) < 0 || !arg)
		return 1; /* stop */
	lc->argc++;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int tp_bpf_loop(struct trace_event_sys_enter_execve *ctx)
{
	struct loop_ctx lc = { .argv = ctx->argv, .argc = 0 };
	__u64 *slot;
	__u32 key;

	bpf_loop(32, count_arg, &lc, 0);
	key = lc.argc;
	if (key > 32)
		key = 32;
	slot = bpf_map_lookup_elem(&argc_hist, &key);
	if (slot)
		__sync_fetch_and_add(slot, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
