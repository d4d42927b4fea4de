// EXPECT: accepted
// Failed-open tracker: a kretprobe on do_sys_openat2 reads the return value and counts
// errors per errno (as `opensnoop -x` does), per process in a hash map.
#include "corpus_common.h"

struct err_key {
	__u32 pid;
	__s32 err;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct err_key);
	__type(value, __u64);
} open_errors SEC(".maps");

SEC("kretprobe/do_sys_openat2")
int BPF_KRETPROBE(kretprobe_retval, long ret)
{
	struct err_key key;
	__u64 one = 1, *n;

	if (ret >= 0)
		return 0;
	key.pid = bpf_get_current_pid_tgid() >> 32;
	key.err = (__s32)-ret;
	n = bpf_map_lookup_elem(&open_errors, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&open_errors, &key, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
