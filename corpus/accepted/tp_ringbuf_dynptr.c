// EXPECT: accepted
// Exec events through a ring buffer dynptr: reserve a record as a dynptr, fill its
// header through a data slice (null-checked), copy the command name in with
// bpf_dynptr_write, read a field back with bpf_dynptr_read, and submit; the record is
// discarded when the slice cannot be had (the reservation must be released either way).
#include "corpus_common.h"

struct exec_event {
	__u32 pid;
	__u32 uid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} exec_events SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int tp_ringbuf_dynptr(void *ctx)
{
	struct bpf_dynptr rec;
	struct exec_event *hdr;
	char comm[16];
	__u32 pid_back = 0;

	bpf_ringbuf_reserve_dynptr(&exec_events, sizeof(struct exec_event), 0, &rec);
	hdr = bpf_dynptr_data(&rec, 0, 8);
	if (!hdr) {
		bpf_ringbuf_discard_dynptr(&rec, 0);
		return 0;
	}
	hdr->pid = bpf_get_current_pid_tgid() >> 32;
	hdr->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(comm, sizeof(comm));
	bpf_dynptr_write(&rec, 8, comm, sizeof(comm), 0);
	bpf_dynptr_read(&pid_back, sizeof(pid_back), &rec, 0, 0);
	if (pid_back == 0) {
		bpf_ringbuf_discard_dynptr(&rec, 0);
		return 0;
	}
	bpf_ringbuf_submit_dynptr(&rec, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
