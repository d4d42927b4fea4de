// EXPECT: accepted
// LSM policy: processes whose command name is in a deny set may not open files
// (-EPERM from the file_open hook); every decision is counted.
#include "corpus_common.h"

struct comm_key {
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct comm_key);
	__type(value, __u8);
} denied_comms SEC(".maps");

__u64 denials = 0;

SEC("lsm/file_open")
int BPF_PROG(lsm_file_open, void *file)
{
	struct comm_key key = {};

	bpf_get_current_comm(key.comm, sizeof(key.comm));
	if (bpf_map_lookup_elem(&denied_comms, &key)) {
		__sync_fetch_and_add(&denials, 1);
		return -EPERM;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
