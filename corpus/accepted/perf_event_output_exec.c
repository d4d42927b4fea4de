// EXPECT: accepted
// Process-exec logger: sched/sched_process_exec sends pid, comm and the executed file
// name (read through the record's __data_loc field) to user space with
// bpf_perf_event_output on a PERF_EVENT_ARRAY.
#include "corpus_common.h"

struct exec_event {
	__u32 pid;
	__u32 old_pid;
	char comm[16];
	char filename[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} exec_events SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int perf_event_output_exec(struct trace_event_sched_process_exec *ctx)
{
	struct exec_event e = {};
	unsigned int off = ctx->__data_loc_filename & 0xFFFF;

	e.pid = ctx->pid;
	e.old_pid = ctx->old_pid;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_probe_read_kernel_str(e.filename, sizeof(e.filename), (void *)ctx + off);
	bpf_perf_event_output(ctx, &exec_events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
