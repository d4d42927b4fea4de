// EXPECT: accepted
// Latency tracer for vfs_read: the kprobe stores the entry timestamp keyed by pid_tgid,
// the kretprobe computes the delta and adds it to a log2 histogram.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} hist SEC(".maps");

static __always_inline __u32 log2l(__u64 v)
{
	__u32 r = 0;
	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) { r += 1; }
	return r;
}

SEC("kprobe/vfs_read")
int BPF_KPROBE(vfs_read_entry)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&start, &id, &ts, BPF_ANY);
	return 0;
}

SEC("kretprobe/vfs_read")
int BPF_KRETPROBE(vfs_read_exit, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *tsp = bpf_map_lookup_elem(&start, &id);
	__u32 slot;
	__u64 *bucket;

	if (!tsp)
		return 0;
	slot = log2l(bpf_ktime_get_ns() - *tsp);
	bpf_map_delete_elem(&start, &id);
	if (slot >= 64)
		return 0;
	bucket = bpf_map_lookup_elem(&hist, &slot);
	if (bucket)
		__sync_fetch_and_add(bucket, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
