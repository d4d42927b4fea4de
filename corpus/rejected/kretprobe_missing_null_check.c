// EXPECT: rejected
// CODE: NULL_POINTER_DEREF
// INSN: 10
// KERNEL: R7 invalid mem access 'map_value_or_null'
// The latency tracer's return probe assumes the entry probe always stored a timestamp,
// but probes can be attached mid-call (or the map can be full): no NULL check.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, __u64);
} start SEC(".maps");

__u64 total_ns;

SEC("kretprobe/vfs_fsync_range")
int BPF_KRETPROBE(kretprobe_missing_null_check, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *tsp = bpf_map_lookup_elem(&start, &id);

	total_ns += bpf_ktime_get_ns() - *tsp; /* BUG: tsp may be NULL */
	bpf_map_delete_elem(&start, &id);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
