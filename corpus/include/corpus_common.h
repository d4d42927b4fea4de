/* Shared definitions for the corpus programs: what a real project would get from
 * vmlinux.h, written out by hand for the few structures the corpus needs, so the
 * programs build against UAPI headers and libbpf-dev only. */
#ifndef CORPUS_COMMON_H
#define CORPUS_COMMON_H

#ifndef __TARGET_ARCH_x86
#define __TARGET_ARCH_x86
#endif

#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <linux/ptrace.h>
#include <linux/bpf_perf_event.h>
#include <linux/icmp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#ifndef EPERM
#define EPERM 1
#endif

/* Common header of every tracepoint record (see /sys/kernel/tracing/events/.../format). */
struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

/* raw_syscalls/sys_enter */
struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long id;
	unsigned long args[6];
};

/* syscalls/sys_enter_openat */
struct trace_event_openat {
	struct trace_entry ent;
	int __syscall_nr;
	long dfd;
	const char *filename;
	long flags;
	long mode;
};

/* sched/sched_process_exec */
struct trace_event_sched_process_exec {
	struct trace_entry ent;
	unsigned int __data_loc_filename;
	int pid;
	int old_pid;
};



#endif
