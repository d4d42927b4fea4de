// EXPECT: accepted
// bashreadline-style uprobe: on return of readline() in /bin/bash the returned user
// string (the command line typed) is copied with bpf_probe_read_user_str and streamed;
// the entry probe reads the prompt argument (a user pointer in the first register).
#include "corpus_common.h"

struct line_event {
	__u32 pid;
	__u32 is_prompt;
	char text[80];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} lines SEC(".maps");

static __always_inline int emit(const void *user_str, __u32 is_prompt)
{
	struct line_event *e;

	if (!user_str)
		return 0;
	e = bpf_ringbuf_reserve(&lines, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->is_prompt = is_prompt;
	bpf_probe_read_user_str(e->text, sizeof(e->text), user_str);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("uprobe//bin/bash:readline")
int BPF_KPROBE(uprobe_readline, const char *prompt)
{
	return emit(prompt, 1);
}

SEC("uretprobe//bin/bash:readline")
int BPF_KRETPROBE(uretprobe_readline, const char *line)
{
	return emit(line, 0);
}

char LICENSE[] SEC("license") = "GPL";
