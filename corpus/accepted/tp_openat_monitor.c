// EXPECT: accepted
// Runtime-security file monitor: every openat(2) is streamed through a ring buffer
// with pid, comm and path; opens of /etc/shadow are flagged so that the user-space
// agent can raise an alert.
#include "corpus_common.h"

#define PATH_LEN 128

struct open_event {
	__u32 pid;
	__u32 flagged;
	__s64 flags;
	char comm[16];
	char path[PATH_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline int is_shadow(const char *p)
{
	static const char target[] = "/etc/shadow";
	for (int i = 0; i < sizeof(target); i++)
		if (p[i] != target[i])
			return 0;
	return 1;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_openat_monitor(struct trace_event_openat *ctx)
{
	struct open_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->flags = ctx->flags;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), ctx->filename) < 0) {
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	e->flagged = is_shadow(e->path);
	bpf_ringbuf_submit(e, e->flagged ? BPF_RB_FORCE_WAKEUP : 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
