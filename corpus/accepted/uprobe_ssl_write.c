// EXPECT: accepted
// sslsniff-style uprobe on SSL_write(ssl, buf, num): copies up to 256 bytes of the
// plaintext user buffer (bounded by num) into a per-CPU scratch map and streams it out.
#include "corpus_common.h"

#define MAX_BUF 256

struct ssl_event {
	__u32 pid;
	__u32 len;
	char buf[MAX_BUF];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ssl_event);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} ssl_events SEC(".maps");

SEC("uprobe//usr/lib/x86_64-linux-gnu/libssl.so.3:SSL_write")
int BPF_KPROBE(uprobe_ssl_write, void *ssl, const void *buf, int num)
{
	__u32 zero = 0, len;
	struct ssl_event *e = bpf_map_lookup_elem(&scratch, &zero);

	if (!e || num <= 0)
		return 0;
	len = num < MAX_BUF ? num : MAX_BUF;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->len = len;
	if (bpf_probe_read_user(e->buf, len & (MAX_BUF - 1), buf) < 0)
		return 0;
	bpf_perf_event_output(ctx, &ssl_events, BPF_F_CURRENT_CPU, e, sizeof(*e));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
