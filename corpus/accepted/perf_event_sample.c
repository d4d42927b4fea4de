// EXPECT: accepted
// CPU profiler: a perf_event program (sampling at a fixed frequency) counts samples per
// (pid, user stack id); it reads sample_period from its context so that samples from
// events with different periods can be weighted.
#include "corpus_common.h"

struct sample_key {
	__u32 pid;
	__s32 user_stack;
};

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct sample_key);
	__type(value, __u64);
} weights SEC(".maps");

SEC("perf_event")
int perf_event_sample(struct bpf_perf_event_data *ctx)
{
	struct sample_key key = {};
	__u64 period = ctx->sample_period;
	__u64 *w;

	key.pid = bpf_get_current_pid_tgid() >> 32;
	key.user_stack = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	w = bpf_map_lookup_elem(&weights, &key);
	if (w)
		__sync_fetch_and_add(w, period);
	else
		bpf_map_update_elem(&weights, &key, &period, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
