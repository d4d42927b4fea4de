// EXPECT: rejected
// CODE: NULL_POINTER_DEREF
// INSN: 3
// KERNEL: Possibly NULL pointer passed to trusted arg0
// bpf_cgroup_from_id may return NULL; the cgroup is released without a check.
#include "corpus_common.h"

struct cgroup {
	int level;
} __attribute__((preserve_access_index));

extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

SEC("tc")
int tc_cgroup_release_maybe_null(struct __sk_buff *skb)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);

	bpf_cgroup_release(cg); /* BUG: cg may be NULL */
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
