// EXPECT: accepted
// A libbpf-style CO-RE tracer written without vmlinux.h: the kernel structures it reads
// are declared locally with preserve_access_index (only the fields it needs, at
// made-up offsets), so every access is relocated against the running kernel's BTF.
// It reads the parent's tgid through BPF_CORE_READ, the task state through whichever
// of __state (5.14+) or state the kernel has, a bitfield, an enum value, type sizes,
// `const volatile` .rodata config, .data/.bss globals and __kconfig externs.
#include "corpus_common.h"
#include <stdbool.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
	unsigned int flags;
	unsigned int in_execve: 1;
	struct task_struct *real_parent;
	char comm[16];
} __attribute__((preserve_access_index));

struct task_struct___new {
	unsigned int __state;
} __attribute__((preserve_access_index));

struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
};

struct exec_event {
	int pid;
	int ppid;
	unsigned int state;
	unsigned int in_execve;
	unsigned int hz;
	unsigned int kver;
	int tgid_type;
	unsigned int task_size;
	char comm[16];
};

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig;
extern bool CONFIG_DOES_NOT_EXIST_IN_ANY_KERNEL __kconfig __weak;

const volatile int target_tgid = 0;       /* set by the loader before load */
const volatile bool with_state = true;
int events_seen = 0;                      /* .bss */
unsigned int min_kernel = 0x050e00;       /* .data: KERNEL_VERSION(5, 14, 0) */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} events SEC(".maps");

SEC("kprobe/do_sys_openat2")
int core_exec_info(struct pt_regs *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct exec_event *e;
	int tgid = BPF_CORE_READ(task, tgid);

	if (target_tgid && tgid != target_tgid)
		return 0;
	if (CONFIG_DOES_NOT_EXIST_IN_ANY_KERNEL)
		return 0;
	__sync_fetch_and_add(&events_seen, 1);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = BPF_CORE_READ(task, pid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->state = 0;
	if (with_state) {
		if (bpf_core_field_exists(((struct task_struct___new *)task)->__state))
			e->state = BPF_CORE_READ((struct task_struct___new *)task, __state);
		else
			e->state = BPF_CORE_READ((struct task_struct___old *)task, state);
	}
	e->in_execve = BPF_CORE_READ_BITFIELD_PROBED(task, in_execve);
	e->hz = CONFIG_HZ;
	e->kver = LINUX_KERNEL_VERSION >= min_kernel ? LINUX_KERNEL_VERSION : 0;
	e->tgid_type = bpf_core_enum_value_exists(enum pid_type, PIDTYPE_TGID) ?
			       bpf_core_enum_value(enum pid_type, PIDTYPE_TGID) : -1;
	e->task_size = bpf_core_type_exists(struct task_struct) ? bpf_core_type_size(struct task_struct) : 0;
	BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
