// EXPECT: accepted
// The root cgroup (id 1) is looked up with bpf_cgroup_from_id, its level read and the
// reference released; an ancestor lookup through bpf_cgroup_ancestor is released too.
#include "corpus_common.h"

struct cgroup {
	int level;
} __attribute__((preserve_access_index));

extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

SEC("tc")
int tc_cgroup_level(struct __sk_buff *skb)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct cgroup *anc;
	int level;

	if (!cg)
		return TC_ACT_OK;
	level = cg->level;
	anc = bpf_cgroup_ancestor(cg, 0);
	if (anc)
		bpf_cgroup_release(anc);
	bpf_cgroup_release(cg);
	skb->mark = level;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
