// EXPECT: rejected
// CODE: NULL_POINTER_DEREF
// INSN: 21
// KERNEL: R6 invalid mem access 'map_value_or_null'
// SECTION: kretprobe/tcp_sendmsg
// An entry/exit probe pair measuring tcp_sendmsg sizes and latency.  The entry probe is
// fine; the exit probe uses the stored entry record without checking the lookup.
#include "corpus_common.h"

struct entry {
	__u64 ts;
	__u64 size;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, struct entry);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bytes_ok SEC(".maps");

SEC("kprobe/tcp_sendmsg")
int BPF_KPROBE(tcp_sendmsg_entry, void *sk, void *msg, __u64 size)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct entry e = { .ts = bpf_ktime_get_ns(), .size = size };

	bpf_map_update_elem(&inflight, &id, &e, BPF_ANY);
	return 0;
}

SEC("kretprobe/tcp_sendmsg")
int BPF_KRETPROBE(tcp_sendmsg_exit, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct entry *e = bpf_map_lookup_elem(&inflight, &id);
	__u32 zero = 0;
	__u64 *ok = bpf_map_lookup_elem(&bytes_ok, &zero);

	if (ok && ret > 0)
		__sync_fetch_and_add(ok, e->size); /* BUG: e may be NULL */
	bpf_map_delete_elem(&inflight, &id);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
