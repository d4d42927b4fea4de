// EXPECT: accepted
// Bytes written per command name: a kprobe on vfs_write keys a PERCPU_HASH by the
// 16-byte comm and adds the `count` argument, like a per-program I/O top.
#include "corpus_common.h"

struct comm_key {
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct comm_key);
	__type(value, __u64);
} written SEC(".maps");

SEC("kprobe/vfs_write")
int BPF_KPROBE(kprobe_write_bytes_by_comm, void *file, const char *buf, __u64 count)
{
	struct comm_key key = {};
	__u64 *total;

	if (bpf_get_current_comm(key.comm, sizeof(key.comm)) < 0)
		return 0;
	total = bpf_map_lookup_elem(&written, &key);
	if (total) {
		*total += count;
		return 0;
	}
	bpf_map_update_elem(&written, &key, &count, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
