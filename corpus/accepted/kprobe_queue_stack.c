// EXPECT: accepted
// Queue and stack maps: every tcp_v4_connect call pushes (pid, timestamp) into a FIFO
// queue for a consumer, and records the caller in a bounded LIFO "recent" stack after
// popping the oldest entry when it is full.
#include "corpus_common.h"

struct conn_sample {
	__u32 pid;
	__u32 cpu;
	__u64 ts;
};

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 1024);
	__type(value, struct conn_sample);
} conn_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 16);
	__type(value, __u32);
} recent_pids SEC(".maps");

SEC("kprobe/tcp_v4_connect")
int kprobe_queue_stack(struct pt_regs *ctx)
{
	struct conn_sample s = {
		.pid = bpf_get_current_pid_tgid() >> 32,
		.cpu = bpf_get_smp_processor_id(),
		.ts = bpf_ktime_get_ns(),
	};
	__u32 old;

	bpf_map_push_elem(&conn_queue, &s, BPF_EXIST);
	if (bpf_map_push_elem(&recent_pids, &s.pid, 0) < 0) {
		bpf_map_pop_elem(&recent_pids, &old);
		bpf_map_push_elem(&recent_pids, &s.pid, 0);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
